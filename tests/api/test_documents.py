"""Labels and consignment notes fetched from a running daemon and checked with real tools:
qpdf --check, pdftotext (Vietnamese diacritics), pdftoppm + zbarimg (QR and Code 128)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (DaemonTest, decode_codes, good_dossier, main, pdf_text,  # noqa: E402
                     qpdf_check, tool)


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

    def npages(self, pdf):
        path = os.path.join(self.tmp, "pages-%d.pdf" % len(pdf))
        with open(path, "wb") as f:
            f.write(pdf)
        rc, out, err = tool("qpdf", "--show-npages", path)
        self.assertEqual(rc, 0, err)
        return int(out.strip())

    def test_print_dossier_one_pdf(self):
        d = self.dossier
        self.assertEqual(d["print_url"], "/api/v1/dossiers/%d/print.pdf" % d["id"])
        tns = [self.sub["tracking_number"], self.res["tracking_number"]]
        note_pages = self.npages(self.fetch(d["note_url"]))
        for size, label_pages in (("a6", 2), ("100x150", 2), ("a4", 1), (None, 2)):
            path = d["print_url"] + ("?size=" + size if size else "")
            pdf = self.fetch(path)
            self.assertEqual(self.npages(pdf), label_pages + note_pages, size)
            flat = " ".join(pdf_text(pdf, self.tmp).split())
            for s in ("HỒ SƠ TTHC", "KẾT QUẢ TTHC", "PHIẾU GỬI HỒ SƠ", "Nguyễn Văn Anh",
                      "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", tns[0], tns[1]):
                self.assertIn(s, flat, (size, s))
            # the labels come first, the note last
            self.assertLess(flat.index("KẾT QUẢ TTHC"), flat.index("PHIẾU GỬI HỒ SƠ"), size)
            if size in (None, "a6"):
                found = decode_codes(pdf, self.tmp, 150)
                sub_url = self.daemon.base + "/t/" + tns[0]
                res_url = self.daemon.base + "/t/" + tns[1]
                # the submission's QR is on its label and on the note
                self.assertGreaterEqual(found.count(("QR-Code", sub_url)), 2, found)
                self.assertGreaterEqual(found.count(("QR-Code", res_url)), 1, found)
                for tn in tns:
                    self.assertIn(("CODE-128", tn), found)
        # a send-only dossier: one label and the note
        one = self.api("POST", "/api/v1/dossiers", good_dossier(service="send")).json()
        pdf = self.fetch(one["print_url"])
        self.assertEqual(self.npages(pdf), 1 + self.npages(self.fetch(one["note_url"])))
        self.assertIn(one["items"][0]["tracking_number"], pdf_text(pdf, self.tmp))
        # an officer of the dossier's agency prints it too
        self.fetch(d["print_url"], user="officer")

    def test_print_dossier_bad_requests(self):
        for path, status, field in (("/api/v1/dossiers/0/print.pdf", 400, "id"),
                                    ("/api/v1/dossiers/abc/print.pdf", 400, "id"),
                                    ("/api/v1/dossiers/-3/print.pdf", 400, "id"),
                                    ("/api/v1/dossiers/987654/print.pdf", 404, "id"),
                                    (self.dossier["print_url"] + "?size=letter", 400, "size"),
                                    (self.dossier["print_url"] + "?size=", 400, "size")):
            r = self.api("GET", path)
            self.assertEqual(r.status, status, (path, r.body))
            self.assertEqual(r.headers["Content-Type"].split(";")[0], "application/json", path)
            self.assertEqual(r.json()["error"]["field"], field, path)
        r = self.api("GET", self.dossier["print_url"] + "?size=letter")
        self.assertIn("size", r.json()["error"]["message"])
        self.assertEqual(self.api("GET", self.dossier["print_url"], user=None).status, 401)
        # an officer of another agency may not print it
        procs = self.api("GET", "/api/v1/procedures?limit=500").json()["procedures"]
        proc = next(p for p in procs if p["agency_code"] != "000.00.12.H21"
                    and all(c["form"] != "copy" for c in p["components"]))
        other = self.api("POST", "/api/v1/dossiers", good_dossier(
            procedure_code=proc["code"],
            documents=[{"name": c["name"], "form": "original"} for c in proc["components"]]))
        self.assertEqual(other.status, 201, other.body)
        r = self.api("GET", other.json()["print_url"], user="officer")
        self.assertEqual(r.status, 403, r.body)
        self.assertEqual(r.json()["error"]["code"], "other_agency")
        self.assertEqual(r.json()["error"]["field"], "id")


if __name__ == "__main__":
    main()
