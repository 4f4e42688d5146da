#!/usr/bin/env bash
# spawn.sh - spawn latency of a jailed vassal, side by side with bubblewrap doing the same
# confinement and with a plain fork+exec, in one run (hyperfine), ratio printed.
#
# Each variant starts /bin/true with new ipc+uts+mount+pid+net namespaces, a new root that
# holds read-only binds of /usr and /etc (merged-/usr symlinks), a fresh /proc, a minimal
# /dev, loopback up, every capability dropped and the tenant seccomp filter loaded:
#   fork+exec  /bin/true
#   bwrap      bwrap --unshare-{ipc,uts,pid,net} --hostname --ro-bind /usr,/etc --proc --dev
#              --cap-drop ALL --seccomp FD   (FD: our profile exported as BPF by libseccomp)
#   jail       jail-driver --repeat: a running spawner (the driver, in the emperor's place)
#              clones itself into the namespaces (clone) and execs, then jail::plan +
#              jail::build (private mounts, binds by hook-pre-jail, bind-self, /dev,
#              pivot_root with the old root detached, /proc, lo up via libnl, caps,
#              no_new_privs, seccomp), then fork + exec of the worker, which is what the
#              vassal binary runs; timed from the clone to the reaped exit, like hyperfine
#              times bwrap from its fork to the reaped exit. The worker command is
#              "exec /bin/true" so that /bin/sh -c hands over to it (the vassal's workers
#              always start through /bin/sh -c).
#   jail-cold  the same run as a fresh command under hyperfine: it adds the driver's own
#              exec and config parsing, which the running emperor never pays per spawn
#   vassal     the real binary: `vassal --use-clone ipc,uts,mount,pid,net FILE` under
#              hyperfine, the same vassal file with "command = exec kill -TERM 1": the
#              standalone vassal parses the file, launches the vassal process (clone + exec,
#              spec over the channel), which builds the jail (also a new session, /sys
#              read-only) and starts its master; the worker stops the master (PID 1 of the pid
#              namespace), which exits, and so does `vassal FILE`. It pays what jail-cold pays
#              plus a second exec, the channel and the master's start and graceful stop.
#
# hyperfine runs each command with sh -c (dash: single-digit fds only, hence fd 9) and
# subtracts the shell's own start-up time.
#
# Usage: sudo bench/spawn.sh      env: RUNS (default 300), ROUNDS (default 5), BUILD (build
#        dir, default ./build), DRIVER (another jail-driver build, e.g. statically linked),
#        VASSAL (another vassal binary, default $BUILD/vassal/vassal),
#        QUIET_PCT (wait until the machine is at most this % busy, default 15)
# Nothing outside the script's temp dir is touched; every namespace dies with its process.
set -u
RUNS=${RUNS:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$HERE/../build}
DRIVER=${DRIVER:-$BUILD/tests/root/jail/jail-driver}
VASSAL=${VASSAL:-$BUILD/vassal/vassal}
TMP=$(mktemp -d /tmp/emperor-spawn.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
for t in hyperfine bwrap gcc jq; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 1; }; done
[ -x "$DRIVER" ] || { echo "missing $DRIVER (ninja -C $BUILD tests/root/jail/jail-driver)" >&2; exit 1; }
[ -x "$VASSAL" ] || { echo "missing $VASSAL (ninja -C $BUILD vassal/vassal)" >&2; exit 1; }

busy_pct() {  # machine-wide busy CPU % over $1 seconds
  local a b; a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep "$1"
  b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
  echo "$a $b" | awk '{bu=$3-$1; id=$4-$2; printf "%.0f", (bu+id>0)? bu/(bu+id)*100 : 0}'
}
quiet_wait() {  # bounded wait for a quiet machine, so the variants are comparable
  local i b
  for i in $(seq 1 30); do
    b=$(busy_pct 2); [ "$b" -le "${QUIET_PCT:-15}" ] && { echo "$b"; return; }
  done; echo "$b(busy!)"
}

# ---- the prepared root: empty mount points and the merged-/usr symlinks -----------------
ROOT=$TMP/root
mkdir -p "$ROOT"/{usr,etc,proc,dev,tmp}
for d in bin sbin lib lib64; do [ -e /usr/$d ] && ln -s usr/$d "$ROOT/$d"; done

cat > "$TMP/spawn.ini" <<INI
[uwsgi]
pivot-root = $ROOT .old
hook-pre-jail = mount:none /usr $ROOT/usr bind,ro
hook-pre-jail = mount:none /etc $ROOT/etc bind,ro
hostname = bench
command = exec /bin/true
INI

# ---- the same seccomp filter for bubblewrap, as BPF --------------------------------------
cat > "$TMP/mkbpf.c" <<'C'
#define _GNU_SOURCE
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
/* stdin: "SYSCALL KIND" lines (deny | enosys | deny-namespace-flags | deny-tty-injection);
   stdout: BPF */
int main(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  char name[128], kind[64];
  const unsigned long ns[] = {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                              CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};
  if (!ctx) return 1;
  while (scanf("%127s %63s", name, kind) == 2) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;
    if (!strcmp(kind, "deny-namespace-flags")) {
      for (unsigned i = 0; i < sizeof ns / sizeof ns[0]; i++)
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, ns[i], ns[i])) < 0) return 2;
    } else if (!strcmp(kind, "deny-tty-injection")) {
      const unsigned long req[] = {TIOCSTI, TIOCLINUX};
      for (unsigned i = 0; i < 2; i++)
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, req[i])) < 0) return 2;
    } else if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(strcmp(kind, "enosys") ? EPERM : ENOSYS),
                                nr, 0) < 0) {
      return 3;
    }
  }
  return seccomp_export_bpf(ctx, 1) < 0 ? 4 : 0;
}
C
gcc -O2 -o "$TMP/mkbpf" "$TMP/mkbpf.c" -lseccomp || exit 1
"$DRIVER" --seccomp-rules "$TMP/spawn.ini" > "$TMP/rules.txt" || exit 1
"$TMP/mkbpf" < "$TMP/rules.txt" > "$TMP/filter.bpf" || { echo "mkbpf failed" >&2; exit 1; }

BWRAP="bwrap --unshare-ipc --unshare-uts --unshare-pid --unshare-net --die-with-parent \
--hostname bench --ro-bind /usr /usr --ro-bind /etc /etc --symlink usr/bin /bin \
--symlink usr/sbin /sbin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc \
--dev /dev --cap-drop ALL --seccomp 9 /bin/true 9<$TMP/filter.bpf"
JAIL="$DRIVER --quiet --ns ipc,uts,mount,pid,net $TMP/spawn.ini"
sed "s|^command = .*|command = exec kill -TERM 1|" "$TMP/spawn.ini" > "$TMP/vassal.ini"
VASSAL_CMD="$VASSAL --use-clone ipc,uts,mount,pid,net $TMP/vassal.ini"
ORDER=(fork+exec bwrap jail jail-cold vassal)
declare -A CMD=([fork+exec]="/bin/true" [bwrap]="$BWRAP" [jail]="$JAIL" [jail-cold]="$JAIL"
                [vassal]="$VASSAL_CMD")

# Each variant must work before it is timed: a failing sandbox would look fast.
for k in "${ORDER[@]}"; do
  sh -c "${CMD[$k]}" > "$TMP/check.out" 2>&1 || { echo "$k fails:"; cat "$TMP/check.out"; exit 1; }
done
# And the confinement is really there: the same probe through both sandboxes.
cat > "$ROOT/tmp/probe.sh" <<'PROBE'
echo "hostname=$(hostname) pid1=$(cat /proc/1/comm) $(grep CapEff /proc/self/status | tr -d '\t')" \
  "unshare-denied=$(unshare -U true 2>&1 | grep -c 'not permitted')"
PROBE
sed "s|^command = .*|command = /bin/sh /tmp/probe.sh|" "$TMP/spawn.ini" > "$TMP/probe.ini"
echo "# jail:  $($DRIVER --quiet "$TMP/probe.ini")"
echo "# bwrap: $(bash -c "${BWRAP%%/bin/true*} --ro-bind $ROOT/tmp/probe.sh /tmp/probe.sh /bin/sh /tmp/probe.sh 9<$TMP/filter.bpf")"

echo "# spawn.sh $(date -Is) kernel=$(uname -r) cpus=$(nproc) runs=$RUNS $(bwrap --version) $(hyperfine --version)"
# Rounds alternate the variants, so slow drifts of the machine's load hit all of them alike.
ROUNDS=${ROUNDS:-5}
PER=$(( (RUNS + ROUNDS - 1) / ROUNDS ))
declare -A MEAN MED SD MIN
for r in $(seq 1 "$ROUNDS"); do
  echo "# round $r/$ROUNDS idle-check busy%=$(quiet_wait)"
  for k in "${ORDER[@]}"; do
    if [ "$k" = jail ]; then
      $JAIL --repeat 5 >/dev/null && $JAIL --repeat "$PER" >> "$TMP/$k.times" \
        || { echo "jail --repeat failed"; exit 1; }
      continue
    fi
    hyperfine --style none --warmup 5 --runs "$PER" --export-json "$TMP/$k.json" "${CMD[$k]}" \
      >/dev/null 2>"$TMP/$k.err" || { echo "hyperfine $k failed: $(tail -2 "$TMP/$k.err")"; exit 1; }
    jq -r '.results[0].times[] * 1000' "$TMP/$k.json" >> "$TMP/$k.times"
  done
done
for k in "${ORDER[@]}"; do
  read -r MEAN[$k] MED[$k] SD[$k] MIN[$k] < <(sort -g "$TMP/$k.times" | awk '{v[NR]=$1; s+=$1; q+=$1*$1}
    END{m=s/NR; md=(NR%2)? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; sd=sqrt(q/NR-m*m); print m, md, sd, v[1]}')
done
echo
echo "Spawn latency of one confined /bin/true ($((PER * ROUNDS)) runs each in $ROUNDS alternating rounds;"
echo "hyperfine with shell time subtracted, jail timed by its spawner), ms"
printf "%-10s %8s %8s %8s %8s %10s\n" variant mean median stddev min "mean/bwrap"
for k in "${ORDER[@]}"; do
  awk -v k="$k" -v m="${MEAN[$k]}" -v md="${MED[$k]}" -v sd="${SD[$k]}" -v mn="${MIN[$k]}" -v b="${MEAN[bwrap]}" \
    'BEGIN{printf "%-10s %8.3f %8.3f %8.3f %8.3f %10.2f\n", k, m, md, sd, mn, m/b}'
done
# CPU per spawn, all of its processes (perf stat's task-clock follows children): on a loaded
# machine wall time is mostly waiting for a CPU, so this is the steadier comparison.
if command -v perf >/dev/null; then
  cpu_ms() {  # runs, command... -> task-clock ms per run
    local n=$1; shift
    perf stat -x, -e task-clock -r "$n" "$@" 2>&1 >/dev/null | awk -F, '/task-clock/{print $1}'
  }
  N=$(( RUNS < 100 ? RUNS : 100 ))
  SH=$(cpu_ms "$N" sh -c true)
  declare -A CPU
  CPU[fork+exec]=$(cpu_ms "$N" sh -c /bin/true)
  CPU[bwrap]=$(cpu_ms "$N" sh -c "$BWRAP")
  CPU[jail-cold]=$(cpu_ms "$N" sh -c "$JAIL")
  CPU[vassal]=$(cpu_ms "$N" sh -c "$VASSAL_CMD")
  CPU[jail]=$(cpu_ms 1 $JAIL --repeat "$N")
  echo
  echo "CPU per spawn (perf stat task-clock of every process of one spawn; sh -c wrapper subtracted), ms"
  for k in "${ORDER[@]}"; do
    awk -v k="$k" -v c="${CPU[$k]}" -v sh="$SH" -v n="$N" -v b="${CPU[bwrap]}" 'BEGIN{
      v = (k == "jail") ? c / n : c - sh; bb = b - sh
      printf "%-10s %8.3f %10.2f\n", k, v, v / bb }'
  done
fi
awk -v j="${MEAN[jail]}" -v b="${MEAN[bwrap]}" -v jm="${MED[jail]}" -v bm="${MED[bwrap]}" 'BEGIN{
  r = j / b; rm = jm / bm
  printf "jail / bwrap = %.2fx (mean), %.2fx (median); target <= 1.20x: %s\n", r, rm, (r <= 1.2 ? "met" : "NOT met") }'
awk -v v="${MEAN[vassal]}" -v b="${MEAN[bwrap]}" -v vm="${MED[vassal]}" -v bm="${MED[bwrap]}" 'BEGIN{
  printf "vassal FILE / bwrap = %.2fx (mean), %.2fx (median)\n", v / b, vm / bm }'
