#!/usr/bin/env bash
# The set-up contract (README.md): on a fresh Debian 12 machine, as root,
#   ./setup.sh run    installs the Debian packages, builds, runs an emperor on examples/vassals
#   ./setup.sh test   the same set-up, then every test; the last line is the summary
# CI (.ci/run) calls `./setup.sh test` with CI=true: warnings are errors there, and root tests
# may not skip (EMPEROR_TEST_REQUIRE=root).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

packages=(
  # build
  meson ninja-build g++ pkg-config
  libnl-3-dev libnl-route-3-dev libseccomp-dev libcap-dev
  libtomlplusplus-dev nlohmann-json3-dev doctest-dev zlib1g-dev
  # tests: root tests are Python 3, drive namespaces with iproute2, and talk to uWSGI
  python3 iproute2 procps uwsgi-core busybox-static systemd
)
# Only for the benchmarks in bench/ (run by hand): ./setup.sh bench-deps
bench_packages=(iperf3 jq hyperfine bubblewrap linux-perf clang)

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  local werror=false
  [ "${CI:-}" = true ] && werror=true
  if [ -d build ]; then
    meson configure build -Dwerror=$werror >/dev/null
  else
    meson setup build -Dwerror=$werror
  fi
  ninja -C build
}

# "N passed, N failed, N skipped" from meson's machine-readable test log.
summary() {
  python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        if not line.strip():
            continue
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}

case "${1:-}" in
  run)
    install_packages
    build
    ./build/emperor/emperor check --config examples/emperor.ini examples/vassals
    # The demo emperor gets a network namespace of its own: emperor0 never touches the host.
    ns=emperor-demo
    ip netns add "$ns" 2>/dev/null || true
    trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
    echo "setup: emperor running in network namespace '$ns'; try, from another shell:" >&2
    echo "  ./build/emperor/emperor status" >&2
    echo "  ip netns exec $ns curl http://192.168.100.2:8000/" >&2
    echo "  Ctrl-C stops every vassal and the emperor" >&2
    ip netns exec "$ns" ./build/emperor/emperor run --config examples/emperor.ini
    ;;
  test)
    install_packages
    build
    [ "${CI:-}" = true ] && export EMPEROR_TEST_REQUIRE=root
    status=0
    meson test -C build --print-errorlogs --num-processes 2 || status=$?
    summary
    exit $status
    ;;
  bench-deps)
    packages=("${bench_packages[@]}")
    install_packages
    ;;
  *)
    echo "usage: $0 run|test|bench-deps" >&2
    exit 2
    ;;
esac
