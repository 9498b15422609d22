#!/usr/bin/env bash
# LogQL engine: metric and log queries over 1M synthetic logfmt lines (100
# streams, 1h) in a MemoryLogStore; prints time and lines/s per query.
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_logql" "${LINES:-1000000}" "${STREAMS:-100}" "${REPEAT:-3}"
