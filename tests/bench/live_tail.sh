#!/usr/bin/env bash
# Live tail hub (entries/s matched and delivered, pusher-side cost per entry),
# Grafana-style level detection (ns/line) and the log volume count (lines/s),
# on synthetic logfmt/JSON/plain lines generated in process.
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_live_tail" "${LINES:-1000000}"
