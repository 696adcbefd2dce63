/* migrations.c — the schema, as an ordered list of steps. Never edit a step that has shipped:
 * append a new one. The file's version is kept in PRAGMA user_version. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const schema_v1[] = {
	"CREATE TABLE settings (\n"
	"  key   TEXT PRIMARY KEY NOT NULL,\n"
	"  value TEXT NOT NULL\n"
	");\n",
	"CREATE TABLE sequences (\n"
	"  name  TEXT PRIMARY KEY NOT NULL,\n"
	"  value INTEGER NOT NULL\n"
	");\n",
	"CREATE TABLE offices (\n"
	"  code     TEXT PRIMARY KEY NOT NULL,\n"
	"  name     TEXT NOT NULL,\n"
	"  address  TEXT NOT NULL DEFAULT '',\n"
	"  district TEXT NOT NULL DEFAULT '',\n"
	"  province TEXT NOT NULL DEFAULT '',\n"
	"  phone    TEXT NOT NULL DEFAULT ''\n"
	");\n",
	"CREATE TABLE agencies (\n"
	"  code      TEXT PRIMARY KEY NOT NULL,\n"
	"  name      TEXT NOT NULL,\n"
	"  desk_name TEXT NOT NULL DEFAULT '',\n"
	"  address   TEXT NOT NULL DEFAULT '',\n"
	"  district  TEXT NOT NULL DEFAULT '',\n"
	"  province  TEXT NOT NULL DEFAULT '',\n"
	"  phone     TEXT NOT NULL DEFAULT ''\n"
	");\n",
	"CREATE TABLE procedures (\n"
	"  code        TEXT PRIMARY KEY NOT NULL,\n"
	"  name        TEXT NOT NULL,\n"
	"  name_fold   TEXT NOT NULL,\n"
	"  agency_code TEXT NOT NULL REFERENCES agencies(code),\n"
	"  fee_vnd     INTEGER NOT NULL DEFAULT 0 CHECK (fee_vnd >= 0),\n"
	"  days        INTEGER NOT NULL DEFAULT 0 CHECK (days BETWEEN 0 AND 365),\n"
	"  components  TEXT NOT NULL DEFAULT '[]'\n"
	");\n",
	"CREATE INDEX procedures_name_fold ON procedures(name_fold);\n",
	"CREATE INDEX procedures_agency ON procedures(agency_code);\n",
	"CREATE TABLE users (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  username    TEXT NOT NULL UNIQUE,\n"
	"  role        TEXT NOT NULL\n"
	"              CHECK (role IN ('clerk', 'courier', 'agency', 'supervisor', 'admin')),\n"
	"  agency_code TEXT NOT NULL DEFAULT '',\n"
	"  office_code TEXT NOT NULL DEFAULT '',\n"
	"  full_name   TEXT NOT NULL DEFAULT '',\n"
	"  pw_hash     TEXT NOT NULL,\n"
	"  created_at  INTEGER NOT NULL,\n"
	"  disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))\n"
	");\n",
	"CREATE TABLE tokens (\n"
	"  hash       BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),\n"
	"  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  expires_at INTEGER NOT NULL\n"
	");\n",
	"CREATE INDEX tokens_user ON tokens(user_id);\n",
	"CREATE TABLE dossiers (\n"
	"  id                  INTEGER PRIMARY KEY,\n"
	"  procedure_code      TEXT NOT NULL,\n"
	"  agency_code         TEXT NOT NULL,\n"
	"  office_code         TEXT NOT NULL,\n"
	"  service             TEXT NOT NULL CHECK (service IN ('send', 'return', 'both')),\n"
	"  applicant_kind      TEXT NOT NULL,\n"
	"  applicant_name      TEXT NOT NULL,\n"
	"  applicant_phone     TEXT NOT NULL DEFAULT '',\n"
	"  applicant_id_number TEXT NOT NULL DEFAULT '',\n"
	"  applicant_address   TEXT NOT NULL DEFAULT '',\n"
	"  applicant_email     TEXT NOT NULL DEFAULT '',\n"
	"  documents           TEXT NOT NULL DEFAULT '[]',\n"
	"  postage_vnd         INTEGER NOT NULL DEFAULT 0,\n"
	"  fee_vnd             INTEGER NOT NULL DEFAULT 0,\n"
	"  payment_method      TEXT NOT NULL DEFAULT '',\n"
	"  portal_code         TEXT NOT NULL DEFAULT '',\n"
	"  notes               TEXT NOT NULL DEFAULT '',\n"
	"  route_class         TEXT NOT NULL DEFAULT '',\n"
	"  appointment_slip    INTEGER NOT NULL DEFAULT 0,\n"
	"  created_by          INTEGER NOT NULL DEFAULT 0,\n"
	"  accepted_at         INTEGER NOT NULL,\n"
	"  accepted_date       TEXT NOT NULL,\n"
	"  due_date            TEXT NOT NULL DEFAULT ''\n"
	");\n",
	"CREATE INDEX dossiers_office_date ON dossiers(office_code, accepted_date);\n",
	"CREATE INDEX dossiers_agency_date ON dossiers(agency_code, accepted_date);\n",
	"CREATE INDEX dossiers_portal ON dossiers(portal_code);\n",
	"CREATE TABLE items (\n"
	"  tracking_number TEXT PRIMARY KEY NOT NULL,\n"
	"  dossier_id      INTEGER NOT NULL REFERENCES dossiers(id),\n"
	"  role            TEXT NOT NULL CHECK (role IN ('submission', 'result')),\n"
	"  state           TEXT NOT NULL,\n"
	"  created_at      INTEGER NOT NULL,\n"
	"  updated_at      INTEGER NOT NULL,\n"
	"  last_seq        INTEGER NOT NULL DEFAULT 0,\n"
	"  last_hash       BLOB NOT NULL\n"
	");\n",
	/* at most one item per role: also serves as the index on dossier_id */
	"CREATE UNIQUE INDEX items_dossier ON items(dossier_id, role);\n",
	"CREATE INDEX items_state ON items(state);\n",
	"CREATE TABLE events (\n"
	"  seq             INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  id              TEXT UNIQUE NOT NULL,\n"
	"  tracking_number TEXT NOT NULL REFERENCES items(tracking_number),\n"
	"  type            TEXT NOT NULL,\n"
	"  state_from      TEXT NOT NULL DEFAULT '',\n"
	"  state_to        TEXT NOT NULL,\n"
	"  user_id         INTEGER NOT NULL DEFAULT 0,\n"
	"  username        TEXT NOT NULL DEFAULT '',\n"
	"  place           TEXT NOT NULL DEFAULT '',\n"
	"  from_party      TEXT NOT NULL DEFAULT '',\n"
	"  to_party        TEXT NOT NULL DEFAULT '',\n"
	"  server_time     INTEGER NOT NULL,\n"
	"  device_time     INTEGER NOT NULL DEFAULT 0,\n"
	"  data            TEXT NOT NULL DEFAULT '{}',\n"
	"  request_digest  TEXT NOT NULL DEFAULT '',\n"
	"  prev_hash       BLOB NOT NULL,\n"
	"  hash            BLOB NOT NULL\n"
	");\n",
	"CREATE INDEX events_item ON events(tracking_number, seq);\n",
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n"
	"BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;\n",
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events\n"
	"BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;\n",
	"CREATE TABLE outbox (\n"
	"  id              INTEGER PRIMARY KEY,\n"
	"  kind            TEXT NOT NULL CHECK (kind IN ('sms', 'webhook', 'portal')),\n"
	"  target          TEXT NOT NULL,\n"
	"  payload         TEXT NOT NULL,\n"
	"  state           TEXT NOT NULL DEFAULT 'pending'\n"
	"                  CHECK (state IN ('pending', 'sent', 'failed')),\n"
	"  attempts        INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt_at INTEGER NOT NULL DEFAULT 0,\n"
	"  last_error      TEXT NOT NULL DEFAULT '',\n"
	"  created_at      INTEGER NOT NULL,\n"
	"  sent_at         INTEGER\n"
	");\n",
	"CREATE INDEX outbox_due ON outbox(state, next_attempt_at);\n",
	"CREATE TABLE audit (\n"
	"  id      INTEGER PRIMARY KEY,\n"
	"  at      INTEGER NOT NULL,\n"
	"  user_id INTEGER NOT NULL DEFAULT 0,\n"
	"  action  TEXT NOT NULL,\n"
	"  detail  TEXT NOT NULL DEFAULT '{}'\n"
	");\n",
	"CREATE INDEX audit_at ON audit(at);\n",
	NULL,
};

const char *const *const db_migrations[] = {
	schema_v1,
	db_schema_v2,
	db_schema_v3,
	db_schema_v4,
	db_schema_v5,
	db_schema_v6,
	db_schema_v7,
	db_schema_v8,
};

const int db_migration_count = (int)(sizeof(db_migrations) / sizeof(db_migrations[0]));

/* What a step does on SQLite only, after its statements: NULL for most. */
static hoso_status (*const sqlite_steps[])(db *h, hoso_err *err) = {
	[7] = db_schema_v8_sqlite,
};
_Static_assert(sizeof(sqlite_steps) / sizeof(sqlite_steps[0]) <=
                       sizeof(db_migrations) / sizeof(db_migrations[0]),
               "a SQLite step for a version that has no step");

int db_latest_version(void)
{
	return db_migration_count;
}

/* Runs one statement list outside the cache (translated for PostgreSQL); maps errors with
 * `what`. */
static hoso_status exec_sql(db *h, const char *sql, const char *what, hoso_err *err)
{
	char *pg = NULL;
	if (db_is_pg(h) && !(pg = db_pg_ddl(sql)))
		return hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
		                    "%s: cannot translate a step for PostgreSQL: %.80s", what, sql);
	int rc = db_exec(h, pg ? pg : sql);
	free(pg);
	if (rc != DB_OK)
		return db_fail(h, rc, what, err);
	return HOSO_OK;
}

hoso_status db_migrate(db *h, hoso_err *err)
{
	/* Daemons started together on one PostgreSQL database queue here behind the first,
	 * which may take a while on a large database: wait for it (2 minutes at most) rather
	 * than fail to start after one lock timeout. */
	hoso_status st;
	for (int tries = 0;; tries++) {
		hoso_err e;
		hoso_err_clear(&e);
		st = db_begin(h, &e);
		if (st == HOSO_OK)
			break;
		if (tries >= 24 || strcmp(e.code, "db_busy") != 0) {
			if (err)
				*err = e;
			return st;
		}
	}

	/* On PostgreSQL the version lives in a table, and the functions of pg_schema.c that
	 * queries share with SQLite are (re)defined first. db_begin's lock makes daemons that
	 * start together migrate one after the other. */
	for (const char *const *sql = db_pg_prelude; db_is_pg(h) && *sql; sql++) {
		int rc = db_exec(h, *sql);
		if (rc != DB_OK) {
			st = db_fail(h, rc, "preparing the PostgreSQL schema", err);
			goto fail_txn;
		}
	}
	int version = db_schema_version(h);
	if (version < 0) {
		st = hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
		                  "reading the schema version failed");
		goto fail_txn;
	}
	if (version > db_migration_count) {
		st = hoso_err_set(err, HOSO_UNAVAILABLE, "db_too_new", NULL,
		                  "the database has schema version %d but this hoso knows only up to "
		                  "%d: run a newer hoso, or restore a backup made by this version",
		                  version, db_migration_count);
		goto fail_txn;
	}
	for (int v = version; v < db_migration_count; v++) {
		char what[64];
		snprintf(what, sizeof(what), "migrating the schema to version %d", v + 1);
		for (const char *const *sql = db_migrations[v]; *sql; sql++) {
			st = exec_sql(h, *sql, what, err);
			if (st != HOSO_OK)
				goto fail_txn;
		}
		if (!db_is_pg(h) && (size_t)v < sizeof(sqlite_steps) / sizeof(sqlite_steps[0]) &&
		    sqlite_steps[v] && (st = sqlite_steps[v](h, err)) != HOSO_OK)
			goto fail_txn;
	}
	if (version != db_migration_count) {
		char sql[64];
		snprintf(sql, sizeof(sql),
		         db_is_pg(h) ? "UPDATE hoso_schema SET version = %d" : "PRAGMA user_version = %d",
		         db_migration_count);
		int rc = db_exec(h, sql);
		st = rc == DB_OK ? HOSO_OK : db_fail(h, rc, "recording the schema version", err);
		if (st != HOSO_OK)
			goto fail_txn;
	}
	return db_commit(h, err);

fail_txn:
	db_rollback(h);
	return st;
}
