"""The role x route matrix: every route of the daemon's own table (`hoso routes`), called with
every demo role's token and with none, against an expected table kept here. A route added to
the daemon without an entry here (or an entry left after its route went) fails the test."""
import os
import tempfile

from harness import DEMO, HOSO, Daemon, DaemonTest, main, run_hoso

ALL = {"clerk", "courier", "agency", "supervisor", "admin"}
PUBLIC = "public"

# (method, pattern) -> the roles allowed, or PUBLIC (no login needed).
EXPECTED = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("POST", "/api/v1/login"): PUBLIC,
    ("POST", "/api/v1/logout"): ALL,
    ("GET", "/api/v1/me"): ALL,
    ("GET", "/api/v1/procedures"): PUBLIC,
    ("POST", "/api/v1/dossiers"): {"clerk"},
    ("GET", "/api/v1/dossiers"): ALL,
    ("GET", "/api/v1/dossiers/{}"): ALL,
    ("GET", "/api/v1/dossiers/{}/note.pdf"): ALL,
    ("GET", "/api/v1/dossiers/{}/print.pdf"): ALL,
    ("GET", "/api/v1/items/{}"): ALL,
    ("GET", "/api/v1/items/{}/events"): ALL,
    ("GET", "/api/v1/items/{}/label.pdf"): ALL,
    ("POST", "/api/v1/labels"): ALL,
    ("POST", "/api/v1/events"): {"clerk", "courier", "agency"},
    ("GET", "/api/v1/items"): {"clerk", "agency", "supervisor", "admin"},
    ("GET", "/api/v1/items/{}/pod.pdf"): ALL,
    ("POST", "/api/v1/dossiers/{}/result"): {"agency"},
    ("POST", "/api/v1/manifests"): {"clerk", "courier"},
    ("GET", "/api/v1/manifests"): ALL,
    ("GET", "/api/v1/manifests/{}"): ALL,
    ("GET", "/api/v1/manifests/{}/record.pdf"): ALL,
    ("POST", "/api/v1/manifests/{}/confirm"): {"agency"},
    ("GET", "/api/v1/discrepancies"): {"agency", "supervisor", "admin"},
    ("GET", "/api/v1/fees/unpaid"): {"agency", "supervisor", "admin"},
    ("POST", "/api/v1/pickups"): {"clerk", "agency"},
    ("GET", "/api/v1/pickups"): {"clerk", "courier", "supervisor", "admin"},
    ("POST", "/api/v1/pickups/{}/assign"): {"clerk"},
    ("GET", "/api/v1/couriers"): {"clerk", "supervisor", "admin"},
    ("POST", "/api/v1/pickups/{}/accept"): {"courier"},
    ("POST", "/api/v1/pickups/{}/fail"): {"courier"},
    ("GET", "/api/v1/track/{}"): PUBLIC,
    ("POST", "/api/v1/track/{}"): PUBLIC,
    ("POST", "/api/v1/track/{}/complaints"): PUBLIC,
    ("GET", "/api/v1/complaints"): {"supervisor", "admin"},
    ("POST", "/api/v1/complaints/{}/answer"): {"supervisor"},
    ("GET", "/t"): PUBLIC,
    ("GET", "/t/{}"): PUBLIC,
    ("GET", "/static/{}"): PUBLIC,
    ("GET", "/desk"): PUBLIC,
    ("GET", "/desk/{}"): PUBLIC,
    ("GET", "/api/v1/outbox"): {"supervisor", "admin"},
    ("POST", "/api/v1/outbox/{}/retry"): {"admin"},
    ("GET", "/api/v1/audit"): {"supervisor", "admin"},
    ("GET", "/api/v1/stats/today"): {"agency", "supervisor", "admin"},
    ("GET", "/api/v1/stats/daily"): {"agency", "supervisor", "admin"},
    ("GET", "/api/v1/stats/transit"): {"agency", "supervisor", "admin"},
    ("GET", "/api/v1/reports/quarterly"): {"supervisor", "admin"},
    ("GET", "/api/v1/users"): {"admin"},
    ("POST", "/api/v1/users"): {"admin"},
    ("POST", "/api/v1/users/{}"): {"admin"},
    ("POST", "/api/v1/users/{}/unlock"): {"admin"},
    ("POST", "/api/v1/catalogue/{}"): {"admin"},
    ("GET", "/api/v1/agencies"): ALL,
    ("POST", "/api/v1/agencies/{}/webhook"): {"admin"},
}

# Plausible values for the {} segments, by the segment before them.
PLACEHOLDER = {
    "dossiers": "999999",
    "items": "DH123456785VN",
    "manifests": "999999",
    "pickups": "999999",
    "track": "DH123456785VN",
    "complaints": "999999",
    "t": "DH123456785VN",
    "static": "no-such-file.css",
    "desk": "no-such-page",
    "outbox": "999999",
    "users": "999999",
    "catalogue": "no-such-catalogue",
    "agencies": "000.00.99.H99",
}

# The demo user of each role.
USER_OF_ROLE = {"clerk": "clerk", "courier": "courier", "agency": "officer",
                "supervisor": "supervisor", "admin": "admin"}


def route_table():
    """The daemon's table as {(method, pattern): roles or PUBLIC}."""
    rc, out, err = run_hoso("routes")
    if rc != 0:
        raise AssertionError("hoso routes: %s %s" % (rc, err))
    table = {}
    for line in out.splitlines():
        method, pattern, roles = line.split(" ")
        table[(method, pattern)] = PUBLIC if roles == PUBLIC else set(roles.split(","))
    return table


def concrete(pattern):
    parts = pattern.split("/")
    for i, p in enumerate(parts):
        if p == "{}":
            parts[i] = PLACEHOLDER[parts[i - 1]]
    return "/".join(parts)


class RoleMatrix(DaemonTest):
    @classmethod
    def setUpClass(cls):
        # public lookups are rate-limited per address; the matrix makes many of them
        cls.confdir = tempfile.mkdtemp(prefix="hoso-roles-")
        conf = os.path.join(cls.confdir, "hoso.ini")
        with open(conf, "w") as f:
            f.write("[server]\ntrack_rate = 0\nlogin_rate = 0\n")
        cls.daemon = Daemon(extra_args=["--config", conf]).start()
        cls.tokens = {u: cls.daemon.login(u) for u in DEMO}

    def call(self, method, path, token):
        body = {} if method == "POST" else None
        return self.daemon.request(method, path, body, token=token)

    def test_routes_listing(self):
        rc, out, _ = run_hoso("routes", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("METHOD PATTERN ROLES", out)
        rc, _, err = run_hoso("routes", "extra")
        self.assertEqual(rc, 2)
        self.assertIn("Usage", err)
        rc, out, _ = run_hoso("--help")
        self.assertNotIn("routes", out, "hoso routes is for tests, not in the usage")

    def test_expected_table_matches_binary(self):
        table = route_table()
        missing = sorted(set(table) - set(EXPECTED))
        gone = sorted(set(EXPECTED) - set(table))
        self.assertEqual(missing, [], "routes in the binary with no expected roles here: "
                         "add them to EXPECTED")
        self.assertEqual(gone, [], "routes expected here but not in the binary")
        for key, roles in table.items():
            self.assertEqual(roles, EXPECTED[key], "roles of %s %s" % key)

    def test_matrix(self):
        table = route_table()
        checked = 0
        for (method, pattern), roles in sorted(table.items(), key=lambda kv: kv[0][1]):
            path = concrete(pattern)
            with self.subTest(route="%s %s" % (method, pattern), role="none"):
                r = self.call(method, path, None)
                if roles == PUBLIC:
                    self.assertNotIn(r.status, (401, 403), r.body[:200])
                else:
                    self.assertEqual(r.status, 401, r.body[:200])
                    self.assertEqual(r.json()["error"]["code"], "unauthenticated")
            for role, user in sorted(USER_OF_ROLE.items()):
                token = self.tokens[user]
                if pattern == "/api/v1/logout":
                    token = self.daemon.login(user)  # logging out spends the token
                with self.subTest(route="%s %s" % (method, pattern), role=role):
                    r = self.call(method, path, token)
                    checked += 1
                    if roles == PUBLIC or role in roles:
                        self.assertNotIn(r.status, (401, 403), r.body[:300])
                    else:
                        self.assertEqual(r.status, 403, r.body[:200])
                        self.assertEqual(r.json()["error"]["code"], "forbidden_role")
        self.assertEqual(checked, 5 * len(table))
        # every role's token still works: only the extra ones were logged out
        for user, tok in self.tokens.items():
            self.assertEqual(self.daemon.request("GET", "/api/v1/me", token=tok).status, 200)

    def test_bad_tokens(self):
        for tok in ("0" * 64, "x", "A" * 64, self.tokens["clerk"][:-1] + "g"):
            r = self.daemon.request("GET", "/api/v1/me", token=tok)
            self.assertEqual(r.status, 401, tok)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        import shutil
        shutil.rmtree(cls.confdir, ignore_errors=True)


if __name__ == "__main__":
    main()
