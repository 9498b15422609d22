#!/usr/bin/env python3
"""Runs the anchor PromQL queries against Prometheus and Vigil on the same
imported dataset and prints CPU and wall time side by side. Everything
listens on 127.0.0.1 only; both servers are stopped at the end."""
import argparse, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.parse, urllib.request

START = 1735689600  # the generator's default start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_ready(url, proc, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited early: {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.2)
    sys.exit(f"server not ready: {url}")


def query(base, path, params):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as r:
        body = r.read()
    wall = time.perf_counter() - t0
    doc = json.loads(body)
    if doc.get("status") != "success":
        sys.exit(f"query failed on {base}: {doc}")
    return wall, doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--hours", type=float, default=6)
    ap.add_argument("--reps", type=int, default=7)
    a = ap.parse_args()
    end = START + int(a.hours * 3600) - 15
    work = tempfile.mkdtemp(prefix="vigil-promql-bench-")
    procs = []
    try:
        prom_data, vigil_data = os.path.join(work, "prom"), os.path.join(work, "vigil")
        print(f"importing {a.data} into both ...", flush=True)
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=6h",
                        a.data, prom_data], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([f"{a.build}/bin/vigilctl", "tsdb", "import", "openmetrics", a.data, vigil_data],
                       check=True, stdout=subprocess.DEVNULL)
        cfg = os.path.join(work, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global: {scrape_interval: 1h}\n")
        pport, vport = free_port(), free_port()
        prom = subprocess.Popen(["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={prom_data}",
                                 "--storage.tsdb.retention.time=100y", f"--web.listen-address=127.0.0.1:{pport}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(prom)
        vcfg = os.path.join(work, "vigil.yml")
        with open(vcfg, "w") as f:
            f.write("host_collector: {enabled: false}\nstorage: {retention_time: 0s, retention_size: 0}\n")
        vigil = subprocess.Popen([f"{a.build}/bin/vigil", "--headless", "--config", vcfg, "--data-dir", vigil_data,
                                  "--listen", f"127.0.0.1:{vport}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(vigil)
        pbase, vbase = f"http://127.0.0.1:{pport}", f"http://127.0.0.1:{vport}"
        wait_ready(pbase + "/-/ready", prom)
        wait_ready(vbase + "/-/ready", vigil)

        rng = {"start": START, "end": end}
        queries = [
            ("Q1 one series, 6h @15s", "/api/v1/query_range",
             dict(rng, query='node_cpu_seconds_total{instance="host-0000:9100",cpu="0",mode="idle"}', step=15)),
            ("Q2 sum by (mode)(rate(cpu[5m])) 6h @60s", "/api/v1/query_range",
             dict(rng, query="sum by (mode) (rate(node_cpu_seconds_total[5m]))", step=60)),
            ("Q3 histogram_quantile(0.99, ...) 6h @60s", "/api/v1/query_range",
             dict(rng, query="histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
                  step=60)),
            ("Q4 topk(5, node_load1) instant", "/api/v1/query", {"query": "topk(5, node_load1)", "time": end}),
            ("X1 rate(network[5m]) 6h @60s", "/api/v1/query_range",
             dict(rng, query="rate(node_network_receive_bytes_total[5m])", step=60)),
            ("X2 count({__name__=~\".+\"}) instant", "/api/v1/query", {"query": 'count({__name__=~".+"})', "time": end}),
            ("X3 sum by (mode)(rate(cpu[5m])) instant", "/api/v1/query",
             {"query": "sum by (mode) (rate(node_cpu_seconds_total[5m]))", "time": end}),
        ]
        print(f"\n{'query':44} {'Prometheus CPU ms':>18} {'Vigil CPU ms':>13} {'ratio':>6}   "
              f"{'Prom wall ms':>12} {'Vigil wall ms':>13}")
        # Small queries need many runs to rise above the 10 ms CPU clock tick.
        small = {"Q1 one series, 6h @15s", "Q4 topk(5, node_load1) instant"}
        for name, path, params in queries:
            row = {}
            reps = a.reps * 40 if name in small else a.reps
            for side, base, proc in (("prom", pbase, prom), ("vigil", vbase, vigil)):
                query(base, path, params)  # warm-up
                walls = []
                c0 = cpu_seconds(proc.pid)
                for _ in range(reps):
                    wall, _ = query(base, path, params)
                    walls.append(wall)
                # Summed over the reps: the 10 ms clock tick is too coarse per query.
                row[side] = ((cpu_seconds(proc.pid) - c0) / reps * 1000, statistics.median(walls) * 1000)
            ratio = row["vigil"][0] / row["prom"][0] if row["prom"][0] > 0 else float("nan")
            print(f"{name:44} {row['prom'][0]:18.1f} {row['vigil'][0]:13.1f} {ratio:6.2f}   "
                  f"{row['prom'][1]:12.1f} {row['vigil'][1]:13.1f}", flush=True)
        print(f"\n(after a warm-up, {a.reps} runs each ({a.reps * 40} for Q1 and Q4): CPU = server "
              f"process user+sys time per query, averaged; wall = median)")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
