#!/usr/bin/env bash
# Exposition parsing throughput (target: 200 MB/s or more), on a 50 MB page
# built from a real node_exporter page, in both formats.
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_exposition_parse"
