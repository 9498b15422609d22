#!/usr/bin/env bash
# Copies the /proc and /sys files the host collector reads from this machine
# into testdata/<name>/ (text files only; symlinks are not followed into
# /sys/devices). Used once to create testdata/vm; kept to refresh it.
set -euo pipefail
name="${1:?usage: capture_fixture.sh NAME}"
here="$(cd "$(dirname "$0")" && pwd)"
dst="$here/testdata/$name"
rm -rf "$dst"
copy() {  # copy SRC -> $dst/SRC (skips what does not exist or cannot be read)
    local src="$1"
    [ -r "$src" ] || return 0
    mkdir -p "$dst/$(dirname "${src#/}")"
    cat "$src" > "$dst/${src#/}" 2>/dev/null || rm -f "$dst/${src#/}"
}
for f in /proc/stat /proc/meminfo /proc/loadavg /proc/diskstats /proc/net/dev /proc/mounts \
         /proc/pressure/cpu /proc/pressure/io /proc/pressure/memory \
         /proc/sys/kernel/ostype /proc/sys/kernel/hostname /proc/sys/kernel/osrelease \
         /proc/sys/kernel/version /proc/sys/kernel/domainname \
         /sys/devices/system/cpu/isolated; do
    copy "$f"
done
# node_exporter reads /proc/1/mounts first.
mkdir -p "$dst/proc/1" && cp "$dst/proc/mounts" "$dst/proc/1/mounts"
for cpu in /sys/devices/system/cpu/cpu[0-9]*; do
    for f in topology/physical_package_id topology/core_id \
             thermal_throttle/core_throttle_count thermal_throttle/package_throttle_count; do
        copy "$cpu/$f"
    done
done
for cs in /sys/devices/system/clocksource/clocksource[0-9]*; do
    copy "$cs/available_clocksource"
    copy "$cs/current_clocksource"
done
for dev in /sys/class/net/*; do
    for f in "$dev"/statistics/*; do copy "$f"; done
done
if [ -d /sys/class/hwmon ]; then
    for chip in /sys/class/hwmon/*; do
        for f in "$chip"/name "$chip"/temp* "$chip"/fan* "$chip"/in[0-9]*; do copy "$f"; done
    done
fi
echo "captured into $dst"
