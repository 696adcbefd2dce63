#!/usr/bin/env python3
"""Events per second through POST /api/v1/events with durable commits: single events from
64 concurrent clients, and batches of 100 from 4 clients, beside raw SQLite on the same disk
in the same run (one durable transaction per insert, and 100 inserts per transaction).

    bench/events/run.py [--runs 3] [--singles 3000] [--batches 60]

The client is Python (http.client, keep-alive, one connection per thread); it prints the
daemon's CPU time so the client's own cost can be judged."""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSO = os.path.join(ROOT, "build", "dispatch", "hoso")
RAW = os.path.join(ROOT, "build", "bench", "raw_sqlite")
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
from harness import good_dossier  # noqa: E402


class Client:
    def __init__(self, host, port, token):
        self.c = http.client.HTTPConnection(host, port, timeout=60)
        self.h = {"Content-Type": "application/json", "Authorization": "Bearer " + token}

    def post(self, path, body):
        data = json.dumps(body).encode()
        t0 = time.perf_counter()
        self.c.request("POST", path, data, self.h)
        r = self.c.getresponse()
        out = r.read()
        return r.status, out, time.perf_counter() - t0


def run_threads(n, fn):
    threads = [threading.Thread(target=fn, args=(i,)) for i in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p / 100))] * 1000


def one_run(args, workdir):
    db = os.path.join(workdir, "bench.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    proc = subprocess.Popen([HOSO, "serve", "--db", db, "--listen", "127.0.0.1:0", "--demo",
                             "--log-level", "warn"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        base = None
        while base is None:
            line = proc.stdout.readline().decode()
            m = re.search(r"listening on http://([\d.]+):(\d+)", line)
            if m:
                base = (m.group(1), int(m.group(2)))
        host, port = base

        def login(user, pw):
            c = http.client.HTTPConnection(host, port)
            c.request("POST", "/api/v1/login", json.dumps({"username": user, "password": pw}))
            return json.loads(c.getresponse().read())["token"]
        clerk = login("clerk", "demo-clerk-2026")
        courier = login("courier", "demo-courier-2026")

        need = args.singles + args.batches * 100
        tns = []
        lock = threading.Lock()
        per = need // 16 + 1

        def make(i):
            c = Client(host, port, clerk)
            for _ in range(per):
                st, out, _ = c.post("/api/v1/dossiers", good_dossier(service="send"))
                assert st == 201, out
                with lock:
                    tns.append(json.loads(out)["items"][0]["tracking_number"])
        run_threads(16, make)
        singles, batch_items = tns[:args.singles], tns[args.singles:]

        def cpu():
            with open("/proc/%d/stat" % proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        lat_single = []
        errors = []

        def single(i):
            c = Client(host, port, courier)
            for tn in singles[i::64]:
                st, out, dt = c.post("/api/v1/events", {"id": str(uuid.uuid4()), "item": tn,
                                                        "type": "dispatch"})
                if st != 200:
                    errors.append(out)
                with lock:
                    lat_single.append(dt)
        c0 = cpu()
        t_single = run_threads(64, single)
        cpu_single = cpu() - c0

        lat_batch = []

        def batch(i):
            c = Client(host, port, courier)
            mine = batch_items[i * len(batch_items) // 4:(i + 1) * len(batch_items) // 4]
            for k in range(0, len(mine), 100):
                evs = [{"id": str(uuid.uuid4()), "item": tn, "type": "dispatch"}
                       for tn in mine[k:k + 100]]
                st, out, dt = c.post("/api/v1/events", {"events": evs})
                res = json.loads(out)["results"] if st == 200 else []
                if st != 200 or any(r["status"] != "recorded" for r in res):
                    errors.append(out[:200])
                with lock:
                    lat_batch.append(dt)
        c0 = cpu()
        t_batch = run_threads(4, batch)
        cpu_batch = cpu() - c0
        if errors:
            raise SystemExit("refused or failed events: %s" % errors[:3])
        return {
            "single_rate": len(singles) / t_single,
            "single_p50": pct(lat_single, 50), "single_p99": pct(lat_single, 99),
            "single_cpu_ms": cpu_single * 1000 / len(singles),
            "batch_rate": len(batch_items) / t_batch,
            "batch_p50": pct(lat_batch, 50), "batch_p99": pct(lat_batch, 99),
            "batch_cpu_ms": cpu_batch * 1000 / len(batch_items),
        }
    finally:
        proc.terminate()
        proc.wait()


def raw(workdir, count, batch):
    out = subprocess.run([RAW, workdir, str(count), str(batch)], capture_output=True,
                         text=True, check=True).stdout
    return float(re.search(r"= (\d+)/s", out).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--singles", type=int, default=3000)
    ap.add_argument("--batches", type=int, default=60)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-events-", dir=os.environ.get("BENCH_DIR", ROOT))
    runs, raw1, raw100 = [], [], []
    for _ in range(args.runs):
        raw1.append(raw(workdir, 3000, 1))
        raw100.append(raw(workdir, 50000, 100))
        runs.append(one_run(args, workdir))
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    r1, r100 = statistics.median(raw1), statistics.median(raw100)
    print("raw SQLite, 1 durable txn/insert:   %s -> median %.0f/s" % (raw1, r1))
    print("raw SQLite, 100 inserts/txn:        %s -> median %.0f/s" % (raw100, r100))
    print("single events, 64 clients:          %s -> median %.0f/s, p50 %.1f ms, p99 %.1f ms, "
          "daemon CPU %.2f ms/event" % ([round(r["single_rate"]) for r in runs],
                                         med["single_rate"], med["single_p50"],
                                         med["single_p99"], med["single_cpu_ms"]))
    print("batches of 100, 4 clients:          %s -> median %.0f events/s, p50 %.1f ms, "
          "p99 %.1f ms a batch, daemon CPU %.3f ms/event" % (
              [round(r["batch_rate"]) for r in runs], med["batch_rate"], med["batch_p50"],
              med["batch_p99"], med["batch_cpu_ms"]))
    print("ratio single/raw single = %.2f (target >= 0.60)" % (med["single_rate"] / r1))
    print("ratio batch/raw batched = %.2f (target >= 0.25)" % (med["batch_rate"] / r100))
    subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    main()
