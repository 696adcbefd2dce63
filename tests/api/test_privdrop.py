"""`hoso serve --user NAME`: root is dropped once the port is bound, in every thread, and the
daemon still writes its database; plus the systemd unit in packaging/."""
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BACKEND, HOSO, SRC, Daemon, db_created, drop_db,  # noqa: E402
                     good_dossier, main, new_db, run_hoso, sqlite_only)

IS_ROOT = os.geteuid() == 0
try:
    NOBODY = pwd.getpwnam("nobody")
except KeyError:
    NOBODY = None


def ids(status_text, field):
    m = re.search(r"^%s:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$" % field, status_text, re.M)
    return tuple(int(x) for x in m.groups()) if m else None


class UserOption(unittest.TestCase):
    """Checks that need no root."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hoso-privdrop-")
        self.db = new_db(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        drop_db(self.db)

    def test_unknown_user_exits_1(self):
        rc, out, err = run_hoso("serve", "--db", self.db, "--listen", "127.0.0.1:0",
                                "--user", "no-such-user")
        self.assertEqual(rc, 1, out + err)
        self.assertIn('user "no-such-user" does not exist', err)
        self.assertFalse(db_created(self.db), "nothing is created before the check")

    def test_check_config_validates_user(self):
        conf = os.path.join(self.tmp, "hoso.ini")
        with open(conf, "w") as f:
            f.write("[server]\ndb = %s\nuser = no-such-user\n" % self.db)
        rc, out, err = run_hoso("serve", "--config", conf, "--check-config")
        self.assertEqual(rc, 1, out + err)
        self.assertIn('user "no-such-user" does not exist', err)
        me = pwd.getpwuid(os.geteuid()).pw_name
        rc, out, err = run_hoso("serve", "--config", conf, "--user", me, "--check-config")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("user " + me, out)
        rc, out, err = run_hoso("serve", "--db", self.db, "--user", "", "--check-config")
        self.assertEqual(rc, 2, out + err)

    @unittest.skipIf(IS_ROOT, "runs as root: the not-root refusal is not reachable")
    def test_switch_needs_root(self):
        other = "root"
        rc, out, err = run_hoso("serve", "--db", self.db, "--user", other, "--check-config")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("needs root", err)

    def test_systemd_unit_verifies(self):
        analyze = shutil.which("systemd-analyze")
        if not analyze:
            print("SKIP systemd unit check: systemd-analyze is not installed here")
            self.skipTest("systemd-analyze is not installed")
        with open(os.path.join(SRC, "packaging", "hoso.service")) as f:
            unit = f.read()
        for want in ("NoNewPrivileges=true", "ProtectSystem=strict", "User=hoso",
                     "StateDirectory=hoso", "ExecStart=/usr/local/bin/hoso serve --config "
                     "/etc/hoso/hoso.ini"):
            self.assertIn(want, unit)
        # verify wants ExecStart's program to exist: point it at the built binary.
        path = os.path.join(self.tmp, "hoso.service")
        with open(path, "w") as f:
            f.write(unit.replace("/usr/local/bin/hoso", os.path.abspath(HOSO)))
        p = subprocess.run([analyze, "verify", path], capture_output=True, timeout=60)
        out = (p.stdout + p.stderr).decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertEqual(out.strip(), "", "systemd-analyze verify complained")


@unittest.skipUnless(IS_ROOT, "needs root to switch users (CI runs as root)")
@unittest.skipUnless(NOBODY, "no user nobody on this machine")
class DropToNobody(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hoso-privdrop-")
        os.chmod(self.tmp, 0o755)
        self.data = os.path.join(self.tmp, "data")
        os.mkdir(self.data, 0o750)
        os.chown(self.data, NOBODY.pw_uid, NOBODY.pw_gid)
        self.db = new_db(self.data)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        drop_db(self.db)

    def test_serves_and_writes_as_nobody(self):
        d = Daemon(db_path=self.db, workdir=self.tmp, extra_args=["--user", "nobody"])
        d.start()
        try:
            with open("/proc/%d/status" % d.proc.pid) as f:
                st = f.read()
            want = NOBODY.pw_uid
            self.assertEqual(ids(st, "Uid"), (want,) * 4, st)
            self.assertEqual(ids(st, "Gid"), (NOBODY.pw_gid,) * 4, st)
            self.assertRegex(st, r"(?m)^CapEff:\s+0+$")
            # Every thread (libmicrohttpd's were started before the switch) is nobody.
            tasks = os.listdir("/proc/%d/task" % d.proc.pid)
            self.assertGreater(len(tasks), 1)
            for t in tasks:
                with open("/proc/%d/task/%s/status" % (d.proc.pid, t)) as f:
                    ts = f.read()
                self.assertEqual(ids(ts, "Uid"), (want,) * 4, "thread %s:\n%s" % (t, ts))
                self.assertEqual(ids(ts, "Gid"), (NOBODY.pw_gid,) * 4, "thread %s" % t)
            if BACKEND == "sqlite":  # on PostgreSQL the server owns the files
                self.assertEqual(os.stat(self.db).st_uid, want, "the new database is nobody's")
            # Writes work as nobody: accept dossiers (several, so readers open after the switch).
            tok = d.login("clerk")
            for _ in range(3):
                r = d.request("POST", "/api/v1/dossiers", good_dossier(), token=tok)
                self.assertEqual(r.status, 201, r.body)
            did = r.json()["id"]
            r = d.request("GET", "/api/v1/dossiers/%s" % did, token=tok)
            self.assertEqual(r.status, 200, r.body)
            r = d.request("GET", "/static/track.css")
            self.assertEqual(r.status, 200)
            self.assertEqual(d.request("GET", "/healthz").status, 200)
        finally:
            rc = d.stop()
            log = d.log()
        self.assertEqual(rc, 0, log)
        self.assertIn("running as user nobody", log)
        for name in os.listdir(self.data):
            self.assertEqual(os.stat(os.path.join(self.data, name)).st_uid, NOBODY.pw_uid, name)
        # A restart on the same (now nobody's) file serves the dossiers written before.
        d = Daemon(db_path=self.db, workdir=self.tmp, demo=False,
                   extra_args=["--user", "nobody"])
        d.start()
        try:
            tok = d.login("clerk")
            r = d.request("GET", "/api/v1/dossiers/%s" % did, token=tok)
            self.assertEqual(r.status, 200, r.body)
        finally:
            self.assertEqual(d.stop(), 0, d.log())

    @sqlite_only("the refusal is about the file's owner: nobody could not write root's "
                 "SQLite file")
    def test_root_owned_database_is_refused(self):
        rc, out, err = run_hoso("init", "--db", self.db)   # created by root, kept root's
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(os.stat(self.db).st_uid, 0)
        rc, out, err = run_hoso("serve", "--db", self.db, "--listen", "127.0.0.1:0",
                                "--user", "nobody", timeout=60)
        self.assertEqual(rc, 1, out + err)
        self.assertIn('is not writable by user "nobody"', err)
        self.assertNotIn("listening on", out)

    def test_no_such_user_exits_1(self):
        rc, out, err = run_hoso("serve", "--db", self.db, "--listen", "127.0.0.1:0",
                                "--user", "no-such-user")
        self.assertEqual(rc, 1, out + err)
        self.assertIn('user "no-such-user" does not exist', err)


if __name__ == "__main__":
    main()
