#!/usr/bin/env bash
# WAL replay: 1M samples (1000 series x 1000 scrapes) written, then replayed.
# Target: replay in under 2 s.
set -euo pipefail
build="${1:-build/release}"
"$build/bin/bench_wal_replay"
