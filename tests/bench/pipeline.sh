#!/usr/bin/env bash
# Promtail pipeline stages: lines/s on one thread through no stages, the
# syslog preset and a regex+timestamp+labels pipeline (synthetic lines
# generated in memory; the tailer's budget is 300k lines/s on one core,
# pipeline included).
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_pipeline" "${LINES:-1000000}" "${REPEAT:-3}"
