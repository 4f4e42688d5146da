#!/usr/bin/env bash
# bench/router.sh -- the TunTap router against its anchors, in one run:
#   (a) our router: vassal namespace (tun, vnet header, one queue per router thread) <->
#       router (in the "emperor" namespace) <-> emperor0; also with 100 firewall rules
#   (b) Debian's uWSGI 2.0 TunTap router on the same topology (uwsgi-core + tuntap plugin)
#   (c) the kernel: the same two namespaces joined by veth pairs through a routing namespace
#   (d) the tun ceiling: bench/router/tun_ceiling copies packets between the two namespaces'
#       tun devices (opened by our sys::open_tun; the router's I/O loop) and does nothing else:
#       what any tun-based router pays on this machine before it does any routing
# Measured in each: iperf3 TCP 1 and 4 streams in both directions, UDP 64-byte delivered
# packet rate, TCP request/response round trip p50/p99; then ratios to (c) and the targets.
#
# Safety: every address lives on interfaces inside namespaces this script creates
# (198.18.0.0/15, the benchmarking range); ip_forward is set only inside the routing
# namespace of (c); the host's interfaces, routes and firewall are never touched. Every
# load is bounded (iperf3 -t, timeout(1)); a trap kills only what this script started and
# deletes its namespaces.
#
# Usage: sudo bench/router.sh            env: DUR=5 RR_N=2000 BUILD_DIR=build QUIET_PCT=25
#        (BUILD_DIR must hold tests/root/tuntap/tuntap-router-driver: ninja -C build)
#        NICE=-10 (default): everything started here runs at that priority; 0 to disable
# Needs: iperf3 jq python3 uwsgi-core (with tuntap_plugin.so) iproute2 g++
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
DRIVER=${DRIVER:-$BUILD_DIR/tests/root/tuntap/tuntap-router-driver}
UWSGI=${UWSGI:-/usr/bin/uwsgi-core}
PLUGDIR=${PLUGDIR:-/usr/lib/uwsgi/plugins}
DUR=${DUR:-5}
RR_N=${RR_N:-2000}
THREADS=${THREADS:-0}
# TCP congestion control of every iperf3 client (iperf3 -C); empty: the system default
CC=${CC:-}
ONLY=${ONLY:-"ours fw uwsgi kernel ceiling"}
P=rb$$
W=$(mktemp -d /tmp/router-bench.XXXXXX) || exit 1
chmod 755 "$W"
PIDS=(); NSS=()
ME=$BASHPID

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
alive() { [ -n "${1:-}" ] && [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

cleanup() {
  local pid ns i
  for pid in "${PIDS[@]}"; do alive "$pid" && kill -TERM "$pid" 2>/dev/null; done
  for i in $(seq 20); do
    local any=0; for pid in "${PIDS[@]}"; do alive "$pid" && any=1; done
    [ $any = 0 ] && break; sleep 0.1
  done
  for pid in "${PIDS[@]}"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null; done
  for ns in "${NSS[@]}"; do
    # whatever still runs in a namespace this script created was started by it
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  PIDS=(); NSS=()
}
final() { cleanup; [ "${KEEP:-0}" = 1 ] && log "kept $W" || rm -rf "$W"; }
trap final EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "must run as root"
# On a shared box other jobs' CPU skews every path differently; a higher priority for
# everything this script starts (children inherit it) keeps the comparison fairer.
NICE=${NICE:--10}
[ "$NICE" != 0 ] && renice -n "$NICE" -p $$ >/dev/null
for b in ip iperf3 jq python3 timeout; do command -v $b >/dev/null || die "missing $b"; done
[ -x "$DRIVER" ] || die "missing $DRIVER (build it: ninja -C $BUILD_DIR tests/root/tuntap/tuntap-router-driver)"
HAVE_UWSGI=1
{ [ -x "$UWSGI" ] && [ -f "$PLUGDIR/tuntap_plugin.so" ]; } || { HAVE_UWSGI=0; log "no uwsgi-core/tuntap plugin: (b) skipped"; }

mkns() { ip netns add "$1" && NSS+=("$1") && ip -n "$1" link set lo up; }
want() { [[ " $ONLY " == *" $1 "* ]]; }

busy_pct() {
  local a b; a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep "$1"
  b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
  echo "$a $b" | awk '{bu=$3-$1; id=$4-$2; printf "%.0f", (bu+id>0)? bu/(bu+id)*100 : 0}'
}
quiet_wait() {  # other jobs on a 2-core box skew everything: wait (bounded) for a quiet moment
  local i b
  for i in $(seq 1 "${QUIET_MAX:-30}"); do
    b=$(busy_pct 2); [ "$b" -le "${QUIET_PCT:-25}" ] && { echo "$b"; return; }
  done; echo "$b(busy)"
}

# ---------------------------------------------------------------- measurements
declare -A R
wait_listen() { local i; for i in $(seq 100); do ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && return 0; sleep 0.05; done; return 1; }

iperf() {  # key test server_ns client_ns server_addr
  local key=$1 test=$2 sns=$3 cns=$4 addr=$5 args json
  case $test in
    tcp1) args="" ;; tcp1R) args="-R" ;; tcp4) args="-P 4" ;; tcp4R) args="-P 4 -R" ;;
    udp) args="-u -l 64 -b 0" ;;
  esac
  timeout -k 2 $((DUR + 30)) ip netns exec "$sns" iperf3 -s -1 -B "$addr" -p 5201 >/dev/null 2>&1 &
  local sp=$!; PIDS+=("$sp")
  wait_listen "$sns" 5201
  [ -n "$CC" ] && [ "$test" != udp ] && args="$args -C $CC"
  json=$(timeout -k 2 $((DUR + 20)) ip netns exec "$cns" iperf3 -c "$addr" -p 5201 -t "$DUR" $args -J 2>/dev/null)
  wait "$sp" 2>/dev/null
  if [ -z "$json" ] || echo "$json" | jq -e '.error' >/dev/null 2>&1; then R[$key.$test]=ERR; return; fi
  if [ "$test" = udp ]; then
    R[$key.$test]=$(echo "$json" | jq -r '.end.sum as $r | (($r.packets - $r.lost_packets) / $r.seconds / 1000) | . * 10 | round / 10')
  else
    R[$key.$test]=$(echo "$json" | jq -r '.end.sum_received.bits_per_second / 1e9 * 100 | round / 100')
  fi
  log "  $key $test: ${R[$key.$test]}"
}

rr() {  # key server_ns client_ns server_addr -> R[key.p50], R[key.p99] (microseconds)
  local key=$1 sns=$2 cns=$3 addr=$4 out
  timeout 40 ip netns exec "$sns" python3 -c '
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind((sys.argv[1],5202)); s.listen(1); s.settimeout(20)
c,_=s.accept(); c.setsockopt(socket.IPPROTO_TCP,socket.TCP_NODELAY,1)
while True:
    d=c.recv(64)
    if not d: break
    c.sendall(d)
' "$addr" >/dev/null 2>&1 &
  local sp=$!; PIDS+=("$sp")
  wait_listen "$sns" 5202
  out=$(timeout 40 ip netns exec "$cns" python3 -c '
import socket,sys,time
n=int(sys.argv[2]); c=socket.create_connection((sys.argv[1],5202),timeout=5); c.setsockopt(socket.IPPROTO_TCP,socket.TCP_NODELAY,1)
m=b"x"*32; lat=[]
for _ in range(n):
    t=time.perf_counter(); c.sendall(m); got=0
    while got<32: got+=len(c.recv(64))
    lat.append((time.perf_counter()-t)*1e6)
lat.sort(); print("%.0f %.0f" % (lat[len(lat)//2], lat[int(len(lat)*0.99)]))
' "$addr" "$RR_N" 2>/dev/null || echo "ERR ERR")
  wait "$sp" 2>/dev/null
  R[$key.p50]=${out%% *}; R[$key.p99]=${out##* }
  log "  $key rr: p50 ${R[$key.p50]} us p99 ${R[$key.p99]} us"
}

run_all() {  # key server_ns(emperor side) client_ns(vassal side) server_addr [tests]
  local key=$1 sns=$2 cns=$3 addr=$4 tests=${5:-"tcp1 tcp1R tcp4 tcp4R udp rr"} t
  for t in $tests; do
    [ -n "${BEFORE_TEST:-}" ] && $BEFORE_TEST
    if [ "$t" = rr ]; then rr "$key" "$sns" "$cns" "$addr"; else iperf "$key" "$t" "$sns" "$cns" "$addr"; fi
    [ -n "${AFTER_TEST:-}" ] && $AFTER_TEST "$key" "$t"
  done
}

# ---------------------------------------------------------------- (a) our router
drv_call() {  # json -> answer line (fd 7: the driver's stdin, fd 8: its stdout)
  echo "$1" >&7
  local line; IFS= read -r -t 20 line <&8 || { echo '{"ok":false,"error":"driver timeout"}'; return; }
  echo "$line"
}
OUR_TEARDOWNS=0
ours_check() {  # counts peer teardowns (router events) after each test
  local ev; ev=$(drv_call '{"cmd":"events"}' | jq -c '.events')
  if [ "$ev" != "[]" ]; then OUR_TEARDOWNS=$((OUR_TEARDOWNS + 1)); log "  EVENT after $1 $2: $ev"; fi
}
path_ours() {  # key firewall_rules_json
  local key=$1 rules=$2 E=${P}${1}e V=${P}${1}v
  mkns "$E"; mkns "$V"
  rm -f "$W/drv.in" "$W/drv.out"; mkfifo "$W/drv.in" "$W/drv.out"
  ip netns exec "$E" "$DRIVER" < "$W/drv.in" > "$W/drv.out" 2>"$W/driver-$key.err" &
  DRV_PID=$!; PIDS+=("$DRV_PID")
  exec 7>"$W/drv.in" 8<"$W/drv.out"
  local a
  a=$(drv_call "{\"cmd\":\"start\",\"threads\":$THREADS,\"routers\":[{\"device\":\"emperor0\",\"socket\":\"$W/$key.sock\",\"firewall_in\":$rules,\"firewall_out\":$rules}]}")
  echo "$a" | jq -e .ok >/dev/null || die "router start: $a"
  ip -n "$E" addr add 198.18.81.1/24 dev emperor0
  a=$(drv_call "{\"cmd\":\"attach\",\"vassal\":\"bench\",\"netns\":\"$V\",\"device\":\"v0\",\"socket\":\"$W/$key.sock\",\"addresses\":[\"198.18.81.2/24\"]}")
  echo "$a" | jq -e .ok >/dev/null || die "attach: $a"
  ip -n "$V" addr add 198.18.81.2/24 dev v0
  ip -n "$V" link set v0 up
  # CPU of the router process over the whole path
  local t0 c0; t0=$(date +%s.%N); c0=$(awk '{print $14+$15}' "/proc/$DRV_PID/stat")
  AFTER_TEST=ours_check run_all "$key" "$E" "$V" 198.18.81.1 "${TESTS:-}"
  local t1 c1; t1=$(date +%s.%N); c1=$(awk '{print $14+$15}' "/proc/$DRV_PID/stat")
  R[$key.cpu]=$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" 'BEGIN{printf "%.0f", (b-a)/hz/(t1-t0)*100}')
  drv_call '{"cmd":"stats"}' | jq -c '.stats.routers[0] | {rx_packets, tx_packets, drops, peers: [.peers[] | {rx_packets, tx_packets, drops}]}' > "$W/$key.stats"
  log "  $key router stats: $(cat "$W/$key.stats")"
  drv_call '{"cmd":"quit"}' >/dev/null
  exec 7>&- 8<&-
  cleanup
}

# ---------------------------------------------------------------- (b) uWSGI's router
UW_TEARDOWNS=0
uw_vassal_start() {
  ip netns exec "$UV" "$UWSGI" --ini "$W/uw-vassal.ini" >> "$W/uw-vassal.log" 2>&1 &
  UW_VPID=$!; PIDS+=("$UW_VPID")
  local i; for i in $(seq 100); do
    ip netns exec "$UV" ip -br addr show dev uwsgi0 2>/dev/null | grep -q 198.18.82.2 && break; sleep 0.1
  done
  sleep 0.5
}
uw_check() {  # uWSGI's peer teardown kills the vassal (exit 1): count it and start a new one
  if ! alive "$UW_VPID"; then
    UW_TEARDOWNS=$((UW_TEARDOWNS + 1)); log "  uWSGI vassal torn down during $1 $2: restarting it"
    ip netns exec "$UV" ip link del uwsgi0 2>/dev/null
    uw_vassal_start
  fi
}
path_uwsgi() {
  local E=${P}ue; UV=${P}uv
  mkns "$E"; mkns "$UV"
  cat > "$W/uw-router.ini" <<EOF
[uwsgi]
plugins-dir = $PLUGDIR
plugin = tuntap
master = true
die-on-term = true
socket = 127.0.0.1:3031
tuntap-router = emperor0 $W/uw.sock
EOF
  # uWSGI 2.0.21's traps (see /work/shared/bench/uwsgi_anchor.sh): jailed for the device,
  # a uid/gid drop, IPv6 off on its tun, idempotent exec-as-root.
  cat > "$W/uw-vassal.ini" <<EOF
[uwsgi]
plugins-dir = $PLUGDIR
plugin = tuntap
master = true
die-on-term = true
jailed = true
socket = 127.0.0.1:3031
tuntap-device = uwsgi0 $W/uw.sock
exec-as-root = sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
exec-as-root = ip link set lo up
exec-as-root = ip addr replace 198.18.82.2/24 dev uwsgi0
exec-as-root = ip link set uwsgi0 up
uid = nobody
gid = nogroup
EOF
  ip netns exec "$E" "$UWSGI" --ini "$W/uw-router.ini" > "$W/uw-router.log" 2>&1 &
  PIDS+=("$!")
  local i; for i in $(seq 100); do [ -S "$W/uw.sock" ] && ip -n "$E" link show emperor0 >/dev/null 2>&1 && break; sleep 0.1; done
  ip netns exec "$E" sysctl -q -w net.ipv6.conf.emperor0.disable_ipv6=1
  ip -n "$E" addr add 198.18.82.1/24 dev emperor0
  ip -n "$E" link set emperor0 up
  uw_vassal_start
  AFTER_TEST=uw_check run_all uwsgi "$E" "$UV" 198.18.82.1
  cleanup
}

# ---------------------------------------------------------------- (c) the kernel
path_kernel() {
  local E=${P}ke V=${P}kv RT=${P}kr
  mkns "$E"; mkns "$V"; mkns "$RT"
  ip link add kv netns "$V" type veth peer name rv netns "$RT"
  ip link add ke netns "$E" type veth peer name re netns "$RT"
  ip -n "$V" addr add 198.18.83.2/24 dev kv; ip -n "$V" link set kv up
  ip -n "$V" route add default via 198.18.83.1
  ip -n "$E" addr add 198.18.84.1/24 dev ke; ip -n "$E" link set ke up
  ip -n "$E" route add default via 198.18.84.254
  ip -n "$RT" addr add 198.18.83.1/24 dev rv; ip -n "$RT" link set rv up
  ip -n "$RT" addr add 198.18.84.254/24 dev re; ip -n "$RT" link set re up
  ip netns exec "$RT" sysctl -q -w net.ipv4.ip_forward=1   # the routing namespace only
  run_all kernel "$E" "$V" 198.18.84.1
  cleanup
}

# ---------------------------------------------------------------- (d) the tun ceiling
path_ceiling() {
  local E=${P}ce V=${P}cv
  mkns "$E"; mkns "$V"
  rm -f "$W/ceil.out"; mkfifo "$W/ceil.out"
  "$W/tun_ceiling" "$E" emperor0 "$V" v0 $((DUR * 8 + 120)) > "$W/ceil.out" 2> "$W/ceiling.err" &
  PIDS+=("$!")
  local line; IFS= read -r -t 10 line < "$W/ceil.out"
  [ "$line" = ready ] || die "tun_ceiling did not start: $(cat "$W/ceiling.err")"
  ip -n "$E" addr add 198.18.85.1/24 dev emperor0; ip -n "$E" link set emperor0 up
  ip -n "$V" addr add 198.18.85.2/24 dev v0; ip -n "$V" link set v0 up
  run_all ceiling "$E" "$V" 198.18.85.1
  cleanup
}

# ---------------------------------------------------------------- run
HOST_FWD0=$(sysctl -n net.ipv4.ip_forward); HOST_LINKS0=$(ip -o link | wc -l)
FW100='['$(for i in $(seq 1 100); do printf '"deny 192.0.2.%d 198.51.100.0/24 proto tcp dport %d",' "$((i % 250))" "$((6000 + i))"; done)'"allow"]'
if want ours; then log "(a) our router  (idle check busy%=$(quiet_wait))"; path_ours ours '[]'; fi
if want fw; then log "(a') our router, 100 firewall rules per chain  (busy%=$(quiet_wait))"; TESTS="tcp1 tcp1R tcp4 udp" path_ours fw "$FW100"; fi
if want uwsgi && [ $HAVE_UWSGI = 1 ]; then log "(b) uWSGI TunTap router  (busy%=$(quiet_wait))"; path_uwsgi; fi
if want kernel; then log "(c) kernel, routed through a namespace  (busy%=$(quiet_wait))"; path_kernel; fi
if want ceiling; then
  command -v g++ >/dev/null || die "missing g++ (to build bench/router/tun_ceiling.cpp)"
  [ -f "$BUILD_DIR/sys/libemp_sys.a" ] || die "missing $BUILD_DIR/sys/libemp_sys.a (ninja -C $BUILD_DIR)"
  g++ -O2 -std=c++20 -iquote "$ROOT" -iquote "$BUILD_DIR" "$HERE/router/tun_ceiling.cpp" \
    "$BUILD_DIR/sys/libemp_sys.a" -o "$W/tun_ceiling" || die "build tun_ceiling"
  log "(d) tun ceiling: a bare tun<->tun copier  (busy%=$(quiet_wait))"; path_ceiling
fi
[ "$(sysctl -n net.ipv4.ip_forward)" = "$HOST_FWD0" ] || log "WARNING: host ip_forward changed!"
[ "$(ip -o link | wc -l)" = "$HOST_LINKS0" ] || log "WARNING: host link count changed!"

# ---------------------------------------------------------------- report
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN{ if (a+0 > 0 && b+0 > 0) printf "%.2f", a/b; else printf "-" }'; }
inv_ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN{ if (a+0 > 0 && b+0 > 0) printf "%.2f", b/a; else printf "-" }'; }
row() {  # label key-suffix unit
  printf " %-26s %9s %9s %9s %9s %9s | %7s %7s %7s %7s %7s\n" "$1" "${R[ours.$2]:--}" "${R[fw.$2]:--}" "${R[uwsgi.$2]:--}" "${R[kernel.$2]:--}" "${R[ceiling.$2]:--}" \
    "$(ratio "${R[ours.$2]:-}" "${R[kernel.$2]:-}")" "$(ratio "${R[fw.$2]:-}" "${R[kernel.$2]:-}")" "$(ratio "${R[ours.$2]:-}" "${R[uwsgi.$2]:-}")" \
    "$(ratio "${R[ceiling.$2]:-}" "${R[kernel.$2]:-}")" "$(ratio "${R[ours.$2]:-}" "${R[ceiling.$2]:-}")"
}
{
echo "=========================================================================================================================="
echo " bench/router.sh  $(date -u +%Y-%m-%dT%H:%M:%SZ)  kernel $(uname -r)  cpus $(nproc)  iperf3 -t $DUR  RR x$RR_N  tcp cc ${CC:-$(sysctl -n net.ipv4.tcp_congestion_control) (default)}"
echo " (a) ours, (a') ours + 100 rules in each chain, (b) uWSGI $("$UWSGI" --version 2>/dev/null), (c) kernel routed,"
echo " (d) tun ceiling: a bare tun<->tun copier with our devices' offloads and I/O loop (d/c: what the tun"
echo "     data path itself reaches on this machine; a/d: what our router keeps of it)"
echo " nice $NICE; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "--------------------------------------------------------------------------------------------------------------------------"
printf " %-26s %9s %9s %9s %9s %9s | %7s %7s %7s %7s %7s\n" "test" "ours" "ours+fw" "uwsgi" "kernel" "ceiling" "a/c" "a'/c" "a/b" "d/c" "a/d"
row "TCP 1 vassal->emp Gbit/s" tcp1
row "TCP 1 emp->vassal Gbit/s" tcp1R
row "TCP 4 vassal->emp Gbit/s" tcp4
row "TCP 4 emp->vassal Gbit/s" tcp4R
row "UDP 64B delivered kpps" udp
printf " %-26s %9s %9s %9s %9s %9s | %7s %7s %7s %7s %7s\n" "TCP RR p50 us (c/x)" "${R[ours.p50]:--}" "-" "${R[uwsgi.p50]:--}" "${R[kernel.p50]:--}" "${R[ceiling.p50]:--}" \
  "$(inv_ratio "${R[ours.p50]:-}" "${R[kernel.p50]:-}")" "-" "$(inv_ratio "${R[ours.p50]:-}" "${R[uwsgi.p50]:-}")" \
  "$(inv_ratio "${R[ceiling.p50]:-}" "${R[kernel.p50]:-}")" "$(inv_ratio "${R[ours.p50]:-}" "${R[ceiling.p50]:-}")"
printf " %-26s %9s %9s %9s %9s %9s\n" "TCP RR p99 us" "${R[ours.p99]:--}" "-" "${R[uwsgi.p99]:--}" "${R[kernel.p99]:--}" "${R[ceiling.p99]:--}"
echo "--------------------------------------------------------------------------------------------------------------------------"
echo " peer teardowns: ours $OUR_TEARDOWNS, uWSGI $UW_TEARDOWNS (vassal restarted each time)"
echo " router CPU (driver process, whole path): ours ${R[ours.cpu]:--}%  ours+fw ${R[fw.cpu]:--}%"
[ -f "$W/ours.stats" ] && echo " ours stats: $(cat "$W/ours.stats")"
[ -f "$W/fw.stats" ] && echo " ours+fw stats: $(cat "$W/fw.stats")"
echo " targets: TCP1 >= 0.8x kernel and >= 20x uWSGI; TCP4 >= 0.5x; UDP 64B >= 0.5x; p50 <= 2x kernel (c/x >= 0.5);"
echo "          with 100 rules TCP >= 0.75x kernel; zero teardowns"
echo "=========================================================================================================================="
}
exit 0
