"""The staff pages' gate and the cookie session's CSRF check, over plain HTTP against a real
daemon (the pages themselves are driven in Chromium by tests/browser/)."""
import http.client
import json
import os
import re
import urllib.parse

from harness import DEMO, SRC, DaemonTest, main

PAGES = {"login": None, "home": "all", "counter": "clerk", "courier": "courier",
         "agency": "agency", "supervisor": "supervisor", "admin": "admin"}
USER_OF_ROLE = {"clerk": "clerk", "courier": "courier", "agency": "officer",
                "supervisor": "supervisor", "admin": "admin"}


class Desk(DaemonTest):
    def raw(self, method, path, body=None, headers=None):
        """One request without following redirects: (status, headers, body bytes)."""
        u = urllib.parse.urlsplit(self.daemon.base)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            heads = {}
            for k, v in r.getheaders():  # a repeated header is one list, as HTTP reads it
                heads[k.lower()] = heads[k.lower()] + ", " + v if k.lower() in heads else v
            return r.status, heads, r.read()
        finally:
            c.close()

    def cookie_login(self, user):
        st, h, body = self.raw("POST", "/api/v1/login",
                               json.dumps({"username": user, "password": DEMO[user]}),
                               {"Content-Type": "application/json"})
        self.assertEqual(st, 200, body)
        cookie = h["set-cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertNotIn("Secure", cookie, "plain HTTP here: Secure only with secure_cookies")
        sess = re.match(r"hoso_session=([0-9a-f]+);", cookie).group(1)
        return sess, json.loads(body)["csrf"]

    def test_every_page_file_exists_and_has_no_inline_script(self):
        for name in PAGES:
            path = os.path.join(SRC, "dispatch", "www", "desk", name + ".html")
            with open(path, encoding="utf-8") as f:
                html = f.read()
            for m in re.finditer(r"<script([^>]*)>(.*?)</script>", html, re.S):
                self.assertIn("src=", m.group(1), "%s: inline script" % name)
                self.assertEqual(m.group(2).strip(), "", "%s: inline script" % name)
            self.assertNotRegex(html, r"\son[a-z]+=", "%s: inline event handler" % name)
            self.assertIn('lang="vi"', html)

    def test_pages_by_role(self):
        st, h, _ = self.raw("GET", "/desk")
        self.assertEqual((st, h["location"]), (303, "/desk/home"))
        st, h, body = self.raw("GET", "/desk/login")
        self.assertEqual(st, 200)
        self.assertIn("script-src 'self'", h["content-security-policy"])
        self.assertNotIn("unsafe-inline", h["content-security-policy"])
        self.assertIn("Đăng nhập".encode(), body)
        for name, role in PAGES.items():
            if role is None:
                continue
            st, h, _ = self.raw("GET", "/desk/" + name)
            self.assertEqual(st, 303, name)
            self.assertEqual(h["location"], "/desk/login?next=" + name)
        for role, user in USER_OF_ROLE.items():
            sess, _ = self.cookie_login(user)
            for name, allowed in PAGES.items():
                with self.subTest(role=role, page=name):
                    st, h, body = self.raw("GET", "/desk/" + name,
                                           headers={"Cookie": "hoso_session=" + sess})
                    if allowed is None or allowed == "all" or allowed == role:
                        self.assertEqual(st, 200, body[:200])
                        self.assertIn("no-store", h["cache-control"])
                    else:
                        self.assertEqual(st, 403)
                        self.assertIn(("<b>%s</b>" % role).encode(), body)
        # a bearer token in a header is not how a browser asks for a page, but it works
        tok = self.daemon.login("clerk")
        st, _, _ = self.raw("GET", "/desk/counter", headers={"Authorization": "Bearer " + tok})
        self.assertEqual(st, 200)

    def test_unknown_and_hostile_page_names(self):
        sess, _ = self.cookie_login("admin")
        for name in ("nope", "..%2Fadmin", "admin.html", "%2e%2e", "ADMIN", "a" * 300):
            st, _, _ = self.raw("GET", "/desk/" + name, headers={"Cookie": "hoso_session=" + sess})
            self.assertEqual(st, 404, name)
        st, _, _ = self.raw("GET", "/static/..%2Fdesk%2Fadmin.html")
        self.assertEqual(st, 404)
        st, _, _ = self.raw("GET", "/static/admin.html")
        self.assertEqual(st, 404, "HTML is served only through the role gate")

    def test_static_revalidation(self):
        st, h, body = self.raw("GET", "/static/desk.js")
        self.assertEqual(st, 200)
        self.assertIn("text/javascript", h["content-type"])
        self.assertEqual(h["cache-control"], "no-cache", "revalidated, not no-store")
        self.assertEqual(h["x-content-type-options"], "nosniff")
        st2, _, body2 = self.raw("GET", "/static/desk.js", headers={"If-None-Match": h["etag"]})
        self.assertEqual((st2, body2), (304, b""))
        st3, _, body3 = self.raw("GET", "/static/desk.js", headers={"If-None-Match": '"x"'})
        self.assertEqual((st3, body3), (200, body))

    def test_courier_service_worker(self):
        # courier-sw.js lives under /static/ but controls /desk/courier: the browser accepts
        # that scope only with this header; a worker script must be JavaScript.
        st, h, body = self.raw("GET", "/static/courier-sw.js")
        self.assertEqual(st, 200)
        self.assertIn("text/javascript", h["content-type"])
        self.assertEqual(h["service-worker-allowed"], "/desk/courier")
        self.assertEqual(h["cache-control"], "no-cache", "a new worker is seen at once")
        self.assertIn(b'"/api/"', body, "the worker leaves /api/ answers to the network")
        st, h304, _ = self.raw("GET", "/static/courier-sw.js", headers={"If-None-Match": h["etag"]})
        self.assertEqual((st, h304.get("service-worker-allowed")), (304, "/desk/courier"))
        # no other file may widen its scope
        for name in ("desk.js", "courier.js", "courier-offline.js"):
            st, h, _ = self.raw("GET", "/static/" + name)
            self.assertEqual(st, 200, name)
            self.assertNotIn("service-worker-allowed", h, name)
        # the courier page loads the offline start-up before courier.js uses it
        with open(os.path.join(SRC, "dispatch", "www", "desk", "courier.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertLess(html.index("/static/courier-offline.js"), html.index("/static/courier.js"))

    def test_static_gzip(self):
        import gzip
        with open(os.path.join(SRC, "dispatch", "www", "desk.js"), "rb") as f:
            plain = f.read()
        st, h, body = self.raw("GET", "/static/desk.js", headers={"Accept-Encoding": "gzip, br"})
        self.assertEqual((st, h.get("content-encoding")), (200, "gzip"))
        self.assertIn("Accept-Encoding", h["vary"])
        self.assertEqual(gzip.decompress(body), plain)
        self.assertLess(len(body), len(plain) // 2)
        gz_tag = h["etag"]
        st, h, body = self.raw("GET", "/static/desk.js")
        self.assertEqual((st, h.get("content-encoding"), body), (200, None, plain))
        self.assertNotEqual(h["etag"], gz_tag, "each encoding has its own tag")
        plain_tag = h["etag"]
        # a 304 only for the representation the tag names
        st, _, _ = self.raw("GET", "/static/desk.js",
                            headers={"Accept-Encoding": "gzip", "If-None-Match": gz_tag})
        self.assertEqual(st, 304)
        st, _, body = self.raw("GET", "/static/desk.js", headers={"If-None-Match": gz_tag})
        self.assertEqual((st, body), (200, plain))
        st, _, _ = self.raw("GET", "/static/desk.js", headers={"If-None-Match": plain_tag})
        self.assertEqual(st, 304)
        # refused (q=0), not offered, or a tiny file: the plain bytes
        for ae in ("gzip;q=0", "identity", "deflate", "xgzip"):
            st, h, body = self.raw("GET", "/static/desk.js", headers={"Accept-Encoding": ae})
            self.assertEqual((st, h.get("content-encoding"), body), (200, None, plain), ae)
        st, h, _ = self.raw("GET", "/static/favicon.svg", headers={"Accept-Encoding": "gzip"})
        self.assertEqual((st, h.get("content-encoding")), (200, None))

    def test_csrf_on_cookie_writes(self):
        sess, csrf = self.cookie_login("clerk")
        cookie = {"Cookie": "hoso_session=" + sess, "Content-Type": "application/json"}
        body = json.dumps({"events": []})
        # the cookie alone cannot write: a cross-site form could send it
        st, _, resp = self.raw("POST", "/api/v1/events", body, cookie)
        self.assertEqual(st, 403)
        err = json.loads(resp)["error"]
        self.assertEqual((err["code"], err["field"]), ("csrf", "X-CSRF-Token"))
        for bad in ("0" * 32, csrf[:-1], csrf + "0", "", csrf.upper()):
            st, _, _ = self.raw("POST", "/api/v1/events", body,
                                dict(cookie, **{"X-CSRF-Token": bad}))
            self.assertEqual(st, 403, bad)
        # another session's token does not fit this one
        _, other = self.cookie_login("clerk")
        st, _, _ = self.raw("POST", "/api/v1/events", body, dict(cookie, **{"X-CSRF-Token": other}))
        self.assertEqual(st, 403)
        st, _, resp = self.raw("POST", "/api/v1/events", body, dict(cookie, **{"X-CSRF-Token": csrf}))
        self.assertNotEqual(st, 403, resp)
        # reads need no token; /me hands it to a page that was reloaded
        st, _, resp = self.raw("GET", "/api/v1/me", headers=cookie)
        self.assertEqual((st, json.loads(resp)["csrf"]), (200, csrf))
        # a bearer token in a header is not sent by a browser on its own: no CSRF token needed
        tok = self.daemon.login("clerk")
        st, _, resp = self.raw("POST", "/api/v1/events", body,
                               {"Authorization": "Bearer " + tok,
                                "Content-Type": "application/json"})
        self.assertNotEqual(st, 403, resp)
        # logout with the cookie needs it too, then the session is gone
        st, _, _ = self.raw("POST", "/api/v1/logout", "{}", cookie)
        self.assertEqual(st, 403)
        st, _, _ = self.raw("POST", "/api/v1/logout", "{}", dict(cookie, **{"X-CSRF-Token": csrf}))
        self.assertEqual(st, 200)
        st, _, _ = self.raw("GET", "/api/v1/me", headers=cookie)
        self.assertEqual(st, 401)


if __name__ == "__main__":
    main()
