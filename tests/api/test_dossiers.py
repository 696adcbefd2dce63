"""Accepting dossiers through the HTTP API of a running daemon, with good and bad input."""
import json
import os
import re
import socket
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BACKEND, DaemonTest, good_dossier, main, s10_valid,  # noqa: E402
                     s10_check)


class Accept(DaemonTest):

    def count_dossiers(self):
        r = self.api("GET", "/api/v1/dossiers?limit=200", user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        return len(r.json()["dossiers"])

    def test_accept_both_creates_two_items(self):
        r = self.api("POST", "/api/v1/dossiers", good_dossier())
        self.assertEqual(r.status, 201, r.body)
        d = r.json()
        self.assertIsInstance(d["id"], int)
        roles = {i["role"]: i for i in d["items"]}
        self.assertEqual(set(roles), {"submission", "result"})
        self.assertEqual(roles["submission"]["state"], "ACCEPTED")
        self.assertEqual(roles["result"]["state"], "AWAITING_RESULT")
        for it in d["items"]:
            tn = it["tracking_number"]
            self.assertTrue(s10_valid(tn), tn)
            self.assertTrue(tn.endswith("VN"))
            self.assertEqual(it["label_url"], "/api/v1/items/%s/label.pdf" % tn)
            self.assertEqual(it["tracking_url"], self.daemon.base + "/t/" + tn)
        self.assertTrue(roles["submission"]["tracking_number"].startswith("DH"))
        self.assertTrue(roles["result"]["tracking_number"].startswith("DK"))
        # The two numbers of one dossier do not share a serial (one cannot be guessed
        # from the other).
        self.assertNotEqual(roles["submission"]["tracking_number"][2:10],
                            roles["result"]["tracking_number"][2:10])
        self.assertEqual(d["note_url"], "/api/v1/dossiers/%d/note.pdf" % d["id"])
        self.assertEqual(d["applicant"]["phone"], "0905123456")
        self.assertEqual(d["applicant"]["name"], "Nguyễn Văn Anh")
        self.assertEqual(d["office_code"], "600000")
        self.assertEqual(d["agency_code"], "000.00.12.H21")
        # Office and agency are both in Pleiku: J + 1 working day.
        self.assertEqual(d["route_class"], "district")
        self.assertRegex(d["due_date"], r"^\d{4}-\d{2}-\d{2}$")
        self.assertGreater(d["due_date"], d["accepted_date"])

    def test_send_only_and_return_only(self):
        r = self.api("POST", "/api/v1/dossiers", good_dossier(service="send"))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual([i["role"] for i in r.json()["items"]], ["submission"])
        body = good_dossier(service="return", documents=[],
                            portal_code="000.00.12.H21-261127-0042")
        r = self.api("POST", "/api/v1/dossiers", body)
        self.assertEqual(r.status, 201, r.body)
        d = r.json()
        self.assertEqual([i["role"] for i in d["items"]], ["result"])
        self.assertEqual(d["items"][0]["state"], "AWAITING_RESULT")
        self.assertEqual(d["portal_code"], "000.00.12.H21-261127-0042")

    def test_serials_are_not_consecutive(self):
        serials = []
        for _ in range(5):
            r = self.api("POST", "/api/v1/dossiers", good_dossier(service="send"))
            self.assertEqual(r.status, 201, r.body)
            serials.append(int(r.json()["items"][0]["tracking_number"][2:10]))
        self.assertEqual(len(set(serials)), 5)
        gaps = [abs(b - a) for a, b in zip(serials, serials[1:])]
        self.assertTrue(all(g > 1 for g in gaps), serials)

    def test_get_dossier_item_and_events(self):
        d = self.api("POST", "/api/v1/dossiers", good_dossier()).json()
        r = self.api("GET", "/api/v1/dossiers/%d" % d["id"], user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["items"], d["items"])
        tn = d["items"][0]["tracking_number"]
        r = self.api("GET", "/api/v1/items/" + tn, user="courier")
        self.assertEqual(r.status, 200, r.body)
        it = r.json()
        self.assertEqual(it["tracking_number"], tn)
        self.assertEqual(it["dossier_id"], d["id"])
        self.assertEqual(it["state"], "ACCEPTED")
        # A lower-case number works too.
        self.assertEqual(self.api("GET", "/api/v1/items/" + tn.lower()).status, 200)
        r = self.api("GET", "/api/v1/items/%s/events" % tn)
        self.assertEqual(r.status, 200, r.body)
        evs = r.json()["events"]
        self.assertEqual(len(evs), 1)
        self.assertEqual(evs[0]["type"], "accept")
        self.assertEqual(evs[0]["to_state"], "ACCEPTED")
        self.assertEqual(evs[0]["user"], "clerk")
        self.assertEqual(evs[0]["place"], "600000")
        self.assertRegex(evs[0]["hash"], r"^[0-9a-f]{64}$")

    def test_agency_officer_sees_only_own_agency(self):
        d = self.api("POST", "/api/v1/dossiers", good_dossier()).json()
        r = self.api("GET", "/api/v1/dossiers/%d" % d["id"], user="officer")
        self.assertEqual(r.status, 200, r.body)  # officer of 000.00.12.H21, Sở Tư pháp
        other = good_dossier(procedure_code=self.other_procedure()["code"], documents=[
            {"name": c["name"], "form": "original"}
            for c in self.other_procedure()["components"]])
        r = self.api("POST", "/api/v1/dossiers", other)
        self.assertEqual(r.status, 201, r.body)
        r2 = self.api("GET", "/api/v1/dossiers/%d" % r.json()["id"], user="officer")
        self.assertEqual(r2.status, 403, r2.body)
        self.assertEqual(r2.json()["error"]["code"], "other_agency")
        lst = self.api("GET", "/api/v1/dossiers", user="officer").json()["dossiers"]
        self.assertTrue(lst)
        self.assertTrue(all(x["agency_code"] == "000.00.12.H21" for x in lst))

    def other_procedure(self):
        procs = self.api("GET", "/api/v1/procedures?limit=500").json()["procedures"]
        return next(p for p in procs if p["agency_code"] != "000.00.12.H21"
                    and all(c["form"] != "copy" for c in p["components"]))

    def test_list_filters_and_pages(self):
        for _ in range(3):
            self.assertEqual(self.api("POST", "/api/v1/dossiers", good_dossier()).status, 201)
        r = self.api("GET", "/api/v1/dossiers?limit=2", user="supervisor")
        page1 = r.json()
        self.assertEqual(len(page1["dossiers"]), 2)
        self.assertIsNotNone(page1["next"])
        page2 = self.api("GET", "/api/v1/dossiers?limit=2&before=" + page1["next"],
                         user="supervisor").json()
        ids1 = [x["id"] for x in page1["dossiers"]]
        ids2 = [x["id"] for x in page2["dossiers"]]
        self.assertTrue(ids1[0] > ids1[1] > ids2[0])
        r = self.api("GET", "/api/v1/dossiers?state=AWAITING_RESULT&office=600000",
                     user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        for x in r.json()["dossiers"]:
            self.assertIn("AWAITING_RESULT", [i["state"] for i in x["items"]])
        for q, field in [("state=LOST", "state"), ("from=2026-02-30", "from"),
                         ("limit=0", "limit"), ("office=abc", "office"),
                         ("agency=H21", "agency"), ("before=-1", "before")]:
            r = self.api("GET", "/api/v1/dossiers?" + q, user="supervisor")
            self.assertEqual(r.status, 400, q)
            self.assertEqual(r.json()["error"]["field"], field, q)

    def test_procedure_search_ignores_diacritics_and_case(self):
        r = self.api("GET", "/api/v1/procedures?q=so%20tu%20phap", user=None)
        self.assertEqual(r.status, 200, r.body)
        procs = r.json()["procedures"]
        self.assertTrue(procs)
        self.assertTrue(all(p["agency_code"] == "000.00.12.H21" for p in procs), procs)
        self.assertIn("Sở Tư pháp", procs[0]["agency_name"])
        r = self.api("GET", "/api/v1/procedures?q=LY%20LICH%20TU%20PHAP", user=None)
        codes = [p["code"] for p in r.json()["procedures"]]
        self.assertIn("2.000488", codes)
        q = "l%C3%BD%20l%E1%BB%8Bch"  # "lý lịch"
        codes = [p["code"] for p in self.api("GET", "/api/v1/procedures?q=" + q,
                                               user=None).json()["procedures"]]
        self.assertIn("2.000488", codes)
        r = self.api("GET", "/api/v1/procedures?q=2.0004", user=None).json()["procedures"]
        self.assertTrue(r and all(p["code"].startswith("2.0004") for p in r))
        p = next(p for p in r if p["code"] == "2.000488")
        self.assertEqual(p["fee_vnd"], 200000)
        self.assertEqual(p["days"], 10)
        self.assertTrue(any(c["required"] and c["form"] == "original" for c in p["components"]))
        none = self.api("GET", "/api/v1/procedures?q=khong%20co%20thu%20tuc%20nay",
                        user=None).json()
        self.assertEqual(none["procedures"], [])

    def test_idempotent_client_id(self):
        cid = str(uuid.uuid4())
        body = good_dossier(client_id=cid)
        r1 = self.api("POST", "/api/v1/dossiers", body)
        self.assertEqual(r1.status, 201, r1.body)
        before = self.count_dossiers()
        r2 = self.api("POST", "/api/v1/dossiers", body)
        self.assertEqual(r2.status, 200, r2.body)
        self.assertEqual(r2.json()["id"], r1.json()["id"])
        self.assertEqual(r2.json()["items"], r1.json()["items"])
        self.assertEqual(self.count_dossiers(), before)
        other = good_dossier(client_id=cid, notes="khác")
        r3 = self.api("POST", "/api/v1/dossiers", other)
        self.assertEqual(r3.status, 409, r3.body)
        self.assertEqual(r3.json()["error"]["field"], "client_id")
        self.assertEqual(self.count_dossiers(), before)

    def test_metrics_and_health(self):
        self.api("POST", "/api/v1/dossiers", good_dossier())
        r = self.api("GET", "/metrics", user=None)
        self.assertEqual(r.status, 200)
        text = r.body.decode()
        m = re.search(r"^hoso_dossiers_accepted_total (\d+)$", text, re.M)
        self.assertTrue(m and int(m.group(1)) >= 1, text)
        self.assertIn('hoso_http_requests_total{route="dossier_create",method="POST",'
                      'status="201"}', text)
        self.assertIn("hoso_http_request_duration_seconds_bucket", text)
        # The database writer's counters: the acceptance above was one use case at least,
        # committed in a group, and held the writer for some time.
        val = {k: float(v) for k, v in re.findall(r"^(hoso_db_\w+) (\S+)$", text, re.M)}
        self.assertGreaterEqual(val["hoso_db_use_cases_total"], 1, text)
        self.assertGreaterEqual(val["hoso_db_commits_total"], 1, text)
        self.assertLessEqual(val["hoso_db_commits_total"], val["hoso_db_use_cases_total"])
        self.assertGreater(val["hoso_db_writer_busy_seconds_total"], 0)
        self.assertGreater(val["hoso_db_writer_cpu_seconds_total"], 0)
        self.assertLessEqual(val["hoso_db_writer_cpu_seconds_total"],
                             val["hoso_db_writer_busy_seconds_total"] + 0.001)
        self.assertIn("hoso_db_checkpoints_total", val)
        for by in ("thread", "writer"):
            self.assertRegex(text, r'(?m)^hoso_db_checkpoint_frames_total\{by="%s"\} \d+$' % by)
        if BACKEND == "sqlite":
            self.assertGreaterEqual(val["hoso_db_wal_flushes_total"], 1, text)
        h = self.api("GET", "/healthz", user=None)
        self.assertEqual(h.status, 200)
        self.assertEqual(h.json()["status"], "ok")


class BadInput(DaemonTest):
    """Every refusal names the field, writes nothing and leaves the daemon up."""

    def count(self):
        return len(self.api("GET", "/api/v1/dossiers?limit=200", user="supervisor")
                   .json()["dossiers"])

    def refuse(self, body=None, status=400, field=None, code=None, raw=None, user="clerk"):
        before = self.count()
        r = self.api("POST", "/api/v1/dossiers", body, raw=raw, user=user)
        self.assertEqual(r.status, status, r.body)
        err = r.json()["error"]
        self.assertTrue(err["message"])
        if field is not None:
            self.assertEqual(err.get("field"), field, err)
        if code is not None:
            self.assertEqual(err["code"], code, err)
        self.assertEqual(self.count(), before, "a refused request wrote a dossier")
        self.assertEqual(self.api("GET", "/healthz", user=None).status, 200)
        return err

    def test_missing_and_wrong_fields(self):
        b = good_dossier()
        del b["procedure_code"]
        self.refuse(b, field="procedure_code", code="missing_field")
        self.refuse(good_dossier(procedure_code="9.999999"), field="procedure_code",
                    code="unknown_procedure")
        self.refuse(good_dossier(procedure_code="abc"), field="procedure_code",
                    code="invalid_code")
        self.refuse(good_dossier(service="express"), field="service", code="invalid_value")
        self.refuse(good_dossier(postage_vnd=-1), field="postage_vnd", code="out_of_range")
        self.refuse(good_dossier(fee_vnd="200000"), field="fee_vnd", code="wrong_type")
        self.refuse(good_dossier(colour="red"), field="colour", code="unknown_field")
        self.refuse(good_dossier(portal_code="H21-1"), field="portal_code")
        self.refuse(good_dossier(client_id="not-a-uuid"), field="client_id")
        self.refuse(good_dossier(office_code="999999"), field="office_code",
                    code="unknown_office")
        b = good_dossier()
        del b["applicant"]
        self.refuse(b, field="applicant", code="missing_field")

    def test_applicant_checks(self):
        def with_applicant(**kw):
            b = good_dossier()
            b["applicant"].update(kw)
            return b
        self.refuse(with_applicant(phone="12345"), field="applicant.phone",
                    code="invalid_phone")
        self.refuse(with_applicant(phone="0123456789"), field="applicant.phone")
        self.refuse(with_applicant(id_number="12345678901"), field="applicant.id_number",
                    code="invalid_id_number")
        self.refuse(with_applicant(id_number="999090001234"), field="applicant.id_number")
        self.refuse(with_applicant(kind="organisation", id_number="064090001234"),
                    field="applicant.id_number")
        self.refuse(with_applicant(name="   "), field="applicant.name", code="missing_field")
        self.refuse(with_applicant(name="A" * 201), field="applicant.name", code="too_long")
        self.refuse(with_applicant(name="Nguyễn\u0007Văn"), field="applicant.name",
                    code="invalid_text")
        self.refuse(with_applicant(email="not-an-email"), field="applicant.email")
        self.refuse(with_applicant(kind="robot"), field="applicant.kind")
        # An organisation with a tax code and a landline is fine.
        r = self.api("POST", "/api/v1/dossiers",
                     with_applicant(kind="organisation", id_number="5900123456-001",
                                    phone="+84 269 3824 152", name="Công ty TNHH Ánh Dương"))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["applicant"]["phone"], "02693824152")

    def test_documents_checked_against_procedure(self):
        b = good_dossier()
        b["documents"] = b["documents"][:1]
        err = self.refuse(b, field="documents", code="missing_document")
        self.assertIn("Bản chụp Thẻ căn cước", err["message"])
        b = good_dossier()
        b["documents"][0]["form"] = "copy"
        self.refuse(b, field="documents[0]", code="original_required")
        b = good_dossier(documents=[])
        self.refuse(b, field="documents", code="missing_field")
        b = good_dossier()
        b["documents"][1]["form"] = "photocopy"
        self.refuse(b, field="documents[1].form", code="invalid_value")
        b = good_dossier()
        b["documents"].append("a string")
        self.refuse(b, field="documents[2]", code="wrong_type")
        # Matching ignores case and diacritics, as a clerk would type them.
        b = good_dossier()
        b["documents"][1]["name"] = b["documents"][1]["name"].upper()
        self.assertEqual(self.api("POST", "/api/v1/dossiers", b).status, 201)

    def test_malformed_bodies(self):
        self.refuse(raw=b'{"procedure_code": "2.000488", ', code="invalid_json")
        self.refuse(raw=b'not json at all', code="invalid_json")
        self.refuse(raw=b'[1, 2, 3]', code="wrong_type")
        self.refuse(raw=b'{"applicant": {"name": "\xff\xfe"}}', code="invalid_utf8")
        self.refuse(raw=b'', code="empty_body")
        self.refuse(raw=b'{"service": "send", "service": "both"}', code="invalid_json")
        self.refuse(raw=json.dumps(good_dossier()).encode()[:-7], code="invalid_json")

    def raw_post(self, head, chunks):
        """Sends a request by hand; returns (status, body) even when the daemon answers and
        closes before the body is sent whole."""
        host, port = self.daemon.base[len("http://"):].split(":")
        s = socket.create_connection((host, int(port)), timeout=30)
        try:
            s.sendall(head)
            for c in chunks:
                try:
                    s.sendall(c)
                except (BrokenPipeError, ConnectionResetError):
                    break
            data = b""
            while True:
                try:
                    got = s.recv(65536)
                except ConnectionResetError:
                    break
                if not got:
                    break
                data += got
        finally:
            s.close()
        status = int(data.split(b" ", 2)[1])
        return status, json.loads(data.split(b"\r\n\r\n", 1)[1].decode())

    def test_body_too_large(self):
        before = self.count()
        auth = ("Authorization: Bearer %s\r\n" % self.tokens["clerk"]).encode()
        size = 8 * 1024 * 1024
        head = (b"POST /api/v1/dossiers HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
        t0 = time.monotonic()
        status, body = self.raw_post(head, [b"x" * 65536] * 4)
        self.assertEqual(status, 413, body)
        self.assertEqual(body["error"]["code"], "body_too_large")
        self.assertIn("larger than", body["error"]["message"])
        # Answered without waiting for the 8 MiB that were announced and never sent.
        self.assertLess(time.monotonic() - t0, 10)
        # A chunked body with no length is cut off once it passes the limit.
        head = (b"POST /api/v1/dossiers HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"y" * 65536)
        status, body = self.raw_post(head, [chunk] * 20 + [b"0\r\n\r\n"])
        self.assertEqual(status, 413, body)
        self.assertEqual(self.count(), before)
        self.assertEqual(self.api("GET", "/healthz", user=None).status, 200)

    def test_auth_and_roles(self):
        self.refuse(good_dossier(), status=401, user=None, code="unauthenticated")
        self.refuse(good_dossier(), status=403, user="courier", code="forbidden_role")
        self.refuse(good_dossier(), status=403, user="officer")
        r = self.daemon.request("POST", "/api/v1/dossiers", good_dossier(), token="0" * 64)
        self.assertEqual(r.status, 401)
        r = self.daemon.request("POST", "/api/v1/login", {"username": "clerk",
                                                          "password": "wrong-password"})
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"]["code"], "bad_credentials")
        r = self.daemon.request("POST", "/api/v1/login", {"username": "nobody",
                                                          "password": "wrong-password"})
        self.assertEqual(r.status, 401)
        r = self.daemon.request("POST", "/api/v1/login", {"password": "x"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["field"], "username")

    def test_login_cookie_and_logout(self):
        r = self.daemon.request("POST", "/api/v1/login", {"username": "supervisor",
                                                          "password": "demo-supervisor-2026"})
        self.assertEqual(r.status, 200)
        cookie = r.headers["Set-Cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        tok = r.json()["token"]
        self.assertEqual(r.json()["user"]["role"], "supervisor")
        session = cookie.split(";")[0]
        me = self.daemon.request("GET", "/api/v1/me", headers={"Cookie": session})
        self.assertEqual(me.status, 200)
        self.assertEqual(me.json()["user"]["username"], "supervisor")
        self.assertEqual(self.daemon.request("POST", "/api/v1/logout", token=tok).status, 200)
        self.assertEqual(self.daemon.request("GET", "/api/v1/me", token=tok).status, 401)

    def test_items_bad_numbers(self):
        tn = "DH12345678" + "0VN"
        good = "DH12345678%dVN" % s10_check("12345678")
        for bad in ("DH123456789VN" if s10_check("12345678") != 9 else "DH123456788VN",
                    "XX", "DH1234567890VN", "12345678901VN"):
            r = self.api("GET", "/api/v1/items/" + bad)
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(r.json()["error"]["field"], "tracking_number")
        r = self.api("GET", "/api/v1/items/" + good)
        self.assertEqual(r.status, 404, r.body)
        self.assertEqual(r.json()["error"]["code"], "unknown_item")
        self.assertTrue(tn)
        self.assertEqual(self.api("GET", "/api/v1/dossiers/abc").status, 400)
        self.assertEqual(self.api("GET", "/api/v1/dossiers/999999").status, 404)
        self.assertEqual(self.api("GET", "/api/v1/nothing/here").status, 404)
        self.assertEqual(self.api("DELETE", "/api/v1/dossiers").status, 405)

    def test_injection_strings_stored_verbatim(self):
        evil = "Robert'); DROP TABLE dossiers;-- <script>alert(1)</script> \"%s%n"
        b = good_dossier(notes=evil)
        b["applicant"]["address"] = evil
        r = self.api("POST", "/api/v1/dossiers", b)
        self.assertEqual(r.status, 201, r.body)
        d = self.api("GET", "/api/v1/dossiers/%d" % r.json()["id"]).json()
        self.assertEqual(d["notes"], evil)
        self.assertEqual(d["applicant"]["address"], evil)

    def test_decomposed_input_is_stored_composed(self):
        b = good_dossier()
        b["applicant"]["name"] = "Nguye\u0302\u0303n Thi\u0323 Ho\u0302\u0300ng"
        r = self.api("POST", "/api/v1/dossiers", b)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["applicant"]["name"], "Nguyễn Thị Hồng")


if __name__ == "__main__":
    main()
