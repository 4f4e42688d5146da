#!/bin/sh
# The systemd unit passes `systemd-analyze verify`, with its binaries pointed at this build.
set -eu
unit="$1"; build="$2"
[ -x "$(command -v systemd-analyze)" ] || { echo "SKIP: no systemd-analyze"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed -e "s#/usr/bin/emperor#$build/emperor/emperor#g" "$unit" > "$dir/emperor.service"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$dir/emperor.service" 2>&1) || { echo "$out"; exit 1; }
# verify exits 0 on some warnings; any line about our unit is a finding.
if printf '%s\n' "$out" | grep -q "emperor.service"; then echo "$out"; exit 1; fi
echo "ok: $unit"
