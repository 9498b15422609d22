#!/usr/bin/env bash
# Remote write receiver throughput: decode and append, one core.
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_remote_write"
