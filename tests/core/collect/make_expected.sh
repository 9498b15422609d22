#!/usr/bin/env bash
# Runs the real node_exporter (Debian prometheus-node-exporter 1.5.0) on a
# fixture tree and stores its output for the collectors that read only files
# under --path.procfs/--path.sysfs/--path.udev.data (not filesystem, time,
# uname, which read the live system) as testdata/<name>/expected.prom.
# netdev runs with --no-collector.netdev.netlink (1.5.0's default, netlink,
# reads the live kernel), so it is included only for trees without
# sys/class/net (where Vigil falls back to /proc/net/dev likewise).
set -euo pipefail
name="${1:?usage: make_expected.sh NAME}"
here="$(cd "$(dirname "$0")" && pwd)"
tree="$here/testdata/$name"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
collectors=(--collector.cpu --collector.diskstats --collector.hwmon --collector.loadavg
            --collector.meminfo --collector.pressure --collector.stat)
[ -d "$tree/sys/class/net" ] || collectors+=(--collector.netdev --no-collector.netdev.netlink)
prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
    "${collectors[@]}" --path.procfs="$tree/proc" --path.sysfs="$tree/sys" \
    --path.udev.data="$tree/run/udev/data" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/metrics" -o "$tree/expected.raw" && break
    sleep 0.1
done
# Drop the exporter's own metrics and the per-scrape durations.
grep -v -E '^(# (HELP|TYPE) )?(go_|process_|promhttp_|node_exporter_build_info|node_scrape_collector_duration_seconds)' \
    "$tree/expected.raw" > "$tree/expected.prom"
rm -f "$tree/expected.raw"
echo "wrote $tree/expected.prom ($(grep -vc '^#' "$tree/expected.prom") samples)"
