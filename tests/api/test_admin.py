"""The admin page's API against a real demo daemon: users and roles (create, change,
deactivate, unlock, with sessions ended at once), catalogue uploads (CSV imported whole or
not at all, errors with their line and column), agencies and their webhooks (the secret never
shown), and who may do what."""
import json
import os
import shutil
import socket
import tempfile

from harness import DEMO, Daemon, DaemonTest, good_dossier, main

GOOD_PW = "Hoa-sen-no-2026"
SECRET = "s3cret-webhook-key-0123456789"
AGENCY = "000.00.12.H21"   # Sở Tư pháp (demo)
OFFICE = "600000"
UPLOAD_MAX = 8 * 1024 * 1024

# Each test makes its own usernames from this counter, so tests do not depend on each other.
_seq = [0]


def uname(prefix):
    _seq[0] += 1
    return "%s%d" % (prefix, _seq[0])


class Admin(DaemonTest):
    @classmethod
    def setUpClass(cls):
        # failed logins per address are limited; this file makes many on purpose
        cls.confdir = tempfile.mkdtemp(prefix="hoso-admin-")
        conf = os.path.join(cls.confdir, "hoso.ini")
        with open(conf, "w") as f:
            f.write("[server]\nlogin_rate = 0\n")
        cls.daemon = Daemon(extra_args=["--config", conf]).start()
        cls.tokens = {u: cls.daemon.login(u) for u in DEMO}

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.confdir, ignore_errors=True)

    # ---- helpers ----------------------------------------------------------------------

    def admin(self, method, path, body=None, **kw):
        return self.api(method, path, body, user="admin", **kw)

    def users(self):
        r = self.admin("GET", "/api/v1/users")
        self.assertEqual(r.status, 200, r.body)
        return {u["username"]: u for u in r.json()["users"]}

    def create(self, role="clerk", **over):
        body = {"username": uname(role), "password": GOOD_PW, "role": role,
                "full_name": "Người Dùng Thử"}
        if role in ("clerk", "courier"):
            body["office_code"] = OFFICE
        if role == "agency":
            body["agency_code"] = AGENCY
        body.update(over)
        r = self.admin("POST", "/api/v1/users", body)
        self.assertEqual(r.status, 201, r.body)
        return r.json()["user"]

    def login(self, username, password=GOOD_PW):
        return self.daemon.request("POST", "/api/v1/login",
                                   {"username": username, "password": password})

    def me(self, token):
        return self.daemon.request("GET", "/api/v1/me", token=token).status

    def upload(self, kind, data, name=None, ctype="text/csv", user="admin"):
        path = "/api/v1/catalogue/" + kind + ("?name=" + name if name else "")
        return self.api("POST", path, raw=data, user=user, headers={"Content-Type": ctype})

    def search(self, q):
        r = self.daemon.request("GET", "/api/v1/procedures?q=" + q.replace(" ", "+"))
        self.assertEqual(r.status, 200, r.body)
        return r.json()["procedures"]

    def assert_error(self, r, status, field, code=None):
        self.assertEqual(r.status, status, r.body)
        err = r.json()["error"]
        self.assertEqual(err.get("field"), field, err)
        if code:
            self.assertEqual(err["code"], code, err)
        return err

    # ---- users --------------------------------------------------------------------------

    def test_list_users(self):
        users = self.users()
        self.assertTrue(set(DEMO) <= set(users), users.keys())
        clerk = users["clerk"]
        self.assertEqual(clerk["role"], "clerk")
        self.assertEqual(clerk["office_code"], OFFICE)
        self.assertIsNone(clerk["agency_code"])
        self.assertEqual(clerk["full_name"], "Nguyễn Thị Hồng")
        self.assertIs(clerk["active"], True)
        self.assertIs(clerk["locked"], False)
        self.assertIsNone(clerk["locked_until"])
        self.assertIsInstance(clerk["id"], int)
        self.assertRegex(clerk["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
        self.assertEqual(users["officer"]["agency_code"], AGENCY)
        self.assertIsNone(users["admin"]["office_code"])
        r = self.admin("GET", "/api/v1/users")
        self.assertNotIn(b"argon2", r.body, "password hashes never leave the daemon")
        self.assertNotIn(b"pw_hash", r.body)

    def test_create_each_role(self):
        for role in ("clerk", "courier", "agency", "supervisor", "admin"):
            with self.subTest(role=role):
                u = self.create(role)
                self.assertEqual(u["role"], role)
                self.assertIs(u["active"], True)
                self.assertEqual(u["full_name"], "Người Dùng Thử")
                if role == "agency":
                    self.assertEqual(u["agency_code"], AGENCY)
                r = self.login(u["username"])
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(r.json()["user"]["role"], role)
                self.assertIn(u["username"], self.users())
        # the API's additions are audited under the admin who made them
        r = self.admin("GET", "/api/v1/audit?limit=100")
        adds = [e for e in r.json()["entries"] if e["action"] == "user_add"]
        admin_id = self.users()["admin"]["id"]
        self.assertTrue(adds and adds[0]["user_id"] == admin_id, adds[:1])
        self.assertNotIn(GOOD_PW.encode(), r.body)

    def test_duplicate_username(self):
        u = self.create("clerk")
        r = self.admin("POST", "/api/v1/users", {"username": u["username"], "password": GOOD_PW,
                                                 "role": "supervisor", "full_name": "X"})
        self.assert_error(r, 409, "username", "user_exists")
        self.assertEqual(self.users()[u["username"]]["role"], "clerk")

    def test_bad_fields_named(self):
        base = {"username": "badfields", "password": GOOD_PW, "role": "clerk",
                "full_name": "Thử", "office_code": OFFICE}
        cases = [
            ({"username": "Bad Name"}, "username"),
            ({"username": "ab"}, "username"),
            ({"username": 7}, "username"),
            ({"password": None}, "password"),
            ({"password": 1234567890}, "password"),
            ({"role": "boss"}, "role"),
            ({"role": None}, "role"),
            ({"role": "agency", "office_code": None}, "agency_code"),
            ({"role": "agency", "agency_code": "000.00.99.H99"}, "agency_code"),
            ({"role": "agency", "agency_code": "not-a-code"}, "agency_code"),
            ({"role": "supervisor", "agency_code": AGENCY}, "agency_code"),
            ({"office_code": None}, "office_code"),
            ({"office_code": "999999"}, "office_code"),
            ({"role": "courier", "office_code": "12"}, "office_code"),
            ({"full_name": None}, "full_name"),
            ({"full_name": "x" * 300}, "full_name"),
            ({"full_name": "a\u0007b"}, "full_name"),
            ({"email": "a@b.vn"}, "email"),
        ]
        for over, field in cases:
            body = dict(base)
            body.update(over)
            body = {k: v for k, v in body.items() if v is not None}
            with self.subTest(over=over):
                r = self.admin("POST", "/api/v1/users", body)
                err = self.assert_error(r, 400, field)
                self.assertTrue(err["message"])
        self.assertNotIn("badfields", self.users(), "a refused request writes nothing")
        r = self.admin("POST", "/api/v1/users", raw=b"{not json")
        self.assertEqual(r.status, 400, r.body)
        r = self.admin("POST", "/api/v1/users", raw=b"[1, 2]")
        self.assertEqual(r.status, 400, r.body)

    def test_weak_passwords(self):
        for pw, code in (("short", "weak_password"), ("x" * 257, "weak_password"),
                         ("password123", "common_password"), ("QWERTYUIOP", "common_password")):
            with self.subTest(pw=pw[:20]):
                r = self.admin("POST", "/api/v1/users",
                               {"username": "weakpw", "password": pw, "role": "supervisor",
                                "full_name": "Thử"})
                self.assert_error(r, 400, "password", code)
        self.assertNotIn("weakpw", self.users())
        # the same rules when a password is changed
        u = self.create("supervisor")
        r = self.admin("POST", "/api/v1/users/%d" % u["id"], {"password": "matkhau123"})
        self.assert_error(r, 400, "password", "common_password")
        self.assertEqual(self.login(u["username"]).status, 200)

    def test_deactivate_ends_sessions_at_once(self):
        u = self.create("courier")
        tok = self.login(u["username"]).json()["token"]
        self.assertEqual(self.me(tok), 200)
        r = self.admin("POST", "/api/v1/users/%d" % u["id"], {"active": False})
        self.assertEqual(r.status, 200, r.body)
        self.assertIs(r.json()["user"]["active"], False)
        self.assertEqual(self.me(tok), 401)
        self.assertEqual(self.login(u["username"]).status, 401)
        r = self.admin("POST", "/api/v1/users/%d" % u["id"], {"active": True})
        self.assertIs(r.json()["user"]["active"], True)
        self.assertEqual(self.me(tok), 401, "an old session does not come back")
        self.assertEqual(self.login(u["username"]).status, 200)
        r = self.admin("POST", "/api/v1/users/%d" % u["id"], {"active": "no"})
        self.assert_error(r, 400, "active")

    def test_password_change_ends_sessions(self):
        u = self.create("clerk")
        tok = self.login(u["username"]).json()["token"]
        r = self.admin("POST", "/api/v1/users/%d" % u["id"], {"password": "Moi-mat-khau-2026"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.me(tok), 401)
        self.assertEqual(self.login(u["username"]).status, 401)
        self.assertEqual(self.login(u["username"], "Moi-mat-khau-2026").status, 200)

    def test_role_and_bindings_change(self):
        u = self.create("clerk")
        tok = self.login(u["username"]).json()["token"]
        # an officer needs an agency: the request names the missing field, nothing changes
        r = self.admin("POST", "/api/v1/users/%d" % u["id"], {"role": "agency"})
        self.assert_error(r, 400, "agency_code")
        self.assertEqual(self.me(tok), 200)
        r = self.admin("POST", "/api/v1/users/%d" % u["id"],
                       {"role": "agency", "agency_code": AGENCY, "full_name": "Cán Bộ Mới"})
        self.assertEqual(r.status, 200, r.body)
        got = r.json()["user"]
        self.assertEqual((got["role"], got["agency_code"], got["full_name"]),
                         ("agency", AGENCY, "Cán Bộ Mới"))
        self.assertEqual(self.me(tok), 401, "a new role ends the sessions")
        # back to supervisor: the agency goes with the role
        r = self.admin("POST", "/api/v1/users/%d" % u["id"], {"role": "supervisor"})
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNone(r.json()["user"]["agency_code"])
        # a name change alone keeps the sessions
        tok = self.login(u["username"]).json()["token"]
        r = self.admin("POST", "/api/v1/users/%d" % u["id"], {"full_name": "Tên Khác"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.me(tok), 200)
        for body, field in (({"username": "x"}, "username"), ({"role": "boss"}, "role"),
                            ({"office_code": "999999"}, "office_code"),
                            ({"full_name": ""}, "full_name")):
            with self.subTest(body=body):
                r = self.admin("POST", "/api/v1/users/%d" % u["id"], body)
                self.assert_error(r, 400, field)
        r = self.admin("POST", "/api/v1/users/999999", {"full_name": "X"})
        self.assertEqual(r.status, 404, r.body)
        r = self.admin("POST", "/api/v1/users/abc", {"full_name": "X"})
        self.assert_error(r, 400, "id")
        audit = self.admin("GET", "/api/v1/audit?limit=50").json()["entries"]
        ups = [e for e in audit if e["action"] == "user_update" and
               e["detail"]["user_id"] == u["id"]]
        self.assertEqual(len(ups), 3, ups)

    def test_admin_cannot_demote_or_deactivate_self(self):
        me = self.users()["admin"]
        r = self.admin("POST", "/api/v1/users/%d" % me["id"], {"role": "supervisor"})
        self.assert_error(r, 400, "role", "self_lockout")
        r = self.admin("POST", "/api/v1/users/%d" % me["id"], {"active": False})
        self.assert_error(r, 400, "active", "self_lockout")
        self.assertEqual(self.users()["admin"]["role"], "admin")
        self.assertEqual(self.me(self.tokens["admin"]), 200)
        # another admin may do it, and the demoted one's sessions end
        other = self.create("admin")
        other_tok = self.login(other["username"]).json()["token"]
        r = self.daemon.request("POST", "/api/v1/users/%d" % other["id"], {"role": "supervisor"},
                                token=self.tokens["admin"])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.me(other_tok), 401)

    def test_lockout_and_unlock(self):
        u = self.create("supervisor")
        for i in range(5):
            self.assertEqual(self.login(u["username"], "wrong-password-%d" % i).status, 401)
        r = self.login(u["username"])
        self.assertEqual(r.status, 429, r.body)
        listed = self.users()[u["username"]]
        self.assertIs(listed["locked"], True)
        self.assertRegex(listed["locked_until"], r"^\d{4}-\d\d-\d\dT")
        r = self.admin("POST", "/api/v1/users/%d/unlock" % u["id"])
        self.assertEqual(r.status, 200, r.body)
        self.assertIs(r.json()["user"]["locked"], False)
        self.assertIsNone(r.json()["user"]["locked_until"])
        self.assertEqual(self.login(u["username"]).status, 200)
        r = self.admin("POST", "/api/v1/users/999999/unlock")
        self.assertEqual(r.status, 404, r.body)
        audit = self.admin("GET", "/api/v1/audit?limit=20").json()["entries"]
        un = [e for e in audit if e["action"] == "user_unlock"]
        self.assertTrue(un and un[0]["detail"]["was_locked"] is True, un)

    # ---- catalogue uploads --------------------------------------------------------------

    def test_csv_upload_imports_and_is_searchable(self):
        csv = ("code,name,agency_code,fee_vnd,days,components\n"
               "1.999001,Cấp giấy phép thử nghiệm quản trị viên,%s,50000,7,"
               "\"Đơn đề nghị@original;?Bản sao giấy tờ@copy\"\n"
               "1.999002,Gia hạn giấy phép thử nghiệm quản trị viên,%s,,5,\n"
               % (AGENCY, AGENCY)).encode("utf-8")
        r = self.upload("procedures", csv, name="thu-tuc.csv")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), {"kind": "procedures", "file": "thu-tuc.csv", "rows": 2})
        found = self.search("thu nghiem quan tri vien")
        self.assertEqual(sorted(p["code"] for p in found), ["1.999001", "1.999002"])
        p = [p for p in found if p["code"] == "1.999001"][0]
        self.assertEqual(p["days"], 7)
        self.assertEqual(len(p["components"]), 2)
        # offices too, and a new office can take clerks at once
        r = self.upload("offices", "code,name\r\n600901,Bưu cục Thử Quản Trị\r\n".encode())
        self.assertEqual(r.json(), {"kind": "offices", "file": "offices.csv", "rows": 1})
        self.create("clerk", office_code="600901")
        audit = self.admin("GET", "/api/v1/audit?limit=30").json()["entries"]
        imp = [e for e in audit if e["action"] == "catalogue_import"]
        self.assertEqual(imp[0]["detail"]["file"], "offices.csv")
        self.assertEqual(imp[0]["user_id"], self.users()["admin"]["id"])

    def test_reimported_components_apply_to_the_next_dossier(self):
        # The daemon keeps each procedure's parsed component list between acceptances; a
        # new upload of the procedure must change what the very next acceptance checks.
        def upload(components):
            csv = ("code,name,agency_code,fee_vnd,days,components\n"
                   "1.999011,Thủ tục kiểm tra thành phần,%s,0,5,\"%s\"\n"
                   % (AGENCY, components)).encode("utf-8")
            r = self.upload("procedures", csv, name="thanh-phan.csv")
            self.assertEqual(r.status, 200, r.body)

        def accept(*docs):
            return self.api("POST", "/api/v1/dossiers", good_dossier(
                procedure_code="1.999011", service="send", fee_vnd=0,
                documents=[{"name": n, "form": f} for n, f in docs]))

        upload("Đơn đề nghị@copy")
        r = accept(("Đơn đề nghị", "copy"))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(accept(("đơn ĐỀ nghị", "copy")).status, 201, "matched folded")
        # now the original is required, and a second paper too
        upload("Đơn đề nghị@original;Giấy ủy quyền")
        r = accept(("Đơn đề nghị", "copy"))
        err = self.assert_error(r, 400, "documents[0]", "original_required")
        self.assertIn("Đơn đề nghị", err["message"])
        r = accept(("Đơn đề nghị", "original"))
        err = self.assert_error(r, 400, "documents", "missing_document")
        self.assertIn("Giấy ủy quyền", err["message"])
        r = accept(("Đơn đề nghị", "original"), ("Giấy ủy quyền", "copy"))
        self.assertEqual(r.status, 201, r.body)
        # and back: optional again
        upload("?Đơn đề nghị")
        self.assertEqual(accept(("Tờ khác", "copy")).status, 201)

    def test_bad_csv_names_line_and_column_and_imports_nothing(self):
        csv = ("code,name,agency_code,days\n"
               "1.999101,Thủ tục lỗi dòng một,%s,3\n"
               "1.999102,Thủ tục lỗi dòng hai,%s,4\n"
               "1.999103,Thủ tục lỗi dòng ba,%s,mười\n" % (AGENCY, AGENCY, AGENCY)).encode()
        r = self.upload("procedures", csv, name="bad.csv")
        err = self.assert_error(r, 400, "days", "invalid_csv")
        self.assertEqual(err["line"], 4)
        self.assertTrue(err["message"].startswith('bad.csv:4: column "days"'), err["message"])
        self.assertEqual(self.search("thu tuc loi dong"), [], "nothing of the file is kept")
        # an unknown agency on line 2: the column is agency_code
        r = self.upload("procedures", b"code,name,agency_code,days\n1.999104,X,000.00.99.H99,3\n")
        err = self.assert_error(r, 400, "agency_code", "invalid_csv")
        self.assertEqual(err["line"], 2)
        # a header without a required column: line 1, the column named
        r = self.upload("procedures", b"code,name,days\n1.999105,X,3\n")
        err = self.assert_error(r, 400, "agency_code", "invalid_csv")
        self.assertEqual(err["line"], 1)

    def test_empty_and_non_utf8_bodies(self):
        r = self.upload("offices", b"")
        self.assertEqual(r.status, 400, r.body)
        err = r.json()["error"]
        self.assertEqual((err["code"], err["line"]), ("invalid_csv", 1))
        self.assertIn("empty", err["message"])
        r = self.upload("offices", b"code,name\n600902,B\xffu c\xe1c\n", name="latin1.csv")
        err = self.assert_error(r, 400, "name", "invalid_csv")
        self.assertEqual(err["line"], 2)
        self.assertIn("UTF-8", err["message"])
        r = self.upload("offices", b"code,n\xffme\n600903,X\n")
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json()["error"]["line"], 1)
        r = self.upload("offices", b"\x00\x01\x02binary\xff\xfe")
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(self.daemon.request("GET", "/healthz").status, 200)

    def test_upload_kind_name_and_type(self):
        r = self.upload("dossiers", b"code,name\n")
        self.assert_error(r, 404, "kind")
        r = self.upload("offices", b"code,name\n600904,X\n", name="a%01b.csv")
        self.assert_error(r, 400, "name")
        r = self.upload("offices", b"code,name\n600904,X\n",
                        ctype="application/x-www-form-urlencoded")
        self.assert_error(r, 400, "Content-Type")
        r = self.upload("offices", b"code,name\n600904,X\n", ctype="application/vnd.ms-excel")
        self.assertEqual(r.status, 200, r.body)

    def test_upload_body_limits(self):
        # larger than the daemon's 1 MiB for JSON, within the upload route's own limit
        big = b"code,name\n" + b"\n" * (2 * 1024 * 1024) + "600905,Bưu cục Lớn\n".encode()
        r = self.upload("offices", big, name="big.csv")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["rows"], 1)
        # over the upload limit: refused before the body is read
        reply = self.announce("/api/v1/catalogue/offices", UPLOAD_MAX + 1)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:200])
        self.assertIn(b"body_too_large", reply)
        # a JSON route keeps the daemon's own limit
        reply = self.announce("/api/v1/users", 2 * 1024 * 1024)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:200])
        # and the same over a streamed body without Content-Length (chunked)
        host, port = self.daemon.base[len("http://"):].split(":")
        s = socket.create_connection((host, int(port)), timeout=30)
        try:
            s.sendall(b"POST /api/v1/catalogue/offices HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + self.tokens["admin"].encode() + b"\r\n"
                      b"Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"\n" * 65536
            try:
                for _ in range(UPLOAD_MAX // len(chunk) + 2):
                    s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                s.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            reply = s.recv(65536)
        finally:
            s.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:200])
        self.assertEqual(self.daemon.request("GET", "/healthz").status, 200)

    def announce(self, path, length):
        """Announces a body of length bytes as admin, sends a little; returns the reply."""
        host, port = self.daemon.base[len("http://"):].split(":")
        s = socket.create_connection((host, int(port)), timeout=10)
        try:
            s.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + self.tokens["admin"].encode() + b"\r\n"
                      b"Content-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % length +
                      b"code,name\n" * 1000)
            return s.recv(65536)
        finally:
            s.close()

    # ---- agencies and webhooks ----------------------------------------------------------

    def agency(self, code, user="admin"):
        r = self.api("GET", "/api/v1/agencies", user=user)
        self.assertEqual(r.status, 200, r.body)
        return {a["code"]: a for a in r.json()["agencies"]}.get(code)

    def test_agencies_list(self):
        a = self.agency(AGENCY)
        self.assertEqual(a["name"], "Sở Tư pháp tỉnh Gia Lai")
        self.assertIn("desk_name", a)
        self.assertIn("webhook", a)
        # clerks need the names, not the webhooks
        c = self.agency(AGENCY, user="clerk")
        self.assertEqual(c["name"], a["name"])
        self.assertNotIn("webhook", c)
        # the agency desk shows its officer the agency's name
        o = self.agency(AGENCY, user="officer")
        self.assertEqual(o["name"], a["name"])
        self.assertNotIn("webhook", o)
        # the courier's handover screen names the agencies
        self.assertNotIn("webhook", self.agency(AGENCY, user="courier"))
        self.assertIn("webhook", self.agency(AGENCY, user="supervisor"))

    def test_webhook_set_update_remove(self):
        code = "000.00.13.H21"
        path = "/api/v1/agencies/%s/webhook" % code
        r = self.admin("POST", path, {"url": "https://dvc.gialai.gov.vn/hoso", "secret": SECRET})
        self.assertEqual(r.status, 200, r.body)
        hook = r.json()["agency"]["webhook"]
        self.assertEqual(hook["url"], "https://dvc.gialai.gov.vn/hoso")
        self.assertIs(hook["has_secret"], True)
        self.assertNotIn(SECRET.encode(), r.body)
        listed = self.admin("GET", "/api/v1/agencies")
        self.assertNotIn(SECRET.encode(), listed.body)
        self.assertEqual(self.agency(code)["webhook"]["url"], "https://dvc.gialai.gov.vn/hoso")
        # a new URL alone keeps the stored secret
        r = self.admin("POST", path, {"url": "http://10.0.0.7:8080/in"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["agency"]["webhook"],
                         dict(hook, url="http://10.0.0.7:8080/in",
                              updated_at=r.json()["agency"]["webhook"]["updated_at"]))
        r = self.admin("POST", path, {"url": None})
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNone(r.json()["agency"]["webhook"])
        self.assertIsNone(self.agency(code)["webhook"])
        # without a stored secret one is needed
        r = self.admin("POST", path, {"url": "https://dvc.gialai.gov.vn/hoso"})
        self.assert_error(r, 400, "secret")
        audit = self.admin("GET", "/api/v1/audit?limit=30")
        self.assertNotIn(SECRET.encode(), audit.body, "the secret stays out of the audit")
        acts = [e["action"] for e in audit.json()["entries"]]
        self.assertIn("agency_webhook_set", acts)
        self.assertIn("agency_webhook_remove", acts)

    def test_webhook_bad_requests(self):
        path = "/api/v1/agencies/%s/webhook" % AGENCY
        for body, field in (({"url": "ftp://x.vn/h", "secret": SECRET}, "url"),
                            ({"url": "https://", "secret": SECRET}, "url"),
                            ({"url": "https://a b.vn/", "secret": SECRET}, "url"),
                            # non-ASCII, and long enough that echoing it cut would split a
                            # character (the answer must stay valid UTF-8: a 400, not a 500)
                            ({"url": "https://" + "đ" * 150, "secret": SECRET}, "url"),
                            ({"url": 5, "secret": SECRET}, "url"),
                            ({"secret": SECRET}, "url"),
                            ({"url": "https://x.vn/h", "secret": "short"}, "secret"),
                            ({"url": "https://x.vn/h", "secret": "x" * 256}, "secret"),
                            ({"url": "https://x.vn/h", "secret": SECRET, "k": 1}, "k")):
            with self.subTest(body=body):
                r = self.admin("POST", path, body)
                err = self.assert_error(r, 400, field)
                self.assertNotIn(SECRET, json.dumps(err))
        self.assertIsNone(self.agency(AGENCY)["webhook"])
        for code in ("000.00.99.H99", "nonsense", "%FF%FE"):
            r = self.admin("POST", "/api/v1/agencies/%s/webhook" % code,
                           {"url": "https://x.vn/h", "secret": SECRET})
            self.assert_error(r, 404, "agency_code")

    # ---- who may ------------------------------------------------------------------------

    def test_role_refusals(self):
        writes = [("POST", "/api/v1/users", {"username": "nope1", "password": GOOD_PW,
                                             "role": "admin", "full_name": "X"}),
                  ("POST", "/api/v1/users/1", {"role": "admin"}),
                  ("POST", "/api/v1/users/1/unlock", {}),
                  ("POST", "/api/v1/catalogue/offices", None),
                  ("POST", "/api/v1/agencies/%s/webhook" % AGENCY,
                   {"url": "https://x.vn/h", "secret": SECRET}),
                  ("GET", "/api/v1/users", None)]
        for user in ("clerk", "courier", "officer", "supervisor"):
            for method, path, body in writes:
                with self.subTest(user=user, path=path):
                    if body is None and method == "POST":
                        r = self.api(method, path, user=user, raw=b"code,name\n600906,X\n",
                                     headers={"Content-Type": "text/csv"})
                    else:
                        r = self.api(method, path, body, user=user)
                    self.assert_error(r, 403, None, "forbidden_role")
        for method, path, body in writes + [("GET", "/api/v1/agencies", None)]:
            with self.subTest(user=None, path=path):
                r = self.daemon.request(method, path, body)
                self.assertEqual(r.status, 401, r.body)
        self.assertNotIn("nope1", self.users())
        self.assertIsNone(self.agency(AGENCY)["webhook"])


if __name__ == "__main__":
    main()
