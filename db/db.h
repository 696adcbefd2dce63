/* db.h — hoso's storage. Every SQL statement of the project lives behind this header.
 *
 * One `db` handle wraps one SQLite connection and is safe to share between threads: calls
 * are serialised by a recursive lock, and db_begin() holds that lock until db_commit() or
 * db_rollback(), so a use case's reads and writes form one transaction. Commits are durable
 * (WAL, synchronous=FULL) before db_commit() returns.
 *
 * Times are milliseconds since the Unix epoch (UTC). Dates are "YYYY-MM-DD" strings.
 * Fixed-size string fields are NUL-terminated; callers validate lengths before writing.
 */
#ifndef HOSO_DB_H
#define HOSO_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso.h"

typedef struct db db;

/* ---- lifecycle ---------------------------------------------------------------------- */

/* Opens (creating if missing) the SQLite file at path, sets WAL and synchronous=FULL, or
 * connects to the PostgreSQL database a postgres:// URI names; then applies pending
 * migrations in one transaction. On failure *out is NULL and err says why. */
hoso_status db_open(const char *path, db **out, hoso_err *err);

/* Whether path names a PostgreSQL database (postgres://... or postgresql://..., a libpq URI)
 * rather than a SQLite file. db_open() takes either. */
bool db_is_server(const char *path);

/* "sqlite" or "postgresql": the backend of an open handle. */
const char *db_backend(const db *db);

/* Copies path into buf for logs and messages, with any password in a URI replaced by ***. */
void db_redact(const char *path, char *buf, size_t size);

/* Closes the handle; NULL is accepted. */
void db_close(db *db);

/* Schema version of the open file (PRAGMA user_version). */
int db_schema_version(db *db);

/* Version the newest migration brings the schema to. */
int db_latest_version(void);

/* Begins a write transaction (BEGIN IMMEDIATE) and holds the handle's lock until commit. */
hoso_status db_begin(db *db, hoso_err *err);

/* Commits durably and releases the lock. On failure the transaction is rolled back. */
hoso_status db_commit(db *db, hoso_err *err);

/* Rolls back and releases the lock; harmless when no transaction is open. */
void db_rollback(db *db);

/* What the single writer has done since the handle opened (counters only grow). */
typedef struct db_writer_stats {
	uint64_t use_cases;       /* db_begin() calls that got the writer */
	uint64_t groups;          /* transactions committed for them (group commit) */
	uint64_t flushes;         /* fdatasync() calls of the write-ahead log (SQLite) */
	uint64_t checkpoints;     /* background checkpoints of the WAL (SQLite, checkpoint.c) */
	uint64_t ckpt_frames_thread; /* WAL frames the background thread copied back */
	uint64_t ckpt_frames_writer; /* those the writer's commits copied (past 4,000 frames) */
	uint64_t busy_ns;         /* time the writer was held, begin to commit or rollback */
	uint64_t busy_cpu_ns;     /* CPU time its holders used meanwhile (kernel included) */
} db_writer_stats;

/* Copies the writer's counters into out. */
void db_writer_stats_get(db *db, db_writer_stats *out);

/* Writes a consistent copy of the live database to dest_path (SQLite backup API). */
hoso_status db_backup(db *db, const char *dest_path, hoso_err *err);

/* ---- moving to PostgreSQL (copy.c) --------------------------------------------------- */

/* Copies every row of the SQLite database src into the empty, migrated PostgreSQL database
 * dst, read at one moment and written in one transaction; progress (may be NULL) hears of
 * each table's rows as they go. HOSO_CONFLICT when dst holds data. */
hoso_status db_copy(db *src, db *dst, void (*progress)(const char *table, int64_t rows, void *ctx),
                    void *ctx, hoso_err *err);

/* Rows of one table on both sides of a copy. */
typedef struct db_count_report {
	const char *table;
	int64_t source, target;
} db_count_report;

/* Counts the rows of every table db_copy moves, in src and in dst, into out (at most max;
 * *n of them). */
hoso_status db_copy_compare(db *src, db *dst, db_count_report *out, size_t max, size_t *n,
                            hoso_err *err);

/* ---- settings (key/value, e.g. the serial key) --------------------------------------- */

/* Copies the value of key into buf; HOSO_NOT_FOUND when unset. */
hoso_status db_setting_get(db *db, const char *key, char *buf, size_t size, hoso_err *err);

/* Inserts or replaces key. */
hoso_status db_setting_set(db *db, const char *key, const char *value, hoso_err *err);

/* Returns the next unused counter of a named sequence (starting at 0) and advances it.
 * Call inside a transaction so a rolled-back request does not consume the value. */
hoso_status db_sequence_next(db *db, const char *name, int64_t *value, hoso_err *err);

/* ---- catalogue ---------------------------------------------------------------------- */

typedef struct db_office {
	char code[16];        /* post office code, digits, e.g. "600000" */
	char name[256];
	char address[512];
	char district[128];
	char province[128];
	char phone[32];
} db_office;

typedef struct db_agency {
	char code[32];        /* agency identification code, e.g. "000.00.00.H21" */
	char name[256];
	char desk_name[256];  /* its one-stop desk, "Bộ phận Một cửa ..." */
	char address[512];
	char district[128];
	char province[128];
	char phone[32];
} db_agency;

typedef struct db_procedure {
	char code[32];        /* national catalogue code, e.g. "1.001776" or "2.002621.H56" */
	char name[1024];
	char name_fold[1024]; /* text_fold(name), the search key */
	char agency_code[32];
	int64_t fee_vnd;
	int days;             /* processing time in working days */
	char components[8192];/* JSON array: [{"name": "...", "required": true, "form": "original"|"copy"|"any"}] */
} db_procedure;

/* Inserts or updates (by code) one row. Call inside the importer's transaction. */
hoso_status db_office_upsert(db *db, const db_office *o, hoso_err *err);
hoso_status db_agency_upsert(db *db, const db_agency *a, hoso_err *err);
hoso_status db_procedure_upsert(db *db, const db_procedure *p, hoso_err *err);

/* Loads one row by code; HOSO_NOT_FOUND when absent. */
hoso_status db_office_get(db *db, const char *code, db_office *out, hoso_err *err);
hoso_status db_agency_get(db *db, const char *code, db_agency *out, hoso_err *err);
hoso_status db_procedure_get(db *db, const char *code, db_procedure *out, hoso_err *err);

/* Procedures whose code starts with `code_prefix` or whose name_fold contains `fold`
 * (either may be "" to match all), ordered by code. *out is malloc'd (free()). */
hoso_status db_procedure_search(db *db, const char *code_prefix, const char *fold,
                                size_t limit, db_procedure **out, size_t *n, hoso_err *err);

/* Number of rows in the offices / agencies / procedures tables ("offices" ...). */
hoso_status db_catalogue_count(db *db, const char *table, int64_t *count, hoso_err *err);

/* ---- users and tokens ---------------------------------------------------------------- */

typedef struct db_user {
	int64_t id;
	char username[64];
	char role[16];        /* clerk | courier | agency | supervisor | admin */
	char agency_code[32]; /* for role agency */
	char office_code[16]; /* home office of clerks and couriers */
	char full_name[256];
	char pw_hash[160];    /* crypto_pwhash_str() output */
	int64_t created_at;
	bool disabled;
} db_user;

/* Inserts a user; sets u->id. HOSO_CONFLICT when the username exists. */
hoso_status db_user_insert(db *db, db_user *u, hoso_err *err);

/* Replaces the password hash, role and bindings of an existing user (by username). */
hoso_status db_user_update(db *db, const db_user *u, hoso_err *err);

hoso_status db_user_get_by_name(db *db, const char *username, db_user *out, hoso_err *err);
hoso_status db_user_get(db *db, int64_t id, db_user *out, hoso_err *err);

/* Every user, ordered by id. *out is malloc'd (free()). */
hoso_status db_user_list(db *db, db_user **out, size_t *n, hoso_err *err);

/* The active couriers of office_code (NULL or "": of every office), by office then name.
 * *out is malloc'd (free()). */
hoso_status db_courier_list(db *db, const char *office_code, db_user **out, size_t *n,
                            hoso_err *err);

/* Deletes every token of user_id (sessions end at once); *count (may be NULL) tells how many. */
hoso_status db_tokens_delete_user(db *db, int64_t user_id, int64_t *count, hoso_err *err);

/* Stores the SHA-256 of a bearer token for user_id, valid until expires_at. */
hoso_status db_token_insert(db *db, const uint8_t hash[32], int64_t user_id,
                            int64_t created_at, int64_t expires_at, hoso_err *err);

/* Finds the user of an unexpired token; HOSO_NOT_FOUND when unknown or expired. */
hoso_status db_token_lookup(db *db, const uint8_t hash[32], int64_t now, db_user *out,
                            hoso_err *err);

/* Deletes a token (logout); HOSO_OK even when it was not there. */
hoso_status db_token_delete(db *db, const uint8_t hash[32], hoso_err *err);

/* ---- dossiers, items, events --------------------------------------------------------- */

typedef struct db_dossier {
	int64_t id;
	char procedure_code[32];
	char agency_code[32];
	char office_code[16];
	char service[8];            /* send | return | both */
	char applicant_kind[16];    /* person | organisation */
	char applicant_name[256];
	char applicant_phone[32];
	char applicant_id_number[32];
	char applicant_address[512];
	char applicant_email[128];
	char documents[8192];       /* JSON array [{"name", "form", "copies"}] */
	int64_t postage_vnd;
	int64_t fee_vnd;
	char payment_method[16];    /* cash | transfer | none */
	char portal_code[64];
	char notes[1024];
	char route_class[16];       /* district | province | city1 | other */
	bool appointment_slip;
	int64_t created_by;
	int64_t accepted_at;        /* ms */
	char accepted_date[11];     /* J, local date */
	char due_date[11];          /* J + n working days */
} db_dossier;

typedef struct db_item {
	char tracking_number[16];
	int64_t dossier_id;
	char role[12];              /* submission | result */
	char state[24];
	int64_t created_at;
	int64_t updated_at;
	int64_t last_seq;           /* seq of the newest event, 0 when none */
	uint8_t last_hash[32];      /* chain head, zeros when no event */
} db_item;

typedef struct db_event {
	int64_t seq;                /* global order, assigned on insert */
	char id[40];                /* client UUID, unique */
	char tracking_number[16];
	char type[24];
	char state_from[24];
	char state_to[24];
	int64_t user_id;
	char username[64];
	char place[32];             /* office or agency code */
	char from_party[64];
	char to_party[64];
	int64_t server_time;        /* ms */
	int64_t device_time;        /* ms, 0 when the device sent none */
	char data[4096];            /* JSON object with the type's own fields, "{}" if none */
	char request_digest[65];    /* hex SHA-256 of the request body that made it */
	uint8_t prev_hash[32];
	uint8_t hash[32];
} db_event;

typedef struct db_dossier_filter {
	const char *office_code;    /* NULL = any */
	const char *agency_code;
	const char *date_from;      /* accepted_date >= */
	const char *date_to;        /* accepted_date <= */
	const char *state;          /* any item of the dossier in this state */
	int64_t before_id;          /* keyset pagination: id < before_id, 0 = first page */
	size_t limit;
} db_dossier_filter;

/* Inserts a dossier; sets d->id. */
hoso_status db_dossier_insert(db *db, db_dossier *d, hoso_err *err);
hoso_status db_dossier_get(db *db, int64_t id, db_dossier *out, hoso_err *err);

/* Dossiers matching f, newest first. *out is malloc'd (free()). */
hoso_status db_dossier_list(db *db, const db_dossier_filter *f, db_dossier **out, size_t *n,
                            hoso_err *err);

/* Inserts an item. HOSO_CONFLICT when the tracking number exists. */
hoso_status db_item_insert(db *db, const db_item *it, hoso_err *err);
hoso_status db_item_get(db *db, const char *tracking_number, db_item *out, hoso_err *err);

/* Items of one dossier, submission first; out holds at most 2. */
hoso_status db_items_of_dossier(db *db, int64_t dossier_id, db_item out[2], size_t *n,
                                hoso_err *err);

/* Moves an item to state with its new chain head. */
hoso_status db_item_advance(db *db, const char *tracking_number, const char *state,
                            int64_t seq, const uint8_t hash[32], int64_t updated_at,
                            hoso_err *err);

/* Appends an event; sets ev->seq. HOSO_CONFLICT when ev->id exists. */
hoso_status db_event_insert(db *db, db_event *ev, hoso_err *err);

/* Loads an event by its client id; HOSO_NOT_FOUND when unseen. */
hoso_status db_event_get(db *db, const char *id, db_event *out, hoso_err *err);
/* As db_event_get, for a check before recording: HOSO_OK with *found false when no event
 * has the id, without formatting an error (the usual case, under the writer's lock). */
hoso_status db_event_find(db *db, const char *id, db_event *out, bool *found, hoso_err *err);

/* Events of one item in order. *out is malloc'd (free()). */
hoso_status db_events_of_item(db *db, const char *tracking_number, db_event **out, size_t *n,
                              hoso_err *err);

/* Calls fn for every event grouped by item, each item's events in order; stops when fn
 * returns false. For `hoso verify`. */
hoso_status db_events_each(db *db, bool (*fn)(const db_event *ev, void *ctx), void *ctx,
                           hoso_err *err);

/* ---- outbox ------------------------------------------------------------------------- */

/* Queues a notification in the current transaction. kind: "sms" | "webhook" | "portal". */
hoso_status db_outbox_insert(db *db, const char *kind, const char *target,
                             const char *payload_json, int64_t created_at, hoso_err *err);

/* Number of outbox rows in a state ("pending", "sent", "failed"). */
hoso_status db_outbox_count(db *db, const char *state, int64_t *count, hoso_err *err);

#endif
