/* copy.c — moving a province from its SQLite file to PostgreSQL (hoso migrate-db).
 *
 * The source is read in one read transaction, so the copy is one consistent moment even
 * while a daemon still writes to the file; the target is written in one transaction under
 * the writers' lock, so it ends with everything or nothing. Rows keep their ids, hashes and
 * the serial key, so every custody chain and every future tracking number carry on. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

/* Parents before children: PostgreSQL checks each foreign key as the row goes in. settings
 * stays first (check_empty skips it). */
static const char *const tables[] = {
	"settings", "sequences", "offices", "agencies", "procedures", "users", "tokens",
	"dossiers", "items", "events", "outbox", "audit", "item_progress", "manifests",
	"manifest_items", "pickups", "attachments", "track_lockouts", "complaints",
	"agency_webhooks", "login_failures",
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* Tables whose id is an identity column on PostgreSQL, and that column. */
static const char *const identities[][2] = {
	{"users", "id"},     {"dossiers", "id"},   {"events", "seq"},      {"outbox", "id"},
	{"audit", "id"},     {"manifests", "id"},  {"pickups", "id"},      {"complaints", "id"},
	{"login_failures", "id"},
};

static bool known_table(const char *name)
{
	for (size_t i = 0; i < NTABLES; i++)
		if (!strcmp(name, tables[i]))
			return true;
	return false;
}

/* Every table of the source must be one this file knows: a migration that adds a table
 * must add it above, or the copy would silently leave it behind. */
static hoso_status check_tables(db *src, hoso_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(src->conn,
	                            "SELECT name FROM sqlite_master WHERE type = 'table' AND "
	                            "name NOT LIKE 'sqlite_%' ORDER BY name", -1, &st, NULL);
	hoso_status status = HOSO_OK;
	if (rc != SQLITE_OK)
		status = db_fail(src, rc, "listing the source's tables", err);
	while (status == HOSO_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!known_table(name)) {
			status = hoso_err_set(err, HOSO_INTERNAL, "copy_unknown_table", NULL,
			                      "the source has a table \"%s\" that this hoso does not "
			                      "know how to copy", name);
			break;
		}
	}
	if (status == HOSO_OK && rc != SQLITE_DONE)
		status = db_fail(src, rc, "listing the source's tables", err);
	sqlite3_finalize(st);
	return status;
}

/* Rows of table in h: in the thread's use case when one is open (db_read_lock). */
static hoso_status count_rows(db *h, const char *table, int64_t *n, hoso_err *err)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	db_read_lock(h);
	db_st *st = db_st_prepare(h, sql, err);
	hoso_status status = HOSO_OK;
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	int rc = db_step(st);
	if (rc == DB_ROW)
		*n = db_col_int64(st, 0);
	else
		status = db_fail(h, rc, "counting rows", err);
	db_st_free(st);
unlock:
	db_read_unlock(h);
	return status;
}

/* The target must be freshly migrated: one row anywhere means someone already uses it.
 * Settings alone do not count: `hoso init` or a first start makes a serial key there, which
 * numbered nothing while the other tables are empty; the source's key replaces it. */
static hoso_status check_empty(db *dst, hoso_err *err)
{
	for (size_t t = 1; t < NTABLES; t++) {
		int64_t n = 0;
		hoso_status st = count_rows(dst, tables[t], &n, err);
		if (st != HOSO_OK)
			return st;
		if (n > 0)
			return hoso_err_set(err, HOSO_CONFLICT, "target_not_empty", "to",
			                    "the target already holds data (%" PRId64 " rows in %s): "
			                    "migrate into a new, empty database", n, tables[t]);
	}
	return HOSO_OK;
}

/* Builds "INSERT INTO t (c1, ...) VALUES (?1, ...)" from the source's columns. */
static char *insert_sql(db *src, const char *table, int *ncols, hoso_err *err)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT * FROM %s LIMIT 0", table);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(src->conn, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		db_fail(src, rc, "reading the source's columns", err);
		return NULL;
	}
	*ncols = sqlite3_column_count(st);
	size_t cap = 64 + (size_t)*ncols * 48;
	char *out = malloc(cap);
	if (!out) {
		sqlite3_finalize(st);
		hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "copy: out of memory");
		return NULL;
	}
	size_t len = (size_t)snprintf(out, cap, "INSERT INTO %s (", table);
	for (int i = 0; i < *ncols; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "",
		                        sqlite3_column_name(st, i));
	len += (size_t)snprintf(out + len, cap - len, ") VALUES (");
	for (int i = 0; i < *ncols; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s?%d", i ? ", " : "", i + 1);
	snprintf(out + len, cap - len, ")");
	sqlite3_finalize(st);
	return out;
}

/* Binds value i of the source row to parameter i + 1, by the value's own type. */
static int bind_value(db_st *ins, sqlite3_stmt *row, int i)
{
	switch (sqlite3_column_type(row, i)) {
	case SQLITE_INTEGER:
		return db_bind_int64(ins, i + 1, sqlite3_column_int64(row, i));
	case SQLITE_FLOAT: {
		char buf[40];
		snprintf(buf, sizeof(buf), "%.17g", sqlite3_column_double(row, i));
		return db_bind_text(ins, i + 1, buf);
	}
	case SQLITE_TEXT:
		return db_bind_text(ins, i + 1, (const char *)sqlite3_column_text(row, i));
	case SQLITE_BLOB:
		return db_bind_blob(ins, i + 1, sqlite3_column_blob(row, i),
		                    (size_t)sqlite3_column_bytes(row, i));
	default:
		return db_bind_null(ins, i + 1);
	}
}

static hoso_status copy_table(db *src, db *dst, const char *table,
                              void (*progress)(const char *, int64_t, void *), void *ctx,
                              int64_t *copied, hoso_err *err)
{
	int ncols = 0;
	char *sql = insert_sql(src, table, &ncols, err);
	if (!sql)
		return err ? err->status : HOSO_INTERNAL;
	hoso_status status = HOSO_OK;
	db_st *ins = db_st_prepare(dst, sql, err);
	free(sql);
	if (!ins)
		return db_prep_failed(err);
	char sel[96];
	snprintf(sel, sizeof(sel), "SELECT * FROM %s", table);
	sqlite3_stmt *row = NULL;
	int rc = sqlite3_prepare_v2(src->conn, sel, -1, &row, NULL);
	if (rc != SQLITE_OK) {
		status = db_fail(src, rc, "reading the source", err);
		goto free_ins;
	}
	*copied = 0;
	while ((rc = sqlite3_step(row)) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++)
			bind_value(ins, row, i);
		char what[96];
		snprintf(what, sizeof(what), "copying a row of %s", table);
		status = db_step_done(dst, ins, what, err);
		db_stmt_done(ins);
		if (status != HOSO_OK)
			goto free_row;
		if (++*copied % 10000 == 0 && progress)
			progress(table, *copied, ctx);
	}
	if (rc != SQLITE_DONE)
		status = db_fail(src, rc, "reading the source", err);
free_row:
	sqlite3_finalize(row);
free_ins:
	db_st_free(ins);
	return status;
}

/* Identity columns start after the highest id copied, as SQLite's rowids would. */
static hoso_status advance_identities(db *dst, hoso_err *err)
{
	for (size_t i = 0; i < sizeof(identities) / sizeof(identities[0]); i++) {
		char sql[256];
		snprintf(sql, sizeof(sql),
		         "SELECT setval(pg_get_serial_sequence('%s', '%s'), "
		         "coalesce(max(%s), 0) + 1, false) FROM %s",
		         identities[i][0], identities[i][1], identities[i][1], identities[i][0]);
		int rc = db_exec(dst, sql);
		if (rc != DB_OK)
			return db_fail(dst, rc, "moving the id sequences past the copied rows", err);
	}
	return HOSO_OK;
}

hoso_status db_copy(db *src, db *dst, void (*progress)(const char *table, int64_t rows, void *ctx),
                    void *ctx, hoso_err *err)
{
	if (db_is_pg(src) || !db_is_pg(dst))
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "to",
		                    "the copy goes from a SQLite file to a PostgreSQL database");
	if (db_schema_version(src) != db_latest_version())
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "from",
		                    "the source is at schema version %d: open it once with this "
		                    "hoso (hoso init --db PATH) to bring it to %d first",
		                    db_schema_version(src), db_latest_version());
	hoso_status status = check_tables(src, err);
	if (status != HOSO_OK)
		return status;
	if ((status = db_begin(dst, err)) != HOSO_OK)
		return status;
	if ((status = check_empty(dst, err)) != HOSO_OK)
		goto rollback_dst;
	int rc = db_exec(dst, "DELETE FROM settings");
	if (rc != DB_OK) {
		status = db_fail(dst, rc, "clearing the target's settings", err);
		goto rollback_dst;
	}
	db_lock(src);
	rc = sqlite3_exec(src->conn, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		status = db_fail(src, rc, "opening a read transaction on the source", err);
		goto unlock_src;
	}
	for (size_t t = 0; t < NTABLES && status == HOSO_OK; t++) {
		int64_t n = 0;
		status = copy_table(src, dst, tables[t], progress, ctx, &n, err);
		if (status == HOSO_OK && progress)
			progress(tables[t], n, ctx);
	}
	sqlite3_exec(src->conn, "COMMIT", NULL, NULL, NULL); /* a read: nothing to keep */
	if (status == HOSO_OK)
		status = advance_identities(dst, err);
unlock_src:
	db_unlock(src);
	if (status != HOSO_OK)
		goto rollback_dst;
	return db_commit(dst, err);
rollback_dst:
	db_rollback(dst);
	return status;
}

hoso_status db_copy_compare(db *src, db *dst, db_count_report *out, size_t max, size_t *n,
                            hoso_err *err)
{
	*n = 0;
	for (size_t t = 0; t < NTABLES && *n < max; t++) {
		db_count_report *r = &out[(*n)++];
		r->table = tables[t];
		hoso_status st = count_rows(src, tables[t], &r->source, err);
		if (st == HOSO_OK)
			st = count_rows(dst, tables[t], &r->target, err);
		if (st != HOSO_OK)
			return st;
	}
	return HOSO_OK;
}
