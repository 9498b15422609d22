#!/usr/bin/env bash
# TSDB head: append throughput from 1 and 2 threads (target 1M samples/s from
# two), bytes per active series (target <= 1 KiB; Prometheus ~2.7 KiB), and
# WAL replay of 1M samples through Head::open (target under 2 s). Each part
# runs in its own process so RSS figures are not inflated by the others.
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_tsdb_head" memory
"$build/bin/bench_tsdb_head" append
"$build/bin/bench_tsdb_head" replay
