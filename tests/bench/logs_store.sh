#!/usr/bin/env bash
# Log store: ingest rate (WAL on, one thread), line-filter scan over 10M lines
# with peak RSS, `grep -c` on the same file in the same run, and store size
# against the raw size. Targets (issue 7): >= 300k lines/s (~60 MB/s) ingest;
# scan of 10M lines (1.3 GB) <= 2 s in < 300 MB; store <= 1/5 of raw.
# Usage: tests/bench/logs_store.sh BUILD_DIR [LINES]
# (ENCODINGS="zstd snappy" and INGEST_FLAGS="--zstd-level N --block-bytes N"
# choose what the ingest runs write)
set -euo pipefail
build="${1:-build/release}"
lines="${2:-10000000}"
here="$(cd "$(dirname "$0")" && pwd)"
work="${VIGIL_BENCH_DIR:-$build/bench-data}/logs_store"
mkdir -p "$work"
data="$work/syslog-$lines.log"
# The generator is Python: 1M unique lines, repeated to LINES. A repeat lies
# ~120 MB after its original, far beyond snappy's 64 KiB window and beyond
# the block a zstd frame sees, so it does not flatter the store size; it only
# saves generation time.
unique=1000000
if [ "$lines" -lt "$unique" ]; then unique="$lines"; fi
if [ ! -s "$data" ]; then
    base="$work/syslog-unique-$unique.log"
    if [ ! -s "$base" ]; then
        echo "generating $unique syslog-like lines into $base"
        python3 "$here/logs_store/gen_syslog.py" "$unique" "$base.tmp"
        mv "$base.tmp" "$base"
    fi
    : > "$data.tmp"
    for ((i = 0; i < lines / unique; i++)); do cat "$base" >> "$data.tmp"; done
    mv "$data.tmp" "$data"
fi
bin="$build/bin/bench_logs_store"
[ -x "$bin" ] || bin="$build/tests/bench/logs_store/bench_logs_store"
store="$work/store"
ls -l "$data"
# Each chunk encoding in turn (ENCODINGS="zstd snappy" by default; extra
# ingest flags such as "--zstd-level 3 --block-bytes 1048576" in INGEST_FLAGS).
for encoding in ${ENCODINGS:-zstd snappy}; do
    echo "== chunk_encoding: $encoding"
    rm -rf "$store"
    cat "$data" > /dev/null  # page cache, for grep and ingest alike
    # shellcheck disable=SC2086
    /usr/bin/time -f "ingest: peak RSS %M KiB" "$bin" ingest "$data" "$store" \
        --encoding "$encoding" ${INGEST_FLAGS:-}
    du -sb "$store/chunks" "$store/wal" | sed 's/^/store: /'
    /usr/bin/time -f "scan: peak RSS %M KiB, %e s wall" "$bin" scan "$store" error
    /usr/bin/time -f "scan: peak RSS %M KiB, %e s wall" "$bin" scan "$store" error --no-prefetch
done
rm -rf "$store"
# For comparison: an fsync per 1 MiB push (syncOnPush), on the unique part.
rm -rf "$store.sync"
"$bin" ingest "$work/syslog-unique-$unique.log" "$store.sync" --sync-every-push | sed 's/^/fsync per push: /'
rm -rf "$store.sync"
/usr/bin/time -f "grep -c error: %e s wall, peak RSS %M KiB" grep -c error "$data"
# The anchor LOGVIEWER_ANCHORS.md names: lnav 0.11 filtering the same file
# headless (index, then count the lines with "error"), in the same run.
if command -v lnav > /dev/null; then
    lnav_home="$(mktemp -d)"
    HOME="$lnav_home" /usr/bin/time -f "lnav -n count of error lines: %e s wall, peak RSS %M KiB" \
        lnav -n -c ";SELECT count(*) FROM all_logs WHERE log_body LIKE '%error%'" "$data" | tail -n 2
    rm -rf "$lnav_home"
else
    echo "lnav: not installed (Debian package lnav, in packaging/deps-test.txt); anchor not run"
fi
