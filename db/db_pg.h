/* db_pg.h — the PostgreSQL side of db/ (pg.c): connections and statements over libpq, with
 * SQLite's calling shape (bind, step row by row, read columns) so that the files of db/
 * write each query once. Not for use outside db/. */
#ifndef HOSO_DB_PG_H
#define HOSO_DB_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db_pg;
struct db_pg_st;

/* Whether path names a PostgreSQL database (postgres:// or postgresql://). */
bool db_pg_is_uri(const char *path);

/* Connects to uri. NULL on failure, with the reason in msg. */
struct db_pg *db_pg_connect(const char *uri, char *msg, size_t size);

/* Closes the connection; NULL is accepted. Its statements must be freed first. */
void db_pg_close(struct db_pg *c);

/* Runs SQL without parameters or rows (several statements allowed): DB_OK or an error. */
int db_pg_exec(struct db_pg *c, const char *sql);

/* Reconnects a connection that broke, outside a transaction: DB_OK or DB_LOST. */
int db_pg_ensure(struct db_pg *c);

/* Prepares sql (SQLite dialect, ?N parameters) on c: NULL with *rc set on failure. */
struct db_pg_st *db_pg_prepare(struct db_pg *c, const char *sql, int *rc);

/* Frees a statement; NULL is accepted. */
void db_pg_st_free(struct db_pg_st *s);

/* Parameter kinds for db_pg_bind. */
enum { DB_PG_NULL, DB_PG_TEXT, DB_PG_BINARY };

/* Binds parameter idx (from 1) to a copy of p (n bytes): DB_OK or SQLITE_RANGE/NOMEM. */
int db_pg_bind(struct db_pg_st *s, int idx, const void *p, size_t n, int kind);

/* Executes on the first call after a reset, then moves row by row: DB_ROW, DB_DONE, error. */
int db_pg_step(struct db_pg_st *s);

/* Drops the result and the bindings. */
void db_pg_reset(struct db_pg_st *s);

/* Column i of the current row as text (NULL for SQL NULL or no row). */
const char *db_pg_col(struct db_pg_st *s, int i);

/* Column i of the current row as bytes (bytea decoded); *n its length. */
const void *db_pg_col_blob(struct db_pg_st *s, int i, int *n);

/* The statement's SQL as given to db_pg_prepare. */
const char *db_pg_sql(const struct db_pg_st *s);

/* The last error's message on c ("" when none). */
const char *db_pg_errmsg(const struct db_pg *c);

/* Rows the last command on c changed. */
int64_t db_pg_changes(const struct db_pg *c);

/* Whether the last error on c was a foreign key violation. */
bool db_pg_fk_failed(const struct db_pg *c);

/* Whether c is outside a transaction. */
bool db_pg_idle(const struct db_pg *c);

#endif
