#!/usr/bin/env python3
"""Events per second through POST /api/v1/events with durable commits: single events from
64 concurrent clients, and batches of 100 from 4 clients, beside raw SQLite on the same disk
in the same run (one durable transaction per insert, and 100 inserts per transaction), and
beside the SQL floor (bench/accept/sql_floor.c: the statements of one event with nothing
else, 8 and 100 to a transaction), the most any daemon could do on this machine.

    bench/events/run.py [--runs 3] [--singles 30000] [--single-seconds 3] [--batches 60]
                        [--build DIR]
    bench/events/run.py --pg BASE-URI [--daemons 1,3] ...

Single events are sent by wrk (bench/events/single.lua: 2 threads, 64 connections, each
event once); Python's threads could not keep up with the daemon. Batches are sent by Python
(http.client, keep-alive, one connection per thread). The daemon's CPU time is printed so the
clients' own cost can be judged. Event ids are time-ordered
(UUID version 7), as the staff pages make them. Before the events are sent, the outbox
worker is left to finish the SMS rows the setup's acceptances queued.

With --pg (a superuser libpq URI, as scripts/pg-cluster.sh start prints it), every run also
measures the same load on PostgreSQL, once for each daemon count of --daemons: a fresh
database (CREATE DATABASE, `hoso init --demo`), N daemons serving it, the clients spread over
them round-robin (client k talks to daemon k mod N), right after the SQLite measurement of
the same run. Each is given as a ratio to the SQLite figure of its run; the PostgreSQL
server's own CPU (its backends, read from /proc) is printed beside the daemons'.
--max-seconds bounds the batch phase: clients stop sending when it has passed and the rate
is counted over the events that were sent. The single-event phase lasts --single-seconds
(wrk's duration), and --singles must give it enough items: a run that runs out is refused."""
import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSO = RAW = FLOOR = None  # set from --build in main()
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
from harness import good_dossier, psql, pg_uri  # noqa: E402


def uuid7():
    """A time-ordered event id, made as the staff pages make them (dispatch/www/desk.js)."""
    b = bytearray(os.urandom(16))
    b[0:6] = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    b[6] = (b[6] & 0x0F) | 0x70
    b[8] = (b[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(b)))


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


def start_daemon(db, demo):
    """One `hoso serve` on db; (process, (host, port))."""
    cmd = [HOSO, "serve", "--db", db, "--listen", "127.0.0.1:0", "--log-level", "warn"]
    if demo:
        cmd.append("--demo")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    while True:
        line = proc.stdout.readline().decode()
        if not line:
            raise SystemExit("hoso serve --db %s exited before listening" % db)
        m = re.search(r"listening on http://([\d.]+):(\d+)", line)
        if m:
            return proc, (m.group(1), int(m.group(2)))


def proc_cpu(pid):
    """User + system CPU seconds of a process (0 once it is gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_backends(base):
    """PIDs of the PostgreSQL cluster's processes (the postmaster's children), or []."""
    try:
        host = urllib.parse.parse_qs(urllib.parse.urlsplit(base).query)["host"][0]
        with open(os.path.join(host, "data", "postmaster.pid")) as f:
            postmaster = int(f.readline())
    except (OSError, KeyError, ValueError):
        return []
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == postmaster:
                        pids.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return pids


def one_run(args, workdir, pg_base=None, daemons=1):
    """One measurement on SQLite (pg_base None) or on a fresh PostgreSQL database served by
    `daemons` daemons."""
    procs, dbname = [], None
    if pg_base is None:
        db = os.path.join(workdir, "bench.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
    else:
        dbname = "hoso_bench_" + uuid.uuid4().hex[:12]
        psql(pg_base, 'CREATE DATABASE "%s"' % dbname)
        db = pg_uri(pg_base, dbname)
        subprocess.run([HOSO, "init", "--db", db, "--demo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(daemons):
            procs.append(start_daemon(db, demo=pg_base is None))
        bases = [b for _, b in procs]

        def login(base, user, pw):
            c = http.client.HTTPConnection(*base)
            c.request("POST", "/api/v1/login", json.dumps({"username": user, "password": pw}))
            return json.loads(c.getresponse().read())["token"]
        clerk = [login(b, "clerk", "demo-clerk-2026") for b in bases]
        courier = [login(b, "courier", "demo-courier-2026") for b in bases]

        def client(k, tokens):
            """Client k's connection: daemon k mod N."""
            return Client(bases[k % daemons][0], bases[k % daemons][1], tokens[k % daemons])

        need = args.singles + args.batches * 100
        tns = []
        lock = threading.Lock()
        per = need // 16 + 1

        def make(i):  # the items, all through the first daemon (setup, not measured)
            c = client(0, clerk)
            for _ in range(per):
                st, out, _ = c.post("/api/v1/dossiers", good_dossier(service="send"))
                assert st == 201, out
                with lock:
                    tns.append(json.loads(out)["items"][0]["tracking_number"])
        t_make = run_threads(16, make)
        singles, batch_items = tns[:args.singles], tns[args.singles:need]
        # Each acceptance queued an SMS for the outbox worker, which writes as it sends (or
        # fails, with no gateway here): let it finish, so the events are not measured
        # against a burst of setup work.
        for _ in range(600):
            c = http.client.HTTPConnection(*bases[0])
            c.request("GET", "/metrics")
            m = re.search(r'^hoso_outbox_rows\{state="pending"\} (\d+)$',
                          c.getresponse().read().decode(), re.M)
            if m and m.group(1) == "0":
                break
            time.sleep(0.1)
        backends = pg_backends(pg_base) if pg_base else []

        def cpu():
            return (sum(proc_cpu(p.pid) for p, _ in procs),
                    sum(proc_cpu(pid) for pid in backends))

        errors = []
        done = {"single": 0, "batch": 0}
        deadline = [0.0]

        # Single events come from wrk (bench/events/single.lua), 64 connections spread over
        # the daemons: Python's threads could not send them as fast as the daemon answers.
        files, wrks = [], []
        for k in range(daemons):
            path = os.path.join(workdir, "events-%d" % k)
            with open(path, "w") as f:
                for tn in singles[k::daemons]:
                    f.write("%s %s\n" % (tn, uuid7()))
            files.append(path)
        load_single = os.getloadavg()[0]
        c0 = cpu()
        for k in range(daemons):
            env = dict(os.environ, EVENTS_FILE=files[k], WRK_THREADS="2",
                       HOSO_TOKEN=courier[k])
            wrks.append(subprocess.Popen(
                ["wrk", "-t2", "-c%d" % (64 // daemons), "-d%ds" % args.single_seconds,
                 "-s", os.path.join(ROOT, "bench", "events", "single.lua"),
                 "http://%s:%d" % bases[k]], env=env, stdout=subprocess.PIPE, text=True))
        outs = [w.communicate()[0] for w in wrks]
        c1 = cpu()
        res = []
        for out in outs:
            m = re.search(r"RESULT recorded=(\d+) other=(\d+) exhausted=(\d+) "
                          r"duration_us=(\d+) p50_us=(\d+) p99_us=(\d+)", out)
            if not m:
                raise SystemExit("wrk gave no result: %s" % out)
            res.append([int(x) for x in m.groups()])
        if any(r[1] for r in res):
            raise SystemExit("refused or failed single events: %s" % outs)
        if any(r[2] for r in res):
            raise SystemExit("wrk ran out of items within --single-seconds: raise --singles")
        done["single"] = sum(r[0] for r in res)
        t_single = max(r[3] for r in res) / 1e6
        single_p50 = statistics.median(r[4] for r in res) / 1000
        single_p99 = max(r[5] for r in res) / 1000

        lat_batch = []

        def batch(i):
            c = client(i, courier)
            mine = batch_items[i * len(batch_items) // 4:(i + 1) * len(batch_items) // 4]
            for k in range(0, len(mine), 100):
                if time.perf_counter() > deadline[0]:
                    break
                evs = [{"id": uuid7(), "item": tn, "type": "dispatch"}
                       for tn in mine[k:k + 100]]
                st, out, dt = c.post("/api/v1/events", {"events": evs})
                res = json.loads(out)["results"] if st == 200 else []
                if st != 200 or any(r["status"] != "recorded" for r in res):
                    errors.append(out[:200])
                with lock:
                    lat_batch.append(dt)
                    done["batch"] += len(evs)
        load_batch = os.getloadavg()[0]
        c2 = cpu()
        deadline[0] = time.perf_counter() + args.max_seconds
        t_batch = run_threads(4, batch)
        c3 = cpu()
        if errors:
            raise SystemExit("refused or failed events: %s" % errors[:3])
        ns, nb = done["single"], done["batch"]
        return {
            "accept_rate": len(tns) / t_make,
            "single_rate": ns / t_single,
            "single_p50": single_p50, "single_p99": single_p99,
            "single_cpu_ms": (c1[0] - c0[0]) * 1000 / ns,
            "single_pg_cpu_ms": (c1[1] - c0[1]) * 1000 / ns,
            "batch_rate": nb / t_batch,
            "batch_p50": pct(lat_batch, 50), "batch_p99": pct(lat_batch, 99),
            "batch_cpu_ms": (c3[0] - c2[0]) * 1000 / nb,
            "batch_pg_cpu_ms": (c3[1] - c2[1]) * 1000 / nb,
            "single_n": ns, "batch_n": nb,
            "load_single": load_single, "load_batch": load_batch,
        }
    finally:
        for p, _ in procs:
            p.terminate()
        for p, _ in procs:
            p.wait()
        if dbname:
            try:
                psql(pg_base, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % dbname)
            except (RuntimeError, OSError, subprocess.SubprocessError):
                pass


def raw(workdir, count, batch):
    out = subprocess.run([RAW, workdir, str(count), str(batch)], capture_output=True,
                         text=True, check=True).stdout
    return float(re.search(r"= (\d+)/s", out).group(1))


def sql_floor(workdir, per_txn):
    """Events a second of bench/accept/sql_floor: the statements of one event replayed with
    nothing else, per_txn to a transaction, on a copy of a demo database (6,000 items)."""
    demo = os.path.join(workdir, "floor-demo.db")
    if not os.path.exists(demo):  # made once: `hoso init` hashes five passwords
        subprocess.run([HOSO, "init", "--db", demo, "--demo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = os.path.join(workdir, "floor.db")
    shutil.copyfile(demo, db)
    out = subprocess.run([FLOOR, db, "6000", "64", str(per_txn)], capture_output=True,
                         text=True, check=True).stdout
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    return float(re.search(r"events in [\d.]+ s = (\d+)/s", out).group(1))


def report(name, runs, ref=None):
    """Prints one configuration's runs, medians and ratios to the SQLite medians (ref)."""
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    pg = "single_pg_cpu_ms" in med and ref is not None

    def ratio(key):
        return "" if ref is None else ", ratio to SQLite %.2f" % (med[key] / ref[key])
    print("%s:" % name)
    print("  acceptances (item setup: 16 clients, first daemon only): %s -> median %.0f/s%s" % (
        [round(r["accept_rate"]) for r in runs], med["accept_rate"], ratio("accept_rate")))
    print("  single events, 64 clients:  %s -> median %.0f/s, p50 %.1f ms, p99 %.1f ms, "
          "daemon CPU %.3f ms/event%s%s; load %s" % (
              [round(r["single_rate"]) for r in runs], med["single_rate"], med["single_p50"],
              med["single_p99"], med["single_cpu_ms"],
              ", PostgreSQL CPU %.3f ms/event" % med["single_pg_cpu_ms"] if pg else "",
              ratio("single_rate"), [round(r["load_single"], 1) for r in runs]))
    print("  batches of 100, 4 clients:  %s -> median %.0f events/s, p50 %.1f ms, p99 %.1f ms "
          "a batch, daemon CPU %.3f ms/event%s%s; load %s" % (
              [round(r["batch_rate"]) for r in runs], med["batch_rate"], med["batch_p50"],
              med["batch_p99"], med["batch_cpu_ms"],
              ", PostgreSQL CPU %.3f ms/event" % med["batch_pg_cpu_ms"] if pg else "",
              ratio("batch_rate"), [round(r["load_batch"], 1) for r in runs]))
    short = [r for r in runs if r["batch_n"] < BATCH_EVENTS]
    if short:
        print("  (batches stopped by --max-seconds in %d run(s): %s events sent)" % (
            len(short), [r["batch_n"] for r in short]))
    return med


def main():
    global HOSO, RAW, FLOOR, BATCH_EVENTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--singles", type=int, default=30000)
    ap.add_argument("--batches", type=int, default=60)
    ap.add_argument("--build", default=os.environ.get("HOSO_BUILD", "build"),
                    help="build directory with dispatch/hoso and bench/raw_sqlite")
    ap.add_argument("--pg", metavar="BASE-URI",
                    help="also measure on this PostgreSQL cluster (superuser libpq URI)")
    ap.add_argument("--daemons", default="1,3",
                    help="with --pg: daemon counts to measure, comma-separated")
    ap.add_argument("--max-seconds", type=float, default=10.0,
                    help="bound of the batch phase")
    ap.add_argument("--single-seconds", type=int, default=3,
                    help="length of the single-event phase (wrk -d); --singles must last it")
    args = ap.parse_args()
    build = os.path.join(ROOT, args.build)
    HOSO = os.path.join(build, "dispatch", "hoso")
    RAW = os.path.join(build, "bench", "raw_sqlite")
    FLOOR = os.path.join(build, "bench", "sql_floor")
    BATCH_EVENTS = args.batches * 100
    counts = [int(n) for n in args.daemons.split(",")] if args.pg else []
    workdir = tempfile.mkdtemp(prefix="bench-events-", dir=os.environ.get("BENCH_DIR", ROOT))
    runs, raw1, raw100, floor8, floor100 = [], [], [], [], []
    pg_runs = {n: [] for n in counts}
    for r in range(args.runs):
        print("run %d: load %.2f" % (r + 1, os.getloadavg()[0]), file=sys.stderr, flush=True)
        raw1.append(raw(workdir, 3000, 1))
        raw100.append(raw(workdir, 50000, 100))
        floor8.append(sql_floor(workdir, 8))
        floor100.append(sql_floor(workdir, 100))
        runs.append(one_run(args, workdir))
        for n in counts:
            pg_runs[n].append(one_run(args, workdir, args.pg, n))
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    r1, r100 = statistics.median(raw1), statistics.median(raw100)
    print("machine: %d CPUs, %s; daemons, database and this client share them" % (
        os.cpu_count(), HOSO))
    print("raw SQLite, 1 durable txn/insert:   %s -> median %.0f/s" % (raw1, r1))
    print("raw SQLite, 100 inserts/txn:        %s -> median %.0f/s" % (raw100, r100))
    f8, f100 = statistics.median(floor8), statistics.median(floor100)
    print("SQL floor, 8 events/txn:            %s -> median %.0f/s (ratio to raw single %.2f)"
          % (floor8, f8, f8 / r1))
    print("SQL floor, 100 events/txn:          %s -> median %.0f/s (ratio to raw batched %.2f)"
          % (floor100, f100, f100 / r100))
    report("SQLite, 1 daemon", runs)
    print("ratio single/raw single = %.2f (target >= 0.60)" % (med["single_rate"] / r1))
    print("ratio batch/raw batched = %.2f (target >= 0.25)" % (med["batch_rate"] / r100))
    print("ratio to the SQL floor: singles %.2f, batches %.2f" % (
        med["single_rate"] / f8, med["batch_rate"] / f100))
    for n in counts:
        report("PostgreSQL, %d daemon%s on one database" % (n, "s" if n > 1 else ""),
               pg_runs[n], med)
    subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    main()
