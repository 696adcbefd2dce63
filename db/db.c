/* db.c — the handle: open and migrate, the lock, transactions, the statement cache, error
 * mapping, settings, sequences and backups. */
#include "db_internal.h"
#include "log.h"

#include <errno.h>
#include <sys/statvfs.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db_pg.h"
#include "text.h"

/* ---- lock, statements, errors ------------------------------------------------------- */

void db_lock(db *h)
{
	pthread_mutex_lock(&h->lock);
}

void db_unlock(db *h)
{
	pthread_mutex_unlock(&h->lock);
}

/* What this thread holds: the handle whose use case it runs, the reader it reads on. */
static _Thread_local db *tl_txn;
static _Thread_local db *tl_read_db;
static _Thread_local struct db_reader *tl_reader; /* NULL: reading on the main connection */
static _Thread_local unsigned tl_read_depth;

void db_txn_owner(db *h)
{
	tl_txn = h;
}

/* The connection statements of this thread go to: its reader, or the main one. */
static sqlite3 *cur_conn(db *h)
{
	return tl_reader && tl_read_db == h ? tl_reader->conn : h->conn;
}

static struct db_pg *cur_pg(db *h)
{
	return tl_reader && tl_read_db == h ? tl_reader->pg : h->pg;
}

bool db_is_pg(const db *h)
{
	return h->pg != NULL;
}

const char *db_backend(const db *h)
{
	return h->pg ? "postgresql" : "sqlite";
}

int db_exec(db *h, const char *sql)
{
	if (h->pg)
		return db_pg_exec(h->pg, sql);
	return sqlite3_exec(h->conn, sql, NULL, NULL, NULL);
}

int db_exec_cached(db *h, int slot, const char *sql)
{
	if (h->pg || (tl_reader && tl_read_db == h)) /* PostgreSQL prepares none of these */
		return db_exec(h, sql);
	db_st **cached = &h->stmts[slot];
	if (*cached && strcmp(db_st_sql(*cached), sql) != 0) {
		db_st_free(*cached);
		*cached = NULL;
	}
	if (!*cached) {
		hoso_err ignored;
		if (!(*cached = db_st_prepare(h, sql, &ignored)))
			return SQLITE_ERROR;
	}
	int rc = db_step(*cached);
	db_stmt_done(*cached);
	return rc == DB_DONE ? DB_OK : rc;
}

bool db_idle(db *h)
{
	return h->pg ? db_pg_idle(h->pg) : sqlite3_get_autocommit(h->conn) != 0;
}

int64_t db_changes(db *h)
{
	struct db_pg *pg = cur_pg(h);
	return pg ? db_pg_changes(pg) : sqlite3_changes64(cur_conn(h));
}

bool db_fk_failed(db *h)
{
	struct db_pg *pg = cur_pg(h);
	if (pg)
		return db_pg_fk_failed(pg);
	return sqlite3_extended_errcode(cur_conn(h)) == SQLITE_CONSTRAINT_FOREIGNKEY;
}

static bool open_reader(db *h, struct db_reader *r)
{
	if (h->pg) {
		char msg[256];
		/* Never marked failed: a server that was down is tried again on the next read,
		 * which meanwhile goes to the writer's connection. */
		if (r->pg)
			return db_pg_ensure(r->pg) == DB_OK;
		if (!(r->pg = db_pg_connect(h->pg_uri, msg, sizeof(msg))))
			return false;
		/* Reads only: a mistake in db/ that writes through a reader fails loudly. */
		db_pg_exec(r->pg, "SET default_transaction_read_only = on");
		return true;
	}
	const char *path = sqlite3_db_filename(h->conn, "main");
	if (!path || !*path || r->failed)
		return false;
	if (sqlite3_open_v2(path, &r->conn, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	        SQLITE_OK ||
	    sqlite3_exec(r->conn, "PRAGMA busy_timeout = 5000; PRAGMA cache_size = -512", NULL,
	                 NULL, NULL) != SQLITE_OK) {
		sqlite3_close(r->conn);
		r->conn = NULL;
		r->failed = true;
		return false;
	}
	sqlite3_extended_result_codes(r->conn, 1);
	return true;
}

void db_read_lock(db *h)
{
	if (tl_read_depth > 0) {
		if (tl_read_db != h) {
			db_lock(h); /* reading another handle meanwhile: its lock, nothing recorded */
			return;
		}
		tl_read_depth++;
		if (!tl_reader)
			db_lock(h);
		return;
	}
	if (tl_txn != h) {
		static _Thread_local unsigned hint;
		if (!hint)
			hint = atomic_fetch_add(&h->reader_hint, 1) + 1;
		struct db_reader *r = NULL;
		for (unsigned i = 0; i < DB_READERS && !r; i++) {
			struct db_reader *c = &h->readers[(hint + i) % DB_READERS];
			if (pthread_mutex_trylock(&c->lock) == 0)
				r = c;
		}
		if (!r) {
			r = &h->readers[hint % DB_READERS];
			pthread_mutex_lock(&r->lock);
		}
		if ((r->conn && !h->pg) || open_reader(h, r)) {
			tl_reader = r;
			tl_read_db = h;
			tl_read_depth = 1;
			return;
		}
		pthread_mutex_unlock(&r->lock);
	}
	db_lock(h);
	tl_reader = NULL;
	tl_read_db = h;
	tl_read_depth = 1;
}

void db_read_unlock(db *h)
{
	if (tl_read_depth == 0 || tl_read_db != h) {
		db_unlock(h);
		return;
	}
	struct db_reader *r = tl_reader;
	if (--tl_read_depth == 0) {
		tl_reader = NULL;
		tl_read_db = NULL;
	}
	if (r) {
		if (tl_read_depth == 0)
			pthread_mutex_unlock(&r->lock);
	} else {
		db_unlock(h);
	}
}

/* SQLite answers "INSERT ... RETURNING id" by filling a temporary b-tree with the rows
 * returned and reading it back: a pager opened and closed for every row inserted, 4-5 % of
 * the instructions of an event. The new row's INTEGER PRIMARY KEY is also the connection's
 * last_insert_rowid, so such an insert is prepared without the clause and db_step_id reads
 * the id from there. The length of sql to prepare; *rowid tells whether it was cut. */
static int rowid_insert_len(const char *sql, bool *rowid)
{
	static const char *const keys[] = {" RETURNING id", " RETURNING seq"};
	size_t n = strlen(sql);
	*rowid = false;
	if (strncmp(sql, "INSERT INTO ", 12) != 0 || strstr(sql, "ON CONFLICT") ||
	    strstr(sql, "OR IGNORE"))
		return -1; /* an insert that may insert nothing keeps SQLite's RETURNING */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t k = strlen(keys[i]);
		if (n > k && strcmp(sql + n - k, keys[i]) == 0) {
			*rowid = true;
			return (int)(n - k);
		}
	}
	return -1;
}

db_st *db_st_prepare(db *h, const char *sql, hoso_err *err)
{
	db_st *st = calloc(1, sizeof(*st));
	if (!st) {
		hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "preparing a statement: out of "
		             "memory");
		return NULL;
	}
	int rc;
	struct db_pg *pg = cur_pg(h);
	if (pg)
		st->pg = db_pg_prepare(pg, sql, &rc);
	else
		rc = sqlite3_prepare_v3(cur_conn(h), sql, rowid_insert_len(sql, &st->rowid_id),
		                        SQLITE_PREPARE_PERSISTENT, &st->lite, NULL);
	if (pg ? !st->pg : rc != SQLITE_OK) {
		db_fail(h, rc, "preparing a statement", err);
		db_st_free(st);
		return NULL;
	}
	return st;
}

db_st *db_stmt_slot(db *h, db_st **slot, const char *sql, hoso_err *err)
{
	if (!*slot)
		*slot = db_st_prepare(h, sql, err);
	return *slot;
}

db_st *db_stmt(db *h, enum db_stmt_id id, const char *sql, hoso_err *err)
{
	if (tl_reader && tl_read_db == h)
		return db_stmt_slot(h, &tl_reader->stmts[id], sql, err);
	return db_stmt_slot(h, &h->stmts[id], sql, err);
}

hoso_status db_prep_failed(const hoso_err *err)
{
	return err && err->status != HOSO_OK ? err->status : HOSO_INTERNAL;
}

/* SQLite reports a failed write as IOERR_WRITE and often keeps no errno (only ENOSPC gets
 * its own SQLITE_FULL): ask the file system of the database whether it is read-only or
 * full. EROFS, ENOSPC, or 0 when it looks fine. */
static int disk_state(const char *db_path)
{
	struct statvfs vfs;
	if (!db_path || !db_path[0] || statvfs(db_path, &vfs) != 0)
		return 0;
	if (vfs.f_flag & ST_RDONLY)
		return EROFS;
	if (vfs.f_bavail == 0)
		return ENOSPC;
	return 0;
}

hoso_status db_fail(db *h, int rc, const char *what, hoso_err *err)
{
	struct db_pg *pg = h ? cur_pg(h) : NULL;
	const char *msg = pg                    ? db_pg_errmsg(pg)
	                  : h && cur_conn(h)    ? sqlite3_errmsg(cur_conn(h))
	                  : rc == DB_LOST       ? "connection lost"
	                                        : sqlite3_errstr(rc);
	const char *engine = pg || (h && h->pg) ? "postgresql" : "sqlite";
	hoso_status status = HOSO_INTERNAL;
	const char *code = "db_error";
	const char *reason = "database error";

	switch (rc) {
	case DB_LOST:
		status = HOSO_UNAVAILABLE;
		code = "db_unavailable";
		reason = "the database server cannot be reached or dropped the connection; "
		         "nothing of this request was saved unless it says so; retry";
		break;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		status = HOSO_CONFLICT;
		code = "conflict";
		reason = "it already exists";
		break;
	default:
		switch (rc & 0xff) {
		case SQLITE_FULL:
			status = HOSO_UNAVAILABLE;
			code = "db_full";
			reason = "database disk is full; free space and retry";
			break;
		case SQLITE_READONLY:
			status = HOSO_UNAVAILABLE;
			code = "db_readonly";
			reason = "database is read-only; check the file's permissions and the disk";
			break;
		case SQLITE_BUSY:
		case SQLITE_LOCKED:
			status = HOSO_UNAVAILABLE;
			code = "db_busy";
			reason = "database is busy (locked by another process); retry";
			break;
		case SQLITE_IOERR: {
			status = HOSO_UNAVAILABLE;
			code = "db_io";
			reason = "database I/O error; check the disk";
			/* SQLite folds every write error but ENOSPC into IOERR: name the cause. */
			int sys = h && !pg && cur_conn(h) ? sqlite3_system_errno(cur_conn(h)) : 0;
			if (sys == 0 && h && !pg && cur_conn(h))
				sys = disk_state(sqlite3_db_filename(cur_conn(h), "main"));
			if (sys == EROFS) {
				code = "db_readonly";
				reason = "database disk is read-only (Read-only file system); remount "
				         "it read-write";
			} else if (sys == ENOSPC || sys == EDQUOT) {
				code = "db_full";
				reason = "database disk is full (or over quota); free space and retry";
			} else if (sys == EIO) {
				reason = "database I/O error (Input/output error); check the disk";
			}
			break;
		}
		case SQLITE_CANTOPEN:
			status = HOSO_UNAVAILABLE;
			code = "db_cantopen";
			reason = "cannot open the database file; check the path and permissions";
			break;
		case SQLITE_CORRUPT:
		case SQLITE_NOTADB:
			code = "db_corrupt";
			reason = "the file is not a hoso database or is damaged";
			break;
		case SQLITE_NOMEM:
			code = "no_memory";
			reason = "out of memory";
			break;
		case SQLITE_CONSTRAINT:
			code = "db_constraint";
			reason = "a database rule refused the change";
			break;
		default:
			break;
		}
	}
	return hoso_err_set(err, status, code, NULL, "%s: %s (%s: %s)",
	                    what ? what : "database", reason, engine, msg ? msg : "?");
}

hoso_status db_step_done(db *h, db_st *st, const char *what, hoso_err *err)
{
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		;
	if (rc != DB_DONE)
		return db_fail(h, rc, what, err);
	return HOSO_OK;
}

hoso_status db_step_id(db *h, db_st *st, const char *what, int64_t *id, hoso_err *err)
{
	if (st->rowid_id) {
		int rc = sqlite3_step(st->lite);
		sqlite3 *conn = sqlite3_db_handle(st->lite);
		if (rc != SQLITE_DONE || sqlite3_changes(conn) != 1)
			return db_fail(h, rc == SQLITE_DONE ? SQLITE_ERROR : rc, what, err);
		*id = sqlite3_last_insert_rowid(conn);
		return HOSO_OK;
	}
	int rc = db_step(st);
	if (rc != DB_ROW)
		return db_fail(h, rc == DB_DONE ? SQLITE_ERROR : rc, what, err);
	*id = db_col_int64(st, 0);
	return db_step_done(h, st, what, err);
}

void db_col_text(db_st *st, int i, char *buf, size_t size)
{
	const char *s = db_col_str(st, i);
	text_copy(buf, size, s ? s : "");
}

void db_col_hash(db_st *st, int i, uint8_t out[32])
{
	const void *b = db_col_blob(st, i);
	if (b && db_col_bytes(st, i) == 32)
		memcpy(out, b, 32);
	else
		memset(out, 0, 32);
}

/* ---- lifecycle ---------------------------------------------------------------------- */

bool db_is_server(const char *path)
{
	return db_pg_is_uri(path);
}

void db_redact(const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s", path ? path : "");
	if (!db_pg_is_uri(buf))
		return;
	/* scheme://user:password@host... */
	char *auth = strstr(buf, "://") + 3;
	char *at = strchr(auth, '@'), *slash = strchr(auth, '/');
	char *colon = strchr(auth, ':');
	if (at && colon && colon < at && (!slash || at < slash)) {
		char rest[1024];
		snprintf(rest, sizeof(rest), "%s", at);
		snprintf(colon, size - (size_t)(colon - buf), ":***%s", rest);
	}
	/* ...?password=... */
	for (char *p = strstr(buf, "password="); p; p = strstr(p + 1, "password=")) {
		if (p[-1] != '?' && p[-1] != '&')
			continue;
		char *end = strchr(p, '&');
		char rest[1024];
		snprintf(rest, sizeof(rest), "%s", end ? end : "");
		snprintf(p + 9, size - (size_t)(p + 9 - buf), "***%s", rest);
	}
}

static hoso_status set_pragmas(db *h, hoso_err *err)
{
	static const char *const pragmas[] = {
		/* New files only: a page holds a dossier row, and each acceptance dirties several
		 * leaves of random-key indexes; 2 KB pages write about a quarter fewer bytes to the
		 * WAL per acceptance than 4 KB ones (measured with bench/accept). */
		"PRAGMA page_size = 2048",
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = FULL",
		"PRAGMA foreign_keys = ON",
		"PRAGMA busy_timeout = 5000",
		/* Statement journals of savepoints stay in memory: no temporary file per request. */
		"PRAGMA temp_store = MEMORY",
		/* The writer's page cache: 16 MiB instead of 2. With 2 MiB every acceptance read
		 * 43 pages back from the OS under the writer's lock; with 16, 28 (strace -c on
		 * bench/accept). Readers keep their small caches (open_reader). */
		"PRAGMA cache_size = -16384",
	};
	for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
		int rc = sqlite3_exec(h->conn, pragmas[i], NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return db_fail(h, rc, pragmas[i], err);
	}
	return HOSO_OK;
}

/* SQLite's memory statistics take a process-wide mutex on every allocation it makes, and
 * hoso reads none of them: turned off once, before SQLite initialises; and its page cache
 * wrapped (pcache.c). If SQLite was started before (it refuses both then), it runs as it is. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (!db_pcache_install())
		log_warn("SQLite's page cache could not be wrapped; commits walk the whole cache");
	sqlite3_initialize();
}

hoso_status db_open(const char *path, db **out, hoso_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	*out = NULL;
	db *d = calloc(1, sizeof(*d));
	if (!d)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "opening %s: out of memory",
		                    path);
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	int prc = pthread_mutex_init(&d->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_mutex_init(&d->group_lock, NULL);
	for (int i = 0; i < DB_READERS; i++)
		pthread_mutex_init(&d->readers[i].lock, NULL);
	d->wal_fd = -1;
	pthread_cond_init(&d->group_done, NULL);
	if (prc != 0) {
		free(d);
		return hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
		                    "opening %s: cannot create the lock: %s", path, strerror(prc));
	}

	char what[320];
	hoso_status st;
	if (db_pg_is_uri(path)) {
		char msg[400];
		if (!(d->pg_uri = strdup(path)) || !(d->pg = db_pg_connect(path, msg, sizeof(msg)))) {
			st = hoso_err_set(err, HOSO_UNAVAILABLE, "db_cantopen", NULL,
			                  "opening the PostgreSQL database: %s",
			                  d->pg_uri ? msg : "out of memory");
			goto fail_db;
		}
		if ((st = db_migrate(d, err)) != HOSO_OK)
			goto fail_db;
		*out = d;
		return HOSO_OK;
	}
	int rc = sqlite3_open_v2(path, &d->conn,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		snprintf(what, sizeof(what), "opening %s", path);
		st = db_fail(d, rc, what, err);
		goto fail_db;
	}
	sqlite3_extended_result_codes(d->conn, 1);
	st = set_pragmas(d, err);
	if (st != HOSO_OK)
		goto fail_db;
	st = db_migrate(d, err);
	if (st != HOSO_OK)
		goto fail_db;
	if ((st = db_ckpt_attach(d, path, err)) != HOSO_OK)
		goto fail_db;
	*out = d;
	return HOSO_OK;

fail_db:
	db_close(d);
	return st;
}

void db_close(db *h)
{
	if (!h)
		return;
	db_txn_close(h); /* commits a group already promised, drops a use case left open */
	db_ckpt_detach(h);
	for (int i = 0; i < ST_COUNT_; i++)
		db_st_free(h->stmts[i]);
	for (int i = 0; i < DB_DOSSIER_LIST_VARIANTS; i++)
		db_st_free(h->dossier_list[i]);
	for (int r = 0; r < DB_READERS; r++) {
		for (int i = 0; i < ST_COUNT_; i++)
			db_st_free(h->readers[r].stmts[i]);
		sqlite3_close(h->readers[r].conn);
		db_pg_close(h->readers[r].pg);
		pthread_mutex_destroy(&h->readers[r].lock);
	}
	sqlite3_close(h->conn); /* NULL is harmless; all statements are finalized */
	db_pg_close(h->pg);
	free(h->pg_uri);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->group_lock);
	pthread_cond_destroy(&h->group_done);
	free(h);
}

int db_schema_version(db *h)
{
	db_lock(h);
	int version = -1;
	/* PostgreSQL has no user_version: migrations.c keeps the number in a table. */
	db_st *st = db_stmt(h, ST_USER_VERSION,
	                    h->pg ? "SELECT version FROM hoso_schema" : "PRAGMA user_version", NULL);
	if (st) {
		int rc = db_step(st);
		version = rc == DB_ROW ? db_col_int(st, 0) : rc == DB_DONE && h->pg ? 0 : -1;
	}
	db_stmt_done(st);
	db_unlock(h);
	return version;
}

/* ---- transactions ------------------------------------------------------------------- */

/* ---- settings and sequences --------------------------------------------------------- */

hoso_status db_setting_get(db *h, const char *key, char *buf, size_t size, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_SETTING_GET,
	                           "SELECT value FROM settings WHERE key = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, key);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *v = db_col_str(st, 0);
		size_t len = v ? strlen(v) : 0;
		if (len >= size)
			status = hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
			                      "setting %s is %zu bytes, the caller's buffer holds %zu",
			                      key, len, size ? size - 1 : 0);
		else
			memcpy(buf, v ? v : "", len + 1);
	} else if (rc == DB_DONE) {
		status = hoso_err_set(err, HOSO_NOT_FOUND, "not_found", NULL,
		                      "setting %s is not set", key);
	} else {
		status = db_fail(h, rc, "reading a setting", err);
	}
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_setting_set(db *h, const char *key, const char *value, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_SETTING_SET,
	                           "INSERT INTO settings (key, value) VALUES (?1, ?2) "
	                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, value);
	status = db_step_done(h, st, "saving a setting", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* SQLite: the upsert's RETURNING costs a temporary b-tree per call (as in db_step_id), so
 * the writer bumps the row, and reads it back or starts it; both under the handle's lock,
 * which every writer of this connection takes. 28 K instructions a call before, under the
 * writer's lock for every tracking number given out. */
static hoso_status sequence_next_sqlite(db *h, const char *name, int64_t *value, hoso_err *err)
{
	db_st *bump = db_stmt(h, ST_SEQUENCE_BUMP,
	                      "UPDATE sequences SET value = value + 1 WHERE name = ?1", err);
	if (!bump)
		return db_prep_failed(err);
	db_bind_text(bump, 1, name);
	hoso_status status = db_step_done(h, bump, "advancing a sequence", err);
	int changed = sqlite3_changes(sqlite3_db_handle(bump->lite));
	db_stmt_done(bump);
	if (status != HOSO_OK)
		return status;
	if (changed == 0) {
		db_st *start = db_stmt(h, ST_SEQUENCE_START,
		                       "INSERT INTO sequences (name, value) VALUES (?1, 1)", err);
		if (!start)
			return db_prep_failed(err);
		db_bind_text(start, 1, name);
		status = db_step_done(h, start, "starting a sequence", err);
		db_stmt_done(start);
		*value = 0;
		return status;
	}
	db_st *read = db_stmt(h, ST_SEQUENCE_READ,
	                      "SELECT value - 1 FROM sequences WHERE name = ?1", err);
	if (!read)
		return db_prep_failed(err);
	db_bind_text(read, 1, name);
	int rc = db_step(read);
	if (rc == DB_ROW)
		*value = db_col_int64(read, 0);
	else
		status = db_fail(h, rc == DB_DONE ? SQLITE_CORRUPT : rc, "reading a sequence", err);
	db_stmt_done(read);
	return status;
}

hoso_status db_sequence_next(db *h, const char *name, int64_t *value, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_lock(h);
	if (!db_is_pg(h)) {
		status = sequence_next_sqlite(h, name, value, err);
		goto unlock;
	}
	db_st *st = db_stmt(h, ST_SEQUENCE_NEXT,
	                    "INSERT INTO sequences (name, value) VALUES (?1, 1) "
	                    "ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 "
	                    "RETURNING value - 1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, name);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*value = db_col_int64(st, 0);
		status = db_step_done(h, st, "advancing a sequence", err);
	} else {
		status = db_fail(h, rc, "advancing a sequence", err);
	}
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* ---- backup ------------------------------------------------------------------------- */

/* fsyncs a file, then its directory, so that the new name survives a power cut. */
static hoso_status sync_file_and_dir(const char *path, hoso_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return hoso_err_set(err, HOSO_UNAVAILABLE, "db_io", NULL,
		                    "backup %s: cannot flush it to disk: %s", path, strerror(e));
	}
	close(fd);
	char *copy = strdup(path);
	if (!copy)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "backup: out of memory");
	int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (dfd >= 0) {
		fsync(dfd); /* best effort: some file systems refuse fsync on directories */
		close(dfd);
	}
	return HOSO_OK;
}

hoso_status db_backup(db *h, const char *dest_path, hoso_err *err)
{
	if (h->pg)
		return hoso_err_set(err, HOSO_CONFLICT, "backup_postgres", NULL,
		                    "backup: this daemon runs on PostgreSQL, whose backups are made "
		                    "by the server's own tools (pg_basebackup, pg_dump): see "
		                    "docs/DEPLOY.md");
	struct stat sb;
	if (stat(dest_path, &sb) == 0)
		return hoso_err_set(err, HOSO_CONFLICT, "exists", NULL,
		                    "backup %s: the file already exists; backups never overwrite, "
		                    "choose a new name", dest_path);

	char what[320];
	snprintf(what, sizeof(what), "backup to %s", dest_path);
	sqlite3 *dest = NULL;
	hoso_status status = HOSO_OK;
	int rc = sqlite3_open_v2(dest_path, &dest,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		status = hoso_err_set(err, HOSO_UNAVAILABLE, "db_cantopen", NULL,
		                      "%s: cannot create the file (sqlite: %s)", what,
		                      dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
		goto close_dest;
	}
	sqlite3_backup *bk = sqlite3_backup_init(dest, "main", h->conn, "main");
	if (!bk) {
		status = hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL, "%s: %s", what,
		                      sqlite3_errmsg(dest));
		goto close_dest;
	}
	/* Copy in chunks, releasing the handle between them so the daemon keeps serving;
	 * writes made through this handle meanwhile are carried into the copy by SQLite. */
	int busy = 0;
	do {
		db_lock(h);
		rc = sqlite3_backup_step(bk, 1024);
		db_unlock(h);
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++busy <= 250)
			sqlite3_sleep(20); /* up to about 5 s, as busy_timeout */
		else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			break;
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		int base = rc & 0xff;
		bool env = base == SQLITE_FULL || base == SQLITE_BUSY || base == SQLITE_LOCKED ||
		           base == SQLITE_IOERR || base == SQLITE_READONLY;
		status = hoso_err_set(err, env ? HOSO_UNAVAILABLE : HOSO_INTERNAL, "db_backup", NULL,
		                      "%s: copy failed: %s (sqlite: %s)", what,
		                      base == SQLITE_FULL ? "disk is full"
		                      : base == SQLITE_BUSY || base == SQLITE_LOCKED
		                          ? "the database stayed locked; retry"
		                          : sqlite3_errstr(rc), sqlite3_errmsg(dest));
		goto close_dest;
	}
	rc = sqlite3_close(dest);
	dest = NULL;
	if (rc != SQLITE_OK) {
		status = hoso_err_set(err, HOSO_INTERNAL, "db_backup", NULL,
		                      "%s: closing the copy failed (%s)", what, sqlite3_errstr(rc));
		goto remove_dest;
	}
	status = sync_file_and_dir(dest_path, err);
	if (status != HOSO_OK)
		goto remove_dest;
	return HOSO_OK;

close_dest:
	sqlite3_close(dest);
remove_dest:
	unlink(dest_path); /* never leave a partial copy that looks like a backup */
	return status;
}
