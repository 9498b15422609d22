#!/usr/bin/env bash
# Dispatcher load: 10,000 distinct alerts into the notification dispatcher,
# time until every group is notified (target < 2 s; Alertmanager 0.25 takes
# 4.6-8.2 s, shared/conformance/alertmanager/load/README.md).
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_dispatch" 10000
