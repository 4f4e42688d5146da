// Writes N log-like lines to stdout, one write(2) per line, as an application that logs
// unbuffered does. The same producer feeds uWSGI and the emperor in bench/logs.sh: uWSGI's
// log master treats each read() from its socket as one message, so one line per write keeps
// its json encoder honest. Waits out EAGAIN (uWSGI makes its log socket non-blocking).
//
// usage: line_writer N [--linger] [--batch]
//   --linger: then sleep, so uWSGI's attach-daemon (or the emperor) does not start it again
//   --batch:  64 KiB per write(2) instead, as stdio does for a program writing to a pipe
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

bool write_line(const char* p, size_t len) {
  while (len > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, p, len);
    if (n > 0) {
      p += n;
      len -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{STDOUT_FILENO, POLLOUT, 0};
      ::poll(&pfd, 1, 1000);
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: line_writer N [--linger] [--batch]\n");
    return 2;
  }
  const long n = std::strtol(argv[1], nullptr, 10);
  bool linger = false, batch = false;
  for (int i = 2; i < argc; ++i) {
    linger = linger || std::string_view(argv[i]) == "--linger";
    batch = batch || std::string_view(argv[i]) == "--batch";
  }
  std::string pending;
  char line[256];
  for (long i = 0; i < n; ++i) {
    // ~100 bytes, an access-log shape with a quote and a tab for the json encoder to escape.
    const int len = std::snprintf(line, sizeof line,
                                  "10.0.0.%ld - - \"GET /api/v1/items/%ld HTTP/1.1\" 200 %ld\t"
                                  "rt=0.%03ld ua=\"bench/1.0\" seq=%ld\n",
                                  i % 250, i, 512 + i % 4096, i % 1000, i);
    if (!batch) {
      if (!write_line(line, static_cast<size_t>(len))) return 1;
      continue;
    }
    pending.append(line, static_cast<size_t>(len));
    if (pending.size() >= 65536) {
      if (!write_line(pending.data(), pending.size())) return 1;
      pending.clear();
    }
  }
  if (!pending.empty() && !write_line(pending.data(), pending.size())) return 1;
  if (linger)
    for (;;) ::pause();
  return 0;
}
