"""Several daemons on one PostgreSQL database (HOSO_TEST_DB=postgres only; meson suite api-pg).

Three `hoso serve` processes share one database, each with its own HTTP threads, connection
pool and outbox worker; clients hit all of them at once:

1. acceptances from 12 client threads spread over the 3 daemons: every answer 201, every
   tracking number distinct and S10-valid, every dossier listed by every daemon;
2. one event (same id, same body) sent to the 3 daemons at the same instant: recorded once,
   the other answers are the first answer with "status": "duplicate";
3. two or three DIFFERENT events for one transition, sent at once to different daemons by
   two couriers (dispatch + dispatch, deliver + attempt): exactly one is recorded, the others
   are refused as illegal_transition (409 for a bare event, "refused" in a batch);
4. the outbox of 3 live workers: every notification reaches the local receiver exactly once
   (by Idempotency-Key) and every row ends 'sent';
5. a daemon SIGKILLed while its requests hang in the receiver: the rows it leased are sent by
   the other daemons once the lease (timeout_ms + lease_slack_ms) ends, never earlier, and no
   row is ever in flight from two live daemons at once;
6. the PostgreSQL server stops under a serving daemon (a private cluster, never HOSO_TEST_PG):
   writes and reads answer 503 db_unavailable as JSON, the daemon stays up, and once the
   server is back the very next requests succeed without restarting the daemon.

Each test that writes ends with `hoso verify --db URI` (exit 0). Every request has a timeout
and every load is bounded. The receiver tells which daemon sent a request from the socket
itself: the client port of the connection, looked up in /proc/net/tcp and the daemons'
/proc/PID/fd (checked against the per-daemon SMS and portal paths)."""
import hashlib
import hmac
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (DEMO, SRC, Daemon, drop_db, good_dossier, main, new_db,  # noqa: E402
                     pg_uri, psql, run_hoso, s10_valid, sql_query)

if harness.BACKEND != "postgres":
    raise SystemExit("test_cluster.py runs several daemons on one PostgreSQL database: run it "
                     "with HOSO_TEST_DB=postgres (meson suite api-pg, test api-pg-cluster)")

AGENCY = "000.00.12.H21"
SECRET = "cluster-webhook-secret-0123456789"
NAMES = ("A", "B", "C")
REQ_TIMEOUT = 30          # seconds, every HTTP request of the test
COURIER2 = ("courier.two", "Courier-two-2026!")


def log(msg):
    print("  [cluster] " + msg, file=sys.stderr, flush=True)


def ev(item, type_, **fields):
    e = {"id": str(uuid.uuid4()), "item": item, "type": type_}
    e.update(fields)
    return e


def run_threads(fns, timeout):
    """Runs each fn in its own thread; returns their results in order. Raises the first
    exception of any of them, or when one is still running after timeout seconds."""
    results = [None] * len(fns)
    errors = []

    def wrap(i, fn):
        try:
            results[i] = fn()
        except BaseException:  # noqa: B902 - reported below with its traceback
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=wrap, args=(i, fn), daemon=True)
               for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        raise AssertionError("client threads still running after %d s" % timeout)
    if errors:
        raise AssertionError("a client thread failed:\n" + errors[0])
    return results


def until(what, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = what()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


# ---- the agency's webhook, the SMS gateway and the portal: one local receiver ----------------

class Receiver:
    """Records every request with the daemon that sent it; answers 200 at once, or holds the
    requests (hold=True) until released or max_hold seconds pass."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []         # dicts: key, path, event, who, start, end, answered
        self.pids = {}             # daemon pid -> name, for telling who sent a request
        self.hold = False
        self.release = threading.Event()
        self.max_hold = 20.0
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            who = None             # per connection: the daemon at the other end

            def log_message(self, *a):
                pass

            def do_POST(self):
                start = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.who is None:
                    self.who = rec.owner(self.client_address[1])
                r = {"key": self.headers.get("Idempotency-Key"), "path": self.path,
                     "event": self.headers.get("X-Hoso-Event"),
                     "attempt": self.headers.get("X-Hoso-Attempt"),
                     "sig": self.headers.get("X-Hoso-Signature"), "body": body,
                     "who": self.who, "start": start, "end": None, "answered": False}
                with rec.lock:
                    rec.requests.append(r)
                    hold = rec.hold
                if hold:
                    rec.release.wait(rec.max_hold)
                out = b'{"ok": true}'
                r["answered"] = True   # before the bytes leave: the sender may act at once
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                    self.wfile.flush()
                except OSError:
                    r["answered"] = False
                    self.close_connection = True
                r["end"] = time.monotonic()

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256   # 3 daemons x 64 connections may connect at once

            def handle_error(self, request, client_address):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def owner(self, client_port):
        """The name of the daemon that holds the client end of a connection to us."""
        inode = None
        want_local, want_remote = ":%04X" % client_port, ":%04X" % self.port
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    next(f)
                    for line in f:
                        p = line.split()
                        if p[1].endswith(want_local) and p[2].endswith(want_remote):
                            inode = p[9]
                            break
            except OSError:
                continue
            if inode:
                break
        if not inode:
            return None
        target = "socket:[%s]" % inode
        for pid, name in list(self.pids.items()):
            fd_dir = "/proc/%d/fd" % pid
            try:
                fds = os.listdir(fd_dir)
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(os.path.join(fd_dir, fd)) == target:
                        return name
                except OSError:
                    pass
        return None

    def all(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def write_config(path, rec, name, **over):
    """A config whose SMS and portal URLs name the daemon (/sms/A ...)."""
    notify = {
        "sms_url": rec.url("/sms/" + name),
        "sms_body_template": '{"to": "{phone}", "text": "{text}", "ref": "{key}"}',
        "portal_url": rec.url("/portal/" + name),
        "retry_base_ms": "200",
        "retry_max_ms": "1000",
        "connect_timeout_ms": "1000",
        "timeout_ms": "10000",
        "poll_ms": "50",
    }
    notify.update({k: str(v) for k, v in over.items()})
    with open(path, "w") as f:
        f.write("[notify]\n" + "".join("%s = %s\n" % kv for kv in notify.items()))
    return path


# ---- the tests ------------------------------------------------------------------------------

class ClusterTest(unittest.TestCase):
    """Each test: a fresh database and its own three daemons on it."""

    def setUp(self):
        self.t0 = time.monotonic()
        self.workdir = tempfile.mkdtemp(prefix="hoso-cluster-")
        self.db = new_db(self.workdir)
        self.daemons = {}
        self.killed = set()
        self.tokens = {}
        self.rec = None

    def tearDown(self):
        bad = []
        for name, d in self.daemons.items():
            if name in self.killed or d.proc is None:
                d.cleanup()
                continue
            rc = d.stop()
            if rc != 0:
                bad.append("daemon %s exited with %s on SIGTERM:\n%s" % (name, rc, d.log()))
            d.cleanup()
        if self.rec:
            self.rec.close()
        drop_db(self.db)
        shutil.rmtree(self.workdir, ignore_errors=True)
        log("%s: %.1f s" % (self._testMethodName, time.monotonic() - self.t0))
        if bad:
            raise AssertionError("\n".join(bad))

    # -- daemons ---------------------------------------------------------------------------
    def start(self, name, config=None, demo=True):
        """Starts daemon `name` on the test's database (the first one migrates and seeds)."""
        wd = os.path.join(self.workdir, name)
        os.makedirs(wd, exist_ok=True)
        args = ["--config", config] if config else []
        d = Daemon(db_path=self.db, workdir=wd, demo=demo, extra_args=args).start()
        self.daemons[name] = d
        if self.rec:
            self.rec.pids[d.proc.pid] = name
        return d

    def login_all(self):
        """Logs each demo user in through one of the running daemons in turn: a session is
        the database's, so every token is used on every daemon."""
        names = list(self.daemons)
        for i, u in enumerate(DEMO):
            self.tokens[u] = self.daemons[names[i % len(names)]].login(u)

    def start_three(self, configs=None):
        configs = configs or {}
        # A seeds the demo catalogue; B starts with --demo on the seeded database (it must
        # change nothing), C without it.
        for name, demo in (("A", True), ("B", True), ("C", False)):
            self.start(name, configs.get(name), demo=demo)
        self.login_all()
        self.assertEqual(sql_query(self.db, "SELECT count(*) FROM users"), [("5",)])
        self.assertEqual(sql_query(self.db, "SELECT count(*) FROM procedures"), [("35",)])

    def api(self, name, method, path, body=None, user="clerk", **kw):
        kw.setdefault("timeout", REQ_TIMEOUT)
        token = self.tokens.get(user) if user else None
        return self.daemons[name].request(method, path, body, token=token, **kw)

    def verify(self):
        rc, out, err = run_hoso("verify", "--db", self.db, timeout=120)
        self.assertEqual(rc, 0, "hoso verify: " + out + err)

    # -- building blocks -------------------------------------------------------------------
    def accept(self, name, **over):
        r = self.api(name, "POST", "/api/v1/dossiers", good_dossier(**over))
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def event(self, name, e, user="courier", status=200):
        r = self.api(name, "POST", "/api/v1/events", e, user=user)
        self.assertEqual(r.status, status, r.body)
        return r.json()["results"][0]

    def record(self, name, e, user="courier"):
        res = self.event(name, e, user)
        self.assertEqual(res["status"], "recorded", res)
        return res

    def timeline(self, name, tn):
        r = self.api(name, "GET", "/api/v1/items/%s/events" % tn, user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def result_out_for_delivery(self, i):
        """A result item OUT_FOR_DELIVERY, its steps spread over the daemons."""
        n = lambda k: NAMES[(i + k) % 3]  # noqa: E731
        d = self.accept(n(0), service="return", documents=[])
        res = d["items"][0]["tracking_number"]
        r = self.api(n(1), "POST", "/api/v1/dossiers/%d/result" % d["id"], {}, user="officer")
        self.assertEqual(r.status, 200, r.body)
        self.record(n(2), ev(res, "collect"))
        self.record(n(0), ev(res, "arrive", place="600000"))
        self.record(n(1), ev(res, "out"))
        return d, res

    # -- 1 ---------------------------------------------------------------------------------
    def test_1_tracking_numbers_never_collide(self):
        self.start_three()
        threads_per_daemon, each = 4, 25
        seen = []              # (daemon, status, body)
        lock = threading.Lock()

        def client(name):
            def run():
                for _ in range(each):
                    r = self.api(name, "POST", "/api/v1/dossiers",
                                 good_dossier(client_id=str(uuid.uuid4())))
                    with lock:
                        seen.append((name, r.status, r.body))
            return run

        t = time.monotonic()
        run_threads([client(n) for n in NAMES for _ in range(threads_per_daemon)], 120)
        took = time.monotonic() - t
        total = len(NAMES) * threads_per_daemon * each
        log("%d acceptances through 3 daemons from %d threads in %.1f s (%.0f/s)" % (
            total, len(NAMES) * threads_per_daemon, took, total / took))
        self.assertEqual(len(seen), total)
        refused = [(n, s, b[:300]) for n, s, b in seen if s != 201]
        self.assertEqual(refused, [], "not every acceptance answered 201")
        dossiers = [json.loads(b) for _, _, b in seen]
        ids = [d["id"] for d in dossiers]
        self.assertEqual(len(set(ids)), total, "two acceptances got the same dossier id")
        numbers = [i["tracking_number"] for d in dossiers for i in d["items"]]
        self.assertEqual(len(numbers), 2 * total)  # service both: submission and result
        dup = sorted({x for x in numbers if numbers.count(x) > 1})
        self.assertEqual(dup, [], "tracking numbers given twice")
        self.assertEqual([x for x in numbers if not s10_valid(x)], [])
        for name in NAMES:
            listed, before = [], None
            for _ in range(20):
                q = "/api/v1/dossiers?limit=200" + ("&before=%s" % before if before else "")
                r = self.api(name, "GET", q)
                self.assertEqual(r.status, 200, r.body)
                j = r.json()
                listed += [d["id"] for d in j["dossiers"]]
                before = j["next"]
                if not before:
                    break
            self.assertEqual(len(listed), total, "daemon %s lists %d dossiers" % (
                name, len(listed)))
            self.assertEqual(sorted(listed), sorted(ids), name)
        self.assertEqual(sql_query(self.db, "SELECT count(*), count(DISTINCT tracking_number) "
                                            "FROM items"), [(str(2 * total), str(2 * total))])
        self.verify()

    # -- 2 ---------------------------------------------------------------------------------
    def test_2_same_event_to_three_daemons_recorded_once(self):
        self.start_three()
        rounds = 20
        items = [self.accept(NAMES[i % 3], service="send")["items"][0]["tracking_number"]
                 for i in range(rounds)]
        events = [ev(tn, "dispatch", device_time="2026-11-27T08:00:00+07:00",
                     note="round %d" % i) for i, tn in enumerate(items)]
        barrier = threading.Barrier(3, timeout=REQ_TIMEOUT)
        answers = {n: [] for n in NAMES}

        def sender(name):
            def run():
                for e in events:
                    # B sends it as a batch of one, A and C as a bare event: same event.
                    body = {"events": [e]} if name == "B" else e
                    barrier.wait()
                    r = self.api(name, "POST", "/api/v1/events", body, user="courier")
                    answers[name].append((r.status, r.body))
            return run

        t = time.monotonic()
        run_threads([sender(n) for n in NAMES], 120)
        log("%d events, each sent to the 3 daemons at once: %.1f s" % (
            rounds, time.monotonic() - t))
        winners = dict.fromkeys(NAMES, 0)
        for k, e in enumerate(events):
            got = {n: answers[n][k] for n in NAMES}
            for n, (status, body) in got.items():
                self.assertEqual(status, 200, (n, body))
            res = {n: json.loads(b)["results"] for n, (_, b) in got.items()}
            for n in NAMES:
                self.assertEqual(len(res[n]), 1, res[n])
            firsts = [n for n in NAMES if res[n][0]["status"] == "recorded"]
            self.assertEqual(len(firsts), 1, "round %d: %s" % (k, res))
            winners[firsts[0]] += 1
            first = res[firsts[0]][0]
            self.assertEqual(first, {"id": e["id"], "status": "recorded",
                                     "state": "IN_TRANSIT"})
            # API: "An id seen before returns the first answer ("status": "duplicate")".
            for n in NAMES:
                if n != firsts[0]:
                    self.assertEqual(res[n][0], dict(first, status="duplicate"), (k, n))
            tl = self.timeline(NAMES[k % 3], e["item"])
            self.assertEqual(tl["state"], "IN_TRANSIT")
            self.assertEqual([x["id"] for x in tl["events"]].count(e["id"]), 1, tl)
            self.assertEqual([x["type"] for x in tl["events"]], ["accept", "dispatch"], tl)
        log("the recorded answer came from %s" % winners)
        self.verify()

    # -- 3 ---------------------------------------------------------------------------------
    def test_3_a_transition_cannot_be_raced(self):
        self.start_three()
        r = self.api("A", "POST", "/api/v1/users", {
            "username": COURIER2[0], "password": COURIER2[1], "role": "courier",
            "full_name": "Lê Văn Hải", "office_code": "600000"}, user="admin")
        self.assertEqual(r.status, 201, r.body)
        r = self.api("B", "POST", "/api/v1/login",
                     {"username": COURIER2[0], "password": COURIER2[1]}, user=None)
        self.assertEqual(r.status, 200, r.body)
        self.tokens["courier2"] = r.json()["token"]
        # 14 submissions: two (every 7th: three) couriers dispatch the same item at once.
        # 6 results out for delivery: one courier delivers while another records a failed
        # attempt; whichever comes first, the other is no longer allowed.
        races = []
        for i in range(14):
            tn = self.accept(NAMES[i % 3], service="send")["items"][0]["tracking_number"]
            k = 3 if i % 7 == 0 else 2
            races.append((tn, "IN_TRANSIT", [
                (NAMES[(i + j) % 3], ("courier", "courier2")[j % 2], ev(tn, "dispatch"))
                for j in range(k)]))
        for i in range(6):
            _, res = self.result_out_for_delivery(i)
            deliver = ev(res, "deliver", receiver_name="Nguyễn Văn Anh", relation="applicant",
                         id_number="064090001234")
            attempt = ev(res, "attempt", reason="nobody_home")
            races.append((res, None, [(NAMES[i % 3], "courier", deliver),
                                      (NAMES[(i + 1) % 3], "courier2", attempt)]))
        outcome = {}

        def race(idx, name, user, e, barrier, bare):
            body = e if bare else {"events": [e]}
            barrier.wait()
            r = self.api(name, "POST", "/api/v1/events", body, user=user)
            outcome[(idx, e["id"])] = (name, bare, r.status, r.body)

        t = time.monotonic()
        sent = 0
        for idx, (tn, _, senders) in enumerate(races):
            barrier = threading.Barrier(len(senders), timeout=REQ_TIMEOUT)
            # Bare events and batches of one alternate, so both refusal shapes are seen.
            run_threads([(lambda idx=idx, s=s, j=j, b=barrier: race(
                idx, s[0], s[1], s[2], b, (idx + j) % 2 == 0))
                for j, s in enumerate(senders)], 60)
            sent += len(senders)
        log("%d races, %d events sent at once in twos and threes: %.1f s" % (
            len(races), sent, time.monotonic() - t))
        shapes = set()
        winners = dict.fromkeys(NAMES, 0)
        for idx, (tn, want_state, senders) in enumerate(races):
            recorded = []
            for name, user, e in senders:
                who, bare, status, body = outcome[(idx, e["id"])]
                j = json.loads(body)
                res = j["results"]
                self.assertEqual(len(res), 1, j)
                if res[0]["status"] == "recorded":
                    self.assertEqual(status, 200, j)
                    recorded.append((e, res[0]["state"]))
                    continue
                # Refused: its own result, illegal_transition, the state the winner made.
                self.assertEqual(res[0]["status"], "refused", j)
                self.assertEqual(res[0]["id"], e["id"], j)
                self.assertEqual(res[0]["error"]["code"], "illegal_transition", j)
                if bare:   # "A bare event that is refused gets its own status (409 ...)"
                    self.assertEqual(status, 409, j)
                    self.assertEqual(j["error"]["code"], "illegal_transition", j)
                    shapes.add("bare 409")
                else:      # a batch answers 200, each event recorded or refused on its own
                    self.assertEqual(status, 200, j)
                    self.assertNotIn("error", j)
                    shapes.add("batch refused")
            self.assertEqual(len(recorded), 1, "race %d on %s: %s" % (
                idx, tn, [outcome[(idx, s[2]["id"])] for s in senders]))
            e, state = recorded[0]
            winners[outcome[(idx, e["id"])][0]] += 1
            if want_state:
                self.assertEqual(state, want_state)
            else:
                self.assertEqual(state, {"deliver": "DELIVERED",
                                         "attempt": "ATTEMPT_FAILED"}[e["type"]])
            for name, user, x in senders:
                if x is not e:
                    r = json.loads(outcome[(idx, x["id"])][3])["results"][0]
                    self.assertEqual(r["state"], state, r)
            tl = self.timeline(NAMES[idx % 3], tn)
            ids = [x["id"] for x in tl["events"]]
            self.assertEqual([s[2]["id"] for s in senders if s[2]["id"] in ids], [e["id"]], tl)
            self.assertEqual(tl["state"], state)
            self.assertEqual(tl["events"][-1]["type"], e["type"])
        self.assertEqual(shapes, {"bare 409", "batch refused"})
        log("the applied event came through %s" % winners)
        self.verify()

    # -- 4 ---------------------------------------------------------------------------------
    def check_signature(self, r):
        want = "sha256=" + hmac.new(SECRET.encode(), r["body"], hashlib.sha256).hexdigest()
        self.assertTrue(hmac.compare_digest(r["sig"] or "", want), r)

    def set_webhook(self, name):
        r = self.api(name, "POST", "/api/v1/agencies/%s/webhook" % AGENCY,
                     {"url": self.rec.url("/hook"), "secret": SECRET}, user="admin")
        self.assertEqual(r.status, 200, r.body)

    def outbox_rows(self, after_id=0):
        return sql_query(self.db, "SELECT id, kind, state, attempts, idem_key, last_error "
                                  "FROM outbox WHERE id > %d ORDER BY id" % after_id)

    def wait_outbox_done(self, timeout, after_id=0):
        """Waits until no row is pending; returns the rows."""
        rows = until(lambda: (lambda rs: rs if all(r[2] != "pending" for r in rs) else None)(
            self.outbox_rows(after_id)), timeout, step=0.2)
        rows = rows or self.outbox_rows(after_id)
        pending = [r for r in rows if r[2] == "pending"]
        self.assertEqual(pending, [], "rows still pending after %d s; logs:\n%s" % (
            timeout, self.logs()))
        return rows

    def logs(self):
        return "\n".join("--- %s ---\n%s" % (n, d.log()[-1500:])
                         for n, d in self.daemons.items())

    def test_4_outbox_each_row_delivered_by_one_worker(self):
        self.rec = Receiver()
        self.start_three({n: write_config(os.path.join(self.workdir, n + ".ini"), self.rec, n)
                          for n in NAMES})
        self.set_webhook("B")
        flows_per_thread, threads = 8, 3

        def flows(k):
            def run():
                for f in range(flows_per_thread):
                    i = k * flows_per_thread + f
                    n = lambda j: NAMES[(i + j) % 3]  # noqa: E731
                    d = self.accept(n(0), service="return", documents=[],
                                    portal_code="%s-261127-%04d" % (AGENCY, i + 1))
                    res = d["items"][0]["tracking_number"]
                    r = self.api(n(1), "POST", "/api/v1/dossiers/%d/result" % d["id"], {},
                                 user="officer")
                    self.assertEqual(r.status, 200, r.body)
                    self.record(n(2), ev(res, "collect"))
                    self.record(n(0), ev(res, "arrive", place="600000"))
                    self.record(n(1), ev(res, "out"))
                    self.record(n(2), ev(res, "attempt", reason="nobody_home"))
                    self.record(n(0), ev(res, "out", requested_by_applicant=True))
                    self.record(n(1), ev(res, "deliver", receiver_name="Nguyễn Văn Anh",
                                         relation="applicant", id_number="064090001234"))
            return run

        t = time.monotonic()
        run_threads([flows(k) for k in range(threads)], 120)
        took = time.monotonic() - t
        rows = self.wait_outbox_done(60)
        log("%d flows (%d requests) in %.1f s; %d notifications all done %.1f s later" % (
            threads * flows_per_thread, threads * flows_per_thread * 8, took, len(rows),
            time.monotonic() - t - took))
        self.assertGreaterEqual(len(rows), threads * flows_per_thread * 8)
        self.assertEqual([r for r in rows if r[2] != "sent"], [], "rows not sent")
        reqs = self.rec.all()
        keys = {}
        for r in reqs:
            keys.setdefault(r["key"], []).append(r)
        twice = {k: [(x["who"], x["path"], x["attempt"]) for x in v]
                 for k, v in keys.items() if len(v) > 1}
        self.assertEqual(twice, {}, "keys delivered more than once")
        self.assertEqual(set(keys), {r[4] for r in rows}, "received keys != outbox keys")
        # A row tried more than once: its earlier tries never reached the receiver (the one
        # request that did carries the row's attempt count).
        retried = [(r[0], r[1], r[3], keys[r[4]][0]["attempt"]) for r in rows if r[3] != "1"]
        self.assertEqual([x for x in retried if x[2] != x[3]], [], "attempts != X-Hoso-Attempt")
        if retried:
            log("rows tried more than once (earlier tries failed before the receiver): %s"
                % retried)
        self.assertTrue(all(r["answered"] for r in reqs))
        # Who sent what: the socket's owner, and the daemon named in the SMS/portal path.
        self.assertEqual([r["path"] for r in reqs if r["who"] not in NAMES], [])
        for r in reqs:
            if r["path"].startswith(("/sms/", "/portal/")):
                self.assertEqual(r["path"].rsplit("/", 1)[1], r["who"], r["path"])
            else:
                self.assertEqual(r["path"], "/hook")
                self.check_signature(r)
        by = {n: sum(1 for r in reqs if r["who"] == n) for n in NAMES}
        kinds = {k: sum(1 for r in rows if r[1] == k) for k in ("sms", "webhook", "portal")}
        log("outbox rows by kind %s; delivered by daemon %s" % (kinds, by))
        self.verify()

    # -- 5 ---------------------------------------------------------------------------------
    def test_5_leases_of_a_killed_daemon_are_taken_over(self):
        timeout_ms, slack_ms = 4000, 500
        self.rec = Receiver()
        cfg = {n: write_config(os.path.join(self.workdir, n + ".ini"), self.rec, n,
                               timeout_ms=timeout_ms, connect_timeout_ms=500,
                               lease_slack_ms=slack_ms)
               for n in NAMES}
        # Only A runs while the rows are made and claimed: A's worker is the only one that
        # can hold them. B and C start once A has them all in flight.
        self.start("A", cfg["A"])
        self.login_all()
        self.set_webhook("A")
        n_rows = 12
        prepared = []
        for i in range(n_rows):
            d = self.accept("A", service="return", documents=[])
            r = self.api("A", "POST", "/api/v1/dossiers/%d/result" % d["id"], {},
                         user="officer")
            self.assertEqual(r.status, 200, r.body)
            prepared.append(d["items"][0]["tracking_number"])
        before = self.wait_outbox_done(30)       # the SMS of acceptance and result ready
        self.assertEqual({r[2] for r in before}, {"sent"})
        last_id = int(before[-1][0])
        # The receiver now hangs: A sends the webhooks of one batch and waits for answers.
        self.rec.hold = True
        res = self.api("A", "POST", "/api/v1/events",
                       {"events": [ev(tn, "collect") for tn in prepared]}, user="courier")
        self.assertEqual(res.status, 200, res.body)
        self.assertEqual({x["status"] for x in res.json()["results"]}, {"recorded"})
        new_keys = lambda: {r[4] for r in self.outbox_rows(last_id)}  # noqa: E731
        keys = new_keys()
        self.assertEqual(len(keys), n_rows, self.outbox_rows(last_id))

        def a_has_all():
            got = {r["key"] for r in self.rec.all() if r["who"] == "A"}
            return keys <= got
        self.assertTrue(until(a_has_all, 10, 0.02), "A did not send all %d webhooks:\n%s" % (
            n_rows, self.logs()))
        first_a = {}
        for r in self.rec.all():
            if r["who"] == "A" and r["key"] in keys:
                first_a.setdefault(r["key"], r["start"])
        # B and C start while A holds the leases: they must not touch those rows.
        self.start("B", cfg["B"])
        self.start("C", cfg["C"])
        time.sleep(0.5)
        self.assertEqual([r["path"] for r in self.rec.all() if r["who"] not in NAMES], [],
                         "requests whose sender is unknown")
        early = [(r["who"], r["key"]) for r in self.rec.all() if r["who"] in ("B", "C")]
        self.assertEqual(early, [], "B or C sent rows that A holds under a live lease")
        # A dies with every request in flight; its answers were never read.
        kill_at = time.monotonic()
        self.assertLess(kill_at - min(first_a.values()), timeout_ms / 1000 - 0.3,
                        "the machine is too slow: A's requests would time out before the kill")
        self.daemons["A"].proc.kill()
        self.daemons["A"].proc.wait(10)
        self.killed.add("A")
        self.rec.hold = False
        self.rec.release.set()
        rows = self.wait_outbox_done(30, last_id)
        done = time.monotonic()
        self.assertEqual([r for r in rows if r[2] != "sent"], [], "rows not sent")
        reqs = self.rec.all()
        lease_s = (timeout_ms + slack_ms) / 1000
        for k in keys:
            by_bc = [r for r in reqs if r["key"] == k and r["who"] in ("B", "C")]
            ok = [r for r in by_bc if r["answered"]]
            self.assertTrue(ok, "row %s was not delivered by B or C" % k)
            # Not before A's lease ended (claimed a moment before A's request arrived).
            first = min(r["start"] for r in by_bc)
            self.assertGreaterEqual(first - first_a[k], lease_s - 1.0,
                                    "row %s sent again %.2f s after A's try, before its lease "
                                    "ended" % (k, first - first_a[k]))
            self.assertGreater(first, kill_at)
            # Never in flight from two live daemons at once (A's tries end with A).
            spans = sorted((r["start"], min(r["end"] or done, kill_at) if r["who"] == "A"
                            else (r["end"] or done), r["who"])
                           for r in reqs if r["key"] == k)
            for (s1, e1, w1), (s2, e2, w2) in zip(spans, spans[1:]):
                self.assertLessEqual(s2, done)
                self.assertGreaterEqual(s2, e1, "row %s in flight from %s and %s at once" % (
                    k, w1, w2))
        by = {n: sum(1 for r in reqs if r["key"] in keys and r["who"] == n) for n in NAMES}
        log("%d rows held by A when killed; lease %.1f s; all sent %.1f s after the kill; "
            "requests per daemon %s" % (n_rows, lease_s, done - kill_at, by))
        self.assertEqual(self.daemons["A"].proc.returncode, -signal.SIGKILL)
        self.assertTrue(self.daemons["B"].alive() and self.daemons["C"].alive())
        self.verify()


# -- 6 ---------------------------------------------------------------------------------------

class ServerRestartTest(unittest.TestCase):
    """A private cluster (never HOSO_TEST_PG: other tests use that one) that goes away and
    comes back under a serving daemon."""

    def setUp(self):
        self.t0 = time.monotonic()
        self.dir = tempfile.mkdtemp(prefix="hoso-pgr-")
        os.chmod(self.dir, 0o755)   # under root the cluster belongs to postgres: let it in
        self.cluster = os.path.join(self.dir, "pg")
        self.daemon = None
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.addCleanup(self.stop_cluster)
        # Killed by the runner's timeout: stop the private postmaster too (it runs in its own
        # session), then let the previous handler (the harness's) do its part.
        prev = signal.getsignal(signal.SIGTERM)

        def on_term(signum, frame):
            self.stop_cluster()
            if callable(prev):
                prev(signum, frame)
            else:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
        signal.signal(signal.SIGTERM, on_term)
        self.addCleanup(signal.signal, signal.SIGTERM, prev)
        base = self.pg("start").strip()
        self.db = pg_uri(base, "hoso_restart")
        psql(base, 'CREATE DATABASE "hoso_restart"')

    def stop_cluster(self):
        subprocess.run([os.path.join(SRC, "scripts", "pg-cluster.sh"), "stop", self.cluster],
                       capture_output=True, timeout=120)

    def pg(self, cmd):
        p = subprocess.run([os.path.join(SRC, "scripts", "pg-cluster.sh"), cmd, self.cluster],
                           capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, "pg-cluster.sh %s: %s" % (
            cmd, p.stderr.decode("utf-8", "replace")))
        return p.stdout.decode()

    def tearDown(self):
        rc, out = None, ""
        if self.daemon:
            rc = self.daemon.stop()
            out = self.daemon.log()
            self.daemon.cleanup()
        log("%s: %.1f s" % (self._testMethodName, time.monotonic() - self.t0))
        if rc not in (None, 0):
            raise AssertionError("daemon exited with %s on SIGTERM:\n%s" % (rc, out))

    def call(self, method, path, body=None, user="clerk"):
        return self.daemon.request(method, path, body, token=self.tokens.get(user),
                                   timeout=REQ_TIMEOUT)

    def unavailable(self, r):
        """Why r is not the documented answer of a database outage (None when it is): 503
        with a JSON error db_unavailable and a message."""
        ctype = r.headers.get("Content-Type", "")
        try:
            err = r.json()["error"]
        except (ValueError, KeyError, TypeError):
            return "%s %s: not a JSON error" % (r.status, r.body[:200])
        if r.status != 503 or err.get("code") != "db_unavailable" or not err.get("message") \
                or not ctype.startswith("application/json"):
            return "%s %s %s" % (r.status, ctype, json.dumps(err, ensure_ascii=False))
        return None

    def test_6_database_server_restarts_under_the_daemon(self):
        self.daemon = Daemon(db_path=self.db, workdir=os.path.join(self.dir, "d"))
        os.makedirs(self.daemon.workdir)
        self.daemon.start()
        self.tokens = {u: self.daemon.login(u) for u in ("clerk", "supervisor")}
        r = self.call("POST", "/api/v1/dossiers", good_dossier())
        self.assertEqual(r.status, 201, r.body)
        before = r.json()
        sub = before["items"][0]["tracking_number"]
        # Reads from many threads at once: the daemon's pooled read connections are open.
        run_threads([lambda: [self.call("GET", "/api/v1/dossiers/%d" % before["id"])
                              for _ in range(5)] for _ in range(12)], 60)

        self.pg("stop")
        down_at = time.monotonic()
        pending = str(uuid.uuid4())
        down = []   # (what, response): each must be 503 db_unavailable, checked at the end
        for i in range(3):
            down.append(("acceptance %d (clerk's token)" % i, self.call(
                "POST", "/api/v1/dossiers", good_dossier(client_id=pending))))
        down.append(("event (clerk's token)", self.call("POST", "/api/v1/events",
                                                        ev(sub, "dispatch"))))
        down.append(("read of a dossier (clerk's token)",
                     self.call("GET", "/api/v1/dossiers/%d" % before["id"])))
        down.append(("login", self.daemon.request(
            "POST", "/api/v1/login", {"username": "clerk", "password": DEMO["clerk"]},
            timeout=REQ_TIMEOUT)))
        down.append(("public tracking read", self.call("GET", "/api/v1/track/" + sub,
                                                       user=None)))
        r = self.call("GET", "/healthz", user=None)
        self.assertEqual(r.status, 503, r.body)
        for what, r in down + [("healthz", r)]:
            log("server down, %s: %s %s" % (what, r.status, r.body[:160].decode(
                "utf-8", "replace")))
        self.assertTrue(self.daemon.alive(), self.daemon.log())
        time.sleep(0.3)      # the outbox worker meets the dead server too
        self.assertTrue(self.daemon.alive(), self.daemon.log())

        self.pg("start")
        up_at = time.monotonic()
        # The next requests, on the same daemon and the same sessions: every one must
        # succeed. Failures are collected (and reported at the end) so that what follows
        # still shows whether the daemon heals.
        first_round = []
        r = self.call("POST", "/api/v1/dossiers", good_dossier(client_id=pending))
        first_round.append(("first acceptance", r, 201))

        def client(k):   # staff at 12 desks go on working at once
            return lambda: [
                ("client %d: %s" % (k, what), self.call("GET", path, user=user), 200)
                for what, path, user in (
                    ("read of a dossier", "/api/v1/dossiers/%d" % before["id"], "clerk"),
                    ("procedure search", "/api/v1/procedures?q=ly%20lich", None),
                    ("list of dossiers", "/api/v1/dossiers?limit=5", "supervisor"))]
        for answers in run_threads([client(k) for k in range(12)], 60):
            first_round += answers
        after_restart = ["%s: %s %s" % (what, r.status, r.body[:200].decode("utf-8", "replace"))
                         for what, r, want in first_round if r.status != want]
        for line in after_restart:
            log("after the restart, " + line)
        # Whatever the first round did, the daemon must be whole by now.
        run_threads([lambda: [self.call("GET", "/api/v1/procedures?q=ly", user=None)
                              for _ in range(5)] for _ in range(12)], 60)
        time.sleep(0.5)
        r = self.call("POST", "/api/v1/dossiers", good_dossier(client_id=pending))
        self.assertIn(r.status, (200, 201), r.body)
        after = r.json()
        for i in range(24):
            r = self.call("GET", "/api/v1/dossiers/%d" % before["id"])
            self.assertEqual(r.status, 200, "second round, read %d: %s" % (i, r.body))
            r = self.call("POST", "/api/v1/dossiers", good_dossier(client_id=pending))
            self.assertEqual(r.status, 200, "second round, resend %d: %s" % (i, r.body))
            self.assertEqual(r.json()["id"], after["id"])
        r = self.call("GET", "/healthz", user=None)
        self.assertEqual(r.status, 200, r.body)
        r = self.call("POST", "/api/v1/events", ev(sub, "dispatch"))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["results"][0]["status"], "recorded", r.body)
        listed = self.call("GET", "/api/v1/dossiers").json()["dossiers"]
        self.assertEqual(sorted(d["id"] for d in listed), sorted([before["id"], after["id"]]))
        log("server down %.1f s; %d of %d requests right after the start failed" % (
            up_at - down_at, len(after_restart), len(first_round)))
        rc, out, err = run_hoso("verify", "--db", self.db, timeout=120)
        self.assertEqual(rc, 0, out + err)
        # While the server was down: the documented 503 db_unavailable, never anything that
        # tells the client something else (a 401 sends the desk to its sign-in page).
        wrong = ["%s: %s" % (what, why) for what, why in
                 ((w, self.unavailable(r)) for w, r in down) if why]
        if wrong or after_restart:
            self.fail("the daemon did not answer as documented around the server restart:\n"
                      "- while the server was down, instead of 503 db_unavailable:\n    " +
                      "\n    ".join(wrong or ["(none)"]) + "\n"
                      "- failed among the %d requests right after it was back:\n    "
                      % len(first_round) + "\n    ".join(after_restart or ["(none)"]))


if __name__ == "__main__":
    main()
