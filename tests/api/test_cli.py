"""The hoso commands, run as an operator would, and daemon restarts on the same file."""
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BACKEND, SRC, Daemon, decode_codes, drop_db, good_dossier,  # noqa: E402
                     main, new_db, pdf_text, run_hoso, s10_valid, sql_exec, sql_query,
                     sql_quote, sqlite_only, tamper, tool)

COMMANDS = ["serve", "init", "import", "user", "label", "track", "verify", "backup"]


class Cli(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hoso-cli-")
        self.db = new_db(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        drop_db(self.db)

    def write(self, name, text):
        p = os.path.join(self.tmp, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def test_help_for_every_command(self):
        rc, out, _ = run_hoso("--help")
        self.assertEqual(rc, 0)
        for c in COMMANDS:
            self.assertIn(c, out)
            rc, out_c, err = run_hoso(c, "--help")
            self.assertEqual(rc, 0, (c, err))
            self.assertIn("Usage: hoso " + c, out_c)
        rc, out, err = run_hoso("user", "add", "--help")
        self.assertEqual(rc, 0, err)
        self.assertEqual(run_hoso("frobnicate")[0], 2)
        self.assertEqual(run_hoso()[0], 2)
        self.assertEqual(run_hoso("serve", "--no-such-flag")[0], 2)
        self.assertEqual(run_hoso("import", "--db", self.db, "planets", "x.csv")[0], 2)

    def test_init_import_and_errors(self):
        rc, out, err = run_hoso("init", "--db", self.db)
        self.assertEqual(rc, 0, err)
        self.assertIn("schema version", out)
        demo = os.path.join(SRC, "data", "demo")
        for kind in ("offices", "agencies", "procedures"):
            rc, out, err = run_hoso("import", "--db", self.db, kind,
                                    os.path.join(demo, kind + ".csv"))
            self.assertEqual(rc, 0, err)
            self.assertRegex(out, r"imported \d+ " + kind)
        bad = self.write("bad.csv", "code,name,address,district,province,phone\n"
                                    "600000,Bưu điện tỉnh,Số 1,Pleiku,Gia Lai,0269\n"
                                    "60A000,Bưu điện sai,Số 2,Pleiku,Gia Lai,0269\n")
        rc, out, err = run_hoso("import", "--db", self.db, "offices", bad)
        self.assertEqual(rc, 1)
        self.assertIn("bad.csv:3", err)
        self.assertIn('column "code"', err)
        name = sql_query(self.db, "select name from offices where code='600000'")[0][0]
        self.assertEqual(name, "Bưu điện tỉnh Gia Lai", "a refused file changed a row")

    def test_user_add(self):
        run_hoso("init", "--db", self.db, "--demo")
        rc, out, err = run_hoso("user", "add", "--db", self.db, "--role", "clerk", "--office",
                                "601000", "--name", "Đỗ Thị Lan", "lan.do",
                                stdin="a-long-password\n")
        self.assertEqual(rc, 0, err)
        rc, _, err = run_hoso("user", "add", "--db", self.db, "--role", "clerk", "lan.do",
                              stdin="a-long-password\n")
        self.assertEqual(rc, 1)
        self.assertIn("already exists", err)
        rc, _, err = run_hoso("user", "add", "--db", self.db, "--role", "agency", "x.y",
                              stdin="a-long-password\n")
        self.assertEqual(rc, 1)
        self.assertIn("agency", err)
        rc, _, err = run_hoso("user", "add", "--db", self.db, "--role", "clerk", "short.pw",
                              stdin="short\n")
        self.assertEqual(rc, 1)
        self.assertIn("password", err)
        rc, _, err = run_hoso("user", "add", "--db", self.db, "--role", "pilot", "p.x",
                              stdin="a-long-password\n")
        self.assertEqual(rc, 1)
        d = Daemon(demo=False, db_path=self.db, workdir=self.tmp).start()
        try:
            tok = d.login("lan.do", "a-long-password")
            me = d.request("GET", "/api/v1/me", token=tok).json()["user"]
            self.assertEqual(me["full_name"], "Đỗ Thị Lan")
            self.assertEqual(me["office_code"], "601000")
        finally:
            self.assertEqual(d.stop(), 0)

    def test_check_config(self):
        good = self.write("good.ini", "db = %s\n[server]\nlisten = 127.0.0.1:0\n"
                                      "[tracking]\nsubmission_prefix = PH\n"
                                      "timezone_offset = +07:00\n" % self.db)
        rc, out, err = run_hoso("serve", "--config", good, "--check-config")
        self.assertEqual(rc, 0, err)
        self.assertIn("valid", out)
        for text, where in [("[server]\nlisten 127.0.0.1\n", "bad.ini:2"),
                            ("[server]\nthreads = many\n", "bad.ini:2"),
                            ("[tracking]\nsubmission_prefix = X1\n", "bad.ini:2"),
                            ("[nowhere]\n", "bad.ini:1"),
                            ("[server]\ncolour = blue\n", "bad.ini:2")]:
            bad = self.write("bad.ini", text)
            rc, out, err = run_hoso("serve", "--db", self.db, "--config", bad,
                                    "--check-config")
            self.assertEqual(rc, 1, text)
            self.assertIn(where, err, text)
        rc, _, err = run_hoso("serve", "--check-config")
        self.assertEqual(rc, 1)
        self.assertIn("--db", err)

    def test_restart_never_reuses_numbers_and_verify(self):
        d = Daemon(db_path=self.db, workdir=self.tmp).start()
        tns = []
        try:
            tok = d.login("clerk")
            for _ in range(3):
                r = d.request("POST", "/api/v1/dossiers", good_dossier(), token=tok)
                self.assertEqual(r.status, 201, r.body)
                tns += [i["tracking_number"] for i in r.json()["items"]]
        finally:
            self.assertEqual(d.stop(signal.SIGTERM), 0, d.log())
        d2 = Daemon(db_path=self.db, workdir=self.tmp).start()
        try:
            tok = d2.login("clerk")
            for _ in range(3):
                r = d2.request("POST", "/api/v1/dossiers", good_dossier(), token=tok)
                self.assertEqual(r.status, 201, r.body)
                tns += [i["tracking_number"] for i in r.json()["items"]]
        finally:
            self.assertEqual(d2.stop(), 0)
        self.assertEqual(len(tns), 12)
        self.assertEqual(len(set(tns)), 12)
        self.assertTrue(all(s10_valid(t) for t in tns))

        rc, out, err = run_hoso("verify", "--db", self.db)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("12 items", out)
        rc, out, err = run_hoso("track", "--db", self.db, tns[0])
        self.assertEqual(rc, 0, err)
        self.assertIn('"ACCEPTED"', out)
        rc, out, err = run_hoso("label", "--db", self.db, "--size", "a4", "-o",
                                os.path.join(self.tmp, "l.pdf"), *tns[:4])
        self.assertEqual(rc, 0, err)
        with open(os.path.join(self.tmp, "l.pdf"), "rb") as f:
            found = decode_codes(f.read(), self.tmp, 150)
        for tn in tns[:4]:
            self.assertIn(("CODE-128", tn), found)
        rc, out, err = run_hoso("label", "--db", self.db, "--note", "1", "-o",
                                os.path.join(self.tmp, "n.pdf"))
        self.assertEqual(rc, 0, err)
        with open(os.path.join(self.tmp, "n.pdf"), "rb") as f:
            self.assertIn("PHIẾU GỬI HỒ SƠ", pdf_text(f.read(), self.tmp))

        # Bad input on the operator commands.
        self.assertEqual(run_hoso("label", "--db", self.db, "--size", "b5", "-o",
                                  os.path.join(self.tmp, "x.pdf"), tns[0])[0], 2)
        self.assertEqual(run_hoso("label", "--db", self.db, tns[0])[0], 2)
        rc, _, err = run_hoso("label", "--db", self.db, "-o", os.path.join(self.tmp, "x.pdf"),
                              tns[0][:10] + "X" + tns[0][11:])
        self.assertEqual(rc, 1)
        self.assertIn("tracking number", err)
        rc, _, err = run_hoso("track", "--db", self.db, "DH000000005VN")
        self.assertEqual(rc, 1)
        self.assertIn("no item", err)
        self.assertEqual(run_hoso("track", "--db", self.db)[0], 2)
        self.assertEqual(run_hoso("verify", "--db", self.db, "extra")[0], 2)
        if BACKEND == "sqlite":  # hoso backup: SQLite's online backup into a new file
            self.assertEqual(run_hoso("backup", "--db", os.path.join(self.tmp, "none.db"),
                                      os.path.join(self.tmp, "b.db"))[0], 1)

            backup = os.path.join(self.tmp, "copy.db")
            rc, out, err = run_hoso("backup", "--db", self.db, backup)
            self.assertEqual(rc, 0, err)
            self.assertEqual(run_hoso("verify", "--db", backup)[0], 0)
            self.assertEqual(run_hoso("backup", "--db", self.db, backup)[0], 1)

        # Tamper with one event directly in the database: verify must name the item.
        tamper(self.db, "update events set place='999999' where tracking_number=%s"
               % sql_quote(tns[2]))
        rc, out, err = run_hoso("verify", "--db", self.db)
        self.assertEqual(rc, 1, out)
        self.assertIn(tns[2], out)
        self.assertIn("1 broken", out)

    def test_demo_never_overwrites(self):
        run_hoso("init", "--db", self.db, "--demo")
        sql_exec(self.db, "update offices set name='Bưu cục đã đổi tên' where code='600000'")
        rc, out, err = run_hoso("init", "--db", self.db, "--demo")
        self.assertEqual(rc, 0, err)
        name = sql_query(self.db, "select name from offices where code='600000'")[0][0]
        users = sql_query(self.db, "select count(*) from users")[0][0]
        self.assertEqual(name, "Bưu cục đã đổi tên")
        self.assertEqual(int(users), 5)

    @sqlite_only("an empty file, PRAGMA user_version and journal_mode, a missing directory and "
                 "a junk file are SQLite-file cases")
    def test_migrates_empty_file(self):
        open(self.db, "wb").close()
        rc, out, err = run_hoso("init", "--db", self.db)
        self.assertEqual(rc, 0, err)
        con = sqlite3.connect(self.db)
        version = con.execute("pragma user_version").fetchone()[0]
        mode = con.execute("pragma journal_mode").fetchone()[0]
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        con.close()
        self.assertGreaterEqual(version, 1)
        self.assertEqual(mode, "wal")
        for t in ("offices", "agencies", "procedures", "users", "dossiers", "items", "events",
                  "outbox"):
            self.assertIn(t, tables)
        rc, _, err = run_hoso("init", "--db", os.path.join(self.tmp, "no", "such", "dir.db"))
        self.assertEqual(rc, 1)
        junk = self.write("junk.db", "this is not a database" * 100)
        rc, _, err = run_hoso("init", "--db", junk)
        self.assertEqual(rc, 1)
        self.assertTrue(err)


if __name__ == "__main__":
    main()
