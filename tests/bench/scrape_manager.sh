#!/usr/bin/env bash
# Scrape manager CPU: 1,000 targets of ~1,000 series (11 simulated hosts x 93
# series from tools/serve_exposition.py) every 15 s, about 67k samples/s.
# Target: under half of one core for scraping, parsing and appending. The
# figure is this process's CPU only (the Python server runs apart).
set -euo pipefail
build="${1:-build/release}"
shared="${VIGIL_SHARED_DIR:-/work/shared}"
targets="${TARGETS:-1000}"
intervals="${INTERVALS:-4}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$shared/tools/serve_exposition.py" --port "$port" --hosts 11 --refresh 15 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/metrics')" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
for storage in null memory; do
    "$build/bin/bench_scrape_manager" --address "127.0.0.1:$port" --targets "$targets" \
        --interval-s 15 --intervals "$intervals" --storage "$storage"
done
