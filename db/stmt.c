/* stmt.c — one statement interface over both backends: each call goes to SQLite or to pg.c.
 * The files of db/ bind, step and read columns through these only. */
#include "db_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pg.h"

int db_bind_int64(db_st *st, int idx, int64_t v)
{
	if (st->lite)
		return sqlite3_bind_int64(st->lite, idx, v);
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
	return db_pg_bind(st->pg, idx, buf, (size_t)n, DB_PG_TEXT);
}

int db_bind_null(db_st *st, int idx)
{
	if (st->lite)
		return sqlite3_bind_null(st->lite, idx);
	return db_pg_bind(st->pg, idx, NULL, 0, DB_PG_NULL);
}

int db_bind_blob(db_st *st, int idx, const void *p, size_t n)
{
	if (st->lite)
		return sqlite3_bind_blob64(st->lite, idx, p, (sqlite3_uint64)n, SQLITE_TRANSIENT);
	return db_pg_bind(st->pg, idx, p, n, DB_PG_BINARY);
}

int db_bind_text(db_st *st, int idx, const char *s)
{
	if (!s)
		return db_bind_null(st, idx);
	if (st->lite)
		return sqlite3_bind_text(st->lite, idx, s, -1, SQLITE_TRANSIENT);
	return db_pg_bind(st->pg, idx, s, strlen(s), DB_PG_TEXT);
}

int db_step(db_st *st)
{
	return st->lite ? sqlite3_step(st->lite) : db_pg_step(st->pg);
}

int64_t db_col_int64(db_st *st, int i)
{
	if (st->lite)
		return sqlite3_column_int64(st->lite, i);
	const char *v = db_pg_col(st->pg, i);
	if (!v)
		return 0;
	if (v[0] == 't' && v[1] == '\0') /* a boolean expression */
		return 1;
	return strtoll(v, NULL, 10);
}

int db_col_int(db_st *st, int i)
{
	return (int)db_col_int64(st, i);
}

double db_col_double(db_st *st, int i)
{
	if (st->lite)
		return sqlite3_column_double(st->lite, i);
	const char *v = db_pg_col(st->pg, i);
	return v ? strtod(v, NULL) : 0.0;
}

const char *db_col_str(db_st *st, int i)
{
	if (st->lite)
		return (const char *)sqlite3_column_text(st->lite, i);
	return db_pg_col(st->pg, i);
}

const void *db_col_blob(db_st *st, int i)
{
	if (st->lite)
		return sqlite3_column_blob(st->lite, i);
	int n;
	return db_pg_col_blob(st->pg, i, &n);
}

int db_col_bytes(db_st *st, int i)
{
	if (st->lite)
		return sqlite3_column_bytes(st->lite, i);
	int n;
	db_pg_col_blob(st->pg, i, &n);
	return n;
}

bool db_col_null(db_st *st, int i)
{
	if (st->lite)
		return sqlite3_column_type(st->lite, i) == SQLITE_NULL;
	return db_pg_col(st->pg, i) == NULL;
}

const char *db_st_sql(const db_st *st)
{
	return st->lite ? sqlite3_sql(st->lite) : db_pg_sql(st->pg);
}

void db_st_free(db_st *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->lite);
	db_pg_st_free(st->pg);
	free(st);
}

void db_stmt_done(db_st *st)
{
	if (!st)
		return;
	if (st->lite) {
		sqlite3_reset(st->lite);
		sqlite3_clear_bindings(st->lite);
	} else {
		db_pg_reset(st->pg);
	}
}
