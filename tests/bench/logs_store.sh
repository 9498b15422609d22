#!/usr/bin/env bash
# Log store: ingest rate (WAL on, one thread), line-filter scan over 10M lines
# with peak RSS, `grep -c` on the same file in the same run, and store size
# against the raw size. Targets (issue 7): >= 300k lines/s (~60 MB/s) ingest;
# scan of 10M lines (1.3 GB) <= 2 s in < 300 MB; store <= 1/5 of raw.
# Usage: tests/bench/logs_store.sh BUILD_DIR [LINES]
set -euo pipefail
build="${1:-build/release}"
lines="${2:-10000000}"
here="$(cd "$(dirname "$0")" && pwd)"
work="${VIGIL_BENCH_DIR:-$build/bench-data}/logs_store"
mkdir -p "$work"
data="$work/syslog-$lines.log"
if [ ! -s "$data" ]; then
    echo "generating $lines syslog-like lines into $data"
    python3 "$here/logs_store/gen_syslog.py" "$lines" "$data.tmp"
    mv "$data.tmp" "$data"
fi
bin="$build/bin/bench_logs_store"
[ -x "$bin" ] || bin="$build/tests/bench/logs_store/bench_logs_store"
store="$work/store"
rm -rf "$store"
ls -l "$data"
cat "$data" > /dev/null  # page cache, for grep and ingest alike
/usr/bin/time -f "ingest: peak RSS %M KiB" "$bin" ingest "$data" "$store"
du -sb "$store/chunks" "$store/wal" | sed 's/^/store: /'
/usr/bin/time -f "scan: peak RSS %M KiB, %e s wall" "$bin" scan "$store" error
/usr/bin/time -f "grep -c error: %e s wall, peak RSS %M KiB" grep -c error "$data"
