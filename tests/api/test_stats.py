"""Supervisor statistics and the quarterly report (Circular 17/2017 Art 13) against a running
daemon: four dossiers moved through their states (one delivered, one received by its agency,
one damaged at handover, one waiting for its result at another agency), two complaints (one
answered), then the exact figures of /stats/today, /stats/daily, /stats/transit and the
quarterly report as JSON, CSV (parsed with Python's csv) and PDF (pdftotext); an agency
officer's view limited to their agency; bad parameters and refused roles."""
import csv
import datetime
import io
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DaemonTest, good_dossier, main, pdf_text, qpdf_check  # noqa: E402

SO_TU_PHAP = "000.00.12.H21"
SO_KH_DT = "000.00.11.H21"
STATES = ["ACCEPTED", "IN_TRANSIT", "AT_AGENCY", "RECEIVED", "RETURNED_INCOMPLETE",
          "AWAITING_RESULT", "COLLECTED", "AT_OFFICE", "OUT_FOR_DELIVERY", "ATTEMPT_FAILED",
          "HELD", "DELIVERED", "RETURNED_TO_AGENCY"]


def vn_today():
    """Today's date where the daemon counts (UTC+7, the default offset)."""
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()


def ev(item, type_, **fields):
    e = {"id": str(uuid.uuid4()), "item": item, "type": type_}
    e.update(fields)
    return e


def states(**counts):
    s = {k: 0 for k in STATES}
    s.update(counts)
    return s


class Stats(DaemonTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = vn_today()
        cls.build()

    @classmethod
    def call(cls, method, path, body=None, user="clerk", status=None):
        r = cls.daemon.request(method, path, body, token=cls.tokens[user] if user else None)
        if status is not None and r.status != status:
            raise AssertionError("%s %s: %s %s" % (method, path, r.status, r.body))
        return r

    @classmethod
    def event(cls, e, user="courier"):
        r = cls.call("POST", "/api/v1/events", e, user=user, status=200).json()
        if r["results"][0]["status"] != "recorded":
            raise AssertionError(r)

    @classmethod
    def build(cls):
        d1 = cls.call("POST", "/api/v1/dossiers", good_dossier(), status=201).json()
        d2 = cls.call("POST", "/api/v1/dossiers", good_dossier(service="send"), status=201).json()
        d3 = cls.call("POST", "/api/v1/dossiers", good_dossier(service="send"), status=201).json()
        d4 = cls.call("POST", "/api/v1/dossiers", {
            "procedure_code": "2.001610", "service": "return",
            "applicant": good_dossier()["applicant"], "postage_vnd": 15000,
            "portal_code": "000.00.11.H21-261127-0042"}, status=201).json()
        sub1 = next(i["tracking_number"] for i in d1["items"] if i["role"] == "submission")
        res1 = next(i["tracking_number"] for i in d1["items"] if i["role"] == "result")
        cls.sub2 = d2["items"][0]["tracking_number"]
        sub3 = d3["items"][0]["tracking_number"]
        cls.res4 = d4["items"][0]["tracking_number"]
        m = cls.call("POST", "/api/v1/manifests", {"agency_code": SO_TU_PHAP,
                                                   "items": [sub1, sub3]},
                     user="courier", status=201).json()
        cls.call("POST", "/api/v1/manifests/%d/confirm" % m["id"],
                 {"received": [sub1], "missing": [{"item": sub3, "reason": "damaged",
                                                   "note": "Bì thư bị rách"}],
                  "fees_received_vnd": 200000}, user="officer", status=200)
        appt = (cls.today + datetime.timedelta(days=10)).isoformat()
        cls.event(ev(sub1, "agency_receipt", receipt_number="000.00.12.H21-261127-0001",
                     appointment_date=appt), user="officer")
        cls.call("POST", "/api/v1/dossiers/%d/result" % d1["id"], {}, user="officer",
                 status=200)
        for e in (ev(res1, "collect"), ev(res1, "arrive", place="600000"), ev(res1, "out"),
                  ev(res1, "deliver", receiver_name="Nguyễn Văn Anh", relation="applicant",
                     id_number="064090005678")):
            cls.event(e)
        # Two complaints from the applicant; the supervisor answers one.
        ids = []
        for tn in (sub1, cls.sub2):
            r = cls.call("POST", "/api/v1/track/%s/complaints" % tn,
                         {"phone_last4": "3456", "text": "Hồ sơ chậm so với ngày hẹn"},
                         user=None, status=201)
            ids.append(r.json()["id"])
        cls.call("POST", "/api/v1/complaints/%d/answer" % ids[0],
                 {"answer": "Bưu điện xin lỗi; hồ sơ đã được bàn giao."}, user="supervisor",
                 status=200)

    # ---- /stats/today --------------------------------------------------------------------

    def test_today_exact(self):
        r = self.api("GET", "/api/v1/stats/today", user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        j = r.json()
        self.assertEqual(j["date"], self.today.isoformat())
        self.assertEqual(j["states"], states(ACCEPTED=1, IN_TRANSIT=1, RECEIVED=1,
                                             AWAITING_RESULT=1, DELIVERED=1))
        self.assertEqual(j["accepted_today"], 4)
        self.assertEqual(j["delivered_today"], 1)
        self.assertEqual(j["overdue"], 0)
        # The same items as the due lists: the two submission items still on their way.
        soon = self.api("GET", "/api/v1/items?due=soon", user="supervisor").json()["items"]
        self.assertEqual(j["due_soon"], len(soon))
        self.assertEqual(j["due_soon"], 2)
        self.assertEqual([o["code"] for o in j["offices"]], ["600000"])
        office = j["offices"][0]
        self.assertEqual(office["name"], "Bưu điện tỉnh Gia Lai")
        self.assertEqual(office["states"], j["states"])
        self.assertEqual((office["accepted_today"], office["delivered_today"]), (4, 1))
        self.assertEqual([a["code"] for a in j["agencies"]], [SO_KH_DT, SO_TU_PHAP])
        kh, tp = j["agencies"]
        self.assertEqual(kh["name"], "Sở Kế hoạch và Đầu tư tỉnh Gia Lai")
        self.assertEqual(kh["states"], states(AWAITING_RESULT=1))
        self.assertEqual(tp["name"], "Sở Tư pháp tỉnh Gia Lai")
        self.assertEqual(tp["states"], states(ACCEPTED=1, IN_TRANSIT=1, RECEIVED=1,
                                              DELIVERED=1))
        self.assertEqual((kh["overdue"], tp["overdue"]), (0, 0))

    def test_today_agency_officer_sees_own_agency(self):
        j = self.api("GET", "/api/v1/stats/today", user="officer").json()
        self.assertEqual(j["states"], states(ACCEPTED=1, IN_TRANSIT=1, RECEIVED=1,
                                             DELIVERED=1))
        self.assertEqual(j["accepted_today"], 3)
        self.assertEqual([a["code"] for a in j["agencies"]], [SO_TU_PHAP])
        self.assertEqual(j["offices"][0]["accepted_today"], 3)

    # ---- /stats/daily ----------------------------------------------------------------------

    def test_daily(self):
        j = self.api("GET", "/api/v1/stats/daily?days=7", user="supervisor").json()
        days = j["days"]
        self.assertEqual(len(days), 7)
        want = [(self.today - datetime.timedelta(days=6 - i)).isoformat() for i in range(7)]
        self.assertEqual([d["date"] for d in days], want)
        self.assertEqual(days[-1], {"date": want[-1], "accepted": 4, "delivered": 1,
                                    "on_time": 1, "late": 0})
        for d in days[:-1]:
            self.assertEqual((d["accepted"], d["delivered"], d["on_time"], d["late"]),
                             (0, 0, 0, 0))
        self.assertEqual(len(self.api("GET", "/api/v1/stats/daily",
                                      user="admin").json()["days"]), 30)
        j = self.api("GET", "/api/v1/stats/daily?days=1", user="officer").json()
        self.assertEqual(j["days"], [{"date": want[-1], "accepted": 3, "delivered": 1,
                                      "on_time": 1, "late": 0}])

    # ---- /stats/transit --------------------------------------------------------------------

    def test_transit(self):
        j = self.api("GET", "/api/v1/stats/transit", user="supervisor").json()
        legs = j["legs"]
        self.assertEqual([l["leg"] for l in legs],
                         ["accepted_to_agency", "agency_to_result_ready",
                          "result_ready_to_delivered", "accepted_to_delivered"])
        for leg in legs:
            self.assertEqual(leg["count"], 1, leg)
            self.assertGreaterEqual(leg["median_hours"], 0)
            self.assertLess(leg["median_hours"], 1)
            self.assertEqual(leg["p90_hours"], leg["median_hours"])
        # The officer's agency holds that journey too.
        self.assertEqual(self.api("GET", "/api/v1/stats/transit?days=1",
                                  user="officer").json()["legs"][0]["count"], 1)

    # ---- the quarterly report ----------------------------------------------------------------

    def quarter(self):
        return self.today.year, (self.today.month - 1) // 3 + 1

    def report_url(self, fmt):
        y, q = self.quarter()
        return "/api/v1/reports/quarterly?year=%d&quarter=%d&format=%s" % (y, q, fmt)

    def test_quarterly_json(self):
        r = self.api("GET", self.report_url("json"), user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        j = r.json()
        y, q = self.quarter()
        self.assertEqual((j["year"], j["quarter"], j["complete"]), (y, q, False))
        lines = {(l["agency_code"], l["procedure_code"]): l for l in j["lines"]}
        self.assertEqual(sorted(lines), [(SO_KH_DT, "2.001610"), (SO_TU_PHAP, "2.000488")])
        tp = lines[(SO_TU_PHAP, "2.000488")]
        self.assertTrue(tp["procedure_name"].startswith("Cấp Phiếu lý lịch tư pháp"))
        self.assertEqual(tp["agency_name"], "Sở Tư pháp tỉnh Gia Lai")
        want = {"dossiers_accepted": 3, "results_delivered": 1, "results_delivered_on_time": 1,
                "postage_vnd": 84000, "fees_collected_vnd": 600000, "complaints_received": 2,
                "complaints_answered": 1, "complaints_answered_late": 0, "complaints_open": 1,
                "lost": 0, "damaged": 1, "compensation_cases": None, "compensation_vnd": None}
        for k, v in want.items():
            self.assertEqual(tp[k], v, k)
        kh = lines[(SO_KH_DT, "2.001610")]
        self.assertEqual((kh["dossiers_accepted"], kh["postage_vnd"], kh["results_delivered"]),
                         (1, 15000, 0))
        self.assertEqual(j["totals"]["dossiers_accepted"], 4)
        self.assertEqual(j["totals"]["postage_vnd"], 99000)
        self.assertIsNone(j["totals"]["compensation_vnd"])
        self.assertEqual(j["not_recorded"]["compensation_vnd"], "not recorded by hoso")
        self.assertEqual(j["not_recorded"]["compensation_cases"], "not recorded by hoso")
        # A quarter long past: complete and empty.
        j = self.api("GET", "/api/v1/reports/quarterly?year=2020&quarter=4",
                     user="admin").json()
        self.assertEqual((j["complete"], j["lines"], j["from"], j["to"]),
                         (True, [], "2020-10-01", "2020-12-31"))

    def test_quarterly_csv(self):
        r = self.api("GET", self.report_url("csv"), user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.headers["Content-Type"].startswith("text/csv"))
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
        head = rows[0]
        self.assertEqual(head[:4], ["Mã cơ quan", "Tên cơ quan", "Mã thủ tục", "Tên thủ tục"])
        for col in ("Số hồ sơ tiếp nhận", "Doanh thu cước (đồng)", "Số vụ khiếu nại",
                    "Số hồ sơ bị hư hỏng", "Tổng giá trị bồi thường (đồng)"):
            self.assertIn(col, head)
        self.assertTrue(all(len(row) == len(head) for row in rows))
        by = {row[2]: dict(zip(head, row)) for row in rows[1:]}
        tp = by["2.000488"]
        self.assertEqual(tp["Mã cơ quan"], SO_TU_PHAP)
        self.assertEqual(tp["Tên cơ quan"], "Sở Tư pháp tỉnh Gia Lai")
        self.assertEqual(tp["Số hồ sơ tiếp nhận"], "3")
        self.assertEqual(tp["Doanh thu cước (đồng)"], "84000")
        self.assertEqual(tp["Số vụ khiếu nại"], "2")
        self.assertEqual(tp["Số vụ đã giải quyết"], "1")
        self.assertEqual(tp["Số hồ sơ bị hư hỏng"], "1")
        self.assertIn("not recorded by hoso", tp["Tổng giá trị bồi thường (đồng)"])
        total = rows[-1]
        self.assertEqual(total[0], "Tổng cộng")
        self.assertEqual(dict(zip(head, total))["Số hồ sơ tiếp nhận"], "4")
        self.assertEqual(len(rows), 4)

    def test_quarterly_pdf(self):
        r = self.api("GET", self.report_url("pdf"), user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.headers["Content-Type"], "application/pdf")
        rc, out = qpdf_check(r.body, self.daemon.workdir)
        self.assertEqual(rc, 0, out)
        text = " ".join(pdf_text(r.body, self.daemon.workdir).split())
        y, q = self.quarter()
        # (names wrap inside their table cells: look for their first words)
        for s in ("BÁO CÁO QUÝ %d NĂM %d" % (q, y), "QUA DỊCH VỤ BƯU CHÍNH CÔNG ÍCH",
                  "000.00.12.H21 – Sở Tư pháp tỉnh", "000.00.11.H21 – Sở Kế hoạch và",
                  "2.000488 – Cấp Phiếu lý lịch tư pháp",
                  "Tổng cộng", "84.000 đ", "99.000 đ", "600.000 đ", "2/1/0",
                  "4 hồ sơ tiếp nhận; 1 kết quả đã phát, trong đó 1 đúng hạn",
                  "bị mất, thất lạc 0; bị hư hỏng 1", "Số trường hợp phải bồi thường thiệt hại",
                  "hoso không ghi nhận (not recorded by hoso)", "Trang 1/1"):
            self.assertIn(s, text)

    # ---- refusals --------------------------------------------------------------------------

    def test_bad_parameters(self):
        y, q = self.quarter()
        cases = [("/api/v1/reports/quarterly?year=abc&quarter=1", "year"),
                 ("/api/v1/reports/quarterly?quarter=1", "year"),
                 ("/api/v1/reports/quarterly?year=%d&quarter=5" % y, "quarter"),
                 ("/api/v1/reports/quarterly?year=%d&quarter=0" % y, "quarter"),
                 ("/api/v1/reports/quarterly?year=%d" % y, "quarter"),
                 ("/api/v1/reports/quarterly?year=%d&quarter=%d&format=xml" % (y, q), "format"),
                 ("/api/v1/reports/quarterly?year=%d&quarter=1" % (y + 1), "year"),
                 ("/api/v1/stats/daily?days=0", "days"),
                 ("/api/v1/stats/daily?days=9999", "days"),
                 ("/api/v1/stats/daily?days=abc", "days"),
                 ("/api/v1/stats/transit?days=367", "days")]
        if q < 4:
            cases.append(("/api/v1/reports/quarterly?year=%d&quarter=%d" % (y, q + 1),
                          "quarter"))
        for path, field in cases:
            r = self.api("GET", path, user="supervisor")
            self.assertEqual(r.status, 400, path)
            self.assertEqual(r.json()["error"]["field"], field, path)
        self.assertTrue(self.daemon.alive())

    def test_roles(self):
        paths = ["/api/v1/stats/today", "/api/v1/stats/daily", "/api/v1/stats/transit",
                 self.report_url("json")]
        for path in paths:
            for user in ("courier", "clerk"):
                r = self.api("GET", path, user=user)
                self.assertEqual(r.status, 403, (path, user))
            self.assertEqual(self.api("GET", path, user=None).status, 401, path)
        self.assertEqual(self.api("GET", self.report_url("csv"), user="officer").status, 403)
        for path in paths[:3]:
            self.assertEqual(self.api("GET", path, user="officer").status, 200, path)
            self.assertEqual(self.api("GET", path, user="admin").status, 200, path)


if __name__ == "__main__":
    main()
