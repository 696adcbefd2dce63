"""Notifications from the outbox against a real local HTTP receiver: agency webhooks (signed,
with an Idempotency-Key), SMS through a gateway and portal status updates. The receiver fails
the first tries (500), answers once too slowly, drops a connection, then accepts; the daemon
is killed with SIGKILL and restarted between tries. Every expected message must arrive, with
a valid signature, and nothing else. A 400 is a final failure, listed by the API and sent
again by `hoso outbox retry`. Bad input on the new command and routes."""
import datetime
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEMO, Daemon, good_dossier, main, run_hoso  # noqa: E402

AGENCY = "000.00.12.H21"
SECRET = "s3cret-for-the-agency-0123456789"
PORTAL = "000.00.12.H21-261127-0042"


class Receiver:
    """A local HTTP server that records every request and answers from a script."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []          # (path, headers, body, answer)
        self.script = []            # answers for the next requests: 500, "slow", "drop"
        self.fail_all = False       # answer 503 to everything
        self.reject = True          # /reject answers 400 while this is true
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with rec.lock:
                    if rec.fail_all:
                        answer = 503
                    elif self.path == "/reject" and rec.reject:
                        answer = 400
                    elif rec.script:
                        answer = rec.script.pop(0)
                    else:
                        answer = 200
                    rec.requests.append((self.path, dict(self.headers), body, answer))
                if answer == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if answer == "slow":
                    time.sleep(1.5)
                    answer = 200
                out = b'{"ok": true}'
                self.send_response(answer)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def delivered(self):
        """Requests answered 2xx (or slowly, which the daemon does not see as delivered)."""
        with self.lock:
            return [r for r in self.requests if r[3] in (200, "slow")]

    def all(self):
        with self.lock:
            return list(self.requests)


def ev(item, type_, **fields):
    e = {"id": str(uuid.uuid4()), "item": item, "type": type_}
    e.update(fields)
    return e


def write_config(workdir, rec, **over):
    notify = {
        "sms_url": rec.url("/sms"),
        "sms_auth_header": "Authorization: Bearer sms-key",
        "sms_body_template": '{"to": "{phone}", "text": "{text}", "ref": "{key}"}',
        "sms_diacritics": "false",
        "portal_url": rec.url("/portal"),
        "portal_auth_header": "X-Portal-Key: portal-key",
        "retry_base_ms": "100",
        "retry_max_ms": "400",
        "connect_timeout_ms": "500",
        "timeout_ms": "700",
        "poll_ms": "50",
        # A row the killed daemon held comes back once its lease ends: at start-up on a
        # SQLite file (no other daemon can hold it), after the lease on PostgreSQL (another
        # daemon might).
        "lease_slack_ms": "1000",
    }
    notify.update(over)
    path = os.path.join(workdir, "hoso.ini")
    with open(path, "w") as f:
        f.write("[notify]\n" + "".join("%s = %s\n" % kv for kv in notify.items()))
    return path


class OutboxTest(unittest.TestCase):

    def setUp(self):
        self.rec = Receiver()
        self.workdir = tempfile.mkdtemp(prefix="hoso-outbox-")
        self.cfg = write_config(self.workdir, self.rec)
        self.daemon = Daemon(extra_args=["--config", self.cfg], workdir=self.workdir).start()
        self.tokens = {u: self.daemon.login(u) for u in DEMO}

    def tearDown(self):
        rc = self.daemon.stop()
        log = self.daemon.log()
        self.daemon.cleanup()
        self.rec.close()
        self.assertEqual(rc, 0, "daemon exited with %s on SIGTERM:\n%s" % (rc, log))

    def api(self, method, path, body=None, user="clerk", **kw):
        return self.daemon.request(method, path, body, token=self.tokens.get(user), **kw)

    def post_event(self, e, user="courier"):
        r = self.api("POST", "/api/v1/events", e, user=user)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["results"][0]["status"], "recorded", r.body)

    def set_webhook(self, url, code=AGENCY, secret=SECRET):
        return run_hoso("agency", "webhook", "set", "--db", self.daemon.db_path, code, url,
                        stdin=secret + "\n")

    def until(self, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = what()
            if v:
                return v
            time.sleep(0.05)
        return what()

    # -- the journey, in two halves ------------------------------------------------------
    def to_agency(self):
        d = self.api("POST", "/api/v1/dossiers", good_dossier(portal_code=PORTAL)).json()
        sub = next(i["tracking_number"] for i in d["items"] if i["role"] == "submission")
        res = next(i["tracking_number"] for i in d["items"] if i["role"] == "result")
        self.post_event(ev(sub, "dispatch"))
        m = self.api("POST", "/api/v1/manifests", {"agency_code": AGENCY, "items": [sub]},
                     user="courier").json()
        r = self.api("POST", "/api/v1/manifests/%d/confirm" % m["id"],
                     {"received": "all", "fees_received_vnd": 200000}, user="officer")
        self.assertEqual(r.status, 200, r.body)
        appt = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
        self.post_event(ev(sub, "agency_receipt", receipt_number="BN-2026-0001",
                           appointment_date=appt), user="officer")
        return d, sub, res

    def to_applicant(self, d, res):
        r = self.api("POST", "/api/v1/dossiers/%d/result" % d["id"], {}, user="officer")
        self.assertEqual(r.status, 200, r.body)
        self.post_event(ev(res, "collect"))
        self.post_event(ev(res, "arrive", place="600000"))
        self.post_event(ev(res, "out"))
        self.post_event(ev(res, "attempt", reason="nobody_home"))
        self.post_event(ev(res, "out", requested_by_applicant=True))
        self.post_event(ev(res, "deliver", receiver_name="Nguyễn Văn Anh", relation="applicant",
                           id_number="064090001234"))

    def check_message(self, path, headers, body):
        """Checks one request's authentication; returns (kind, event) read from it."""
        h = {k.lower(): v for k, v in headers.items()}
        self.assertTrue(h.get("idempotency-key"), headers)
        msg = json.loads(body)
        if path == "/hook":
            want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            self.assertTrue(hmac.compare_digest(h["x-hoso-signature"], want))
            self.assertEqual(msg["id"], h["idempotency-key"])
            self.assertEqual(msg["dossier"]["agency_code"], AGENCY)
            self.assertNotIn("0905123456", body.decode())
            self.assertNotIn("Nguyễn", body.decode())
            return ("webhook", msg["event"])
        if path == "/sms":
            self.assertEqual(h["authorization"], "Bearer sms-key")
            self.assertEqual(msg["to"], "0905123456")
            self.assertEqual(msg["ref"], h["idempotency-key"])
            self.assertLessEqual(len(msg["text"]), 160)
            self.assertTrue(all(ord(c) < 128 for c in msg["text"]), msg["text"])
            return ("sms", h["x-hoso-event"])
        self.assertEqual(path, "/portal")
        self.assertEqual(h["x-portal-key"], "portal-key")
        self.assertEqual(msg["dossier_code"], PORTAL)
        return ("portal", msg["status"])

    def test_every_message_arrives_once_through_failures_and_a_kill(self):
        self.assertEqual(self.set_webhook(self.rec.url("/hook"))[0], 0)
        expected = sorted([("sms", "accepted"), ("sms", "filed_at_agency"), ("portal", 4),
                           ("sms", "agency_receipt"),
                           ("portal", 2), ("sms", "result_ready"), ("webhook", "result_collected"),
                           ("sms", "out_for_delivery"), ("sms", "attempt_failed"),
                           ("sms", "out_for_delivery"), ("webhook", "delivered"),
                           ("sms", "delivered"), ("portal", 10)],
                          key=str)
        # The receiver is down: the first rows are tried and retried, never delivered.
        self.rec.fail_all = True
        d, sub, res = self.to_agency()
        self.assertTrue(self.until(lambda: len(self.rec.all()) >= 6, 10), self.rec.all())
        # Killed between tries, then restarted on the same file.
        self.daemon.stop(sig=signal.SIGKILL)
        self.daemon.start()
        self.assertFalse(self.rec.delivered())
        # Back up, but: two 500s, one answer beyond the timeout, one dropped connection.
        with self.rec.lock:
            self.rec.script = [500, 500, "slow", "drop"]
            self.rec.fail_all = False
        self.to_applicant(d, res)

        def done():
            keys = {}
            for path, headers, body, _ in self.rec.delivered():
                keys.setdefault(headers["Idempotency-Key"], (path, headers, body))
            return keys if len(keys) >= len(expected) else None
        keys = self.until(done, 40)
        self.assertIsNotNone(keys, "delivered: %s\nlog: %s" % (
            [r[:2] for r in self.rec.delivered()], self.daemon.log()))
        got = sorted((self.check_message(*v) for v in keys.values()), key=str)
        self.assertEqual(got, expected)
        # Nothing extra: every request of every try belongs to one of those messages.
        for path, headers, body, _ in self.rec.all():
            self.assertIn(headers["Idempotency-Key"], keys)
        # The outbox agrees: everything sent, nothing pending or failed.
        r = self.until(lambda: (lambda j: j if not j["outbox"] else None)(
            self.api("GET", "/api/v1/outbox?state=pending", user="supervisor").json()), 10)
        self.assertIsNotNone(r)
        sent = self.api("GET", "/api/v1/outbox?state=sent&limit=100", user="admin").json()
        self.assertEqual(len(sent["outbox"]), len(expected))
        self.assertTrue(any(o["attempts"] > 1 for o in sent["outbox"]))
        for o in sent["outbox"]:
            if o["kind"] == "sms":
                self.assertEqual(o["target"], "*******456")
        metrics = self.until(lambda: (lambda t: t if 'hoso_outbox_rows{state="sent"} %d'
                                      % len(expected) in t else None)(
            self.api("GET", "/metrics", user=None).body.decode()), 10)
        self.assertIsNotNone(metrics)

    def test_final_failure_is_listed_and_sent_again(self):
        self.assertEqual(self.set_webhook(self.rec.url("/reject"))[0], 0)
        d, sub, res = self.to_agency()
        self.api("POST", "/api/v1/dossiers/%d/result" % d["id"], {}, user="officer")
        self.post_event(ev(res, "collect"))

        def failed():
            j = self.api("GET", "/api/v1/outbox?state=failed", user="supervisor").json()
            return j["outbox"] or None
        rows = self.until(failed, 20)
        self.assertIsNotNone(rows, self.daemon.log())
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual((row["kind"], row["template"]), ("webhook", "result_collected"))
        self.assertIn("HTTP 400", row["last_error"])
        # A 400 is final: no try after it. Tries before it can fail on the way (the 700 ms
        # timeout on a loaded machine, a kept-alive connection the receiver had closed):
        # those count as attempts and are retried, so the count is not always 1.
        def tries():
            return [r for r in self.rec.all()
                    if r[0] == "/reject" and r[1].get("X-Hoso-Event") == "result_collected"]
        seen = len(tries())
        self.assertGreaterEqual(seen, 1)
        self.assertGreaterEqual(row["attempts"], seen)
        time.sleep(0.6)  # longer than retry_max_ms: a retry after the 400 would show by now
        self.assertEqual(len(tries()), seen, "tried again after a 400")
        again = self.api("GET", "/api/v1/outbox?state=failed", user="supervisor").json()
        self.assertEqual([r["attempts"] for r in again["outbox"] if r["id"] == row["id"]],
                         [row["attempts"]])
        # The API's retry refuses what is not failed, unknown ids and other roles.
        self.assertEqual(self.api("POST", "/api/v1/outbox/%d/retry" % row["id"],
                                  user="supervisor").status, 403)
        self.assertEqual(self.api("POST", "/api/v1/outbox/999999/retry", user="admin").status, 404)
        self.assertEqual(self.api("POST", "/api/v1/outbox/x1/retry", user="admin").status, 400)
        sent = self.until(lambda: self.api("GET", "/api/v1/outbox?state=sent",
                                           user="admin").json()["outbox"], 10)
        r = self.api("POST", "/api/v1/outbox/%d/retry" % sent[0]["id"], user="admin")
        self.assertEqual(r.status, 409, r.body)
        # The receiver is fixed; the operator sends it again.
        self.rec.reject = False
        rc, out, err = run_hoso("outbox", "retry", "--db", self.daemon.db_path, str(row["id"]))
        self.assertEqual(rc, 0, out + err)
        ok = self.until(lambda: [r for r in self.rec.delivered() if r[0] == "/reject"], 20)
        self.assertEqual(len(ok), 1)
        self.assertEqual(ok[0][1]["Idempotency-Key"], row["idempotency_key"])
        self.assertTrue(self.until(lambda: not failed(), 10))
        # Once more through the API: reject again, fail, retry as admin.
        self.rec.reject = True
        self.post_event(ev(res, "arrive", place="600000"))
        self.post_event(ev(res, "out"))
        self.post_event(ev(res, "deliver", receiver_name="A", relation="applicant",
                           id_number="064090001234"))
        rows = self.until(failed, 20)
        self.assertEqual([r["template"] for r in rows], ["delivered"])
        self.rec.reject = False
        r = self.api("POST", "/api/v1/outbox/%d/retry" % rows[0]["id"], user="admin")
        self.assertEqual(r.status, 200, r.body)
        # Queued again; the worker may already have sent it by the time the answer is built.
        self.assertIn(r.json()["state"], ("pending", "sent"))
        self.assertTrue(self.until(lambda: not failed(), 10))

    def test_bad_input(self):
        db = self.daemon.db_path
        rc, out, err = run_hoso("agency", "webhook", "set", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("X-Hoso-Signature", out)
        self.assertEqual(run_hoso("outbox", "--help")[0], 0)
        for url in ("ftp://x.example/hook", "http://", "http://a b/", "not a url"):
            rc, out, err = self.set_webhook(url)
            self.assertEqual(rc, 2, (url, out, err))
            self.assertIn("URL", err)
        rc, out, err = self.set_webhook(self.rec.url("/hook"), code="999.99.99.H99")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("not in the catalogue", err)
        rc, out, err = self.set_webhook(self.rec.url("/hook"), secret="short")
        self.assertEqual(rc, 2, err)
        rc, out, err = run_hoso("agency", "webhook", "set", "--db", db, AGENCY)
        self.assertEqual(rc, 2, err)
        rc, out, err = run_hoso("agency", "frobnicate", "--db", db)
        self.assertEqual(rc, 2, err)
        for args in (("abc",), ("0",), ("-3",)):
            rc, out, err = run_hoso("outbox", "retry", "--db", db, *args)
            self.assertEqual(rc, 2, (args, err))
        rc, out, err = run_hoso("outbox", "retry", "--db", db, "999999")
        self.assertEqual(rc, 1, err)
        self.assertIn("999999", err)
        rc, out, err = run_hoso("outbox", "list", "--db", db, "--state", "nope")
        self.assertEqual(rc, 2, err)
        rc, out, err = run_hoso("outbox", "list", "--db", db)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["state"], "failed")
        for q in ("state=bogus", "limit=0", "limit=501", "before=x"):
            r = self.api("GET", "/api/v1/outbox?" + q, user="supervisor")
            self.assertEqual(r.status, 400, (q, r.body))
        self.assertEqual(self.api("GET", "/api/v1/outbox", user="clerk").status, 403)
        self.assertEqual(self.api("GET", "/api/v1/outbox", user=None).status, 401)
        rc, out, err = run_hoso("serve", "--db", db, "--check-config", "--config",
                                write_config(self.workdir, self.rec, retry_base_ms="-1"))
        self.assertNotEqual(rc, 0)
        self.assertIn("retry_base_ms", err)


if __name__ == "__main__":
    main()
