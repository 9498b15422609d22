#!/usr/bin/env bash
# Vigil's blocks vs Prometheus's on the shared dataset (default: the anchor's
# 108 hosts x 6h; BENCH_HOSTS / BENCH_HOURS shrink it):
#   * import CPU seconds (user+sys, /usr/bin/time) of
#     `promtool tsdb create-blocks-from openmetrics` and
#     `vigilctl tsdb import openmetrics` on the same file,
#   * on-disk bytes per sample: chunk files only, and every block file,
#   * a one-series 6h selector read through Vigil's block querier
#     (bench_tsdb_blocks; the PromQL comparison lives with the engine).
# BENCH_BLOCK_DURATION (default 2h, promtool's default) is passed to both
# importers as --max-block-duration.
#
# usage: tests/bench/tsdb_vs_prometheus.sh [BUILD_DIR]   (a Release build)
set -euo pipefail
build="${1:-build/release}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench_data.sh"
duration="${BENCH_BLOCK_DURATION:-2h}"
vigilctl="$build/bin/vigilctl"
bench="$build/bin/bench_tsdb_blocks"
for exe in "$vigilctl" "$bench"; do
    [ -x "$exe" ] || { echo "missing $exe: cmake --build $build --target vigilctl bench_tsdb_blocks" >&2; exit 1; }
done
command -v promtool >/dev/null || { echo "promtool not found (Debian package prometheus)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (Debian package time)" >&2; exit 1; }

file=$(bench_openmetrics_file "$build")
work=$(mktemp -d "${TMPDIR:-/tmp}/tsdb_vs_prometheus.XXXXXX")
trap 'rm -rf "$work"' EXIT

# measure NAME CMD... -> "$work/NAME.time" holds "user sys wall maxrss_kb"
measure() {
    local name=$1; shift
    /usr/bin/time -f "%U %S %e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
        echo "$name failed:" >&2; cat "$work/$name.err" >&2; exit 1; }
}

# bytes DIR chunks|all: files of the block directories (ULIDs start with 0-7)
bytes() {
    local dir=$1 what=$2
    if [ "$what" = chunks ]; then
        find "$dir" -mindepth 3 -maxdepth 3 -type f -path "$dir/[0-7]*/chunks/*" -printf '%s\n'
    else
        find "$dir" -mindepth 2 -type f -path "$dir/[0-7]*" -printf '%s\n'
    fi | awk '{s += $1} END {print s + 0}'
}

echo "dataset: $file ($(stat -c %s "$file") bytes), block duration $duration"
measure promtool promtool tsdb create-blocks-from openmetrics --max-block-duration="$duration" "$file" "$work/prom"
measure vigil "$vigilctl" tsdb import openmetrics "$file" "$work/vigil" --max-block-duration "$duration"
cat "$work/vigil.out"

samples=$(sed -n 's/.* series, \([0-9]*\) samples .*/\1/p' "$work/vigil.out")
[ -n "$samples" ] || { echo "could not read the sample count from vigilctl's summary" >&2; exit 1; }

read -r pu ps pw pm <"$work/promtool.time"
read -r vu vs vw vm <"$work/vigil.time"
pc=$(bytes "$work/prom" chunks); pa=$(bytes "$work/prom" all)
# vigilctl imports into the TSDB of a Vigil data directory: <dir>/metrics.
vc=$(bytes "$work/vigil/metrics" chunks); va=$(bytes "$work/vigil/metrics" all)
pb=$(find "$work/prom" -mindepth 1 -maxdepth 1 -type d -name '[0-7]*' | wc -l)
vb=$(find "$work/vigil/metrics" -mindepth 1 -maxdepth 1 -type d -name '[0-7]*' | wc -l)

awk -v s="$samples" -v pu="$pu" -v ps="$ps" -v pw="$pw" -v pm="$pm" -v vu="$vu" -v vs="$vs" \
    -v vw="$vw" -v vm="$vm" -v pc="$pc" -v pa="$pa" -v vc="$vc" -v va="$va" -v pb="$pb" -v vb="$vb" 'BEGIN {
    pcpu = pu + ps; vcpu = vu + vs
    printf "\n%-22s %14s %14s %10s\n", "", "promtool", "vigil", "vigil/prom"
    printf "%-22s %14d %14d\n", "samples", s, s
    printf "%-22s %14d %14d\n", "blocks", pb, vb
    printf "%-22s %14.2f %14.2f %10.3f\n", "import CPU s", pcpu, vcpu, vcpu / pcpu
    printf "%-22s %14.2f %14.2f %10.3f\n", "import wall s", pw, vw, vw / pw
    printf "%-22s %14.0f %14.0f %10.3f\n", "import peak RSS MiB", pm / 1024, vm / 1024, vm / pm
    printf "%-22s %14d %14d %10.3f\n", "chunk bytes", pc, vc, vc / pc
    printf "%-22s %14d %14d %10.3f\n", "block bytes", pa, va, va / pa
    printf "%-22s %14.3f %14.3f %10.3f\n", "chunk B/sample", pc / s, vc / s, vc / pc
    printf "%-22s %14.3f %14.3f %10.3f\n", "block B/sample", pa / s, va / s, va / pa
    printf "%-22s %14.2f %14.2f %10.3f\n", "M samples/CPU s", s / pcpu / 1e6, s / vcpu / 1e6, pcpu / vcpu
}'

echo
"$bench" "$work/vigil/metrics"
