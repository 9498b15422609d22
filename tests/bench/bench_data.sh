# Sourced by the benchmark scripts: the shared dataset, generated once and
# cached. The default is the anchor's dataset (108 hosts, 6h at 15s: 10,044
# series, 14.5M samples, 1.6 GB of OpenMetrics); BENCH_HOSTS / BENCH_HOURS
# shrink it for a quick run.
: "${VIGIL_SHARED_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared}"
BENCH_HOSTS=${BENCH_HOSTS:-108}
BENCH_HOURS=${BENCH_HOURS:-6}

# bench_openmetrics_file BUILD_DIR -> prints the path of the cached file
bench_openmetrics_file() {
    local dir="$1/bench-data"
    local file="$dir/om-${BENCH_HOSTS}hosts-${BENCH_HOURS}h.om"
    mkdir -p "$dir"
    if [ ! -s "$file" ]; then
        echo "generating $file (gen_openmetrics.py --hosts $BENCH_HOSTS --hours $BENCH_HOURS)" >&2
        python3 "$VIGIL_SHARED_DIR/tools/gen_openmetrics.py" --hosts "$BENCH_HOSTS" --hours "$BENCH_HOURS" \
            > "$file.tmp" && mv "$file.tmp" "$file"
    fi
    echo "$file"
}
