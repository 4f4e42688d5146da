#!/usr/bin/env bash
# workers.sh - the vassal's workers, two figures in one run:
#
#  1. connections per second served through a vassal's socket by N workers, next to the same
#     test server (tests/root/vassal/worker-server) run directly, N processes sharing one
#     socket it binds itself; ratio vassal / direct printed (target >= 0.9).
#       direct  ip netns exec NS worker-server --listen 127.0.0.1:8001 --processes N
#       vassal  ip netns exec NS vassal FILE: socket = 127.0.0.1:8002, processes = N,
#               command = exec worker-server (fd 3 by socket activation); the vassal has
#               its own namespaces (ipc, uts, mount, pid, net), its default seccomp filter,
#               and the master is PID 1 of its pid namespace
#     The load is tests/root/vassal/load-gen: C connections in flight (connect, read the
#     one-line answer, close), S seconds per side and round. The vassal's load runs in the vassal's network namespace
#     (nsenter), the direct one in NS: both over a namespace's own loopback.
#  2. the time a cheaper pool needs to go from 1 to 8 workers under a sudden load (target
#     < 1 s): bench/workers/growth.py, cheaper = 1, processes = 8, cheaper-step = 7 (the
#     pool grows at most once a second; the backlog is looked at every 100 ms between
#     decisions); from the load's start until 8 workers are started and until all 8 sent
#     READY=1.
#
# Usage: sudo bench/workers.sh     env: BUILD (build dir, default ./build), WORKERS (N, 4),
#        CONCURRENCY (C, 32), SECS (S, 2), ROUNDS (10), TRIALS (growth trials, 5), QUIET_PCT
#        (before each round, wait until the machine is at most this % busy, default 15)
# On a shared, noisy machine the figure that holds is the median of the per-round ratios:
# each round runs both sides back to back (order alternating), so they see the same noise.
# Every packet stays inside NS (created here, deleted on exit) and the vassal's own network
# namespace inside it; loads are bounded in time; nothing outside the temp dir is touched.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$HERE/../build}
WORKERS=${WORKERS:-4}
CONCURRENCY=${CONCURRENCY:-32}
SECS=${SECS:-2}
ROUNDS=${ROUNDS:-10}
TRIALS=${TRIALS:-5}
VASSAL=$BUILD/vassal/vassal
SERVER=$BUILD/tests/root/vassal/worker-server
LOAD=$BUILD/tests/root/vassal/load-gen

[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
for t in ip nsenter python3; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 1; }; done
for b in "$VASSAL" "$SERVER" "$LOAD"; do
  [ -x "$b" ] || { echo "missing $b (ninja -C $BUILD vassal/vassal tests/root/vassal/worker-server tests/root/vassal/load-gen)" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/emperor-workers.XXXXXX)
NS=emperor-bench-workers-$$
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  ip netns del "$NS" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" && ip -n "$NS" link set lo up || exit 1

busy_pct() {  # machine-wide busy CPU % over $1 seconds
  local a b; a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep "$1"
  b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
  echo "$a $b" | awk '{bu=$3-$1; id=$4-$2; printf "%.0f", (bu+id>0)? bu/(bu+id)*100 : 0}'
}
quiet_wait() {  # bounded wait for a quiet machine, so that both sides are comparable
  local i b
  for i in $(seq 1 30); do
    b=$(busy_pct 2); [ "$b" -le "${QUIET_PCT:-15}" ] && { echo "$b%"; return; }
  done; echo "$b% (busy!)"
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
children() { tr -s ' ' '\n' < "/proc/$1/task/$1/children" 2>/dev/null | grep -m1 .; }

# ---- 1. connections per second ------------------------------------------------------------
ip netns exec "$NS" "$SERVER" --listen 127.0.0.1:8001 --processes "$WORKERS" &
PIDS+=($!)
cat > "$TMP/bench.ini" <<INI
[uwsgi]
command = exec $SERVER
socket = 127.0.0.1:8002
processes = $WORKERS
reload-mercy = 2
INI
ip netns exec "$NS" "$VASSAL" "$TMP/bench.ini" 2> "$TMP/vassal.log" &
VPID=$!
PIDS+=($VPID)
MASTER=
for _ in $(seq 100); do MASTER=$(children "$VPID"); [ -n "$MASTER" ] && break; sleep 0.05; done
[ -n "$MASTER" ] || { echo "the vassal did not start:"; cat "$TMP/vassal.log"; exit 1; }
sleep 1

direct() { ip netns exec "$NS" "$LOAD" --tcp 127.0.0.1:8001 "$@"; }
through_vassal() { nsenter --net="/proc/$MASTER/ns/net" "$LOAD" --tcp 127.0.0.1:8002 "$@"; }
round() {  # $1: direct|through_vassal; prints cps, checks nothing failed
  local out
  out=$($1 --concurrency "$CONCURRENCY" --count 100000000 --seconds "$SECS")
  [ "$(echo "$out" | json '["failed"]')" = 0 ] || echo "  $1: failures: $out" >&2
  echo "$out" | json '["cps"]'
}
direct --concurrency 4 --count 2000 --seconds 2 > /dev/null  # warm up both
through_vassal --concurrency 4 --count 2000 --seconds 2 > /dev/null

echo "connections/s, $WORKERS workers, $CONCURRENCY in flight, ${SECS}s rounds (nproc $(nproc))"
D=(); V=()
for r in $(seq "$ROUNDS"); do
  q=$(quiet_wait)
  if [ $((r % 2)) = 1 ]; then d=$(round direct); v=$(round through_vassal)
  else v=$(round through_vassal); d=$(round direct); fi
  D+=("$d"); V+=("$v")
  printf '  round %2d (busy %s before): direct %8.0f   vassal %8.0f   ratio %.2f\n' "$r" "$q" "$d" "$v" \
    "$(python3 -c "print($v / $d)")"
done
python3 - "${D[*]}" "${V[*]}" <<'PY'
import statistics, sys
d = [float(x) for x in sys.argv[1].split()]
v = [float(x) for x in sys.argv[2].split()]
ratios = [b / a for a, b in zip(d, v)]
print(f"  median:  direct {statistics.median(d):8.0f}   vassal {statistics.median(v):8.0f}   "
      f"median of the round ratios vassal/direct {statistics.median(ratios):.2f}x (target >= 0.9x)")
PY
kill -TERM "$VPID"; wait "$VPID" 2>/dev/null

# ---- 2. growth from 1 to 8 workers --------------------------------------------------------
echo "cheaper growth 1 -> 8 workers under a sudden load (cheaper-step 7), $TRIALS trials"
ip netns exec "$NS" python3 "$HERE/workers/growth.py" "$VASSAL" "$SERVER" "$LOAD" "$TMP" \
  --max 8 --trials "$TRIALS" > "$TMP/growth.json"
python3 - "$TMP/growth.json" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for i, r in enumerate(rows, 1):
    print(f"  trial {i}: 8 started after {r['spawned_ms']} ms, 8 ready after {r['ready_ms']} ms")
ok = [r["ready_ms"] for r in rows if r["ready_ms"] is not None]
if ok:
    print(f"  ready: min {min(ok)} ms, median {statistics.median(ok):.0f} ms, max {max(ok)} ms "
          f"(target < 1000 ms); {len(rows) - len(ok)} trial(s) did not reach 8 in 10 s")
PY
