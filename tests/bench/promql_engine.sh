#!/usr/bin/env bash
# PromQL engine: the anchor range queries over 6h at a 60s step on 10k series
# (Prometheus 2.42: ~345 ms for sum by (mode)(rate(...)), ~510 ms for
# histogram_quantile(0.99, sum by (le)(rate(...)))). Synthetic data in memory.
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_promql_engine" "${SERIES:-10000}" "${INTERVAL:-15}" "${REPEAT:-3}"
