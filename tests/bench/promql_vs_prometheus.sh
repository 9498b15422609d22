#!/usr/bin/env bash
# PromQL speed against Prometheus 2.42 on the same data (issue: "Vigil uses
# no more CPU time than Prometheus on each" anchor query). Imports the
# anchor dataset into both, starts both servers on loopback and prints, per
# query, the server CPU time and wall time of each side and the ratio.
# Knobs: BENCH_HOSTS, BENCH_HOURS (dataset), REPS (default 7).
set -euo pipefail
build="${1:-build/release}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench_data.sh"
file=$(bench_openmetrics_file "$build")
exec python3 "$here/promql_vs_prometheus.py" --build "$build" --data "$file" --hours "$BENCH_HOURS" \
    --reps "${REPS:-7}"
