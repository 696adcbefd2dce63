#!/usr/bin/env python3
"""bench/accept/sql_floor replays the statements db/ makes for an acceptance and an event. It
is a benchmark, run by hand, but it must keep working against the schema the migrations make
today: this test runs it small on a fresh `hoso init --demo` database and checks what it
wrote, and that bad arguments and a database of the wrong kind are refused."""
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HOSO = os.environ["HOSO_BIN"]
FLOOR = os.environ["HOSO_SQL_FLOOR"]


class SqlFloor(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.dir.name, "floor.db")

    def tearDown(self):
        self.dir.cleanup()

    def floor(self, *args):
        return subprocess.run([FLOOR, *args], capture_output=True, text=True, timeout=120)

    def test_replays_acceptances_and_events_on_the_current_schema(self):
        subprocess.run([HOSO, "init", "--db", self.db, "--demo"], check=True,
                       capture_output=True, timeout=60)
        r = self.floor(self.db, "50", "8", "16")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"sql_floor: 50 acceptances in [\d.]+ s = \d+/s \(group 8\)")
        self.assertRegex(r.stdout, r"sql_floor: 50 events in [\d.]+ s = \d+/s \(batch 16\)")
        c = sqlite3.connect(self.db)
        one = lambda sql: c.execute(sql).fetchone()[0]  # noqa: E731
        self.assertEqual(one("SELECT count(*) FROM dossiers WHERE service = 'both'"), 50)
        self.assertEqual(one("SELECT count(*) FROM items"), 100)
        self.assertEqual(one("SELECT count(*) FROM item_progress"), 100)
        self.assertEqual(one("SELECT count(*) FROM outbox WHERE kind = 'sms'"), 50)
        # Two acceptance events (one per item) and one dispatch per submission item.
        self.assertEqual(one("SELECT count(*) FROM events WHERE type = 'accept'"), 100)
        self.assertEqual(one("SELECT count(*) FROM events WHERE type = 'dispatch'"), 50)
        self.assertEqual(one("SELECT count(*) FROM items WHERE state = 'IN_TRANSIT'"), 50)
        self.assertEqual(one("SELECT count(*) FROM item_progress WHERE state = 'IN_TRANSIT'"),
                         50)
        self.assertEqual(one("PRAGMA integrity_check"), "ok")
        self.assertEqual(c.execute("PRAGMA foreign_key_check").fetchall(), [])
        c.close()

    def test_bad_arguments_are_refused_with_the_usage(self):
        for args in ([], [self.db], [self.db, "10"], [self.db, "0", "8"],
                     [self.db, "10", "-1"], [self.db, "10", "8", "0"],
                     [self.db, "10", "8", "x"], [self.db, "1", "2", "3", "4"]):
            r = self.floor(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("sql_floor", r.stderr, args)
        self.assertFalse(os.path.exists(self.db), "a refused run created the database")

    def test_a_database_without_the_schema_is_refused(self):
        sqlite3.connect(self.db).close()  # an empty SQLite file: no migrations ran
        r = self.floor(self.db, "5", "1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such table", r.stderr)
        r = self.floor(os.path.join(self.dir.name, "missing.db"), "5", "1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.db", r.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
