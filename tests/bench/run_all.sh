#!/usr/bin/env bash
# `make bench`: runs every benchmark and prints its figures. Benchmarks are
# not tests: they never fail on time, they report it.
# Usage: tests/bench/run_all.sh BUILD_DIR
set -uo pipefail
build="${1:-build/release}"
here="$(cd "$(dirname "$0")" && pwd)"
status=0
ran=0
for script in "$here"/*.sh; do
    [ "$(basename "$script")" = "run_all.sh" ] && continue
    echo "=== $(basename "$script")"
    "$script" "$build" || status=1
    ran=$((ran + 1))
done
for exe in "$build"/bin/bench_*; do
    [ -x "$exe" ] || continue
    echo "=== $(basename "$exe")"
    "$exe" || status=1
    ran=$((ran + 1))
done
echo "ran $ran benchmarks"
exit $status
