/* db_internal.h — what the files of db/ share: the handle, the statement cache, the lock and
 * the mapping of SQLite errors onto hoso_status. Not for use outside db/. */
#ifndef HOSO_DB_INTERNAL_H
#define HOSO_DB_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* ---- the two backends (stmt.c, pg.c) ------------------------------------------------ */

/* A PostgreSQL connection and statement (pg.c); opaque outside it. */
struct db_pg;
struct db_pg_st;

/* A prepared statement of either backend. SQL is written once, in SQLite's dialect with
 * numbered parameters (?1, ?2 ...), in the common subset of both; pg.c turns ?N into $N. */
typedef struct db_st {
	sqlite3_stmt *lite;
	struct db_pg_st *pg;
	bool rowid_id; /* SQLite: "INSERT ... RETURNING <rowid>" prepared without the clause */
} db_st;

/* Result codes of db_step() and db_exec(): SQLite's, which PostgreSQL errors are mapped
 * onto (pg.c), plus DB_LOST for a connection to the server that broke. */
enum { DB_OK = 0, DB_ROW = 100, DB_DONE = 101, DB_LOST = 0x10000 };

/* Binds parameter idx (from 1); a copy is kept, so the value may go away after the call. */
int db_bind_int64(db_st *st, int idx, int64_t v);
int db_bind_null(db_st *st, int idx);
int db_bind_blob(db_st *st, int idx, const void *p, size_t n);
/* Binds a C string as text (NULL binds SQL NULL). */
int db_bind_text(db_st *st, int idx, const char *s);

/* Runs the statement or moves to its next row: DB_ROW, DB_DONE or an error code. */
int db_step(db_st *st);

/* Column i (from 0) of the current row. A NULL reads as 0 or NULL. */
int64_t db_col_int64(db_st *st, int i);
int db_col_int(db_st *st, int i);
double db_col_double(db_st *st, int i);
const char *db_col_str(db_st *st, int i);
const void *db_col_blob(db_st *st, int i);
int db_col_bytes(db_st *st, int i);
bool db_col_null(db_st *st, int i);

/* The SQL st was prepared from (as written, before any translation). */
const char *db_st_sql(const db_st *st);

/* Frees a statement; NULL is accepted. */
void db_st_free(db_st *st);

/* One slot per cached statement. Each statement's SQL lives next to the function using it. */
enum db_stmt_id {
	ST_USER_VERSION,
	ST_SETTING_GET,
	ST_SETTING_SET,
	ST_SEQUENCE_NEXT,
	ST_SEQUENCE_BUMP,
	ST_SEQUENCE_READ,
	ST_SEQUENCE_START,
	ST_OFFICE_UPSERT,
	ST_OFFICE_GET,
	ST_AGENCY_UPSERT,
	ST_AGENCY_GET,
	ST_PROCEDURE_UPSERT,
	ST_PROCEDURE_GET,
	ST_PROCEDURE_SEARCH,
	ST_COUNT_OFFICES,
	ST_COUNT_AGENCIES,
	ST_COUNT_PROCEDURES,
	ST_USER_INSERT,
	ST_USER_UPDATE,
	ST_USER_GET_BY_NAME,
	ST_USER_GET,
	ST_TOKEN_INSERT,
	ST_TOKEN_LOOKUP,
	ST_TOKEN_DELETE,
	ST_USER_LIST,
	ST_COURIER_LIST,
	ST_TOKEN_DELETE_USER,
	ST_DOSSIER_INSERT,
	ST_DOSSIER_GET,
	ST_ITEM_INSERT,
	ST_ITEM_GET,
	ST_ITEMS_OF_DOSSIER,
	ST_ITEM_ADVANCE,
	ST_EVENT_INSERT,
	ST_EVENT_GET,
	ST_EVENTS_OF_ITEM,
	ST_OUTBOX_INSERT,
	ST_OUTBOX_COUNT,
	ST_TXN_BEGIN, /* txn.c's statements (db_exec_cached) */
	ST_TXN_COMMIT,
	ST_TXN_SAVEPOINT,
	ST_TXN_RELEASE,
	ST_TXN_SYNC_NORMAL,
	ST_TXN_SYNC_FULL,
	ST_CUSTODY_FIRST_, /* db_custody.h's statements: custody_internal.h numbers them */
	ST_CUSTODY_LAST_ = ST_CUSTODY_FIRST_ + 47,
	ST_PUBLIC_FIRST_, /* db_public.h's statements: public.c and complaints.c number them */
	ST_PUBLIC_LAST_ = ST_PUBLIC_FIRST_ + 23,
	ST_OUTBOX_FIRST_, /* db_outbox.h's statements (outbox.c numbers them) */
	ST_OUTBOX_LAST_ = ST_OUTBOX_FIRST_ + 23,
	ST_AUDIT_FIRST_, /* db_audit.h's statements (audit.c numbers them) */
	ST_AUDIT_LAST_ = ST_AUDIT_FIRST_ + 7,
	ST_ADMIN_FIRST_, /* db_admin.h's statements (admin.c numbers them) */
	ST_ADMIN_LAST_ = ST_ADMIN_FIRST_ + 7,
	ST_STATS_FIRST_, /* db_stats.h's statements (stats.c numbers them) */
	ST_STATS_LAST_ = ST_STATS_FIRST_ + 15,
	ST_COUNT_ /* number of slots */
};

/* db_dossier_list builds its SQL from the filters in use: one cached variant per mask. */
#define DB_DOSSIER_LIST_VARIANTS 32

/* Read-only connections for reads made outside a use case (db_read_lock): WAL readers run
 * beside the writer and see only committed data. Opened on first use. */
#define DB_READERS 16
struct db_reader {
	pthread_mutex_t lock;
	sqlite3 *conn;
	struct db_pg *pg;         /* on PostgreSQL, instead of conn */
	bool failed;              /* could not be opened: use the main connection */
	db_st *stmts[ST_COUNT_];
};

struct db {
	sqlite3 *conn;            /* SQLite: the writer's connection */
	struct db_pg *pg;         /* PostgreSQL: the writer's connection (conn is NULL) */
	char *pg_uri;             /* PostgreSQL: where readers connect */
	pthread_mutex_t lock;     /* recursive; held from db_begin to db_commit/db_rollback */
	bool in_txn;              /* a use case (db_begin) is open (only read under lock) */
	/* Savepoints the open use case holds, oldest first (custody.c): a name not among them
	 * is refused before any SQL, since PostgreSQL aborts the whole transaction on one. */
	char savepoints[8][32];
	unsigned n_savepoints;
	/* Group commit (txn.c): use cases run one at a time, each in a savepoint of one
	 * SQLite transaction that stays open while more writers are queued; the last of them
	 * commits for all, and each is answered only once that commit is durable. */
	bool group_open;          /* the SQLite transaction is open (under lock) */
	uint64_t group_gen;       /* generation of the open group (under lock) */
	unsigned group_members;   /* use cases released into it (under lock) */
	atomic_int waiting;       /* threads queued in db_begin for the lock */
	pthread_mutex_t group_lock;
	pthread_cond_t group_done;
	uint64_t done_gen;        /* newest group whose COMMIT has finished (group_lock) */
	uint64_t failed_gen;      /* newest group whose COMMIT failed (group_lock) */
	hoso_err failed_err;      /* why it failed (group_lock) */
	/* Durability (txn.c): a group's COMMIT runs with synchronous=NORMAL under the lock, and
	 * its members then flush the WAL (fdatasync) outside the lock before they return, so
	 * the next group is built while the disk works, and one flush covers every group
	 * committed before it began. */
	uint64_t durable_gen;     /* newest group known to be on disk (group_lock) */
	bool syncing;             /* a member is flushing the WAL (group_lock) */
	bool sync_broken;         /* a flush failed: nothing committed later is promised */
	hoso_err sync_err;        /* why (group_lock) */
	int wal_fd;               /* the WAL, opened on the first flush (by the flushing member) */
	struct db_ckpt *ckpt;     /* SQLite: the background checkpoint (checkpoint.c) */
	uint64_t held_since_ns;   /* when db_begin got the writer (under lock) */
	uint64_t held_since_cpu_ns; /* the holder thread's CPU time then (under lock) */
	_Atomic uint64_t st_use_cases, st_groups, st_flushes, st_busy_ns, st_busy_cpu_ns;
	db_st *stmts[ST_COUNT_];
	db_st *dossier_list[DB_DOSSIER_LIST_VARIANTS];
	struct db_reader readers[DB_READERS];
	atomic_uint reader_hint;  /* spreads threads over the readers */
};

/* The dossier columns, qualified by the alias d, in the order db_dossier_read_row reads. */
#define DB_DOSSIER_COLS_D \
	"d.id, d.procedure_code, d.agency_code, d.office_code, d.service, d.applicant_kind, " \
	"d.applicant_name, d.applicant_phone, d.applicant_id_number, d.applicant_address, " \
	"d.applicant_email, d.documents, d.postage_vnd, d.fee_vnd, d.payment_method, " \
	"d.portal_code, d.notes, d.route_class, d.appointment_slip, d.created_by, " \
	"d.accepted_at, d.accepted_date, d.due_date"

/* The agency columns in the order db_agency_read_row reads, qualified by the alias a. */
#define DB_AGENCY_COLS_A "a.code, a.name, a.desk_name, a.address, a.district, a.province, a.phone"

/* Reads a row selected with DB_AGENCY_COLS_A (first column at 0) into a. */
void db_agency_read_row(db_st *st, db_agency *a);

/* Reads a row selected with DB_DOSSIER_COLS_D (or dossiers.c's DOSSIER_COLS) into d. */
void db_dossier_read_row(db_st *st, db_dossier *d);

/* Steps st to its end, reading each row with read into a malloc'd array of elem-byte rows
 * (*rows, free() it; NULL when none) of *n; what names the work in messages. */
hoso_status db_collect(db *h, db_st *st, size_t elem,
                       void (*read)(db_st *st, void *row), void **rows, size_t *n,
                       const char *what, hoso_err *err);

/* Wraps SQLite's page cache so that a commit does not walk the whole cache after a page
 * split (pcache.c). Once, before sqlite3_initialize(); false when SQLite refused it. */
bool db_pcache_install(void);
/* Truncations of page caches passed to SQLite's cache, those answered without it, and the
 * moves of pages to the spare number that made pcache1 walk its table. */
void db_pcache_counts(uint64_t *truncated, uint64_t *skipped, uint64_t *spare_moves);

/* SQLite: checkpoints from a thread of its own instead of inside the writer's commits. */
hoso_status db_ckpt_attach(db *h, const char *path, hoso_err *err);
/* Stops that thread (before the writer's connection closes); harmless when none. */
void db_ckpt_detach(db *h);
/* Checkpoints the thread has run. */
uint64_t db_ckpt_runs(const db *h);

/* WAL frames copied into the database file by the thread and by the writer's commits. */
void db_ckpt_frames(const db *h, uint64_t *by_thread, uint64_t *by_writer);

/* Ends what is open at close: commits a group with members, rolls back the rest. */
void db_txn_close(db *h);

/* The handle's recursive lock. */
void db_lock(db *h);
void db_unlock(db *h);

/* For functions that only read: inside this thread's use case, the handle's lock (the
 * reads see the use case's writes); otherwise one of the read-only connections, so reads
 * neither wait for the writers nor see a group's uncommitted rows. Between the two calls,
 * db_stmt() and db_fail() use that connection. Nestable. */
void db_read_lock(db *h);
void db_read_unlock(db *h);

/* Marks that this thread runs a use case on h (db_begin) or no longer (NULL). */
void db_txn_owner(db *h);

/* Prepares sql on the connection this thread uses now (see db_read_lock); the caller frees
 * it with db_st_free(). NULL with err set on failure. */
db_st *db_st_prepare(db *h, const char *sql, hoso_err *err);

/* Runs SQL that returns no rows (several statements allowed) on the writer's connection. */
int db_exec(db *h, const char *sql);

/* db_exec for one statement that is run often (a savepoint, COMMIT), on the writer's
 * connection under the lock: on SQLite it stays prepared in slot, which holds one SQL text
 * at a time (another text replaces it). */
int db_exec_cached(db *h, int slot, const char *sql);

/* Rows the last statement on this thread's connection inserted, changed or deleted. */
int64_t db_changes(db *h);

/* Whether the last failure on this thread's connection broke a foreign key. */
bool db_fk_failed(db *h);

/* Whether h runs on PostgreSQL. */
bool db_is_pg(const db *h);

/* Whether the writer's connection is outside any transaction (autocommit). */
bool db_idle(db *h);

/* Returns the cached statement of slot id, preparing sql on first use. NULL with err set on
 * failure. The caller must db_stmt_done() it after use. */
db_st *db_stmt(db *h, enum db_stmt_id id, const char *sql, hoso_err *err);

/* Prepares sql into a cache slot of the caller's own (NULL slot: prepare it now). */
db_st *db_stmt_slot(db *h, db_st **slot, const char *sql, hoso_err *err);

/* Status a failed db_stmt() left in err (HOSO_INTERNAL when err is NULL). */
hoso_status db_prep_failed(const hoso_err *err);

/* Resets a statement and clears its bindings, ready for the next use. NULL is accepted. */
void db_stmt_done(db_st *st);

/* Maps a result code (SQLite's, or PostgreSQL's mapped onto them) to a hoso_status and
 * fills err with "what: reason (sqlite: msg)" or "(postgresql: msg)". Returns the status. */
hoso_status db_fail(db *h, int rc, const char *what, hoso_err *err);

/* Steps a statement that returns no row (or whose rows are not wanted); maps errors. */
hoso_status db_step_done(db *h, db_st *st, const char *what, hoso_err *err);

/* Steps an INSERT ... RETURNING id to its end; *id is the new row's id. */
hoso_status db_step_id(db *h, db_st *st, const char *what, int64_t *id, hoso_err *err);

/* Copies text column i into buf (NULL becomes ""), cut at a code point boundary. */
void db_col_text(db_st *st, int i, char *buf, size_t size);

/* Copies a 32-byte blob column into out; zeros when NULL or of another size. */
void db_col_hash(db_st *st, int i, uint8_t out[32]);

/* Ordered schema steps: step i (a NULL-terminated list of statements) brings the schema from
 * version i to i + 1. */
extern const char *const *const db_migrations[];
extern const int db_migration_count;
extern const char *const db_schema_v2[]; /* schema_v2.c */
extern const char *const db_schema_v3[]; /* schema_v3.c: public tracking, complaints */
extern const char *const db_schema_v4[]; /* schema_v4.c: notifications */
extern const char *const db_schema_v5[]; /* schema_v5.c: failed logins (lockout) */
extern const char *const db_schema_v6[]; /* schema_v6.c: idempotent pickup requests */
extern const char *const db_schema_v7[]; /* schema_v7.c: items by state and time */
extern const char *const db_schema_v8[]; /* schema_v8.c: CHECK lists as comparisons */
/* Migration 8's work on SQLite: rewrites CHECK (x IN (3+ values)) in place. */
hoso_status db_schema_v8_sqlite(db *h, hoso_err *err);

/* PostgreSQL (pg_schema.c): statements run before the migrations, and the translation of
 * one migration step (malloc'd; NULL when out of memory or not understood). */
extern const char *const db_pg_prelude[];
char *db_pg_ddl(const char *sql);

/* Applies pending migrations in one transaction. */
hoso_status db_migrate(db *h, hoso_err *err);

#endif
