/* stamp FILE: the first hook of every vassal in bench/emperor.sh, ours and uWSGI's alike.
   It records the moment it runs (CLOCK_REALTIME, ns) and its parent's pid in FILE, once
   (uWSGI runs exec-as-root again at each respawn), written to FILE.tmp and renamed so that
   the bench never reads half a line. A small C program, not `date`, so that the figure is
   the hook starting, not the hook plus a shell and a date process after it. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  struct timespec now;
  char tmp[4096];
  clock_gettime(CLOCK_REALTIME, &now);
  if (argc != 2) return 2;
  if (access(argv[1], F_OK) == 0) return 0;
  snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
  FILE *f = fopen(tmp, "w");
  if (!f) return 1;
  fprintf(f, "%lld %d\n", (long long)now.tv_sec * 1000000000LL + now.tv_nsec, (int)getppid());
  if (fclose(f) != 0) return 1;
  return rename(tmp, argv[1]) == 0 ? 0 : 1;
}
