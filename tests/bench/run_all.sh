#!/usr/bin/env bash
# `make bench`: runs every benchmark and prints its figures. Benchmarks are
# not tests: they never fail on time, they report it. Each tests/bench/*.sh
# prepares its data (cached under BUILD_DIR/bench-data) and runs one benchmark.
# BENCH_ONLY=name runs just tests/bench/name.sh.
# Usage: tests/bench/run_all.sh BUILD_DIR
set -uo pipefail
build="${1:-build/release}"
here="$(cd "$(dirname "$0")" && pwd)"
status=0
ran=0
for script in "$here"/*.sh; do
    [ "$(basename "$script")" = "run_all.sh" ] && continue
    [ -n "${BENCH_ONLY:-}" ] && [ "$(basename "$script" .sh)" != "$BENCH_ONLY" ] && continue
    echo "=== $(basename "$script")"
    "$script" "$build" || status=1
    ran=$((ran + 1))
done
echo "ran $ran benchmarks"
exit $status
