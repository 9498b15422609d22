#!/usr/bin/env bash
# GUI-thread time of one refresh of a 20-panel x 50-series dashboard over 1h
# (target: under 50 ms), on the offscreen platform.
set -euo pipefail
build="${1:-build/release}"
QT_QPA_PLATFORM=offscreen "$build/bin/bench_dashboard_refresh"
