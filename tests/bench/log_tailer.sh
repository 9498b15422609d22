#!/usr/bin/env bash
# File tailer: ingest of a syslog-like file through the tailer into the real
# log store (WAL on), and append-to-store latency. Targets (issue 7):
# >= 300k lines/s (~60 MB/s) on one core; a line appended to a tailed file
# reaches the store well under the 250 ms poll period (inotify).
# Usage: tests/bench/log_tailer.sh BUILD_DIR [LINES]
set -euo pipefail
build="${1:-build/release}"
lines="${2:-2000000}"
here="$(cd "$(dirname "$0")" && pwd)"
work="${VIGIL_BENCH_DIR:-$build/bench-data}/log_tailer"
mkdir -p "$work"
work="$(cd "$work" && pwd)"  # the tailer takes absolute globs
data="$work/syslog-$lines.log"
if [ ! -s "$data" ]; then
    echo "generating $lines syslog-like lines into $data"
    python3 "$here/logs_store/gen_syslog.py" "$lines" "$data.tmp"
    mv "$data.tmp" "$data"
fi
bin="$build/bin/bench_log_tailer"
[ -x "$bin" ] || bin="$build/tests/bench/log_tailer/bench_log_tailer"
ls -l "$data"
cat "$data" > /dev/null  # page cache
/usr/bin/time -f "ingest: peak RSS %M KiB" "$bin" ingest "$data" "$work/store"
# The same through the bundled syslog pipeline preset (regex, labels, timestamp).
/usr/bin/time -f "ingest with the syslog preset: peak RSS %M KiB" "$bin" ingest "$data" "$work/store" syslog
"$bin" latency "$work/latency" 500
