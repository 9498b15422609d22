#!/usr/bin/env bash
# Remote write receiver throughput: decode and append, one core. Two shapes:
# 4 samples per series per request, and 1 (what Prometheus's queue manager
# sends). Target: >= 1M samples/s per CPU second into the TSDB (WAL on).
set -euo pipefail
build="${1:-build/release}"
shift || true
"$build/bin/bench_remote_write" "$@"
"$build/bin/bench_remote_write" --samples-per-series 1 --requests 2000 "$@"
