"""Test harness: starts a real hoso daemon on 127.0.0.1 with port 0 and a fresh SQLite file,
and talks to it over HTTP. Nothing here is mocked.

HOSO_TEST_DB=postgres: each Daemon gets a fresh PostgreSQL database (hoso_<hex>, dropped by
cleanup()) instead of the file, and db_path is its libpq URI. The cluster is HOSO_TEST_PG (a
superuser URI as scripts/pg-cluster.sh start prints it), or else one this process starts
with that script in a temporary directory on first use and stops at exit. Tests that only
make sense on the SQLite file are marked @sqlite_only(reason)."""
import atexit
import csv
import functools
import glob
import io
import json
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HOSO = os.environ.get("HOSO_BIN", "hoso")
SRC = os.environ.get("HOSO_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

BACKEND = {"": "sqlite", "sqlite": "sqlite", "postgres": "postgres"}.get(
    os.environ.get("HOSO_TEST_DB", ""))
if BACKEND is None:
    raise SystemExit("HOSO_TEST_DB=%s: want sqlite or postgres" % os.environ["HOSO_TEST_DB"])


def sqlite_only(reason):
    """Skips a test (or class) on PostgreSQL: reason says what ties it to the SQLite file."""
    return unittest.skipIf(BACKEND != "sqlite", "SQLite only: " + reason)


# ---- PostgreSQL: the cluster, one database per daemon ---------------------------------------

_pg = {"base": None, "dir": None}
_pg_lock = threading.Lock()


def is_uri(db):
    """True for a libpq URI (PostgreSQL), false for a path (an SQLite file)."""
    return db.startswith(("postgresql://", "postgres://"))


def _pg_stop():
    d = _pg["dir"]
    if not d:
        return
    _pg["dir"] = None
    subprocess.run([os.path.join(SRC, "scripts", "pg-cluster.sh"), "stop",
                    os.path.join(d, "pg")], capture_output=True, timeout=120)
    shutil.rmtree(d, ignore_errors=True)


def _pg_on_term(signum, frame):
    # Killed (a meson timeout): the postmaster runs in its own session, so stop it here,
    # then die of the signal as before.
    _pg_stop()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def pg_base():
    """The superuser URI of the test cluster: HOSO_TEST_PG, or one started for this process."""
    with _pg_lock:
        if _pg["base"]:
            return _pg["base"]
        base = os.environ.get("HOSO_TEST_PG")
        if not base:
            d = tempfile.mkdtemp(prefix="hoso-pg-")
            os.chmod(d, 0o755)  # under root the cluster is the postgres user's: let it in
            _pg["dir"] = d
            atexit.register(_pg_stop)
            try:
                if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                    signal.signal(signal.SIGTERM, _pg_on_term)
            except ValueError:
                pass  # not the main thread
            p = subprocess.run([os.path.join(SRC, "scripts", "pg-cluster.sh"), "start",
                                os.path.join(d, "pg")], capture_output=True, timeout=120)
            if p.returncode != 0:
                _pg_stop()
                raise RuntimeError("scripts/pg-cluster.sh start failed:\n" +
                                   p.stderr.decode("utf-8", "replace"))
            base = p.stdout.decode().strip()
        _pg["base"] = base
        return base


def pg_uri(base, dbname):
    """base with its database replaced by dbname (host, port, user and options kept)."""
    u = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + urllib.parse.quote(dbname),
                                    u.query, ""))


@functools.lru_cache(maxsize=None)
def _psql_bin():
    # Debian's own, not /usr/bin/psql: that is a Perl wrapper that costs 50 ms a call.
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"),
                   key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    return found[-1] if found else "psql"


def psql(uri, sql, timeout=60, csv_out=False):
    """Runs sql (one or more statements, one transaction unless they say otherwise) with
    psql; raises on any error. With csv_out, returns the rows as lists of strings."""
    args = [_psql_bin(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql]
    if csv_out:
        args[1:1] = ["--csv", "-t"]
    p = subprocess.run(args, capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("psql %s: %s" % (sql[:200], p.stderr.decode("utf-8", "replace")))
    if csv_out:
        return list(csv.reader(io.StringIO(p.stdout.decode("utf-8"), newline="")))
    return None


def new_db(dirpath, name="hoso.db"):
    """A fresh database for hoso's --db: the path dirpath/name on SQLite (not created), a new
    empty database's URI on PostgreSQL. drop_db() removes the latter."""
    if BACKEND == "sqlite":
        return os.path.join(dirpath, name)
    base = pg_base()
    dbname = "hoso_" + secrets.token_hex(8)
    psql(base, 'CREATE DATABASE "%s"' % dbname)
    return pg_uri(base, dbname)


def drop_db(db):
    """Drops a database new_db() created on PostgreSQL (connections closed by force); errors
    are ignored. A file path is left alone (its directory goes with the test's)."""
    if not db or not is_uri(db):
        return
    dbname = urllib.parse.unquote(urllib.parse.urlsplit(db).path.lstrip("/"))
    try:
        psql(_pg["base"] or pg_uri(db, "postgres"),
             'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % dbname)
    except (RuntimeError, OSError, subprocess.SubprocessError):
        pass


def sql_quote(value):
    """A string literal for sql_exec/sql_query, the same on SQLite and PostgreSQL."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_exec(db, sql):
    """Runs sql (statements separated by ;) on the database behind --db, committed: the
    sqlite3 module for a file, psql for a URI."""
    if is_uri(db):
        psql(db, sql)
        return
    con = sqlite3.connect(db, timeout=30)
    try:
        con.executescript(sql)
        con.commit()
    finally:
        con.close()


def sql_query(db, sql):
    """The rows of one query as tuples: with SQLite's own types for a file (opened read-only),
    all text for a URI (a NULL reads as '')."""
    if is_uri(db):
        return [tuple(r) for r in psql(db, sql, csv_out=True)]
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def tamper(db, sql):
    """Runs sql on a database whose events table refuses UPDATE and DELETE: first drops every
    trigger on events (an SQLite file's from sqlite_master, a PostgreSQL database's from
    pg_trigger), as an attacker with the file or a superuser login would."""
    if is_uri(db):
        psql(db, "DO $$DECLARE t record; BEGIN "
                 "FOR t IN SELECT tgname FROM pg_trigger "
                 "WHERE tgrelid = 'events'::regclass AND NOT tgisinternal LOOP "
                 "EXECUTE format('DROP TRIGGER %I ON events', t.tgname); END LOOP; END$$; " +
                 sql)
        return
    con = sqlite3.connect(db)
    for (name,) in con.execute("select name from sqlite_master where type='trigger'"
                               " and tbl_name='events'").fetchall():
        con.execute('drop trigger "%s"' % name)
    con.execute(sql)
    con.commit()
    con.close()


def db_created(db):
    """Whether anything was made at db: the SQLite file exists, or the PostgreSQL database has
    a table outside the system schemas."""
    if is_uri(db):
        return bool(psql(db, "SELECT 1 FROM information_schema.tables WHERE table_schema "
                             "NOT IN ('pg_catalog', 'information_schema') LIMIT 1",
                         csv_out=True))
    return os.path.exists(db)


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
        # A database made here (PostgreSQL) is dropped by cleanup(); one passed in is not.
        self.own_db = db_path is None and BACKEND == "postgres"
        self.db_path = db_path or new_db(self.workdir)
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
        if self.own_db:
            drop_db(self.db_path)

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
