"""Public tracking against real daemons: the masked view (no personal data anywhere in the
JSON or the /t/ page), the phone-digit unlock, the lock after 5 wrong tries (kept across a
restart), the per-address rate limit, identical answers for unknown numbers and bad check
digits, portal dossier codes, the page in Vietnamese and English with every value escaped,
and complaints (Circular 17/2017 Art 8): 5 or 7 working days, supervisors' lists and
answers, and bad input on every new input path."""
import datetime
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (DEMO, SRC, Daemon, good_dossier, main, run_hoso,  # noqa: E402
                     s10_check, sql_exec, sqlite_only)
import unittest  # noqa: E402

NAME = "Nguyễn Văn Anh"
PHONE = "0905123456"
CCCD = "064090001234"
ADDRESS = "12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku"
SECRETS = (NAME, "Nguyễn", PHONE, "0905 123", "090512", CCCD, "Trần Hưng Đạo", "12 Trần")
EVIL = "Bưu cục <script>alert(1)</script> & \"quote\""


def config(workdir, **server):
    path = os.path.join(workdir, "hoso-%s.ini" % uuid.uuid4().hex[:8])
    with open(path, "w") as f:
        f.write("[server]\n")
        for k, v in server.items():
            f.write("%s = %s\n" % (k, v))
    return path


def working_days_after(start, n):
    """n working days after start: weekends and the holiday list skipped."""
    hol = set()
    with open(os.path.join(SRC, "data", "holidays.txt")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                hol.add(line.split()[0])
    d = start
    while n > 0:
        d += datetime.timedelta(days=1)
        if d.weekday() < 5 and d.isoformat() not in hol:
            n -= 1
    return d


def vn_today():
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=7)).date()


def other_number(tn, bad_check=False):
    """Another valid number of the same prefix (or the same serial with a wrong check digit)."""
    serial = tn[2:10]
    if bad_check:
        return tn[:10] + str((int(tn[10]) + 1) % 10) + tn[11:]
    s = "%08d" % ((int(serial) + 1) % 100000000)
    return tn[:2] + s + str(s10_check(s)) + tn[11:]


class Tracking(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        wd = cls.daemon.workdir
        rc, out, err = run_hoso("init", "--db", cls.daemon.db_path, "--demo")
        assert rc == 0, out + err
        offices = os.path.join(wd, "offices.csv")
        with open(offices, "w") as f:
            f.write("code,name,address,district,province,phone\n"
                    "100000,Bưu điện Hà Nội,\"75 Đinh Tiên Hoàng, Hoàn Kiếm\",Quận Hoàn Kiếm,"
                    "Hà Nội,02438255948\n"
                    "600999,\"%s\",\"1 Lê Lợi, Pleiku\",Thành phố Pleiku,Gia Lai,02690000000\n"
                    % EVIL.replace('"', '""'))
        rc, out, err = run_hoso("import", "--db", cls.daemon.db_path, "offices", offices)
        assert rc == 0, out + err
        cls.daemon.extra_args = ["--config", config(wd, track_rate=100000, track_burst=100000)]
        cls.daemon.start()
        cls.tokens = {u: cls.daemon.login(u) for u in DEMO}

    @classmethod
    def tearDownClass(cls):
        rc = cls.daemon.stop()
        log = cls.daemon.log()
        cls.daemon.cleanup()
        if rc != 0:
            raise AssertionError("daemon exited with %s on SIGTERM:\n%s" % (rc, log))

    def api(self, method, path, body=None, user=None, **kw):
        return self.daemon.request(method, path, body, token=self.tokens.get(user) if user else None,
                                   **kw)

    def accept(self, **over):
        d = good_dossier(**over)
        r = self.api("POST", "/api/v1/dossiers", d, user="clerk")
        self.assertEqual(r.status, 201, r.body)
        j = r.json()
        sub = next((i["tracking_number"] for i in j["items"] if i["role"] == "submission"), None)
        res = next((i["tracking_number"] for i in j["items"] if i["role"] == "result"), None)
        return j, sub, res

    def event(self, tn, type_, user="courier", **fields):
        e = {"id": str(uuid.uuid4()), "item": tn, "type": type_}
        e.update(fields)
        r = self.api("POST", "/api/v1/events", e, user=user)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["results"][0]["status"], "recorded", r.body)

    def assertNoSecrets(self, text):
        for s in SECRETS:
            self.assertNotIn(s, text)

    # ---- an event that fails half way ----------------------------------------------------

    @sqlite_only("an index made to refuse one write of the event after others were made")
    def test_event_failing_half_way_keeps_nothing(self):
        # The event row and the item's new state are written before its progress row. A
        # unique index that refuses the new progress row (a 409, as a write conflict) must
        # take the first two writes back with it: for a bare event, whose use case is then
        # rolled back, as for one in a batch, whose savepoint is.
        _, first, _ = self.accept()
        self.event(first, "dispatch")  # its progress row now names the courier
        _, sub, _ = self.accept()
        before = self.api("GET", "/api/v1/items/%s/events" % sub, user="clerk").json()
        sql_exec(self.daemon.db_path,
                 "CREATE UNIQUE INDEX test_one_custodian ON item_progress(custodian) "
                 "WHERE custodian = 'courier:courier'")
        bare = {"id": str(uuid.uuid4()), "item": sub, "type": "dispatch"}
        batch = {"id": str(uuid.uuid4()), "item": sub, "type": "dispatch"}
        try:
            r = self.api("POST", "/api/v1/events", bare, user="courier")
            self.assertEqual(r.status, 409, r.body)
            r = self.api("POST", "/api/v1/events", {"events": [batch]}, user="courier")
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json()["results"][0]["status"], "refused", r.body)
        finally:
            sql_exec(self.daemon.db_path, "DROP INDEX test_one_custodian")
        after = self.api("GET", "/api/v1/items/%s/events" % sub, user="clerk").json()
        self.assertEqual(after["state"], before["state"])
        self.assertEqual(len(after["events"]), len(before["events"]), after)
        # Once the index is gone, the same event is recorded, and every chain verifies.
        r = self.api("POST", "/api/v1/events", bare, user="courier")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["results"][0]["status"], "recorded", r.body)
        after = self.api("GET", "/api/v1/items/%s/events" % sub, user="clerk").json()
        self.assertEqual(len(after["events"]), len(before["events"]) + 1)
        self.assertEqual(after["state"], "IN_TRANSIT", after)
        rc, out, err = run_hoso("verify", "--db", self.daemon.db_path)
        self.assertEqual(rc, 0, out + err)

    # ---- the public view ---------------------------------------------------------------

    def test_public_view_is_masked_everywhere(self):
        _, sub, _ = self.accept()
        self.event(sub, "dispatch")
        r = self.api("GET", "/api/v1/track/" + sub)
        self.assertEqual(r.status, 200, r.body)
        body = r.body.decode("utf-8")
        self.assertNoSecrets(body)
        j = r.json()
        self.assertEqual(j["applicant"], {"name": "N***** V** A", "phone": "*******456"})
        self.assertEqual(j["state"], "IN_TRANSIT")
        self.assertEqual(j["state_label"]["vi"], "Đang chuyển đến cơ quan")
        self.assertFalse(j["details"])
        self.assertEqual([e["event"] for e in j["timeline"]], ["accept", "dispatch"])
        self.assertEqual(j["timeline"][0]["place_name"], "Bưu điện tỉnh Gia Lai")
        self.assertEqual(j["contact"]["phone"], "02693824152")
        self.assertTrue(j["deadlines"]["due_date"])
        self.assertEqual(j["next_step"]["date"], j["deadlines"]["due_date"])
        for key in ("procedure", "portal_code", "receiver", "complaints"):
            self.assertNotIn(key, j)
        for lang in ("", "?lang=en"):
            page = self.api("GET", "/t/" + sub + lang)
            self.assertEqual(page.status, 200)
            self.assertNoSecrets(page.body.decode("utf-8"))
            self.assertNotIn("N***** V** A", page.body.decode("utf-8"))

    def test_organisation_and_single_word_names(self):
        _, sub, _ = self.accept(applicant=dict(good_dossier()["applicant"],
                                               name="Đặng Thị Ánh Tuyết"))
        self.assertEqual(self.api("GET", "/api/v1/track/" + sub).json()["applicant"]["name"],
                         "Đ*** T** Á** T")

    def test_unlock_with_phone_digits(self):
        _, sub, _ = self.accept()
        r = self.api("POST", "/api/v1/track/" + sub, {"phone_last4": "3456"})
        self.assertEqual(r.status, 200, r.body)
        j = r.json()
        self.assertTrue(j["details"])
        self.assertEqual(j["applicant"]["name"], NAME)
        self.assertEqual(j["applicant"]["phone"], PHONE)
        self.assertEqual(j["applicant"]["address"], ADDRESS)
        self.assertEqual(j["procedure"]["code"], "2.000488")
        self.assertNotIn(CCCD, r.body.decode("utf-8"))
        self.assertEqual(j["complaints"], [])

    def test_receiver_in_clear_only_with_digits(self):
        code = "000.00.12.H21-261127-%04d" % (uuid.uuid4().int % 10000)
        d, _, res = self.accept(service="return", portal_code=code)
        r = self.api("POST", "/api/v1/dossiers/%d/result" % d["id"], {}, user="officer")
        self.assertEqual(r.status, 200, r.body)
        for type_, fields in (("collect", {}), ("arrive", {"place": "600000"}), ("out", {}),
                              ("deliver", {"receiver_name": "Trần Thị Bé",
                                           "relation": "applicant",
                                           "id_number": "064090005678"})):
            self.event(res, type_, **fields)
        pub = self.api("GET", "/api/v1/track/" + res)
        self.assertNotIn("Trần Thị Bé", pub.body.decode("utf-8"))
        self.assertNoSecrets(pub.body.decode("utf-8"))
        self.assertEqual(pub.json()["state_label"]["en"], "Delivered")
        self.assertIsNone(pub.json()["next_step"])
        r = self.api("POST", "/api/v1/track/" + res, {"phone_last4": "3456"})
        self.assertEqual(r.json()["receiver"]["name"], "Trần Thị Bé")
        self.assertEqual(r.json()["portal_code"], code)
        self.assertNotIn("064090005678", r.body.decode("utf-8"))

    def test_unlock_bad_input(self):
        _, sub, _ = self.accept()
        url = "/api/v1/track/" + sub
        for body, field in (({}, "phone_last4"), ({"phone_last4": "34"}, "phone_last4"),
                            ({"phone_last4": 3456}, "phone_last4"),
                            ({"phone_last4": "34a6"}, "phone_last4")):
            r = self.api("POST", url, body)
            self.assertEqual(r.status, 400, (body, r.body))
            self.assertEqual(r.json()["error"]["field"], field)
        self.assertEqual(self.api("POST", url, raw=b"{not json").status, 400)
        self.assertEqual(self.api("POST", url, raw=b"[]").status, 400)
        r = self.api("POST", url, {"phone_last4": "0000"})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["code"], "wrong_digits")
        self.assertIn("4 tries left", r.json()["error"]["message"])

    def test_unknown_and_bad_check_digit_look_the_same(self):
        _, sub, _ = self.accept()
        unknown = other_number(sub)
        while self.api("GET", "/api/v1/items/" + unknown, user="supervisor").status != 404:
            unknown = other_number(unknown)
        bad = other_number(sub, bad_check=True)
        answers = [self.api("GET", "/api/v1/track/" + q) for q in (unknown, bad, "HELLO",
                                                                 "000.00.12.H21-200101-9999")]
        for r in answers:
            self.assertEqual(r.status, 404, r.body)
            self.assertEqual(r.json(), answers[0].json())
            self.assertEqual(r.json()["error"]["code"], "not_found")
        for q in (unknown, bad):
            r = self.api("POST", "/api/v1/track/" + q, {"phone_last4": "3456"})
            self.assertEqual((r.status, r.json()), (404, answers[0].json()))
            r = self.api("POST", "/api/v1/track/%s/complaints" % q,
                         {"phone_last4": "3456", "text": "x"})
            self.assertEqual((r.status, r.json()), (404, answers[0].json()))
        pages = [self.api("GET", "/t/" + q) for q in (unknown, bad)]
        self.assertEqual([p.status for p in pages], [404, 404])
        self.assertEqual(pages[0].body.decode().replace(unknown, "X"),
                         pages[1].body.decode().replace(bad, "X"))
        self.assertIn("13 ký tự", pages[0].body.decode())

    def test_portal_code(self):
        code = "000.00.12.H21-261127-%04d" % (uuid.uuid4().int % 10000)
        _, sub, res = self.accept(portal_code=code)
        r = self.api("GET", "/api/v1/track/" + code)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["portal_code"], code)
        self.assertEqual([i["tracking_number"] for i in r.json()["items"]], [sub, res])
        self.assertNoSecrets(r.body.decode("utf-8"))
        r = self.api("POST", "/api/v1/track/" + code, {"phone_last4": "3456"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["items"][0]["applicant"]["name"], NAME)
        page = self.api("GET", "/t/" + code)
        self.assertEqual(page.status, 200)
        self.assertEqual(page.body.decode().count('<section class="item"'), 2)

    # ---- the page ----------------------------------------------------------------------

    def test_page_vietnamese_and_english(self):
        _, sub, _ = self.accept()
        vi = self.api("GET", "/t/" + sub)
        html = vi.body.decode("utf-8")
        self.assertTrue(vi.headers["Content-Type"].startswith("text/html"))
        self.assertIn('<html lang="vi">', html)
        self.assertIn('<h1 class="state">Đã tiếp nhận</h1>', html)
        self.assertIn("Bước tiếp theo", html)
        self.assertIn("Bưu điện tỉnh Gia Lai", html)
        self.assertIn("/t/%s?lang=en" % sub, html)
        csp = vi.headers["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        # No inline script: every script element has a src and no body.
        self.assertEqual(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html), [])
        en = self.api("GET", "/t/%s?lang=en" % sub).body.decode("utf-8")
        self.assertIn('<html lang="en">', en)
        self.assertIn("Accepted at the post office", en)
        self.assertIn("Next step", en)
        self.assertIn("Tiếng Việt", en)
        search = self.api("GET", "/t")
        self.assertEqual(search.status, 200)
        self.assertIn('action="/t"', search.body.decode())
        found = self.api("GET", "/t?q=" + sub.lower())
        self.assertIn("Đã tiếp nhận", found.body.decode())
        js = self.api("GET", "/static/track.js")
        self.assertEqual(js.status, 200)
        self.assertTrue(js.headers["Content-Type"].startswith("text/javascript"))
        self.assertIn(b"s10Check", js.body)
        self.assertEqual(self.api("GET", "/static/track.css").status, 200)
        for bad in ("/static/..%2Fmeson.build", "/static/x.html", "/static/nothere.js"):
            self.assertEqual(self.api("GET", bad).status, 404, bad)

    def test_page_escapes_everything(self):
        _, sub, _ = self.accept()
        self.event(sub, "dispatch", place="600999")
        html = self.api("GET", "/t/" + sub).body.decode("utf-8")
        self.assertNotIn("<script>alert", html)
        self.assertIn("Bưu cục &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quote&quot;",
                      html)
        r = self.api("GET", "/t/%3Cscript%3Ealert(2)%22%27%3Cb%3E")
        self.assertEqual(r.status, 404)
        self.assertNotIn("<script>alert(2)", r.body.decode())
        self.assertIn("&lt;script&gt;alert(2)", r.body.decode())
        r = self.api("GET", "/t?q=%3Cscript%3Ealert(4)%3C%2Fscript%3E&lang=en")
        self.assertEqual(r.status, 404)
        self.assertNotIn("<script>alert(4)", r.body.decode())
        self.assertIn("A tracking number has 13 characters", r.body.decode())

    # ---- complaints --------------------------------------------------------------------

    def complain(self, tn, status=201, **body):
        b = {"phone_last4": "3456", "text": "Hồ sơ chậm so với ngày hẹn"}
        b.update(body)
        r = self.api("POST", "/api/v1/track/%s/complaints" % tn, b)
        self.assertEqual(r.status, status, r.body)
        return r.json()

    def test_complaint_deadlines_same_and_other_province(self):
        _, sub, _ = self.accept()
        c = self.complain(sub)
        self.assertRegex(c["number"], r"^KN-\d{4}-\d{6}$")
        self.assertEqual(c["answer_days"], 5)
        self.assertEqual(c["due_date"], working_days_after(vn_today(), 5).isoformat())
        _, far, _ = self.accept(office_code="100000")
        c = self.complain(far)
        self.assertEqual(c["answer_days"], 7)
        self.assertEqual(c["due_date"], working_days_after(vn_today(), 7).isoformat())

    def test_complaint_bad_input(self):
        _, sub, _ = self.accept()
        for body, status, field in (
                ({"text": None}, 400, "text"), ({"text": ""}, 400, "text"),
                ({"text": "x" * 2001}, 400, "text"), ({"text": 5}, 400, "text"),
                ({"contact_phone": "12"}, 400, "contact_phone"),
                ({"extra": 1}, 400, "extra"), ({"phone_last4": "12"}, 400, "phone_last4"),
                ({"phone_last4": "9999"}, 403, "phone_last4")):
            b = {"phone_last4": "3456", "text": "ok"}
            b.update(body)
            if body.get("text", "") is None:
                del b["text"]
            r = self.api("POST", "/api/v1/track/%s/complaints" % sub, b)
            self.assertEqual(r.status, status, (body, r.body))
            self.assertEqual(r.json()["error"]["field"], field, body)
        self.assertEqual(self.api("POST", "/api/v1/track/%s/complaints" % sub,
                                  raw=b"\xff\xfe").status, 400)
        # The wrong try above counts toward the lock; four more lock the item.
        for i in range(3):
            self.complain(sub, status=403, phone_last4="1111")
        r = self.api("POST", "/api/v1/track/%s/complaints" % sub,
                     {"phone_last4": "1111", "text": "x"})
        self.assertEqual(r.status, 423, r.body)
        r = self.api("POST", "/api/v1/track/%s/complaints" % sub,
                     {"phone_last4": "3456", "text": "x"})
        self.assertEqual(r.status, 423, r.body)
        self.assertEqual(r.json()["error"]["code"], "locked")
        self.assertGreater(int(r.headers["Retry-After"]), 800)

    def test_supervisors_list_and_answer(self):
        _, sub, _ = self.accept()
        c = self.complain(sub, text="Nhân viên <b>thái độ</b> chưa tốt",
                          contact_phone="0912 345 678")
        r = self.api("GET", "/api/v1/complaints?state=open", user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        mine = next(x for x in r.json()["complaints"] if x["id"] == c["id"])
        self.assertEqual(mine["contact_phone"], "0912345678")
        self.assertEqual(mine["text"], "Nhân viên <b>thái độ</b> chưa tốt")
        self.assertFalse(mine["overdue"])
        for user in ("clerk", "courier", "officer"):
            self.assertEqual(self.api("GET", "/api/v1/complaints", user=user).status, 403)
        self.assertEqual(self.api("GET", "/api/v1/complaints").status, 401)
        self.assertEqual(self.api("GET", "/api/v1/complaints", user="admin").status, 200)
        for q in ("state=closed", "overdue=yes", "limit=0", "limit=x", "before=-1",
                  "state=answered&overdue=1"):
            r = self.api("GET", "/api/v1/complaints?" + q, user="supervisor")
            self.assertEqual(r.status, 400, q)
        # Overdue: move its deadline into the past.
        sql_exec(self.daemon.db_path,
                 "update complaints set due_date = '2020-01-02' where id = %d" % c["id"])
        late = self.api("GET", "/api/v1/complaints?overdue=1", user="supervisor").json()
        self.assertIn(c["id"], [x["id"] for x in late["complaints"]])
        self.assertTrue(all(x["overdue"] for x in late["complaints"]))
        url = "/api/v1/complaints/%d/answer" % c["id"]
        for body, field in (({}, "answer"), ({"answer": ""}, "answer"),
                            ({"answer": "y" * 2001}, "answer"), ({"answer": "ok", "x": 1}, "x")):
            r = self.api("POST", url, body, user="supervisor")
            self.assertEqual(r.status, 400, (body, r.body))
            self.assertEqual(r.json()["error"]["field"], field)
        self.assertEqual(self.api("POST", url, {"answer": "ok"}, user="admin").status, 403)
        self.assertEqual(self.api("POST", "/api/v1/complaints/abc/answer", {"answer": "ok"},
                                  user="supervisor").status, 400)
        self.assertEqual(self.api("POST", "/api/v1/complaints/999999/answer", {"answer": "ok"},
                                  user="supervisor").status, 404)
        answer = "Đã xin lỗi khách hàng <script>alert(3)</script>"
        r = self.api("POST", url, {"answer": answer}, user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["state"], "answered")
        self.assertEqual(r.json()["answered_by"], "supervisor")
        self.assertEqual(self.api("POST", url, {"answer": "again"}, user="supervisor").status,
                         409)
        done = self.api("GET", "/api/v1/complaints?state=answered", user="supervisor").json()
        self.assertIn(c["id"], [x["id"] for x in done["complaints"]])
        # The applicant reads the answer with the digits; the public page never shows it.
        r = self.api("POST", "/api/v1/track/" + sub, {"phone_last4": "3456"})
        self.assertEqual(r.json()["complaints"][0]["answer"], answer)
        self.assertNotIn("alert(3)", self.api("GET", "/t/" + sub).body.decode())


class LockAndLimit(unittest.TestCase):
    """Daemons of their own: a restart, and a low rate limit."""

    def finish(self, d):
        """Stops d; it must exit cleanly (under LeakSanitizer: without leaks)."""
        rc = d.stop()
        log = d.log()
        d.cleanup()
        self.assertIn(rc, (0, None), log)

    def test_lock_after_five_wrong_tries_survives_restart(self):
        d = Daemon()
        try:
            d.extra_args = ["--config", config(d.workdir, track_rate=100000,
                                               track_burst=100000)]
            d.start()
            tok = d.login("clerk")
            j = d.request("POST", "/api/v1/dossiers", good_dossier(), token=tok).json()
            sub, res = [i["tracking_number"] for i in j["items"]]
            for i in range(4):
                r = d.request("POST", "/api/v1/track/" + sub, {"phone_last4": "0000"})
                self.assertEqual(r.status, 403, r.body)
            r = d.request("POST", "/api/v1/track/" + sub, {"phone_last4": "0000"})
            self.assertEqual(r.status, 423, r.body)
            self.assertEqual(r.headers["Retry-After"], "900")
            r = d.request("POST", "/api/v1/track/" + sub, {"phone_last4": "3456"})
            self.assertEqual(r.status, 423, r.body)
            # The lock covers the dossier: its result item too.
            self.assertEqual(d.request("POST", "/api/v1/track/" + res,
                                       {"phone_last4": "3456"}).status, 423)
            # The public view stays open.
            self.assertEqual(d.request("GET", "/api/v1/track/" + sub).status, 200)
            self.assertEqual(d.stop(), 0)
            d.start()
            r = d.request("POST", "/api/v1/track/" + sub, {"phone_last4": "3456"})
            self.assertEqual(r.status, 423, r.body)
            self.assertGreater(int(r.headers["Retry-After"]), 800)
        finally:
            self.finish(d)

    def test_rate_limit_per_address(self):
        d = Daemon()
        try:
            d.extra_args = ["--config", config(d.workdir, track_rate=6, track_burst=3)]
            d.start()
            tn = "DH000000019VN"
            statuses = [d.request("GET", "/api/v1/track/" + tn).status for _ in range(3)]
            self.assertEqual(statuses, [404, 404, 404])
            r = d.request("GET", "/api/v1/track/" + tn)
            self.assertEqual(r.status, 429, r.body)
            self.assertEqual(r.json()["error"]["code"], "rate_limited")
            self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
            self.assertLessEqual(int(r.headers["Retry-After"]), 10)
            self.assertEqual(d.request("POST", "/api/v1/track/" + tn,
                                       {"phone_last4": "1234"}).status, 429)
            page = d.request("GET", "/t/" + tn)
            self.assertEqual(page.status, 429)
            self.assertIn("Retry-After", page.headers)
            # Other routes are not limited.
            self.assertEqual(d.request("GET", "/healthz").status, 200)
        finally:
            self.finish(d)

    def test_bad_limit_config(self):
        d = Daemon()
        try:
            rc, out, err = run_hoso("serve", "--db", d.db_path, "--check-config", "--config",
                                    config(d.workdir, track_rate="lots"))
            self.assertEqual(rc, 1, out + err)
            self.assertIn("track_rate", err)
            rc, out, err = run_hoso("serve", "--db", d.db_path, "--check-config", "--config",
                                    config(d.workdir, www_dir="/nonexistent"))
            self.assertEqual(rc, 1, out + err)
            self.assertIn("track.js", err)
        finally:
            d.cleanup()


if __name__ == "__main__":
    main()
