#!/usr/bin/env bash
# PromQL parser throughput over every expression of the conformance scripts.
set -euo pipefail
build="${1:-build/release}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench_data.sh"
"$build/bin/bench_promql_parse" "$VIGIL_SHARED_DIR"
