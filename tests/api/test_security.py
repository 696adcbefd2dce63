"""Security against a real daemon: password rules, the lockout of a username after wrong
passwords (kept across restarts), the limit of failed logins per client address, and the
audit trail (users added, catalogue imports, logins, refused writes) with GET /api/v1/audit."""
import os
import shutil
import tempfile
import time
import unittest

from harness import DEMO, Daemon, DaemonTest, drop_db, main, new_db, run_hoso

GOOD_PW = "Hoa-sen-no-2026"


def audit(daemon, token, **query):
    q = "&".join("%s=%s" % kv for kv in query.items())
    r = daemon.request("GET", "/api/v1/audit" + ("?" + q if q else ""), token=token)
    if r.status != 200:
        raise AssertionError("audit: %s %s" % (r.status, r.body))
    return r.json()


def finish(test, d):
    """Stops a daemon: it must exit 0 (sanitizer builds exit otherwise on a finding)."""
    rc = d.stop()
    log = d.log()
    d.cleanup()
    test.assertEqual(rc, 0, log)


def actions(entries, action):
    return [e for e in entries if e["action"] == action]


class Passwords(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hoso-pw-")
        self.db = new_db(self.dir)
        rc, _, err = run_hoso("init", "--db", self.db, "--demo")
        self.assertEqual(rc, 0, err)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        drop_db(self.db)

    def add(self, name, pw, role="clerk"):
        return run_hoso("user", "add", "--db", self.db, "--role", role, name, stdin=pw + "\n")

    def test_common_passwords_refused(self):
        for pw in ("password123", "1234567890", "matkhau123", "qwertyuiop", "QWERTYUIOP",
                   "Password123"):
            rc, out, err = self.add("common1", pw)
            self.assertEqual(rc, 1, pw)
            self.assertIn("most common", err, pw)
        rc, _, err = self.add("short1", "short")
        self.assertEqual(rc, 1)
        self.assertIn("10 to 256", err)
        rc, out, err = self.add("good1", GOOD_PW)
        self.assertEqual(rc, 0, err)

    def test_user_add_and_import_audited(self):
        rc, _, err = self.add("audited1", GOOD_PW, role="supervisor")
        self.assertEqual(rc, 0, err)
        csv = os.path.join(self.dir, "offices.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("code,name\n600100,Bưu cục Thử Một\n600101,Bưu cục Thử Hai\n")
        rc, _, err = run_hoso("import", "--db", self.db, "offices", csv)
        self.assertEqual(rc, 0, err)
        bad = os.path.join(self.dir, "bad.csv")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("code,name\nnot-a-code,X\n")
        rc, _, _ = run_hoso("import", "--db", self.db, "offices", bad)
        self.assertEqual(rc, 1)
        d = Daemon(db_path=self.db, workdir=self.dir).start()
        try:
            tok = d.login("audited1", GOOD_PW)
            entries = audit(d, tok, limit=500)["entries"]
            adds = actions(entries, "user_add")
            mine = [e for e in adds if e["detail"]["username"] == "audited1"]
            self.assertEqual(len(mine), 1, adds)
            self.assertEqual(mine[0]["detail"]["role"], "supervisor")
            self.assertEqual(mine[0]["user_id"], 0)
            self.assertIn("cli uid", mine[0]["detail"]["operator"])
            self.assertRegex(mine[0]["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
            imports = [e for e in actions(entries, "catalogue_import")
                       if e["detail"]["file"] == csv]
            self.assertEqual(len(imports), 1, entries)
            self.assertEqual(imports[0]["detail"]["kind"], "offices")
            self.assertEqual(imports[0]["detail"]["rows"], 2)
            self.assertFalse([e for e in entries if e["detail"].get("file") == bad],
                             "a failed import writes nothing, not even its audit row")
            # the demo users (init --demo) were audited too
            self.assertTrue({"clerk", "admin"} <= {e["detail"]["username"] for e in adds})
        finally:
            finish(self, d)


class Lockout(unittest.TestCase):
    def test_username_lockout_survives_restart(self):
        d = Daemon().start()
        try:
            for i in range(5):
                r = d.request("POST", "/api/v1/login", {"username": "clerk",
                                                        "password": "wrong-%d-password" % i})
                self.assertEqual(r.status, 401, (i, r.body))
            r = d.request("POST", "/api/v1/login", {"username": "clerk",
                                                    "password": DEMO["clerk"]})
            self.assertEqual(r.status, 429, r.body)
            self.assertEqual(r.json()["error"]["code"], "locked_out")
            self.assertIn("locked", r.json()["error"]["message"])
            retry = int(r.headers["Retry-After"])
            self.assertTrue(800 < retry <= 900, retry)
            # other usernames are not affected
            tok = d.login("admin")
            entries = audit(d, tok, limit=100)["entries"]
            fails = [e for e in actions(entries, "login_failed")
                     if e["detail"]["username"] == "clerk"]
            self.assertEqual(len(fails), 5)
            self.assertEqual(fails[0]["detail"]["client"], "127.0.0.1")
            self.assertTrue(fails[0]["user_id"] > 0)
            self.assertEqual(len(actions(entries, "login_lockout")), 1)
            self.assertEqual(len(actions(entries, "login_locked")), 1)
            self.assertTrue([e for e in actions(entries, "login")
                             if e["detail"]["username"] == "admin"])
            # the lock is in the database: a restart does not lift it
            d.stop()
            d.start()
            r = d.request("POST", "/api/v1/login", {"username": "clerk",
                                                    "password": DEMO["clerk"]})
            self.assertEqual(r.status, 429, r.body)
            self.assertIn("Retry-After", r.headers)
        finally:
            finish(self, d)

    def test_unknown_and_odd_usernames_lock_too(self):
        d = Daemon().start()
        try:
            for i in range(5):
                r = d.request("POST", "/api/v1/login", {"username": "nobody.here",
                                                        "password": "wrong-password"})
                self.assertEqual(r.status, 401)
            r = d.request("POST", "/api/v1/login", {"username": "nobody.here",
                                                    "password": "wrong-password"})
            self.assertEqual(r.status, 429, "an unknown name locks like a known one")
            for odd in ("Ünïcode ' OR 1=1 --", "x" * 5000, "\u0000nul"):
                r = d.request("POST", "/api/v1/login", {"username": odd, "password": "p"})
                self.assertIn(r.status, (400, 401, 429), r.body)  # NUL: invalid JSON here
            for body in ({"username": 5, "password": "x"}, {"username": "clerk"}, [],
                         {"username": "clerk", "password": None}):
                r = d.request("POST", "/api/v1/login", body)
                self.assertEqual(r.status, 400, body)
            r = d.request("POST", "/api/v1/login", raw=b"{\"username\": \"clerk\"")
            self.assertEqual(r.status, 400)
            # a success clears the count: four failures, a success, four more: no lock
            for _ in range(4):
                d.request("POST", "/api/v1/login", {"username": "courier", "password": "nope-nope"})
            d.login("courier")
            for _ in range(4):
                d.request("POST", "/api/v1/login", {"username": "courier", "password": "nope-nope"})
            d.login("courier")
            self.assertTrue(d.alive())
        finally:
            finish(self, d)


class AddressLimit(unittest.TestCase):
    def test_failed_logins_per_address(self):
        workdir = tempfile.mkdtemp(prefix="hoso-addr-")
        conf = os.path.join(workdir, "hoso.ini")
        with open(conf, "w") as f:
            f.write("[server]\nlogin_rate = 1\nlogin_burst = 3\n")
        d = Daemon(extra_args=["--config", conf], workdir=workdir).start()
        try:
            # successes do not count
            for _ in range(5):
                d.login("clerk")
            for i in range(3):
                r = d.request("POST", "/api/v1/login", {"username": "user%d" % i,
                                                        "password": "wrong-password"})
                self.assertEqual(r.status, 401, r.body)
            r = d.request("POST", "/api/v1/login", {"username": "supervisor",
                                                    "password": DEMO["supervisor"]})
            self.assertEqual(r.status, 429, r.body)
            self.assertEqual(r.json()["error"]["code"], "rate_limited")
            self.assertIn("your address", r.json()["error"]["message"])
            self.assertTrue(1 <= int(r.headers["Retry-After"]) <= 60)
            # refusals by address are audited as refused writes
            d.stop()
            d.extra_args = []
            d.start()
            tok = d.login("admin")
            entries = audit(d, tok)["entries"]
            refused = [e for e in actions(entries, "write_refused")
                       if e["detail"]["route"] == "login"]
            self.assertTrue(any(e["detail"]["status"] == 429 and
                                e["detail"]["code"] == "rate_limited" for e in refused),
                            refused)
        finally:
            finish(self, d)

    def test_client_address_behind_trusted_proxies(self):
        """Behind nginx every request comes from the proxy: with trusted_proxies, the limit
        counts the client X-Forwarded-For names (the nearest hop not a proxy of ours);
        without it, or from an address not listed, the header is ignored."""
        workdir = tempfile.mkdtemp(prefix="hoso-proxy-")
        conf = os.path.join(workdir, "hoso.ini")
        with open(conf, "w") as f:
            f.write("[server]\nlogin_rate = 1\nlogin_burst = 2\n"
                    "trusted_proxies = 10.9.9.9, 127.0.0.1, ::1\n")
        d = Daemon(extra_args=["--config", conf]).start()

        def fail_login(xff):
            return d.request("POST", "/api/v1/login",
                             {"username": "nobody-here", "password": "wrong-password"},
                             headers={"X-Forwarded-For": xff} if xff else None).status
        try:
            # Client 203.0.113.5 spends its two failures, then is limited...
            self.assertEqual([fail_login("203.0.113.5") for _ in range(3)], [401, 401, 429])
            # ...but another client behind the same proxy is not.
            self.assertEqual(fail_login("203.0.113.6"), 401)
            # What the client wrote on the left does not help it: the hop our proxy
            # appended (the rightmost not-proxy address) is the client.
            self.assertEqual(fail_login("198.51.100.1, 203.0.113.5"), 429)
            # Hops through several of our proxies are skipped.
            self.assertEqual(fail_login("203.0.113.5, 10.9.9.9"), 429)
            # A garbage header leaves the proxy's own address, which has its own bucket.
            self.assertEqual(fail_login("not-an-address"), 401)
        finally:
            finish(self, d)
        # Not trusted: the header is ignored and every request is 127.0.0.1's.
        with open(conf, "w") as f:
            f.write("[server]\nlogin_rate = 1\nlogin_burst = 2\n")
        d = Daemon(extra_args=["--config", conf]).start()
        try:
            self.assertEqual([fail_login("203.0.113.%d" % i) for i in range(3)], [401, 401, 429])
        finally:
            finish(self, d)
        for bad in ("10.0.0.300", "localhost", "10.0.0.1,,", ",".join(["10.0.0.1"] * 17)):
            with open(conf, "w") as f:
                f.write("[server]\ntrusted_proxies = %s\n" % bad)
            rc, _, err = run_hoso("serve", "--db", os.path.join(workdir, "x.db"),
                                  "--config", conf, "--check-config")
            self.assertNotEqual(rc, 0, bad)
            self.assertIn("trusted_proxies must list IP addresses", err)
        shutil.rmtree(workdir, ignore_errors=True)

    def test_bad_limit_settings(self):
        workdir = tempfile.mkdtemp(prefix="hoso-addr-")
        try:
            for line in ("login_rate = -1", "login_burst = 0", "login_rate = x",
                         "login_burst = 100000001"):
                conf = os.path.join(workdir, "bad.ini")
                with open(conf, "w") as f:
                    f.write("[server]\n%s\n" % line)
                rc, _, err = run_hoso("serve", "--db", os.path.join(workdir, "x.db"),
                                      "--config", conf, "--check-config")
                self.assertNotEqual(rc, 0, line)
                self.assertIn(line.split(" ")[0], err)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


class AuditTrail(DaemonTest):
    def test_refused_writes_audited(self):
        r = self.api("POST", "/api/v1/dossiers", {}, user="courier")
        self.assertEqual(r.status, 403)
        r = self.api("POST", "/api/v1/dossiers", {}, user=None)
        self.assertEqual(r.status, 401)
        r = self.api("POST", "/api/v1/events", raw=b"{nope", user="clerk")
        self.assertEqual(r.status, 400)
        r = self.api("POST", "/api/v1/no-such-route", {}, user="clerk")
        self.assertEqual(r.status, 404)
        r = self.api("GET", "/api/v1/dossiers/999999", user="clerk")
        self.assertEqual(r.status, 404)
        time.sleep(0.3)  # written once the answer is out
        entries = audit(self.daemon, self.tokens["admin"], limit=50)["entries"]
        refused = actions(entries, "write_refused")
        by = {(e["detail"]["route"], e["detail"]["status"]): e for e in refused}
        e = by[("dossier_create", 403)]
        self.assertEqual(e["username"], "courier")
        self.assertEqual(e["detail"]["username"], "courier")
        self.assertEqual(e["detail"]["code"], "forbidden_role")
        self.assertEqual(e["detail"]["client"], "127.0.0.1")
        e = by[("dossier_create", 401)]
        self.assertEqual(e["user_id"], 0)
        self.assertNotIn("username", e["detail"])
        self.assertNotIn("operator", e["detail"], "anonymous callers are not the operator")
        self.assertEqual(by[("events", 400)]["detail"]["code"], "invalid_json")
        self.assertEqual(by[("none", 404)]["detail"]["code"], "no_route")
        self.assertFalse([e for e in refused if e["detail"]["route"] == "dossier_get"],
                         "reads are not audited")

    def test_listing_order_and_pages(self):
        for _ in range(3):
            self.api("POST", "/api/v1/dossiers", {}, user="courier")
        time.sleep(0.3)
        first = audit(self.daemon, self.tokens["supervisor"], limit=2)
        self.assertEqual(len(first["entries"]), 2)
        ids = [e["id"] for e in first["entries"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertIsNotNone(first["next"])
        second = audit(self.daemon, self.tokens["supervisor"], limit=2, before=first["next"])
        self.assertTrue(all(e["id"] < ids[-1] for e in second["entries"]))
        everything = audit(self.daemon, self.tokens["admin"], limit=500)
        self.assertIsNone(everything["next"])

    def test_audit_access_and_bad_input(self):
        for user in ("clerk", "courier", "officer"):
            r = self.api("GET", "/api/v1/audit", user=user)
            self.assertEqual(r.status, 403, user)
        self.assertEqual(self.api("GET", "/api/v1/audit", user=None).status, 401)
        for q, field in (("limit=0", "limit"), ("limit=501", "limit"), ("limit=abc", "limit"),
                         ("limit=", "limit"), ("limit=1.5", "limit"), ("before=-1", "before"),
                         ("before=abc", "before"), ("before=0", "before"),
                         ("before=99999999999999999999", "before"), ("limit=%2B5", "limit")):
            r = self.api("GET", "/api/v1/audit?" + q, user="admin")
            self.assertEqual(r.status, 400, q)
            self.assertEqual(r.json()["error"]["field"], field, q)
        r = self.api("POST", "/api/v1/audit", {}, user="admin")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.json()["error"]["code"], "method_not_allowed")

    def test_logout_revokes_token(self):
        tok = self.daemon.login("courier")
        self.assertEqual(self.daemon.request("GET", "/api/v1/me", token=tok).status, 200)
        self.assertEqual(self.daemon.request("POST", "/api/v1/logout", token=tok).status, 200)
        self.assertEqual(self.daemon.request("GET", "/api/v1/me", token=tok).status, 401)
        self.assertEqual(self.daemon.request("POST", "/api/v1/logout", token=tok).status, 401)


if __name__ == "__main__":
    main()
