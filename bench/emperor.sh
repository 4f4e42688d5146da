#!/usr/bin/env bash
# bench/emperor.sh -- the emperor against Debian's uWSGI 2.0.21 emperor, in one run:
#   1. reaction: file dropped -> the vassal's first hook ran; file removed -> vassal gone
#      (min/median/max over TRIALS drops each), ours vs uWSGI's (default 3 s polling)
#   2. density: VASSALS vassals with all five namespaces from an existing directory, time to
#      all running and the emperor's RSS, vs bubblewrap starting as many sandboxes
#   3. idle: the emperor's CPU over IDLE seconds with all of them running
# Everything runs inside a network namespace this script creates; nothing leaves it.
# Usage: sudo bench/emperor.sh   (env: TRIALS=20 VASSALS=500 IDLE=10, ONLY=reaction or ONLY=density)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
for tool in uwsgi-core bwrap python3 ip gcc; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install uwsgi-core bubblewrap)" >&2; exit 1; }
done
ns="embench$$"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link set lo up
# Not exec: the EXIT trap must still run to delete the namespace.
ip netns exec "$ns" python3 "$here/emperor/bench.py" --build "$build" \
  --trials "${TRIALS:-20}" --vassals "${VASSALS:-500}" --idle "${IDLE:-10}" ${ONLY:+--only "$ONLY"}
