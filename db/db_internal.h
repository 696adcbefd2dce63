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

/* One slot per cached statement. Each statement's SQL lives next to the function using it. */
enum db_stmt_id {
	ST_USER_VERSION,
	ST_SETTING_GET,
	ST_SETTING_SET,
	ST_SEQUENCE_NEXT,
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
	ST_CUSTODY_FIRST_, /* db_custody.h's statements: custody_internal.h numbers them */
	ST_CUSTODY_LAST_ = ST_CUSTODY_FIRST_ + 47,
	ST_COUNT_ /* number of slots */
};

/* db_dossier_list builds its SQL from the filters in use: one cached variant per mask. */
#define DB_DOSSIER_LIST_VARIANTS 32

struct db {
	sqlite3 *conn;
	pthread_mutex_t lock;     /* recursive; held from db_begin to db_commit/db_rollback */
	bool in_txn;              /* a use case (db_begin) is open (only read under lock) */
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
	sqlite3_stmt *stmts[ST_COUNT_];
	sqlite3_stmt *dossier_list[DB_DOSSIER_LIST_VARIANTS];
};

/* Ends what is open at close: commits a group with members, rolls back the rest. */
void db_txn_close(db *h);

/* The handle's recursive lock. */
void db_lock(db *h);
void db_unlock(db *h);

/* Returns the cached statement of slot id, preparing sql on first use. NULL with err set on
 * failure. The caller must db_stmt_done() it after use. */
sqlite3_stmt *db_stmt(db *h, enum db_stmt_id id, const char *sql, hoso_err *err);

/* Prepares sql into a cache slot of the caller's own (NULL slot: prepare it now). */
sqlite3_stmt *db_stmt_slot(db *h, sqlite3_stmt **slot, const char *sql, hoso_err *err);

/* Status a failed db_stmt() left in err (HOSO_INTERNAL when err is NULL). */
hoso_status db_prep_failed(const hoso_err *err);

/* Resets a statement and clears its bindings, ready for the next use. NULL is accepted. */
void db_stmt_done(sqlite3_stmt *st);

/* Maps an SQLite result code to a hoso_status and fills err with "what: reason (sqlite: msg)".
 * Returns the status. */
hoso_status db_fail(db *h, int rc, const char *what, hoso_err *err);

/* Steps a statement that returns no row (or whose rows are not wanted); maps errors. */
hoso_status db_step_done(db *h, sqlite3_stmt *st, const char *what, hoso_err *err);

/* Binds a C string as text (NULL binds SQL NULL). */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* Copies text column i into buf (NULL becomes ""), cut at a code point boundary. */
void db_col_text(sqlite3_stmt *st, int i, char *buf, size_t size);

/* Copies a 32-byte blob column into out; zeros when NULL or of another size. */
void db_col_hash(sqlite3_stmt *st, int i, uint8_t out[32]);

/* Ordered schema steps: step i (a NULL-terminated list of statements) brings the schema from
 * version i to i + 1. */
extern const char *const *const db_migrations[];
extern const int db_migration_count;
extern const char *const db_schema_v2[]; /* schema_v2.c */

/* Applies pending migrations in one transaction. */
hoso_status db_migrate(db *h, hoso_err *err);

#endif
