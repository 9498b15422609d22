#!/usr/bin/env bash
# Vigil against the real Prometheus scraping the same 1,000 targets of ~1,000
# series each (11 simulated hosts x 93 series from tools/serve_exposition.py,
# told apart by a `shard` label) every 15 s, about 67k samples/s.
#
# Both run headless with the same prometheus.yml (Vigil reads it unchanged
# through `prometheus_config:`), one after the other so they never compete
# for the two cores, for DURATION seconds each. The script samples each
# process's /proc/PID/stat (utime+stime) and VmRSS every 5 s and prints CPU
# seconds (total, and after the first interval of warm-up), peak RSS and
# steady RSS (mean over the second half) side by side. Vigil's host collector
# is off so that both do exactly the same work.
#
# Usage: tests/bench/scrape_vs_prometheus.sh [BUILD_DIR]   (default build/release)
# Env:   DURATION (s, default 240), TARGETS (default 1000), INTERVAL (s, default 15)
set -euo pipefail
build="${1:-build/release}"
shared="${VIGIL_SHARED_DIR:-/work/shared}"
duration="${DURATION:-240}"
targets="${TARGETS:-1000}"
interval="${INTERVAL:-15}"
vigil="$build/bin/vigil"
[[ -x "$vigil" ]] || { echo "missing $vigil (cmake --build $build --target vigil)" >&2; exit 1; }
command -v prometheus >/dev/null || { echo "prometheus not installed (Debian package prometheus)" >&2; exit 1; }

work=$(mktemp -d /tmp/vigil_scrape_vs_prom.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
python3 "$shared/tools/serve_exposition.py" --port "$port" --hosts 11 --refresh "$interval" \
    >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break
    sleep 0.1
done

{
    echo "global:"
    echo "  scrape_interval: ${interval}s"
    echo "  scrape_timeout: 10s"
    echo "scrape_configs:"
    echo "  - job_name: bench"
    echo "    static_configs:"
    for ((i = 0; i < targets; i++)); do
        echo "      - targets: ['127.0.0.1:$port']"
        echo "        labels: {shard: '$i'}"
    done
} >"$work/prometheus.yml"

# Samples one process until it has run `duration` seconds; prints
# "cpu_total cpu_steady rss_peak_kb rss_steady_kb".
measure() {
    local pid=$1 hz ticks0=0 ticks_warm=0 t0 now elapsed ticks rss peak=0 sum=0 n=0
    hz=$(getconf CLK_TCK)
    t0=$(date +%s)
    while :; do
        sleep 5
        kill -0 "$pid" 2>/dev/null || { echo "process $pid died" >&2; return 1; }
        now=$(date +%s)
        elapsed=$((now - t0))
        ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
        ((rss > peak)) && peak=$rss
        if ((elapsed <= interval)); then ticks_warm=$ticks; fi
        if ((elapsed >= duration / 2)); then sum=$((sum + rss)); n=$((n + 1)); fi
        ((elapsed >= duration)) && break
    done
    python3 -c "print(f'{$ticks/$hz:.1f} {($ticks-$ticks_warm)/$hz:.1f} {$peak} {$sum//max($n,1)}')"
}

# --- Prometheus ---
pport=$(free_port)
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom-data" \
    --web.listen-address="127.0.0.1:$pport" >"$work/prometheus.log" 2>&1 &
ppid=$!
pids+=($ppid)
echo "prometheus: measuring for ${duration}s ..." >&2
read -r p_cpu p_steady p_peak p_rss < <(measure "$ppid")
p_samples=$(curl -s "http://127.0.0.1:$pport/api/v1/query" --data-urlencode \
    "query=sum(scrape_samples_scraped)" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
p_up=$(curl -s "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=sum(up)" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
kill "$ppid"; wait "$ppid" 2>/dev/null || true

# --- Vigil ---
vport=$(free_port)
cat >"$work/vigil.yml" <<EOF
server:
  listen: 127.0.0.1:$vport
host_collector:
  enabled: false
prometheus_config: $work/prometheus.yml
EOF
"$vigil" --headless --config "$work/vigil.yml" --data-dir "$work/vigil-data" >"$work/vigil.log" 2>&1 &
vpid=$!
pids+=($vpid)
echo "vigil: measuring for ${duration}s ..." >&2
read -r v_cpu v_steady v_peak v_rss < <(measure "$vpid")
v_samples=$(curl -s "http://127.0.0.1:$vport/api/v1/query" --data-urlencode \
    "query=sum(scrape_samples_scraped)" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
v_up=$(curl -s "http://127.0.0.1:$vport/api/v1/query" --data-urlencode "query=sum(up)" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
kill "$vpid"; wait "$vpid" 2>/dev/null || true

steady_s=$((duration - interval))
printf '\n%d targets x ~1,000 series every %ds, %ds each (steady = after the first interval)\n' \
    "$targets" "$interval" "$duration"
printf '%-12s %10s %12s %10s %12s %12s %10s %14s\n' "" "cpu s" "steady cpu s" "% core" "peak RSS MB" \
    "steady RSS MB" "targets up" "samples/scrape"
for who in prometheus vigil; do
    if [[ $who == prometheus ]]; then c=$p_cpu s=$p_steady pk=$p_peak r=$p_rss up=$p_up sm=$p_samples
    else c=$v_cpu s=$v_steady pk=$v_peak r=$v_rss up=$v_up sm=$v_samples; fi
    python3 -c "print(f'{\"$who\":<12} {$c:>10.1f} {$s:>12.1f} {100*$s/$steady_s:>9.1f}% {$pk/1024:>12.1f} {$r/1024:>13.1f} {\"$up\":>10} {\"$sm\":>14}')"
done
python3 - "$p_steady" "$v_steady" "$p_peak" "$v_peak" "$p_rss" "$v_rss" <<'PY'
import sys
ps, vs, pp, vp, pr, vr = map(float, sys.argv[1:])
ok = vs <= ps and vp <= pp and vr <= pr
print(f"vigil/prometheus: cpu {vs/ps:.2f}x, peak RSS {vp/pp:.2f}x, steady RSS {vr/pr:.2f}x -> "
      + ("OK: at or below Prometheus on both" if ok else "NOT at or below Prometheus"))
PY
