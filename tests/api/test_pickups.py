"""Home pickups at the counter: the list of couriers a clerk chooses from
(GET /api/v1/couriers), and requests retried with their client_id. Role refusals of the
routes are in test_roles.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DaemonTest, main  # noqa: E402

PW = "Kiem-thu-buu-ta-2026"


class Couriers(DaemonTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        me = cls.daemon.request("GET", "/api/v1/me", token=cls.tokens["clerk"]).json()
        cls.office = me["user"]["office_code"]
        cls.other_office = "603000" if cls.office != "603000" else "601000"

        def add(username, office, full_name):
            r = cls.daemon.request("POST", "/api/v1/users", {
                "username": username, "password": PW, "role": "courier",
                "full_name": full_name, "office_code": office}, token=cls.tokens["admin"])
            assert r.status == 201, r.body
            return r.json()["user"]
        add("bt.an", cls.office, "Phạm Văn Ân")
        add("bt.khe", cls.other_office, "Lê Thị Khê")
        gone = add("bt.nghi", cls.office, "Đỗ Văn Nghỉ")
        r = cls.daemon.request("POST", "/api/v1/users/%d" % gone["id"], {"active": False},
                               token=cls.tokens["admin"])
        assert r.status == 200, r.body

    def couriers(self, user):
        r = self.api("GET", "/api/v1/couriers", user=user)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(set(r.json()), {"couriers"})
        return r.json()["couriers"]

    def test_clerk_sees_active_couriers_of_own_office(self):
        got = self.couriers("clerk")
        names = [c["username"] for c in got]
        self.assertIn("courier", names)
        self.assertIn("bt.an", names)
        self.assertNotIn("bt.khe", names, "another office's courier")
        self.assertNotIn("bt.nghi", names, "a deactivated courier")
        self.assertNotIn("clerk", names)
        for c in got:
            self.assertEqual(set(c), {"username", "full_name", "office_code"})
            self.assertEqual(c["office_code"], self.office)
        an = next(c for c in got if c["username"] == "bt.an")
        self.assertEqual(an["full_name"], "Phạm Văn Ân")
        # every courier listed can be given a pickup
        r = self.api("POST", "/api/v1/pickups", {
            "applicant": {"name": "Trần Thị Mai", "phone": "0912345678"},
            "address": "45 Lê Lợi, Pleiku", "procedure_code": "2.000488",
            "window_from": "2026-11-30T08:00", "window_to": "2026-11-30T10:00",
            "courier": "bt.an"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["courier"], "bt.an")
        # and a deactivated one cannot be, on a new pickup or by assigning an old one
        r = self.api("POST", "/api/v1/pickups", {
            "applicant": {"name": "Trần Thị Mai", "phone": "0912345678"},
            "address": "45 Lê Lợi, Pleiku", "procedure_code": "2.000488",
            "window_from": "2026-11-30T08:00", "window_to": "2026-11-30T10:00",
            "courier": "bt.nghi"})
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual((r.json()["error"]["code"], r.json()["error"]["field"]),
                         ("inactive_courier", "courier"))
        pid = self.api("POST", "/api/v1/pickups", {
            "applicant": {"name": "Trần Thị Mai", "phone": "0912345678"},
            "address": "45 Lê Lợi, Pleiku", "procedure_code": "2.000488",
            "window_from": "2026-11-30T08:00", "window_to": "2026-11-30T10:00"}).json()["id"]
        r = self.api("POST", "/api/v1/pickups/%d/assign" % pid, {"courier": "bt.nghi"})
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json()["error"]["code"], "inactive_courier")

    def test_supervisor_and_admin_see_every_office(self):
        for user in ("supervisor", "admin"):
            names = [c["username"] for c in self.couriers(user)]
            self.assertIn("bt.khe", names, user)
            self.assertIn("bt.an", names, user)
            self.assertNotIn("bt.nghi", names, user)

    def test_refusals(self):
        for user in ("courier", "officer"):
            r = self.api("GET", "/api/v1/couriers", user=user)
            self.assertEqual(r.status, 403, (user, r.body))
            self.assertEqual(r.json()["error"]["code"], "forbidden_role")
        self.assertEqual(self.api("GET", "/api/v1/couriers", user=None).status, 401)
        self.assertEqual(self.api("POST", "/api/v1/couriers", {}).status, 405)

    def test_retried_request_is_one_pickup(self):
        body = {"applicant": {"name": "Võ Thị Hạnh", "phone": "0912 345 678"},
                "address": "8 Hùng Vương, Pleiku", "procedure_code": "2.000488",
                "window_from": "2026-12-01T08:00", "window_to": "2026-12-01T10:00",
                "client_id": "3b2f6c1e-9a7d-4e21-8c5b-7f0a1d2e3c4b"}
        before = len(self.api("GET", "/api/v1/pickups").json()["pickups"])
        r1 = self.api("POST", "/api/v1/pickups", body)
        self.assertEqual(r1.status, 201, r1.body)
        # the answer was lost; the clerk's page sends the same request again
        r2 = self.api("POST", "/api/v1/pickups", body)
        self.assertEqual(r2.status, 200, r2.body)
        self.assertEqual(r2.json(), r1.json())
        self.assertEqual(len(self.api("GET", "/api/v1/pickups").json()["pickups"]), before + 1)
        # the same id for another request is refused, and writes nothing
        other = dict(body, address="9 Hùng Vương, Pleiku")
        r3 = self.api("POST", "/api/v1/pickups", other)
        self.assertEqual(r3.status, 409, r3.body)
        self.assertEqual((r3.json()["error"]["code"], r3.json()["error"]["field"]),
                         ("duplicate_id", "client_id"))
        self.assertEqual(len(self.api("GET", "/api/v1/pickups").json()["pickups"]), before + 1)
        # a fresh id is a new pickup; no id at all is always new
        r4 = self.api("POST", "/api/v1/pickups",
                      dict(body, client_id="0c9e5b1a-2f3d-4e6a-8b7c-1d2e3f4a5b6c"))
        self.assertEqual(r4.status, 201, r4.body)
        nokey = {k: v for k, v in body.items() if k != "client_id"}
        self.assertEqual(self.api("POST", "/api/v1/pickups", nokey).status, 201)
        self.assertEqual(self.api("POST", "/api/v1/pickups", nokey).status, 201)

    def test_bad_client_id(self):
        body = {"applicant": {"name": "Võ Thị Hạnh", "phone": "0912345678"},
                "address": "8 Hùng Vương, Pleiku", "procedure_code": "2.000488",
                "window_from": "2026-12-01T08:00", "window_to": "2026-12-01T10:00"}
        for bad in ("not-a-uuid", "3b2f6c1e9a7d4e218c5b7f0a1d2e3c4b", 42, "3b2f6c1e-9a7d-4e21-"
                    "8c5b-7f0a1d2e3c4b-extra-characters"):
            r = self.api("POST", "/api/v1/pickups", dict(body, client_id=bad))
            self.assertEqual(r.status, 400, (bad, r.body))
            self.assertEqual(r.json()["error"]["field"], "client_id", bad)


if __name__ == "__main__":
    main()
