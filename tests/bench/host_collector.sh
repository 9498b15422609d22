#!/usr/bin/env bash
# Host collector cost: CPU time of one full collection by Vigil, against
# node_exporter 1.5.0 with the same collectors on the same machine: the sum of
# its node_scrape_collector_duration_seconds (wall time in its collectors) and
# the CPU time its process spends per /metrics scrape (utime+stime delta over
# many scrapes; this includes HTTP and text encoding).
set -euo pipefail
build="${1:-build/release}"
iterations="${ITERATIONS:-500}"
"$build/bin/bench_host_collector" "$iterations"

exporter=$(command -v prometheus-node-exporter || true)
if [ -z "$exporter" ]; then
    echo "node_exporter: prometheus-node-exporter not installed, no comparison"
    exit 0
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$exporter" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
    --collector.cpu --collector.diskstats --collector.filesystem --collector.hwmon \
    --collector.loadavg --collector.meminfo --collector.netdev --collector.pressure \
    --collector.stat --collector.time --collector.uname >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/metrics" -o /dev/null && break; sleep 0.05; done
python3 - "$port" "$pid" "$iterations" <<'PY'
import os, sys, time, urllib.request
port, pid, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
hz = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz
url = f"http://127.0.0.1:{port}/metrics"
for _ in range(20):
    urllib.request.urlopen(url).read()
durations = {}
c0 = cpu(); w0 = time.monotonic()
for _ in range(n):
    body = urllib.request.urlopen(url).read().decode()
    for line in body.splitlines():
        if line.startswith("node_scrape_collector_duration_seconds{"):
            name = line.split('"')[1]
            durations[name] = durations.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
cpu_per = (cpu() - c0) / n; wall_per = (time.monotonic() - w0) / n
print(f"node_exporter ({n} scrapes)")
print(f"  process CPU per scrape: {cpu_per*1e6:8.0f} us   scrape wall: {wall_per*1e6:8.0f} us")
print("  per collector (node_scrape_collector_duration_seconds, mean):")
total = 0.0
for name in sorted(durations):
    total += durations[name] / n
    print(f"    {name:<11} {durations[name]/n*1e6:8.1f} us")
print(f"    {'sum':<11} {total*1e6:8.1f} us")
PY
