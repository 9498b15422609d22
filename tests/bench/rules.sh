#!/usr/bin/env bash
# Rules: 10,000 alerting rules every 15 s over the anchor dataset (108 hosts,
# 6h at 15 s), imported into a TSDB once and cached. Target: each round
# finishes within the interval and the evaluator uses under one core.
set -euo pipefail
build="${1:-build/release}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench_data.sh"
for exe in "$build/bin/vigilctl" "$build/bin/bench_rules"; do
    [ -x "$exe" ] || { echo "missing $exe: cmake --build $build --target vigilctl bench_rules" >&2; exit 1; }
done
file=$(bench_openmetrics_file "$build")
data="$build/bench-data/rules-${BENCH_HOSTS}hosts-${BENCH_HOURS}h"
if [ ! -d "$data/metrics" ]; then
    echo "importing $file into $data" >&2
    rm -rf "$data.tmp"
    "$build/bin/vigilctl" tsdb import openmetrics "$file" "$data.tmp" >&2
    mv "$data.tmp" "$data"
fi
"$build/bin/bench_rules" "$data/metrics" "${RULES:-10000}" "${SECONDS_RUN:-60}" "${WORKERS:-2}"
