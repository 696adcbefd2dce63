"""Test harness: starts a real hoso daemon on 127.0.0.1 with port 0 and a fresh SQLite file,
and talks to it over HTTP. Nothing here is mocked."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HOSO = os.environ.get("HOSO_BIN", "hoso")
SRC = os.environ.get("HOSO_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

DEMO = {
    "clerk": "demo-clerk-2026",
    "courier": "demo-courier-2026",
    "officer": "demo-officer-2026",
    "supervisor": "demo-supervisor-2026",
    "admin": "demo-admin-2026",
}

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check(serial8):
    s = 11 - sum(int(d) * w for d, w in zip(serial8, S10_WEIGHTS)) % 11
    return 0 if s == 10 else 5 if s == 11 else s


def s10_valid(tn):
    m = re.fullmatch(r"[A-Z]{2}(\d{8})(\d)[A-Z]{2}", tn)
    return bool(m) and s10_check(m.group(1)) == int(m.group(2))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class Daemon:
    """One hoso daemon process with its own temporary database."""

    def __init__(self, demo=True, extra_args=(), db_path=None, workdir=None):
        self.workdir = workdir or tempfile.mkdtemp(prefix="hoso-test-")
        self.db_path = db_path or os.path.join(self.workdir, "hoso.db")
        self.extra_args = list(extra_args)
        self.demo = demo
        self.proc = None
        self.base = None
        self.stderr_path = os.path.join(self.workdir, "daemon.log")

    def start(self, timeout=20):
        args = [HOSO, "serve", "--db", self.db_path, "--listen", "127.0.0.1:0"]
        if self.demo:
            args.append("--demo")
        args += self.extra_args
        self.stderr_file = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr_file)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode("utf-8", "replace")
            if not line:
                break
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                self.base = m.group(1)
                return self
        raise RuntimeError("daemon did not start: " + self.log())

    def log(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if not self.proc:
            return None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.stderr_file.close()
        self.proc = None
        return rc

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def request(self, method, path, body=None, token=None, raw=None, headers=None,
                timeout=30):
        data = raw if raw is not None else (
            json.dumps(body).encode("utf-8") if body is not None else None)
        h = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Response(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read())

    def login(self, username, password=None):
        r = self.request("POST", "/api/v1/login",
                         {"username": username, "password": password or DEMO[username]})
        if r.status != 200:
            raise RuntimeError("login %s: %s %s" % (username, r.status, r.body))
        return r.json()["token"]


def run_hoso(*args, stdin=None, timeout=60):
    """Runs the hoso binary; returns (exit status, stdout, stderr) as text."""
    p = subprocess.run([HOSO] + list(args), input=stdin.encode() if stdin else None,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def tool(*args, data=None, timeout=60):
    p = subprocess.run(list(args), input=data, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def pdf_text(pdf_bytes, workdir):
    path = os.path.join(workdir, "doc-%d.pdf" % time.monotonic_ns())
    with open(path, "wb") as f:
        f.write(pdf_bytes)
    rc, out, err = tool("pdftotext", "-layout", "-enc", "UTF-8", path, "-")
    if rc != 0:
        raise AssertionError("pdftotext failed: " + err)
    return out


def qpdf_check(pdf_bytes, workdir):
    path = os.path.join(workdir, "check-%d.pdf" % time.monotonic_ns())
    with open(path, "wb") as f:
        f.write(pdf_bytes)
    rc, out, err = tool("qpdf", "--check", path)
    return rc, out + err


def decode_codes(pdf_bytes, workdir, dpi):
    """Renders every page at dpi and returns the set of (symbology, data) zbarimg reads."""
    d = tempfile.mkdtemp(dir=workdir)
    path = os.path.join(d, "doc.pdf")
    with open(path, "wb") as f:
        f.write(pdf_bytes)
    rc, out, err = tool("pdftoppm", "-r", str(dpi), "-gray", "-png", path, os.path.join(d, "p"))
    if rc != 0:
        raise AssertionError("pdftoppm failed: " + err)
    found = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".png"):
            continue
        rc, out, err = tool("zbarimg", "-q", os.path.join(d, name))
        for line in out.splitlines():
            sym, _, data = line.partition(":")
            found.append((sym, data))
    return found


class DaemonTest(unittest.TestCase):
    """A test class sharing one demo daemon across its tests."""

    daemon = None

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon().start()
        cls.tokens = {u: cls.daemon.login(u) for u in DEMO}

    @classmethod
    def tearDownClass(cls):
        rc = cls.daemon.stop()
        log = cls.daemon.log()
        cls.daemon.cleanup()
        if rc != 0:
            raise AssertionError("daemon exited with %s on SIGTERM:\n%s" % (rc, log))

    def api(self, method, path, body=None, user="clerk", **kw):
        return self.daemon.request(method, path, body, token=self.tokens.get(user) if user else None,
                                   **kw)


def good_dossier(**over):
    """A complete, valid acceptance request for the judicial-record procedure."""
    d = {
        "procedure_code": "2.000488",
        "service": "both",
        "applicant": {
            "kind": "person",
            "name": "Nguyễn Văn Anh",
            "phone": "0905 123 456",
            "id_number": "064090001234",
            "address": "12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku",
        },
        "documents": [
            {"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc "
                     "Mẫu số 04/2024/LLTP)", "form": "original"},
            {"name": "Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được "
                     "cấp Phiếu", "form": "copy"},
        ],
        "postage_vnd": 28000,
        "fee_vnd": 200000,
        "notes": "Hồ sơ gửi qua bưu điện",
    }
    d.update(over)
    return d


def summary(result):
    """Prints the closing line CI reads: 'N passed, N failed'."""
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 0 if failed == 0 and passed > 0 else 1


def main():
    import sys
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules["__main__"])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(summary(result))
