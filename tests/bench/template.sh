#!/usr/bin/env bash
# Go template engine: alert annotation expansion and Alertmanager default
# template rendering (no data set needed).
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_template"
