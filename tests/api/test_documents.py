"""Labels and consignment notes fetched from a running daemon and checked with real tools:
qpdf --check, pdftotext (Vietnamese diacritics), pdftoppm + zbarimg (QR and Code 128)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (DaemonTest, decode_codes, good_dossier, main, pdf_text,  # noqa: E402
                     qpdf_check)


class Documents(DaemonTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="hoso-docs-", dir=cls.daemon.workdir)
        r = cls.daemon.request("POST", "/api/v1/dossiers", good_dossier(),
                               token=cls.tokens["clerk"])
        assert r.status == 201, r.body
        cls.dossier = r.json()
        cls.sub = next(i for i in cls.dossier["items"] if i["role"] == "submission")
        cls.res = next(i for i in cls.dossier["items"] if i["role"] == "result")

    def fetch(self, path, user="clerk"):
        r = self.api("GET", path, user=user)
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.headers["Content-Type"], "application/pdf")
        self.assertTrue(r.body.startswith(b"%PDF-"))
        rc, out = qpdf_check(r.body, self.tmp)
        self.assertEqual(rc, 0, out)
        return r.body

    def assert_codes(self, pdf, tn, url, dpi, copies=1):
        found = decode_codes(pdf, self.tmp, dpi)
        self.assertGreaterEqual(found.count(("QR-Code", url)), copies, found)
        self.assertGreaterEqual(found.count(("CODE-128", tn)), copies, found)

    def test_label_sizes(self):
        tn = self.sub["tracking_number"]
        url = self.daemon.base + "/t/" + tn
        for size in ("a6", "100x150", "a4"):
            pdf = self.fetch("/api/v1/items/%s/label.pdf?size=%s" % (tn, size))
            text = pdf_text(pdf, self.tmp)
            for s in ("HỒ SƠ TTHC", "Nguyễn Văn Anh", "Sở Tư pháp", "Bộ phận Một cửa", tn,
                      "2.000488", "Bưu điện tỉnh Gia Lai"):
                self.assertIn(s, text.replace("\n", " "), (size, s))
            for dpi in (200, 150):
                self.assert_codes(pdf, tn, url, dpi)
        self.assertLess(len(self.fetch("/api/v1/items/%s/label.pdf" % tn)), 40 * 1024)

    def test_result_label_goes_to_applicant(self):
        tn = self.res["tracking_number"]
        pdf = self.fetch("/api/v1/items/%s/label.pdf" % tn, user="officer")
        text = pdf_text(pdf, self.tmp)
        self.assertIn("KẾT QUẢ TTHC", text)
        self.assertIn("Nguyễn Văn Anh", text)
        self.assert_codes(pdf, tn, self.daemon.base + "/t/" + tn, 150)

    def test_batch_a4_sheet(self):
        tns = [self.sub["tracking_number"], self.res["tracking_number"]]
        for _ in range(3):
            d = self.api("POST", "/api/v1/dossiers", good_dossier(service="send")).json()
            tns.append(d["items"][0]["tracking_number"])
        r = self.api("POST", "/api/v1/labels", {"items": tns, "size": "a4"})
        self.assertEqual(r.status, 200, r.body[:300])
        rc, out = qpdf_check(r.body, self.tmp)
        self.assertEqual(rc, 0, out)
        rc_pages = [l for l in out.splitlines() if "pages" in l.lower()]
        found = decode_codes(r.body, self.tmp, 150)
        for tn in tns:
            self.assertIn(("CODE-128", tn), found, (tn, found, rc_pages))
            self.assertIn(("QR-Code", self.daemon.base + "/t/" + tn), found)
        bad = self.api("POST", "/api/v1/labels", {"items": tns + ["DH000000000VN"]})
        self.assertIn(bad.status, (400, 404), bad.body)
        self.assertEqual(bad.json()["error"]["field"], "items[5]")
        self.assertEqual(self.api("POST", "/api/v1/labels", {"items": []}).status, 400)
        self.assertEqual(self.api("POST", "/api/v1/labels",
                                  {"items": tns, "size": "b5"}).json()["error"]["field"],
                         "size")

    def test_label_bad_requests(self):
        tn = self.sub["tracking_number"]
        r = self.api("GET", "/api/v1/items/%s/label.pdf?size=letter" % tn)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["field"], "size")
        r = self.api("GET", "/api/v1/items/%s/label.pdf" % (tn[:10] + "0VN" if tn[10] != "0"
                                                              else tn[:10] + "1VN"))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["field"], "tracking_number")
        self.assertEqual(self.api("GET", "/api/v1/items/%s/label.pdf" % tn, user=None).status,
                         401)

    def test_consignment_note(self):
        pdf = self.fetch(self.dossier["note_url"])
        text = pdf_text(pdf, self.tmp)
        flat = " ".join(text.split())
        for s in ("PHIẾU GỬI HỒ SƠ", "Nguyễn Văn Anh", "064090001234", "Sở Tư pháp",
                  "Cấp Phiếu lý lịch tư pháp", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                  "Bản chính", "Bản sao", "200.000", "28.000", "Hồ sơ gửi qua bưu điện",
                  "Nguyễn Thị Hồng", self.sub["tracking_number"]):
            self.assertIn(s, flat, s)
        tn = self.sub["tracking_number"]
        self.assert_codes(pdf, tn, self.daemon.base + "/t/" + tn, 150)
        self.assertEqual(self.api("GET", "/api/v1/dossiers/0/note.pdf").status, 400)
        self.assertEqual(self.api("GET", "/api/v1/dossiers/987654/note.pdf").status, 404)


if __name__ == "__main__":
    main()
