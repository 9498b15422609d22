#!/usr/bin/env bash
# Chunk encodings: bytes/sample of Prometheus's XOR chunk and Vigil's packed
# sealed chunk on the anchor dataset (Prometheus: 3.06 B/sample on disk).
set -euo pipefail
build="${1:-build/release}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench_data.sh"
file=$(bench_openmetrics_file "$build")
"$build/bin/bench_chunkenc" "$file"
