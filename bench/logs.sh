#!/usr/bin/env bash
# bench/logs.sh -- log lines per second with the json encoder to a file, ours and uWSGI's in
# one run, ratio printed.
#
# The same producer (bench/logs/line_writer: N access-log-like lines of ~100 bytes, one write(2)
# per line, as an unbuffered app logs) feeds:
#   ours/pipe    bench/logs/pipeline_bench: reads the producer's stdout through a pipe, splits
#                and tags lines as the emperor's capture does, submits them to emp::logs::Pipeline
#                (json encoder, file logger, backpressure via congested()/wake_fd)
#   ours/direct  the same pipeline fed from memory: the pipeline alone, no producer
#   emperor      the real emperor (root): the producer is a vassal's worker, its output read by
#                the emperor's capture loop into the same pipeline (logto + log-encoder json)
#   emperor-batch  the same with the producer writing 64 KiB at a time, as stdio does into a
#                pipe: what the emperor itself can take (no uWSGI counterpart: its log master
#                would take each 64 KiB as one message)
#   uwsgi        Debian's uWSGI 2.0.21: master + log-master, the producer as attach-daemon,
#                `log-encoder = json ...` then `nl` (uWSGI adds no newline itself), logger file:
# Each run is timed from launch until the N-th line is in the file; CPU seconds are the
# pipeline process's (ours) or the uWSGI master's (its log master runs there), producers
# excluded. Every output is checked to hold exactly N lines. Each mode runs unpinned and
# pinned to one core (taskset -c 0: producer, reader and writer share it).
# The emperor mode needs root (vassals run in namespaces) and is skipped without it; it is
# timed from the vassal file's drop, the emperor already running.
#
# Nothing here touches the network. Every run is bounded by TIMEOUT; cleanup kills only the
# processes this script started and removes its work dir.
#
# Usage: bash bench/logs.sh            (env: N=1000000 TRIALS=3 TIMEOUT=300 BUILD=build-bench
#                                            KEEP=0 PIN=1)
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${N:-1000000}
TRIALS=${TRIALS:-3}
TIMEOUT=${TIMEOUT:-300}
BUILD=${BUILD:-$ROOT/build-bench}
KEEP=${KEEP:-0}
PIN=${PIN:-1}
UWSGI=${UWSGI:-/usr/bin/uwsgi-core}
PLUGDIR=${PLUGDIR:-/usr/lib/uwsgi/plugins}
TEMPLATE='{"unix":${unix},"msg":"${msg}"}'

W=$(mktemp -d /tmp/emp-logs-bench.XXXXXX) || exit 1
declare -a STARTED=()

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
alive() { [ -n "${1:-}" ] && [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${STARTED[@]}"; do alive "$p" && kill -INT "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${STARTED[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  if [ "$KEEP" = 1 ]; then log "work dir kept: $W"; else rm -rf "$W"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ----------------------------------------------------------------------------- preflight
for b in "$UWSGI" g++ meson ninja taskset timeout awk; do command -v "$b" >/dev/null || die "missing $b"; done
[ -f "$PLUGDIR/logfile_plugin.so" ] || die "uWSGI logfile plugin missing in $PLUGDIR"
NCPU=$(nproc)

# ----------------------------------------------------------------------------- build
if [ ! -f "$BUILD/build.ninja" ]; then
  log "meson setup $BUILD (release)"
  meson setup --buildtype=release "$BUILD" "$ROOT" >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; die "meson setup"; }
fi
TARGETS="logs/libemp_logs.a logs/libemp_logs_core.a sys/libemp_sys.a config/libemp_config.a"
WITH_EMPEROR=0
if [ "$(id -u)" = 0 ]; then
  TARGETS="$TARGETS emperor/emperor vassal/vassal"
  WITH_EMPEROR=1
else
  log "not root: the emperor mode is skipped"
fi
ninja -C "$BUILD" $TARGETS >"$W/ninja.log" 2>&1 || { tail -30 "$W/ninja.log"; die "ninja"; }
CXXFLAGS="-std=c++20 -O3 -DNDEBUG -Wall -Wextra -Wshadow -Wold-style-cast -D_GNU_SOURCE"
g++ $CXXFLAGS -iquote "$ROOT" -iquote "$BUILD" "$HERE/logs/pipeline_bench.cpp" \
  "$BUILD/logs/libemp_logs.a" "$BUILD/logs/libemp_logs_core.a" "$BUILD/sys/libemp_sys.a" \
  "$BUILD/config/libemp_config.a" -lz -pthread -o "$W/pipeline_bench" || die "build pipeline_bench"
g++ $CXXFLAGS "$HERE/logs/line_writer.cpp" -o "$W/line_writer" || die "build line_writer"

# ----------------------------------------------------------------------------- runs
# Each run prints one line: "<lines_per_sec> <cpu_seconds> <seconds>".
# Stops a timed server (SIGNAL, then SIGKILL after TRIES x 50 ms), checks that its output file
# holds exactly N lines, and prints "lines/s cpu-seconds wall-seconds" ("0 0 0" on a failed run;
# the return status then is 1).
stop_and_report() {  # name pid signal tries ok out elapsed_ns cpu_ticks
  local name=$1 pid=$2 sig=$3 tries=$4 ok=$5 out=$6 ns=$7 ticks=$8
  kill -"$sig" "$pid" 2>/dev/null
  for _ in $(seq 1 "$tries"); do alive "$pid" || break; sleep 0.05; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [ "$ok" = 1 ] || { log "$name: the last line never arrived (timeout $TIMEOUT s)"; echo "0 0 0"; return 1; }
  local lines; lines=$(grep -c 'seq=' "$out")
  [ "$lines" = "$N" ] || { log "$name: $lines lines in the file, expected $N"; echo "0 0 0"; return 1; }
  awk -v n="$N" -v ns="$ns" -v t="$ticks" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { s = ns / 1e9; printf "%.0f %.3f %.3f\n", n / s, t / hz, s }'
}

pin_cmd() { [ "$1" = pinned ] && echo "taskset -c 0" || true; }

run_ours() {  # mode(direct|pipe) pin(free|pinned)
  local out="$W/ours.log" res
  rm -f "$out"
  res=$(timeout "$TIMEOUT" $(pin_cmd "$2") "$W/pipeline_bench" "$1" "$N" "$out" "$TEMPLATE" \
        "$W/line_writer" "$N") || { log "ours/$1 failed: $res"; echo "0 0 0"; return; }
  local lines; lines=$(wc -l <"$out")
  [ "$lines" = "$N" ] || { log "ours/$1: $lines lines in the file, expected $N"; echo "0 0 0"; return; }
  cp "$out" "$W/ours.sample" 2>/dev/null
  awk '{for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        print v["lines_per_sec"], v["cpu_seconds"], v["seconds"]}' <<<"$res"
}

run_uwsgi() {  # pin(free|pinned)
  local d="$W/uwsgi" out="$W/uwsgi/out.log"
  rm -rf "$d"; mkdir -p "$d"
  cat >"$d/u.ini" <<EOT
[uwsgi]
plugins-dir = $PLUGDIR
plugin = logfile
master = true
log-master = true
logger = file:$out
log-encoder = json $TEMPLATE
log-encoder = nl
attach-daemon = $W/line_writer $N --linger
EOT
  local start end pid last="seq=$((N - 1))\"" ok=0
  start=$(date +%s%N)
  $(pin_cmd "$1") "$UWSGI" --ini "$d/u.ini" >"$d/stdout" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  local deadline=$(( $(date +%s) + TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ] && alive "$pid"; do
    if tail -c 400 "$out" 2>/dev/null | grep -qF "$last"; then ok=1; break; fi
    sleep 0.005
  done
  end=$(date +%s%N)
  local ticks; ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
  stop_and_report uwsgi "$pid" INT 100 "$ok" "$out" "$((end - start))" "$ticks" || return 0
  cp "$out" "$W/uwsgi.sample"
}

run_emperor() {  # pin(free|pinned) [--batch]
  local d="$W/emp" out="$W/emp/out.log"
  rm -rf "$d"; mkdir -p "$d/vassals" "$d/run"
  cat >"$d/emperor.ini" <<EOT
[emperor]
logto = $out
log-encoder = json $TEMPLATE
EOT
  local pid start end t0 t1 last="seq=$((N - 1))\"" ok=0
  $(pin_cmd "$1") "$BUILD/emperor/emperor" run --vassals "$d/vassals" --runtime-dir "$d/run" \
    --config "$d/emperor.ini" >"$d/stdout" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  for _ in $(seq 1 200); do [ -f "$d/run/status.json" ] && break; sleep 0.05; done
  [ -f "$d/run/status.json" ] || { log "emperor did not start: $(tail -5 "$d/stdout")"; echo "0 0 0"; return; }
  t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  start=$(date +%s%N)
  printf '[uwsgi]\ncommand = exec %s %s --linger %s\nprocesses = 1\n' "$W/line_writer" "$N" "${2:-}" >"$d/bench.tmp"
  mv "$d/bench.tmp" "$d/vassals/bench.ini"
  local deadline=$(( $(date +%s) + TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ] && alive "$pid"; do
    if tail -c 400 "$out" 2>/dev/null | grep -qF "$last"; then ok=1; break; fi
    sleep 0.005
  done
  end=$(date +%s%N)
  t1=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo "$t0")
  stop_and_report emperor "$pid" TERM 200 "$ok" "$out" "$((end - start))" "$((t1 - t0))" || true
}

median() { sort -n | awk '{a[NR] = $1} END { if (NR == 0) print 0; else print a[int((NR + 1) / 2)] }'; }

log "N=$N lines x $TRIALS trials, $NCPU CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"

MODES="ours/direct ours/pipe uwsgi"
[ "$WITH_EMPEROR" = 1 ] && MODES="emperor emperor-batch $MODES"
PINS="free"; [ "$PIN" = 1 ] && PINS="free pinned"
declare -A RATE CPU
for t in $(seq 1 "$TRIALS"); do
  for pin in $PINS; do
    for m in $MODES; do
      case $m in
        ours/direct) r=$(run_ours direct "$pin") ;;
        ours/pipe) r=$(run_ours pipe "$pin") ;;
        uwsgi) r=$(run_uwsgi "$pin") ;;
        emperor) r=$(run_emperor "$pin") ;;
        emperor-batch) r=$(run_emperor "$pin" --batch) ;;
      esac
      read -r rate cpu secs <<<"$r"
      log "trial $t $m ($pin): $rate lines/s, $secs s wall, $cpu s CPU"
      RATE[$m/$pin]+="$rate "
      CPU[$m/$pin]+="$cpu "
    done
  done
done

# Same bytes? The two outputs differ only in ${unix} (and uWSGI's own startup lines).
if [ -f "$W/ours.sample" ] && [ -f "$W/uwsgi.sample" ]; then
  a=$(grep -m1 'seq=7"' "$W/ours.sample" | sed 's/"unix":[0-9]*/"unix":T/')
  b=$(grep -m1 'seq=7"' "$W/uwsgi.sample" | sed 's/"unix":[0-9]*/"unix":T/')
  [ "$a" = "$b" ] && log "line 7 is byte-identical in both outputs (modulo \${unix})" ||
    log "WARNING: outputs differ: ours: $a | uwsgi: $b"
fi

echo
printf '%-22s %14s %16s %12s\n' "mode" "lines/s (med)" "lines/CPU-s" "CPU s (med)"
for pin in $PINS; do
  for m in $MODES; do
    k=$m/$pin
    rate=$(tr ' ' '\n' <<<"${RATE[$k]}" | grep . | median)
    cpu=$(tr ' ' '\n' <<<"${CPU[$k]}" | grep . | median)
    per=$(awk -v n="$N" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print "-" }')
    printf '%-22s %14s %16s %12s\n' "$k" "$rate" "$per" "$cpu"
    v=${m//\//_}; eval "MED_${v//-/_}_$pin=$rate"
  done
done
echo
for pin in $PINS; do
  p=$(eval echo "\$MED_ours_pipe_$pin"); d=$(eval echo "\$MED_ours_direct_$pin"); u=$(eval echo "\$MED_uwsgi_$pin")
  e=$(eval echo "\${MED_emperor_$pin:-0}")
  awk -v p="$p" -v d="$d" -v u="$u" -v e="$e" -v pin="$pin" 'BEGIN {
    if (u <= 0) { printf "ratio (%s): uwsgi did not finish\n", pin; exit }
    if (e > 0) printf "ratio (%s): emperor vs uwsgi = %.1fx   ", pin, e / u
    printf "ours/pipe vs uwsgi = %.1fx   ours/direct vs uwsgi = %.1fx\n", p / u, d / u }'
done
echo "targets: >= 1,000,000 lines/s on one core (ours/direct pinned; lines/CPU-s), >= 3x uWSGI (same producer)"
