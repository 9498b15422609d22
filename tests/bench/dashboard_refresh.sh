#!/usr/bin/env bash
# GUI-thread time of one refresh of a 20-panel x 50-series dashboard over 1h
# (target: under 50 ms), on the offscreen platform.
#   BENCH_STEP_MS=1000  finer data (3601 points per series instead of 241)
#   BENCH_VERBOSE=1     per-round split
#   BENCH_SCREENSHOT=F  save the last painted dashboard to F (PNG)
set -euo pipefail
build="${1:-build/release}"
# The same measurement before the timeseries panel drew its data with
# SeriesPlotItem (one QLineSeries per series, Qt Charts' grid), for comparison.
cat <<'BEFORE'
before (panels of commit abd2049, one QLineSeries per series; this bench, 2026-11-21, 2 shared cores):
  refresh median 445.7 ms, max 452.4 ms (target < 50 ms) over 7 refreshes
    per phase (medians): setData 271.4 ms, events 47.8 ms, paint 125.8 ms
now:
BEFORE
QT_QPA_PLATFORM=offscreen "$build/bin/bench_dashboard_refresh"
