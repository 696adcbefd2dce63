"""Every error code the C sources can send has a Vietnamese sentence in dispatch/www/errors.js,
and no sentence is left for a code that is no longer raised: the staff pages show refusals by
code (Desk.errorText), so a new code without a text would reach a clerk in English.

No daemon here: tools/error_codes.py reads the C sources; errors.js is read as text."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from harness import SRC, main

TOOL = os.path.join(SRC, "tools", "error_codes.py")
ERRORS_JS = os.path.join(SRC, "dispatch", "www", "errors.js")
JS_STRING = r'"(?:[^"\\]|\\.)*"'


def js_object(text, name):
    """The lines of the object literal `window.NAME = { ... };`, comments and blanks dropped."""
    m = re.search(r"^window\." + name + r" = \{\n(.*?)^\};", text, re.S | re.M)
    if not m:
        raise AssertionError("errors.js has no window.%s = {...};" % name)
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return [ln.strip() for ln in body.splitlines() if ln.strip()]


def error_entries():
    """[(code, vietnamese, english)] of window.DeskErrors, in file order."""
    with open(ERRORS_JS, encoding="utf-8") as f:
        lines = js_object(f.read(), "DeskErrors")
    entry = re.compile(r"^([a-z][a-z0-9_]*): \[(" + JS_STRING + r"), (" + JS_STRING + r")\],?$")
    out = []
    for ln in lines:
        m = entry.match(ln)
        if not m:
            raise AssertionError("errors.js: not a `code: [\"vi\", \"en\"],` line: " + ln)
        out.append((m.group(1), json.loads(m.group(2)), json.loads(m.group(3))))
    return out


def field_names():
    with open(ERRORS_JS, encoding="utf-8") as f:
        lines = js_object(f.read(), "DeskFieldNames")
    return dict((json.loads(k), json.loads(v)) for k, v in
                (re.match(r"^(" + JS_STRING + "): (" + JS_STRING + r"),?$", ln).groups()
                 for ln in lines))


def run_tool(root=SRC):
    return subprocess.run([sys.executable, TOOL, "--root", root, "--json"],
                          capture_output=True, text=True, timeout=60)


class ErrorCodes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = run_tool()
        cls.tool_stderr = r.stderr
        cls.tool_rc = r.returncode
        cls.codes = json.loads(r.stdout) if r.stdout else {}
        cls.entries = error_entries()

    def test_tool_reads_every_call(self):
        # rc 2: a code expression the script cannot read, which could hide a code.
        self.assertEqual(self.tool_rc, 0, self.tool_stderr)
        self.assertGreater(len(self.codes), 100)
        for code, where in [("illegal_transition", "tracking/machine.c"),
                            ("original_required", "tracking/dossier.c"),
                            ("csrf", "dispatch/http.c"),
                            ("rate_limited", "dispatch/security.c"),   # reply_429 helper
                            ("internal", "dispatch/http.c"),           # a NULL code
                            ("db_full", "db/db.c"),                    # via a variable
                            ("listed_twice", "tracking/confirm.c")]:   # via ?:
            self.assertIn(where, self.codes.get(code, []), code)

    def test_every_code_has_a_text(self):
        have = {c for c, _vi, _en in self.entries}
        missing = sorted(set(self.codes) - have)
        self.assertEqual(missing, [], "codes raised in C without a text in errors.js (add them): " +
                         ", ".join("%s (%s)" % (c, " ".join(self.codes[c])) for c in missing))

    def test_no_stale_text(self):
        stale = sorted({c for c, _vi, _en in self.entries} - set(self.codes))
        self.assertEqual(stale, [], "texts in errors.js for codes no longer raised (remove them)")

    def test_each_code_once(self):
        seen = [c for c, _vi, _en in self.entries]
        self.assertEqual(sorted(c for c in set(seen) if seen.count(c) > 1), [])

    def test_texts_are_short_sentences_in_both_languages(self):
        viet = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u0300-\u036f\u1ea0-\u1ef9àáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]")
        for code, vi, en in self.entries:
            with self.subTest(code=code):
                self.assertTrue(vi and en and vi != en)
                self.assertRegex(vi, viet, "the Vietnamese needs its diacritics")
                self.assertNotRegex(en, viet)
                self.assertEqual(vi, vi.strip())
                self.assertFalse(vi.endswith(".") or en.endswith("."),
                                 "no full stop: the server's detail follows in parentheses")
                self.assertTrue(vi[0].isupper() and en[0].isupper())
                self.assertLessEqual(len(vi), 100)
                self.assertLessEqual(len(en), 100)
                self.assertNotIn("<", vi + en)

    def test_common_fields_are_named(self):
        names = field_names()
        for f in ["applicant.phone", "documents", "receipt_number", "appointment_date",
                  "fees_received_vnd", "password", "username", "url", "secret", "X-CSRF-Token",
                  "tracking_number", "procedure_code", "applicant.id_number"]:
            self.assertIn(f, names)
        self.assertEqual(names["applicant.phone"], "Số điện thoại người nộp")
        self.assertEqual(names["documents"], "Giấy tờ")

    def test_every_page_loads_errors_before_desk(self):
        d = os.path.join(SRC, "dispatch", "www", "desk")
        for name in sorted(os.listdir(d)):
            if not name.endswith(".html"):
                continue
            with open(os.path.join(d, name), encoding="utf-8") as f:
                html = f.read()
            with self.subTest(page=name):
                e = html.find('<script src="/static/errors.js" defer></script>')
                self.assertGreaterEqual(e, 0, "errors.js is not loaded")
                self.assertLess(e, html.find('<script src="/static/desk.js"'))

    def test_tool_finds_a_new_code(self):
        # A code added in C is listed, whatever form the call takes; an unreadable one fails.
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "tracking"))
            with open(os.path.join(root, "tracking", "new.c"), "w", encoding="utf-8") as f:
                f.write('/* hoso_err_set(err, HOSO_INVALID, "in_a_comment", NULL, "x"); */\n'
                        'hoso_status f(hoso_err *err, int k)\n{\n'
                        '\tif (k)\n\t\treturn hoso_err_set(err, HOSO_CONFLICT,\n'
                        '\t\t                    "brand_new", "documents[0]", "a, b (%d)", k);\n'
                        '\treturn hoso_err_set(err, HOSO_INVALID, k > 1 ? "one" : "two", NULL,\n'
                        '\t                    "x");\n}\n'
                        'void g(http_req *req, int k) { if (k) return; else http_reply_fail(req,'
                        ' HOSO_NOT_FOUND, NULL, NULL, "gone"); }\n')
            r = run_tool(root)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout), {c: ["tracking/new.c"] for c in
                                                    ["brand_new", "not_found", "one", "two"]})
            with open(os.path.join(root, "tracking", "new.c"), "a", encoding="utf-8") as f:
                f.write('void h(hoso_err *err) { hoso_err_set(err, HOSO_INVALID, pick(), NULL,'
                        ' "x"); }\n')
            r = run_tool(root)
            self.assertEqual(r.returncode, 2)
            self.assertIn("pick()", r.stderr)


if __name__ == "__main__":
    main()
