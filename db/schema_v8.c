/* schema_v8.c — migration 8 (SQLite only): CHECK constraints that list three values or more,
 * such as CHECK (service IN ('send', 'return', 'both')), said again as comparisons joined by
 * OR. SQLite evaluates an IN list of more than two constants by building a temporary b-tree
 * of the list on every INSERT, and on every UPDATE of the column: 30,000 instructions for
 * each such CHECK, under the writer's lock (an acceptance inserts a dossier and an outbox row:
 * 87,000 of its 960,000 instructions, callgrind on bench/events/inproc.c). Two values or
 * fewer are already compiled as comparisons, and PostgreSQL has no such cost.
 *
 * The constraints mean the same before and after, so every stored row satisfies them and
 * nothing is copied: the table's text in sqlite_schema is rewritten in place, the procedure
 * SQLite documents for changing CHECK constraints (https://sqlite.org/lang_altertable.html,
 * "writable_schema"), with the schema version bumped so that every connection reloads it.
 * Each rewrite must find its text exactly once (or find the table already rewritten), or
 * the migration fails and changes nothing.
 * Never edit a step that has shipped: append a new one. */
#include "db_internal.h"

#include <stdio.h>

const char *const db_schema_v8[] = {
	NULL, /* on PostgreSQL nothing: the work is db_schema_v8_sqlite's */
};

static const struct {
	const char *table, *from, *to;
} rewrites[] = {
	{"users", "CHECK (role IN ('clerk', 'courier', 'agency', 'supervisor', 'admin'))",
	 "CHECK (role = 'clerk' OR role = 'courier' OR role = 'agency' OR role = 'supervisor' "
	 "OR role = 'admin')"},
	{"dossiers", "CHECK (service IN ('send', 'return', 'both'))",
	 "CHECK (service = 'send' OR service = 'return' OR service = 'both')"},
	{"outbox", "CHECK (kind IN ('sms', 'webhook', 'portal'))",
	 "CHECK (kind = 'sms' OR kind = 'webhook' OR kind = 'portal')"},
	{"outbox", "CHECK (state IN ('pending', 'sent', 'failed'))",
	 "CHECK (state = 'pending' OR state = 'sent' OR state = 'failed')"},
	{"manifests", "CHECK (state IN ('open', 'confirmed', 'partial'))",
	 "CHECK (state = 'open' OR state = 'confirmed' OR state = 'partial')"},
	{"manifest_items", "CHECK (status IN ('pending', 'received', 'missing', 'damaged'))",
	 "CHECK (status = 'pending' OR status = 'received' OR status = 'missing' "
	 "OR status = 'damaged')"},
	{"pickups",
	 "CHECK (state IN ('requested', 'assigned', 'done', 'failed',\n"
	 "                                   'cancelled'))",
	 "CHECK (state = 'requested' OR state = 'assigned' OR state = 'done' OR state = 'failed'\n"
	 "                         OR state = 'cancelled')"},
	{"pickups", "CHECK (source IN ('counter', 'agency', 'portal'))",
	 "CHECK (source = 'counter' OR source = 'agency' OR source = 'portal')"},
};

/* The first column of the first row of sql, or -1. */
static long long query_int(sqlite3 *conn, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static hoso_status rewrite(db *h, const char *table, const char *from, const char *to,
                           hoso_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h->conn,
	                            "UPDATE sqlite_schema SET sql = replace(sql, ?2, ?3) "
	                            "WHERE type = 'table' AND name = ?1 AND instr(sql, ?2) > 0 "
	                            "AND instr(substr(sql, instr(sql, ?2) + 1), ?2) = 0",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(h, rc, "migration 8: rewriting a CHECK constraint", err);
	if (sqlite3_changes(h->conn) == 1)
		return HOSO_OK;
	/* A table already in the new form (rewritten before its file was set back to an older
	 * version by hand, as the migration tests do) is left as it is. */
	sqlite3_stmt *q = NULL;
	long long done = 0;
	if (sqlite3_prepare_v2(h->conn,
	                       "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
	                       "AND name = ?1 AND instr(sql, ?2) > 0",
	                       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, to, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			done = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (done == 1)
		return HOSO_OK;
	return hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
	                    "migration 8: table %s does not hold %s exactly once; the schema "
	                    "is not one hoso made, nothing was changed", table, from);
}

hoso_status db_schema_v8_sqlite(db *h, hoso_err *err)
{
	long long version = query_int(h->conn, "PRAGMA schema_version");
	if (version < 0)
		return db_fail(h, sqlite3_errcode(h->conn), "migration 8: reading the schema version",
		               err);
	hoso_status st = HOSO_OK;
	if (db_exec(h, "PRAGMA writable_schema = ON") != DB_OK)
		return db_fail(h, sqlite3_errcode(h->conn), "migration 8: writable_schema", err);
	for (size_t i = 0; st == HOSO_OK && i < sizeof(rewrites) / sizeof(rewrites[0]); i++)
		st = rewrite(h, rewrites[i].table, rewrites[i].from, rewrites[i].to, err);
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA schema_version = %lld", version + 1);
	if (st == HOSO_OK && db_exec(h, sql) != DB_OK)
		st = db_fail(h, sqlite3_errcode(h->conn), "migration 8: bumping the schema version",
		             err);
	db_exec(h, "PRAGMA writable_schema = OFF");
	/* Reading the schema again parses every rewritten table: a mistake fails here, inside
	 * the migration's transaction, rather than at the next start. */
	if (st == HOSO_OK && query_int(h->conn, "SELECT count(*) FROM sqlite_schema") < 0)
		st = db_fail(h, sqlite3_errcode(h->conn), "migration 8: reloading the schema", err);
	return st;
}
