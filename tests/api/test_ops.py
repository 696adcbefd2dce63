"""Operations (issue 6): backup under load and restore, and a disk that fills up or turns
read-only.

Backup: a daemon serves a bounded write load (threads posting acceptances and events) while
`hoso backup` copies its database. `hoso verify` must pass on the copy; `hoso restore` puts
it in a new place; a daemon started there serves every dossier and event acknowledged before
the backup started. `hoso restore` refuses (exit 1, a clear message, target untouched) a
damaged file, a file that is not a hoso database, and a target a daemon has open.

Disk full / read-only: the daemon runs under tests/api/diskfull.so (LD_PRELOAD); while a
control file exists, write/pwrite/ftruncate/fsync/fdatasync of the database files fail with
ENOSPC or EROFS (or only the flushes fail). Writes must answer 503 with a message naming the
cause, reads (a dossier, /healthz) must still answer, the daemon must not exit, and once the
control file is gone writes succeed again and `hoso verify` passes.

Environment: HOSO_DISKFULL_SO (built by meson), HOSO_OPS_CLIENTS (default 8)."""
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HOSO, Daemon, good_dossier, main, sqlite_only  # noqa: E402

SHIM = os.environ.get("HOSO_DISKFULL_SO", "")
CLIENTS = int(os.environ.get("HOSO_OPS_CLIENTS", "8"))
FIGURES = []  # printed at the end, copied into docs/RELIABILITY.md
DISK_SHIM = ("diskfull.so fails the daemon's own writes to its SQLite files; on PostgreSQL "
             "the server writes the data")


def figure(line):
    FIGURES.append(line)
    print("FIGURE " + line, flush=True)


def hoso(*args, timeout=60):
    p = subprocess.run([HOSO] + list(args), capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def dossier(cid):
    d = good_dossier(service="send", client_id=cid)
    d.pop("notes")
    return d


class Client:
    def __init__(self, base, token):
        host, port = base.split("//")[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.token = token

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        h = {"Authorization": "Bearer " + self.token}
        if data is not None:
            h["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=h)
        r = self.conn.getresponse()
        raw = r.read()
        try:
            return r.status, (json.loads(raw) if raw else None)
        except ValueError:
            return r.status, raw

    def close(self):
        self.conn.close()


class Ops(unittest.TestCase):

    def setUp(self):
        self.work = os.path.realpath(tempfile.mkdtemp(prefix="hoso-ops-"))
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def daemon(self, db, env=None, demo=True):
        d = Daemon(db_path=db, workdir=self.work, demo=demo)
        old = os.environ.copy()
        os.environ.update(env or {})
        try:
            d.start()
        finally:
            os.environ.clear()
            os.environ.update(old)
        self.daemons.append(d)
        return d

    def stop(self, d):
        rc = d.stop()
        self.daemons.remove(d)
        self.assertEqual(rc, 0, "daemon exited with %s:\n%s" % (rc, d.log()))

    def verify(self, db):
        rc, out, err = hoso("verify", "--db", db, timeout=120)
        self.assertEqual(rc, 0, "hoso verify %s failed:\n%s%s" % (db, out[-2000:], err[-2000:]))
        return out.strip()

    # ---- backup under load, restore ------------------------------------------------------

    @sqlite_only("hoso backup and restore copy and replace SQLite files")
    def test_backup_under_load_and_restore(self):
        db = os.path.join(self.work, "live.db")
        d = self.daemon(db)
        tokens = {u: d.login(u) for u in ("clerk", "courier")}
        lock = threading.Lock()
        acked = []  # (monotonic time of the answer, dossier id, tracking number, [event ids])
        errors = []
        stop = threading.Event()
        deadline = time.monotonic() + 20  # bound on the load, whatever happens

        def load(k):
            clerk = Client(d.base, tokens["clerk"])
            courier = Client(d.base, tokens["courier"])
            try:
                while not stop.is_set() and time.monotonic() < deadline:
                    st, body = clerk.call("POST", "/api/v1/dossiers", dossier(str(uuid.uuid4())))
                    if st != 201:
                        errors.append("acceptance: %s %.200s" % (st, body))
                        return
                    tn = body["items"][0]["tracking_number"]
                    t_acc = time.monotonic()
                    ev = {"id": str(uuid.uuid4()), "item": tn, "type": "dispatch"}
                    st, eb = courier.call("POST", "/api/v1/events", ev)
                    if st != 200 or eb["results"][0]["status"] != "recorded":
                        errors.append("event: %s %.200s" % (st, eb))
                        return
                    with lock:
                        acked.append((t_acc, time.monotonic(), body["id"], tn, ev["id"]))
            except (OSError, http.client.HTTPException) as e:
                errors.append("client %d: %r" % (k, e))
            finally:
                clerk.close()
                courier.close()

        threads = [threading.Thread(target=load, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        backup = os.path.join(self.work, "backup.db")
        t_backup = time.monotonic()
        rc, out, err = hoso("backup", "--db", db, backup)
        t_done = time.monotonic()
        time.sleep(0.5)  # writes go on after the backup too
        stop.set()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [], "the load failed during the backup")
        self.assertEqual(rc, 0, "hoso backup failed: " + out + err)
        with lock:
            before = [a for a in acked if a[1] < t_backup]
            during = [a for a in acked if t_backup <= a[1] < t_done]
            total = len(acked)
        self.assertGreater(len(before), 20, "too little load before the backup")
        self.assertGreater(len(during), 0, "no write was served while the backup ran")

        self.verify(backup)
        restored = os.path.join(self.work, "restored", "hoso.db")
        os.makedirs(os.path.dirname(restored))
        rc, out, err = hoso("restore", "--db", restored, backup)
        self.assertEqual(rc, 0, "hoso restore failed: " + out + err)
        self.assertFalse(os.path.exists(restored + ".tmp"))
        self.stop(d)

        r = self.daemon(restored, demo=False)
        # While a daemon has it open, a restore over it is refused and changes nothing.
        before_hash = digest(restored)
        rc, out, err = hoso("restore", "--db", restored, backup)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("in use", err)
        self.assertEqual(digest(restored), before_hash)

        rt = {u: r.login(u) for u in ("clerk", "courier")}
        clerk = Client(r.base, rt["clerk"])
        courier = Client(r.base, rt["courier"])
        missing = []
        present_after = 0
        try:
            for (_, _, did, tn, eid) in before:
                st, body = clerk.call("GET", "/api/v1/dossiers/%s" % did)
                if st != 200:
                    missing.append("dossier %s: %s" % (did, st))
                    continue
                st, body = courier.call("GET", "/api/v1/items/%s/events" % tn)
                ids = [e["id"] for e in body.get("events", [])] if st == 200 else []
                if eid not in ids:
                    missing.append("event %s on %s" % (eid, tn))
            before_ids = {a[2] for a in before}
            for (_, _, did, _, _) in acked:
                if did in before_ids:
                    continue
                st, _b = clerk.call("GET", "/api/v1/dossiers/%s" % did)
                present_after += st == 200
            # The restored daemon takes writes.
            st, body = clerk.call("POST", "/api/v1/dossiers", dossier(str(uuid.uuid4())))
            self.assertEqual(st, 201, body)
        finally:
            clerk.close()
            courier.close()
        self.assertEqual(missing, [], "acknowledged before the backup, missing after restore")
        self.stop(r)
        self.verify(restored)
        figure("backup under load: %d clients, %d dossiers+events acknowledged in all, %d "
               "before the backup started (all %d present after restore, 0 lost), %d while "
               "it ran (%.2f s), %d of the %d later ones also in the copy" % (
                   CLIENTS, total, len(before), len(before), len(during), t_done - t_backup,
                   present_after, total - len(before)))

    @sqlite_only("hoso backup and restore copy and replace SQLite files")
    def test_restore_refuses_bad_files(self):
        db = os.path.join(self.work, "good.db")
        rc, out, err = hoso("init", "--db", db, "--demo")
        self.assertEqual(rc, 0, err)
        backup = os.path.join(self.work, "good-backup.db")
        self.assertEqual(hoso("backup", "--db", db, backup)[0], 0)
        target = os.path.join(self.work, "target.db")
        rc, out, err = hoso("restore", "--db", target, backup)
        self.assertEqual(rc, 0, out + err)
        want = digest(target)

        corrupt = os.path.join(self.work, "corrupt.db")
        shutil.copy(backup, corrupt)
        size = os.path.getsize(corrupt)
        with open(corrupt, "r+b") as f:  # scribble over pages after the first
            for off in range(4096, size, 8192):
                f.seek(off)
                f.write(os.urandom(2048))
        text = os.path.join(self.work, "notes.db")
        with open(text, "w") as f:
            f.write("this is not a database\n" * 200)
        import sqlite3
        other = os.path.join(self.work, "other.db")
        c = sqlite3.connect(other)
        c.execute("CREATE TABLE t (x)")
        c.commit()
        c.close()
        truncated = os.path.join(self.work, "truncated.db")
        with open(backup, "rb") as f, open(truncated, "wb") as g:
            g.write(f.read()[: size // 3])
        cases = [(corrupt, ("damaged", "not a hoso")), (text, ("not a hoso",)),
                 (other, ("not a hoso",)), (truncated, ("damaged", "not a hoso", "broken")),
                 (os.path.join(self.work, "absent.db"), ("No such file",))]
        for path, words in cases:
            rc, out, err = hoso("restore", "--db", target, path)
            self.assertEqual(rc, 1, "%s: %s%s" % (path, out, err))
            self.assertTrue(any(w in err for w in words), "%s: unclear message: %s" % (path, err))
            self.assertEqual(digest(target), want, "%s changed the target" % path)
            self.assertFalse(os.path.exists(target + ".tmp"))
        rc, out, err = hoso("restore", "--db", target)
        self.assertEqual(rc, 2)
        rc, out, err = hoso("restore", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("Usage: hoso restore", out)
        self.verify(target)
        figure("restore refused %d bad backups (damaged, text, foreign SQLite, truncated, "
               "absent): exit 1, target unchanged" % len(cases))

    # ---- disk full, read-only ------------------------------------------------------------

    def fault_round(self, mode):
        """Runs the daemon under the shim; with the control file holding mode, checks that
        writes get 503 and reads go on; then that it recovers. Returns the figures."""
        if not SHIM or not os.path.exists(SHIM):
            self.skipTest("HOSO_DISKFULL_SO not built")
        data = os.path.join(self.work, "data")
        os.makedirs(data, exist_ok=True)
        db = os.path.join(data, "hoso.db")
        ctl = os.path.join(self.work, "disk-" + mode.replace(" ", "-"))
        faults_log = os.path.join(self.work, "faults-%s.log" % mode.replace(" ", "-"))
        env = {"LD_PRELOAD": SHIM, "DISKFULL_DIR": data + "/", "DISKFULL_CTL": ctl,
               "DISKFULL_LOG": faults_log,
               "ASAN_OPTIONS": ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                                      "verify_asan_link_order=0"]))}
        d = self.daemon(db, env)
        clerk = Client(d.base, d.login("clerk"))
        st, body = clerk.call("POST", "/api/v1/dossiers", dossier(str(uuid.uuid4())))
        self.assertEqual(st, 201, body)
        kept = body["id"]

        with open(ctl, "w") as f:
            f.write(mode)
        refused = 0
        messages = set()
        t0 = time.monotonic()
        for i in range(30):
            st, body = clerk.call("POST", "/api/v1/dossiers", dossier(str(uuid.uuid4())))
            self.assertEqual(st, 503, "a write with the disk %s: %s %.300s" % (mode, st, body))
            refused += 1
            err = body.get("error", {}) if isinstance(body, dict) else {}
            messages.add((err.get("code") if isinstance(err, dict) else str(err),
                          (err.get("message") if isinstance(err, dict) else "") or
                          body.get("message", "")))
            st, got = clerk.call("GET", "/api/v1/dossiers/%s" % kept)
            self.assertEqual(st, 200, "a read with the disk %s: %s %.300s" % (mode, st, got))
            if i % 10 == 0:
                st, hz = clerk.call("GET", "/healthz")
                self.assertIn(st, (200, 503), hz)
                self.assertTrue(d.alive())
        self.assertTrue(d.alive(), "the daemon exited:\n" + d.log())
        text = " ".join("%s %s" % m for m in messages).lower()
        want = {"ENOSPC": "full", "EROFS": "read-only", "EIO": "i/o"}[mode.split()[0]]
        if "sync" in mode:
            want = "disk"
        self.assertIn(want, text, "503 does not say why: %s" % messages)
        with open(faults_log) as f:
            injected = sum(1 for _ in f)
        self.assertGreater(injected, 0)

        os.unlink(ctl)
        t_back = time.monotonic()
        ok = None
        while time.monotonic() - t_back < 10:
            st, body = clerk.call("POST", "/api/v1/dossiers", dossier(str(uuid.uuid4())))
            if st == 201:
                ok = time.monotonic() - t_back
                break
            time.sleep(0.05)
        self.assertIsNotNone(ok, "writes did not recover after space returned: %s %.300s\n%s"
                             % (st, body, d.log()))
        for _ in range(10):
            st, body = clerk.call("POST", "/api/v1/dossiers", dossier(str(uuid.uuid4())))
            self.assertEqual(st, 201, body)
        st, _b = clerk.call("GET", "/api/v1/dossiers/%s" % kept)
        self.assertEqual(st, 200)
        clerk.close()
        self.stop(d)
        self.verify(db)
        figure("disk %s: %d writes answered 503 (%s), reads served, %d faults injected, "
               "first write accepted %.3f s after space returned, verify passed" % (
                   mode, refused, "; ".join(sorted("%s: %.90s" % m for m in messages)), injected,
                   ok))
        return refused, injected

    @sqlite_only(DISK_SHIM)
    def test_disk_full(self):
        self.fault_round("ENOSPC")

    @sqlite_only(DISK_SHIM)
    def test_read_only(self):
        self.fault_round("EROFS")

    @sqlite_only(DISK_SHIM)
    def test_flush_fails(self):
        self.fault_round("ENOSPC sync")


if __name__ == "__main__":
    try:
        main()
    finally:
        for line in FIGURES:
            print("FIGURE " + line)
