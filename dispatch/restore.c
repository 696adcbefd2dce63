/* restore.c — `hoso restore`: puts a backup made by `hoso backup` in place of a database.
 *
 * Order, so that the target is never left half-replaced and a bad backup never replaces it:
 *  1. the backup is opened read-only as a plain SQLite file: it must be a database whose
 *     schema version this hoso knows and which passes quick_check;
 *  2. it is copied to PATH.tmp (the backup itself is never opened for writing), the copy is
 *     opened as hoso opens a database (pending migrations applied) and every custody chain
 *     is verified with trk_chain_verify, the function `hoso verify` uses;
 *  3. the target must not be in use: no process may hold a lock on PATH or on the dead-man
 *     byte of PATH-shm (every open SQLite connection to a WAL database holds one), and a
 *     BEGIN EXCLUSIVE with a short timeout must succeed;
 *  4. PATH.tmp is fsynced, the old PATH-wal and PATH-shm are removed (their frames belong to
 *     the old file and would be replayed onto the new one), PATH.tmp is renamed over PATH
 *     and the directory is fsynced. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "trk_chain.h"

static const char restore_usage[] =
	"Usage: hoso restore --db PATH FILE\n"
	"\n"
	"Replaces the database PATH with the backup FILE (made by `hoso backup`). FILE is checked\n"
	"first: it must be a hoso database of a schema version this hoso knows, pass SQLite's\n"
	"quick_check, and every custody chain in it must verify (as `hoso verify`). Stop the\n"
	"daemon first: restore refuses while another process has PATH open. The new file is\n"
	"written to PATH.tmp, flushed, and renamed over PATH (the old PATH-wal and PATH-shm are\n"
	"removed), so PATH is either the old database or the whole backup, never a mix.\n"
	"SQLite files only; on PostgreSQL, restore with PostgreSQL's tools (docs/DEPLOY.md).\n"
	"Exit status: 0 restored, 1 refused or failed (PATH untouched), 2 bad usage.\n";

/* Checks FILE as a plain SQLite file, read-only: a hoso schema version and quick_check. */
static bool check_backup_file(const char *file)
{
	sqlite3 *c = NULL;
	/* What is checked is what is copied: the main file alone. A backup from `hoso backup`
	 * is closed, its log empty; a non-empty FILE-wal means a copy of a live file. */
	char side[4200];
	struct stat sb;
	snprintf(side, sizeof(side), "%s-wal", file);
	if (stat(side, &sb) == 0 && sb.st_size > 0) {
		cli_fail("%s has a write-ahead log beside it (%s): it is not a closed backup; make "
		         "one with `hoso backup`", file, side);
		return false;
	}
	/* immutable: read-only, no locks, no -wal or -shm created beside the backup. */
	char uri[8500] = "file:";
	size_t n = strlen(uri);
	for (const char *p = file; *p && n + 4 < sizeof(uri) - 16; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			n += (size_t)snprintf(uri + n, sizeof(uri) - n, "%%%02X", (unsigned char)*p);
		else
			uri[n++] = *p;
	}
	snprintf(uri + n, sizeof(uri) - n, "?immutable=1");
	if (sqlite3_open_v2(uri, &c, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
	                    NULL) != SQLITE_OK) {
		cli_fail("%s: cannot open the backup: %s", file, c ? sqlite3_errmsg(c) : "?");
		sqlite3_close(c);
		return false;
	}
	bool ok = false;
	sqlite3_stmt *st = NULL;
	int version = -1;
	int rc = sqlite3_prepare_v2(c, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0) {
		cli_fail("%s is not a hoso backup: not an SQLite database or damaged (sqlite: %s)",
		         file, sqlite3_errmsg(c));
		goto out;
	}
	if (version == 0) {
		cli_fail("%s is not a hoso backup: an SQLite file without a hoso schema", file);
		goto out;
	}
	if (version > db_latest_version()) {
		cli_fail("%s has schema version %d but this hoso knows only up to %d: restore it "
		         "with a newer hoso", file, version, db_latest_version());
		goto out;
	}
	/* A hoso schema has the custody tables; user_version alone could be anyone's. */
	rc = sqlite3_prepare_v2(c, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
	                        "AND name IN ('dossiers', 'items', 'events')", -1, &st, NULL);
	int tables = 0;
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (tables != 3) {
		cli_fail("%s is not a hoso backup: the dossier, item and event tables are missing",
		         file);
		goto out;
	}
	rc = sqlite3_prepare_v2(c, "PRAGMA quick_check", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		cli_fail("%s: the backup is damaged (sqlite: %s)", file, sqlite3_errmsg(c));
		goto out;
	}
	rc = sqlite3_step(st);
	const unsigned char *res = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (!res || strcmp((const char *)res, "ok") != 0) {
		cli_fail("%s: the backup is damaged: %s", file,
		         res ? (const char *)res : sqlite3_errmsg(c));
		sqlite3_finalize(st);
		goto out;
	}
	sqlite3_finalize(st);
	ok = true;
out:
	sqlite3_close(c);
	return ok;
}

/* Copies src to dst (created exclusively, 0600) and fsyncs it. */
static bool copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		cli_fail("%s: %s", src, strerror(errno));
		return false;
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		cli_fail("%s: cannot create it: %s", dst, strerror(errno));
		close(in);
		return false;
	}
	char buf[65536];
	bool ok = true;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			cli_fail("%s: reading: %s", src, strerror(errno));
			ok = false;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				cli_fail("%s: writing: %s", dst, strerror(errno));
				ok = false;
				break;
			}
			off += w;
		}
		if (!ok)
			break;
	}
	if (ok && fsync(out) != 0) {
		cli_fail("%s: flushing to disk: %s", dst, strerror(errno));
		ok = false;
	}
	if (close(out) != 0 && ok) {
		cli_fail("%s: %s", dst, strerror(errno));
		ok = false;
	}
	close(in);
	return ok;
}

static void unlink_sidecars(const char *path)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-journal", path);
	unlink(p);
}

/* Opens the copy as hoso opens a database and verifies every custody chain. */
static bool verify_copy(const char *tmp, const char *file)
{
	db *d = NULL;
	hoso_err err;
	hoso_err_clear(&err);
	if (db_open(tmp, &d, &err) != HOSO_OK) {
		cli_fail("%s: cannot open the backup as a hoso database: %s", file, err.message);
		return false;
	}
	trk_verify_report rep = {0};
	bool ok = false;
	if (trk_chain_verify(d, &rep, NULL, NULL, &err) != HOSO_OK)
		cli_fail("%s: verifying the custody chains failed: %s", file, err.message);
	else if (rep.broken)
		cli_fail("%s: %zu of %zu custody chains are broken (run `hoso verify --db %s` for "
		         "the list); not restored", file, rep.broken, rep.items, file);
	else {
		printf("%s: %zu items, %zu events checked: 0 broken\n", file, rep.items, rep.events);
		ok = true;
	}
	db_close(d);
	return ok;
}

/* True when fd has a lock at [start, start+len) held by another process (pid in *who). */
static bool locked_by_other(int fd, off_t start, off_t len, pid_t *who)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start,
	                   .l_len = len};
	if (fcntl(fd, F_GETLK, &fl) != 0)
		return false;
	if (fl.l_type == F_UNLCK)
		return false;
	*who = fl.l_pid;
	return true;
}

/* Refuses when another process has the target open, as far as SQLite's locks tell. */
static bool target_in_use(const char *path)
{
	pid_t who = 0;
	bool busy = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		/* SQLite's pending, reserved and shared lock bytes at 1 GiB. */
		busy = locked_by_other(fd, 0x40000000, 512 + 2, &who);
		close(fd);
	}
	char shm[4200];
	snprintf(shm, sizeof(shm), "%s-shm", path);
	fd = open(shm, O_RDONLY | O_CLOEXEC);
	if (!busy && fd >= 0)
		/* The WAL index's lock bytes (120..127) and dead-man byte (128): every
		 * connection holds a shared lock on 128 while it has the file open. */
		busy = locked_by_other(fd, 120, 9, &who);
	if (fd >= 0)
		close(fd);
	if (busy) {
		cli_fail("%s is in use by process %ld (a running daemon?): stop it first; nothing "
		         "was changed", path, (long)who);
		return true;
	}
	/* And what the locks above might miss: a writer must not be active. */
	struct stat sb;
	if (stat(path, &sb) != 0)
		return false;
	sqlite3 *c = NULL;
	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(c);
		return false; /* not a database we can open: nothing can be using it as one */
	}
	sqlite3_busy_timeout(c, 500);
	int rc = sqlite3_exec(c, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
	int base = rc & 0xff;
	if (rc == SQLITE_OK)
		sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(c);
	if (base == SQLITE_BUSY || base == SQLITE_LOCKED) {
		cli_fail("%s is locked by another process (a running daemon?): stop it first; "
		         "nothing was changed", path);
		return true;
	}
	return false;
}

static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int dfd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	free(copy);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	optind = 1;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': path = optarg; break;
		case 'h': fputs(restore_usage, stdout); return 0;
		default: fputs(restore_usage, stderr); return 2;
		}
	}
	if (!path || !path[0] || argc - optind != 1) {
		fputs(restore_usage, stderr);
		return 2;
	}
	if (db_is_server(path)) {
		char shown[1024];
		db_redact(path, shown, sizeof(shown));
		cli_fail("%s is a PostgreSQL database: restore it with PostgreSQL's own tools "
		         "(pg_restore, or a base backup and its WAL); see docs/DEPLOY.md", shown);
		return 1;
	}
	const char *file = argv[optind];
	char tmp[4200];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		cli_fail("--db: path too long");
		return 2;
	}
	struct stat sf, sp;
	if (stat(file, &sf) != 0) {
		cli_fail("%s: %s", file, strerror(errno));
		return 1;
	}
	if (!S_ISREG(sf.st_mode)) {
		cli_fail("%s is not a regular file", file);
		return 1;
	}
	if (stat(path, &sp) == 0 && sp.st_dev == sf.st_dev && sp.st_ino == sf.st_ino) {
		cli_fail("%s and %s are the same file", file, path);
		return 1;
	}
	if (!check_backup_file(file))
		return 1;
	if (target_in_use(path))
		return 1;
	/* A PATH.tmp left by an interrupted restore is ours to replace. */
	unlink(tmp);
	unlink_sidecars(tmp);
	if (!copy_file(file, tmp))
		goto fail_tmp;
	if (!verify_copy(tmp, file))
		goto fail_tmp;
	/* db_close checkpointed the copy into PATH.tmp; flush it again, drop its sidecars. */
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		cli_fail("%s: flushing to disk: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail_tmp;
	}
	close(fd);
	unlink_sidecars(tmp);
	/* Checked again just before the switch: a daemon started meanwhile must not lose it. */
	if (target_in_use(path))
		goto fail_tmp;
	unlink_sidecars(path);
	if (rename(tmp, path) != 0) {
		cli_fail("renaming %s to %s: %s", tmp, path, strerror(errno));
		goto fail_tmp;
	}
	sync_dir(path);
	printf("restored %s from %s\n", path, file);
	return 0;

fail_tmp:
	unlink(tmp);
	unlink_sidecars(tmp);
	return 1;
}
