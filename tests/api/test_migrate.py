"""`hoso migrate-db`: a province served from a SQLite file moves into PostgreSQL with its
custody chains intact. Real daemons on both sides, a real PostgreSQL cluster (suite api-pg:
HOSO_TEST_PG, or one this process starts). Also the refusals: a target that holds data, a
missing source, arguments the wrong way round, and a chain broken in the source."""
import os
import shutil
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (Daemon, drop_db, good_dossier, main, pg_base, pg_uri,  # noqa: E402
                     psql, run_hoso, s10_valid, sql_query, tamper)


def new_pg_db():
    import secrets
    base = pg_base()
    name = "hoso_mig_" + secrets.token_hex(6)
    psql(base, 'CREATE DATABASE "%s"' % name)
    return pg_uri(base, name)


class MigrateDb(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hoso-migrate-")
        self.src = os.path.join(self.dir, "province.db")
        self.targets = []
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.cleanup()
        for t in self.targets:
            drop_db(t)
        shutil.rmtree(self.dir, ignore_errors=True)

    def daemon(self, db_path, demo=True):
        d = Daemon(demo=demo, db_path=db_path, workdir=tempfile.mkdtemp(dir=self.dir)).start()
        self.daemons.append(d)
        return d

    def target(self):
        t = new_pg_db()
        self.targets.append(t)
        return t

    def fill_source(self, n=6):
        """Accepts n dossiers on SQLite and moves half of them some steps; returns
        (daemon, tracking numbers, timelines by tracking number)."""
        d = self.daemon(self.src)
        clerk, courier = d.login("clerk"), d.login("courier")
        tns = []
        for i in range(n):
            r = d.request("POST", "/api/v1/dossiers",
                          good_dossier(notes="Hồ sơ số %d — chuyển sang PostgreSQL" % i),
                          token=clerk)
            self.assertEqual(r.status, 201, r.body)
            tns += [it["tracking_number"] for it in r.json()["items"]
                    if it["role"] == "submission"]
        for tn in tns[: n // 2]:
            r = d.request("POST", "/api/v1/events",
                          {"id": str(uuid.uuid4()), "item": tn, "type": "dispatch"},
                          token=courier)
            self.assertEqual(r.status, 200, r.body)
        timelines = {tn: d.request("GET", "/api/v1/items/%s/events" % tn, token=clerk).json()
                     for tn in tns}
        return d, tns, timelines

    def migrate(self, *args):
        return run_hoso("migrate-db", "--quiet", *args, timeout=120)

    def test_moves_a_province_with_chains_intact(self):
        d, tns, timelines = self.fill_source()
        d.stop()  # the cut-over: nothing written after the copy is left behind
        to = self.target()
        rc, out, err = self.migrate("--from", "sqlite:" + self.src, "--to", to)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("0 broken chains", out)
        self.assertIn("moved", out)

        rc, out, err = run_hoso("verify", "--db", to)
        self.assertEqual(rc, 0, out + err)

        # The same rows, read back through a daemon on PostgreSQL.
        pg = self.daemon(to, demo=False)
        clerk = pg.login("clerk")
        for tn in tns:
            r = pg.request("GET", "/api/v1/items/%s/events" % tn, token=clerk)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json(), timelines[tn])
        # Numbers carry on: new items never repeat one made on SQLite.
        new = []
        for _ in range(4):
            r = pg.request("POST", "/api/v1/dossiers", good_dossier(), token=clerk)
            self.assertEqual(r.status, 201, r.body)
            new += [it["tracking_number"] for it in r.json()["items"]]
        self.assertTrue(all(s10_valid(tn) for tn in new))
        old = {row[0] for row in sql_query(self.src, "select tracking_number from items")}
        self.assertFalse(old & set(new), "a tracking number was handed out twice")
        # New events chain on to the copied ones.
        courier = pg.login("courier")
        r = pg.request("POST", "/api/v1/events",
                       {"id": str(uuid.uuid4()), "item": tns[-1], "type": "dispatch"},
                       token=courier)
        self.assertEqual(r.status, 200, r.body)
        pg.stop()
        rc, out, err = run_hoso("verify", "--db", to)
        self.assertEqual(rc, 0, out + err)

    def test_refuses_a_target_with_data(self):
        d, tns, _ = self.fill_source(2)
        d.stop()
        to = self.target()
        used = self.daemon(to)  # someone already serves from it
        used.stop()
        before = psql(to, "select count(*) from dossiers", csv_out=True)
        rc, out, err = self.migrate("--from", self.src, "--to", to)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("already holds data", err)
        self.assertEqual(psql(to, "select count(*) from dossiers", csv_out=True), before)

    def test_bad_arguments(self):
        to = self.target()
        rc, out, err = self.migrate("--from", os.path.join(self.dir, "nope.db"), "--to", to)
        self.assertEqual(rc, 1, err)
        self.assertIn("cannot be read", err)
        rc, out, err = self.migrate("--from", to, "--to", self.src)
        self.assertEqual(rc, 2, err)
        self.assertIn("--from must be a SQLite file", err)
        rc, out, err = self.migrate("--from", self.src)
        self.assertEqual(rc, 2, err)
        rc, out, err = run_hoso("migrate-db", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("--to URI", out)
        # backup and restore are for SQLite files: a URI is refused, its password hidden.
        with_pw = to.replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw@")
        self.assertNotEqual(with_pw, to)
        for args in (("backup", "--db", with_pw, os.path.join(self.dir, "b.db")),
                     ("restore", "--db", with_pw, self.src)):
            rc, out, err = run_hoso(*args)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("PostgreSQL's own tools", err)
            self.assertIn("postgres:***@", err)
            self.assertNotIn("s3cret-pw", out + err)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "b.db")))
        # Nothing was created in the target by the refusals.
        self.assertEqual(psql(to, "select count(*) from pg_tables where tablename = "
                                  "'dossiers'", csv_out=True), [["0"]])

    def test_password_never_shown(self):
        """A password in the URI stays out of the log, --check-config and error messages
        (the test cluster trusts local connections, so any password is accepted)."""
        to = self.target().replace("postgresql://postgres@", "postgresql://postgres:pw-XYZ@")
        d = self.daemon(to)
        self.assertEqual(d.request("GET", "/healthz").json()["database"], "postgresql")
        d.stop()
        self.assertIn("postgres:***@", d.log())
        self.assertNotIn("pw-XYZ", d.log())
        rc, out, err = run_hoso("serve", "--db", to, "--check-config")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("postgres:***@", out)
        self.assertNotIn("pw-XYZ", out + err)
        bad = to.replace("/hoso_mig_", "/no_such_db_")
        rc, out, err = run_hoso("verify", "--db", bad)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("does not exist", err)
        self.assertNotIn("pw-XYZ", out + err)

    def test_broken_source_chain_is_reported(self):
        d, tns, _ = self.fill_source(2)
        d.stop()
        tamper(self.src, "update events set place = 'forged' where seq = 1")
        to = self.target()
        rc, out, err = self.migrate("--from", self.src, "--to", to)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("BROKEN", out)
        self.assertIn("1 broken chains", out)

    def test_interrupted_copy_leaves_target_empty(self):
        """A row the target refuses (here a table altered to refuse it) aborts the whole
        copy: the target stays empty and can be used for a second try."""
        d, tns, _ = self.fill_source(2)
        d.stop()
        to = self.target()
        # Create the schema, then make the last table of the copy refuse any row.
        rc, out, err = run_hoso("init", "--db", to)
        self.assertEqual(rc, 0, out + err)
        psql(to, "alter table login_failures add constraint no_rows check (id < 0)")
        sql = "insert into login_failures (username, client, at) values ('x', 'y', 1)"
        harness.sql_exec(self.src, sql)
        rc, out, err = self.migrate("--from", self.src, "--to", to)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("nothing was moved", err)
        self.assertEqual(psql(to, "select count(*) from events", csv_out=True), [["0"]])
        psql(to, "alter table login_failures drop constraint no_rows")
        rc, out, err = self.migrate("--from", self.src, "--to", to)
        self.assertEqual(rc, 0, out + err)


if __name__ == "__main__":
    main()
