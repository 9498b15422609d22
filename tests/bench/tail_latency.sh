#!/usr/bin/env bash
# Tail latency (issue 7): a line appended to a tailed file reaches a live tail
# subscriber in under 250 ms at the default setting. Runs a real Engine (the
# tailer at its default poll frequency, the log store with its WAL, the live
# tail hub) and prints the latency distribution for paced lines, a burst, and
# a flood larger than a subscriber may hold (the excess is dropped and counted).
# Usage: tests/bench/tail_latency.sh BUILD_DIR
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_tail_latency" "${LINES:-500}" "${BURST:-5000}" "${FLOOD:-50000}"
