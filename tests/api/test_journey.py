"""The whole journey of a dossier through the HTTP API of a running daemon: accept, dispatch,
manifest to the agency, confirmation (legal filing time), receipt and appointment date,
result ready, collect, arrive, out for delivery, one failed attempt, delivery with a
signature; then the timeline, deadlines, outbox rows and `hoso verify`. And the refusals
along the way: illegal transitions, wrong roles and agencies, duplicate ids, bad bodies."""
import base64
import datetime
import os
import struct
import sys
import uuid
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (DaemonTest, decode_codes, good_dossier, main, pdf_text,  # noqa: E402
                     qpdf_check, run_hoso, sql_query)


def png(width=60, height=20):
    """A small valid greyscale PNG (a drawn 'signature')."""
    raw = b"".join(b"\x00" + bytes((x * 7 + y * 13) % 256 for x in range(width))
                   for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                              0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def ev(item, type_, **fields):
    e = {"id": str(uuid.uuid4()), "item": item, "type": type_}
    e.update(fields)
    return e


class Journey(DaemonTest):

    def post_event(self, e, user="courier", status=200):
        r = self.api("POST", "/api/v1/events", e, user=user)
        self.assertEqual(r.status, status, r.body)
        return r.json()

    def state(self, tn):
        return self.api("GET", "/api/v1/items/" + tn, user="supervisor").json()["state"]

    def outbox(self):
        return sql_query(self.daemon.db_path,
                         "select kind, target, payload from outbox order by id")

    def test_whole_journey(self):
        d = self.api("POST", "/api/v1/dossiers", good_dossier()).json()
        sub = next(i["tracking_number"] for i in d["items"] if i["role"] == "submission")
        res = next(i["tracking_number"] for i in d["items"] if i["role"] == "result")

        # Dispatch from the office, by the QR URL as a scanner sends it.
        dispatch = ev(self.daemon.base + "/t/" + sub, "dispatch",
                      device_time="2026-11-27T08:00:00+07:00")
        r = self.post_event(dispatch)
        self.assertEqual(r["results"][0]["status"], "recorded")
        self.assertEqual(r["results"][0]["state"], "IN_TRANSIT")
        # The device resends after losing the network: recorded once, same answer.
        r = self.post_event(dispatch)
        self.assertEqual(r["results"][0]["status"], "duplicate")
        self.assertEqual(r["results"][0]["state"], "IN_TRANSIT")
        # Same id, different body: refused.
        other = dict(dispatch, device_time="2026-11-27T09:00:00+07:00")
        r = self.post_event(other, status=409)
        self.assertEqual(r["error"]["code"], "duplicate_id")

        # The courier lists it on a manifest for Sở Tư pháp.
        r = self.api("POST", "/api/v1/manifests", {"agency_code": "000.00.12.H21",
                                                   "items": [sub]}, user="courier")
        self.assertEqual(r.status, 201, r.body)
        m = r.json()
        self.assertEqual(m["state"], "open")
        self.assertEqual(m["total_fee_vnd"], 200000)
        self.assertEqual(m["items"][0]["tracking_number"], sub)
        pdf = self.api("GET", m["record_url"], user="courier").body
        rc, out = qpdf_check(pdf, self.daemon.workdir)
        self.assertEqual(rc, 0, out)
        text = " ".join(pdf_text(pdf, self.daemon.workdir).split())
        for s in ("BIÊN BẢN GIAO NHẬN HỒ SƠ", "Sở Tư pháp", "Bộ phận Một cửa", sub,
                  "Nguyễn Văn Anh", "200.000"):
            self.assertIn(s, text)
        codes = decode_codes(pdf, self.daemon.workdir, 150)
        self.assertIn(("QR-Code", self.daemon.base + "/api/v1/manifests/%d" % m["id"]), codes)

        # The officer confirms it; the fee must match what was collected.
        url = "/api/v1/manifests/%d/confirm" % m["id"]
        bad = self.api("POST", url, {"received": "all", "fees_received_vnd": 150000},
                       user="officer")
        self.assertEqual(bad.status, 400, bad.body)
        self.assertEqual(bad.json()["error"]["field"], "fees_received_vnd")
        self.assertEqual(self.api("POST", url, {"received": "all", "fees_received_vnd": 200000},
                                  user="courier").status, 403)
        r = self.api("POST", url, {"received": "all", "fees_received_vnd": 200000},
                     user="officer")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["state"], "confirmed")
        self.assertIsNotNone(r.json()["confirmed_at"])
        self.assertEqual(self.state(sub), "AT_AGENCY")
        prog = self.api("GET", "/api/v1/items/" + sub).json()["progress"]
        self.assertEqual(prog["filed_at"], r.json()["confirmed_at"])
        self.assertEqual(prog["custodian"], "agency:000.00.12.H21")
        again = self.api("POST", url, {"received": "all", "fees_received_vnd": 200000},
                         user="officer")
        self.assertEqual(again.status, 409)

        # Receipt number and appointment date.
        appt = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
        r = self.post_event(ev(sub, "agency_receipt", receipt_number="000.00.12.H21-261127-0001",
                               appointment_date=appt), user="officer")
        self.assertEqual(r["results"][0]["state"], "RECEIVED")
        kinds = [(k, t) for k, t, _ in self.outbox()]
        self.assertIn(("sms", "0905123456"), kinds)
        self.assertTrue(any('"template":"agency_receipt"' in p for _, _, p in self.outbox()))

        # Result ready; the courier collects it only then.
        r = self.api("POST", "/api/v1/dossiers/%d/result" % d["id"], {}, user="officer")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["result_tracking_number"], res)
        self.assertEqual(self.post_event(ev(res, "collect", place="000.00.11.H21"),
                                         status=400)["error"]["field"], "place")
        r = self.post_event(ev(res, "collect"))
        self.assertEqual(r["results"][0]["state"], "COLLECTED")
        prog = self.api("GET", "/api/v1/items/" + res).json()["progress"]
        # Collected at the agency: J + 1 working day within Pleiku.
        self.assertGreater(prog["due_date"], datetime.date.today().isoformat())
        self.assertEqual(prog["appointment_date"], appt)
        r = self.post_event(ev(res, "arrive", place="600000"))
        self.assertEqual(r["results"][0]["state"], "AT_OFFICE")
        r = self.post_event(ev(res, "out"))
        self.assertEqual(r["results"][0]["state"], "OUT_FOR_DELIVERY")
        self.assertEqual(self.post_event(ev(res, "attempt", reason="gone fishing"),
                                         status=400)["error"]["field"], "reason")
        r = self.post_event(ev(res, "attempt", reason="nobody_home"))
        self.assertEqual(r["results"][0]["state"], "ATTEMPT_FAILED")
        prog = self.api("GET", "/api/v1/items/" + res).json()["progress"]
        self.assertEqual(prog["attempts"], 1)
        self.assertGreater(prog["next_attempt_date"], datetime.date.today().isoformat())
        # The next invitation is due 2 working days later ...
        r = self.post_event(ev(res, "out"), status=409)
        self.assertEqual(r["error"]["code"], "too_early")
        # ... unless the applicant asks for it.
        r = self.post_event(ev(res, "out", requested_by_applicant=True))
        self.assertEqual(r["results"][0]["state"], "OUT_FOR_DELIVERY")
        sig = "data:image/png;base64," + base64.b64encode(png()).decode()
        broken = base64.b64encode(png()[:-20]).decode()
        r = self.post_event(ev(res, "deliver", receiver_name="A", relation="applicant",
                               id_number="064090005678", signature=broken), status=400)
        self.assertEqual(r["error"]["field"], "signature")
        r = self.post_event(ev(res, "deliver", receiver_name="A", relation="proxy",
                               id_number="064090005678"), status=400)
        self.assertEqual(r["error"]["field"], "authorisation_ref")
        r = self.post_event(ev(res, "deliver", receiver_name="A", relation="applicant",
                               id_number="12345"), status=400)
        self.assertEqual(r["error"]["field"], "id_number")
        r = self.post_event(ev(res, "deliver", receiver_name="Nguyễn Văn Bình",
                               relation="proxy", authorisation_ref="UQ-2026/15",
                               id_number="064090005678", signature=sig,
                               papers_collected="Giấy hẹn trả kết quả"))
        self.assertEqual(r["results"][0]["state"], "DELIVERED")

        # Timeline, chain and proof of delivery.
        tl = self.api("GET", "/api/v1/items/%s/events" % res).json()["events"]
        self.assertEqual([e["type"] for e in tl],
                         ["accept", "collect", "arrive", "out", "attempt", "out", "deliver"])
        last = tl[-1]
        self.assertEqual(last["data"]["id_last4"], "5678")
        self.assertNotIn("064090005678", str(last))
        self.assertEqual(len(last["data"]["signature_sha256"]), 64)
        subtl = self.api("GET", "/api/v1/items/%s/events" % sub).json()["events"]
        self.assertEqual([e["type"] for e in subtl],
                         ["accept", "dispatch", "handover", "agency_receipt"])
        self.assertEqual(subtl[2]["user"], "officer")
        pod = self.api("GET", "/api/v1/items/%s/pod.pdf" % res).body
        rc, out = qpdf_check(pod, self.daemon.workdir)
        self.assertEqual(rc, 0, out)
        text = " ".join(pdf_text(pod, self.daemon.workdir).split())
        for s in ("PHIẾU XÁC NHẬN ĐÃ PHÁT KẾT QUẢ", "Nguyễn Văn Bình", "5678", res,
                  last["chain_code"]):
            self.assertIn(s, text)
        self.assertNotIn("064090005678", text)
        self.assertEqual(self.api("GET", "/api/v1/items/%s/pod.pdf" % sub).status, 409)
        rc, out, err = run_hoso("verify", "--db", self.daemon.db_path)
        self.assertEqual(rc, 0, out + err)

    def test_illegal_transitions_and_roles(self):
        d = self.api("POST", "/api/v1/dossiers", good_dossier(service="send")).json()
        sub = d["items"][0]["tracking_number"]
        r = self.post_event(ev(sub, "deliver", receiver_name="A", relation="applicant",
                               id_number="064090005678"), status=409)
        self.assertEqual(r["error"]["code"], "illegal_transition")
        self.assertIn("ACCEPTED", r["error"]["message"])
        self.assertIn("dispatch", r["error"]["message"])
        self.assertEqual(r["results"][0]["status"], "refused")
        # Roles: a clerk cannot go out for delivery; an officer cannot dispatch.
        self.post_event(ev(sub, "out"), user="clerk", status=403)
        self.post_event(ev(sub, "dispatch"), user="officer", status=403)
        self.assertEqual(self.api("POST", "/api/v1/events", ev(sub, "dispatch"),
                                  user="supervisor").status, 403)
        # accept and handover have their own routes.
        r = self.post_event(ev(sub, "handover"), status=400)
        self.assertEqual(r["error"]["code"], "wrong_route")
        # Bad numbers and bodies.
        bad = sub[:10] + str((int(sub[10]) + 1) % 10) + "VN"
        r = self.post_event(ev(bad, "dispatch"), status=400)
        self.assertEqual(r["error"]["field"], "item")
        r = self.post_event(ev("DH000000005VN", "dispatch"), status=404)
        self.post_event(dict(ev(sub, "dispatch"), id="nope"), status=400)
        self.post_event(ev(sub, "teleport"), status=400)
        self.post_event(dict(ev(sub, "dispatch"), colour="red"), status=400)
        self.post_event(ev(sub, "dispatch", device_time="yesterday"), status=400)
        self.post_event(ev(sub, "dispatch", place="999999"), status=400)
        self.assertEqual(self.state(sub), "ACCEPTED")
        r = self.api("POST", "/api/v1/events", raw=b'{"events": [', user="courier")
        self.assertEqual(r.status, 400)
        self.assertEqual(self.api("POST", "/api/v1/events", {"events": []},
                                  user="courier").status, 400)
        big = {"events": [ev(sub, "dispatch") for _ in range(501)]}
        r = self.api("POST", "/api/v1/events", big, user="courier")
        self.assertEqual(r.status, 413, r.body)
        self.assertEqual(self.state(sub), "ACCEPTED")

    def test_batch_each_on_its_own(self):
        tns = []
        for _ in range(3):
            d = self.api("POST", "/api/v1/dossiers", good_dossier(service="send")).json()
            tns.append(d["items"][0]["tracking_number"])
        batch = [ev(tns[0], "dispatch"), ev(tns[1], "out"), ev(tns[2], "dispatch"),
                 ev(tns[0], "dispatch")]
        r = self.post_event({"events": batch})
        res = r["results"]
        self.assertEqual([x["status"] for x in res],
                         ["recorded", "refused", "recorded", "refused"])
        self.assertEqual(res[1]["error"]["code"], "illegal_transition")
        self.assertEqual(res[3]["error"]["code"], "illegal_transition")
        self.assertIn("IN_TRANSIT", res[3]["error"]["message"])
        self.assertEqual(self.state(tns[0]), "IN_TRANSIT")
        self.assertEqual(self.state(tns[1]), "ACCEPTED")
        self.assertEqual(self.state(tns[2]), "IN_TRANSIT")
        # Two couriers scanning the same item at once cannot both move it.
        same = [ev(tns[1], "dispatch"), ev(tns[1], "dispatch")]
        r = self.post_event({"events": same})
        self.assertEqual([x["status"] for x in r["results"]], ["recorded", "refused"])

    def test_batch_refuses_bad_shapes_one_by_one(self):
        """Each event's shape is read before the batch takes the database: an event refused
        for its shape is answered in its place, with its id and field, beside the others."""
        tns = []
        for _ in range(2):
            d = self.api("POST", "/api/v1/dossiers", good_dossier(service="send")).json()
            tns.append(d["items"][0]["tracking_number"])
        first = ev(tns[0], "dispatch")
        batch = [first,
                 dict(ev(tns[1], "dispatch"), id="nope"),
                 42,
                 dict(ev(tns[1], "dispatch"), colour="red"),
                 ev(tns[1], "teleport"),
                 ev(tns[1], "handover"),
                 dict(first),                       # the same event again: a retry
                 dict(first, type="out"),           # its id with another body
                 ev(tns[1], "dispatch")]
        res = self.post_event({"events": batch})["results"]
        self.assertEqual([x["status"] for x in res],
                         ["recorded", "refused", "refused", "refused", "refused", "refused",
                          "duplicate", "refused", "recorded"], res)
        codes = [x.get("error", {}).get("code") for x in res]
        self.assertEqual(codes, [None, "invalid_uuid", "wrong_type", "unknown_field",
                                 "unknown_event", "wrong_route", None, "duplicate_id", None],
                         res)
        self.assertEqual(res[1]["error"]["field"], "events[1].id")
        self.assertEqual(res[1]["id"], "nope")
        self.assertEqual(res[2]["error"]["field"], "events[2]")
        self.assertIsNone(res[2]["id"])
        self.assertEqual(res[4]["error"]["field"], "events[4].type")
        self.assertEqual(res[7]["error"]["field"], "events[7].id")
        self.assertEqual(res[6]["id"], first["id"])
        self.assertEqual(res[6]["state"], "IN_TRANSIT")
        self.assertEqual(res[8]["state"], "IN_TRANSIT")
        self.assertEqual(self.state(tns[0]), "IN_TRANSIT")
        self.assertEqual(self.state(tns[1]), "IN_TRANSIT")

    def test_partial_manifest_and_discrepancies(self):
        tns = []
        for _ in range(3):
            d = self.api("POST", "/api/v1/dossiers", good_dossier(service="send")).json()
            tns.append(d["items"][0]["tracking_number"])
        m = self.api("POST", "/api/v1/manifests", {"agency_code": "000.00.12.H21",
                                                   "items": tns}, user="clerk").json()
        self.assertEqual(m["state"], "open")
        # An item cannot be on two open manifests.
        r = self.api("POST", "/api/v1/manifests", {"agency_code": "000.00.12.H21",
                                                   "items": [tns[0]]}, user="courier")
        self.assertEqual(r.status, 409, r.body)
        self.assertEqual(r.json()["error"]["field"], "items[0]")
        url = "/api/v1/manifests/%d/confirm" % m["id"]
        r = self.api("POST", url, {"received": [tns[0]], "fees_received_vnd": 200000},
                     user="officer")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "unaccounted")
        r = self.api("POST", url, {"received": [tns[0]],
                                   "missing": [{"item": tns[1], "reason": "missing"},
                                               {"item": tns[2], "reason": "damaged",
                                                "note": "Bì thư bị rách"}],
                                   "fees_received_vnd": 200000}, user="officer")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["state"], "partial")
        self.assertEqual(self.state(tns[0]), "AT_AGENCY")
        self.assertEqual(self.state(tns[1]), "IN_TRANSIT")
        disc = self.api("GET", "/api/v1/discrepancies", user="supervisor").json()
        found = {x["tracking_number"]: x["status"] for x in disc["discrepancies"]}
        self.assertEqual(found.get(tns[1]), "missing")
        self.assertEqual(found.get(tns[2]), "damaged")
        unpaid = self.api("GET", "/api/v1/fees/unpaid", user="supervisor").json()
        ids = [x["dossier_id"] for x in unpaid["dossiers"]]
        d0 = self.api("GET", "/api/v1/items/" + tns[0]).json()["dossier_id"]
        d1 = self.api("GET", "/api/v1/items/" + tns[1]).json()["dossier_id"]
        self.assertNotIn(d0, ids)
        self.assertIn(d1, ids)
        # The missing one can go on a new manifest.
        r = self.api("POST", "/api/v1/manifests", {"agency_code": "000.00.12.H21",
                                                   "items": [tns[1]]}, user="courier")
        self.assertEqual(r.status, 201, r.body)
        lst = self.api("GET", "/api/v1/manifests?state=partial", user="officer").json()
        self.assertIn(m["id"], [x["id"] for x in lst["manifests"]])
        listed = [x for x in lst["manifests"] if x["id"] == m["id"]][0]
        self.assertEqual(listed["count"], len(m["items"]), "the list counts the lines")
        self.assertNotIn("items", listed)

    def test_reject_returns_to_applicant(self):
        d = self.api("POST", "/api/v1/dossiers", good_dossier(service="send")).json()
        sub = d["items"][0]["tracking_number"]
        m = self.api("POST", "/api/v1/manifests", {"agency_code": "000.00.12.H21",
                                                   "items": [sub]}, user="courier").json()
        self.api("POST", "/api/v1/manifests/%d/confirm" % m["id"],
                 {"received": "all", "fees_received_vnd": 200000}, user="officer")
        r = self.post_event(ev(sub, "agency_reject"), user="officer", status=400)
        self.assertEqual(r["error"]["field"], "reason")
        r = self.post_event(ev(sub, "agency_reject", reason="Thiếu tờ khai có chữ ký"),
                            user="officer")
        self.assertEqual(r["results"][0]["state"], "RETURNED_INCOMPLETE")
        r = self.api("POST", "/api/v1/dossiers/%d/result" % d["id"], {}, user="officer")
        self.assertEqual(r.status, 200, r.body)
        res = r.json()["result_tracking_number"]
        self.assertTrue(res.startswith("DK"))
        self.assertEqual(self.state(res), "AWAITING_RESULT")

    def result_out(self):
        """A result item out for delivery."""
        d = self.api("POST", "/api/v1/dossiers", good_dossier(
            service="return", documents=[], portal_code="000.00.12.H21-261127-0042")).json()
        res = d["items"][0]["tracking_number"]
        self.assertEqual(self.api("POST", "/api/v1/dossiers/%d/result" % d["id"],
                                  {"fee_due_vnd": 50000}, user="officer").status, 200)
        for e in (ev(res, "collect"), ev(res, "arrive"), ev(res, "out")):
            self.post_event(e)
        return res

    def test_two_invitations_then_hold_and_return(self):
        res = self.result_out()
        self.post_event(ev(res, "attempt", reason="moved"))
        self.post_event(ev(res, "out", requested_by_applicant=True))
        self.post_event(ev(res, "attempt", reason="nobody_home"))
        r = self.post_event(ev(res, "out", requested_by_applicant=True), status=409)
        self.assertEqual(r["error"]["code"], "attempts_exhausted")
        self.post_event(ev(res, "hold"), user="courier", status=403)
        r = self.post_event(ev(res, "hold"), user="clerk")
        self.assertEqual(r["results"][0]["state"], "HELD")
        prog = self.api("GET", "/api/v1/items/" + res).json()["progress"]
        self.assertTrue(prog["hold_until"] > datetime.date.today().isoformat())
        r = self.post_event(ev(res, "return"), status=409)
        self.assertEqual(r["error"]["code"], "too_early")
        # Collected at the counter: the agency fee still owed must be paid.
        r = self.post_event(ev(res, "deliver", receiver_name="Nguyễn Văn Anh",
                               relation="applicant", id_number="064090001234"),
                            user="clerk", status=400)
        self.assertEqual(r["error"]["code"], "fee_mismatch")
        r = self.post_event(ev(res, "deliver", receiver_name="Nguyễn Văn Anh",
                               relation="applicant", id_number="064090001234",
                               fee_collected_vnd=50000), user="clerk")
        self.assertEqual(r["results"][0]["state"], "DELIVERED")
        portal = [p for k, t, p in self.outbox() if k == "portal"]
        self.assertTrue(any('"status":10' in p for p in portal), portal)

    def test_due_lists(self):
        r = self.api("GET", "/api/v1/items?due=soon", user="supervisor")
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("items", r.json())
        d = self.api("POST", "/api/v1/dossiers", good_dossier(service="send")).json()
        tn = d["items"][0]["tracking_number"]
        soon = self.api("GET", "/api/v1/items?due=soon&office=600000",
                        user="supervisor").json()["items"]
        self.assertIn(tn, [x["tracking_number"] for x in soon])
        line = [x for x in soon if x["tracking_number"] == tn][0]
        self.assertEqual((line["dossier_id"], line["role"]), (d["id"], "submission"))
        self.assertEqual(self.api("GET", "/api/v1/items?due=later",
                                  user="supervisor").status, 400)
        self.assertEqual(self.api("GET", "/api/v1/items?due=soon",
                                  user="courier").status, 403)

    def test_pickup(self):
        r = self.api("POST", "/api/v1/pickups", {
            "applicant": {"name": "Trần Thị Mai", "phone": "0912345678"},
            "address": "45 Lê Lợi, Pleiku", "procedure_code": "2.000488",
            "window_from": "2026-11-30T08:00", "window_to": "2026-11-30T10:00"}, user="clerk")
        self.assertEqual(r.status, 201, r.body)
        p = r.json()
        self.assertEqual(p["state"], "requested")
        bad = self.api("POST", "/api/v1/pickups", {
            "applicant": {"name": "X", "phone": "0912345678"}, "address": "Y",
            "procedure_code": "2.000488", "window_from": "2026-11-30T10:00",
            "window_to": "2026-11-30T08:00"}, user="clerk")
        self.assertEqual(bad.status, 400)
        self.assertEqual(bad.json()["error"]["field"], "window_to")
        url = "/api/v1/pickups/%d" % p["id"]
        self.assertEqual(self.api("POST", url + "/accept", good_dossier(),
                                  user="courier").status, 403)
        r = self.api("POST", url + "/assign", {"courier": "courier"}, user="clerk")
        self.assertEqual(r.status, 200, r.body)
        mine = self.api("GET", "/api/v1/pickups", user="courier").json()["pickups"]
        self.assertIn(p["id"], [x["id"] for x in mine])
        r = self.api("POST", url + "/accept", good_dossier(service="send"), user="courier")
        self.assertEqual(r.status, 201, r.body)
        tn = r.json()["items"][0]["tracking_number"]
        tl = self.api("GET", "/api/v1/items/%s/events" % tn).json()["events"]
        self.assertEqual(tl[0]["type"], "pickup")
        self.assertEqual(self.api("POST", url + "/fail", {"reason": "x"},
                                  user="courier").status, 409)


if __name__ == "__main__":
    main()
