/* pg.c — PostgreSQL connections and statements for db/, over libpq.
 *
 * Statements are written in SQLite's dialect with numbered parameters; here ?N becomes $N
 * and each statement is prepared once per connection under a name of its own. Results come
 * back as text (bytea as \x hex, decoded on demand), and errors are mapped onto SQLite's
 * result codes by SQLSTATE so that db_fail() speaks one language for both backends.
 *
 * A connection that breaks (server restart, failover) is reset before its next transaction
 * or read; statements notice the new generation and are prepared again. */
#include "db_pg.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_internal.h"

struct db_pg {
	PGconn *c;
	unsigned gen;          /* bumped on each reset: statements prepared before are gone */
	unsigned next_id;      /* names statements s1, s2 ... */
	int64_t changes;
	bool fk_failed;
	char msg[512];
};

struct db_pg_param {
	char *p;
	int n;
	int kind;
};

struct db_pg_st {
	struct db_pg *conn;
	char name[24];
	char *sql;             /* as given */
	char *pg_sql;          /* with $N */
	unsigned gen;          /* the connection's generation it was prepared in; 0: not yet */
	bool read_only;        /* a SELECT: safe to run again after a lost connection */
	bool retrying;         /* running again after a reconnect: no second time */
	int nparams;
	unsigned *types;       /* 0 (inferred) or text for a parameter the SQL never uses */
	struct db_pg_param *params;
	PGresult *res;
	int row;               /* current row; -1 before the first */
	int nrows;
	int blob_col;          /* column whose bytes are in blob (-1: none) */
	int blob_row;
	unsigned char *blob;
	size_t blob_n;
};

bool db_pg_is_uri(const char *path)
{
	return path && (strncmp(path, "postgres://", 11) == 0 ||
	                strncmp(path, "postgresql://", 13) == 0);
}

static void set_msg(struct db_pg *c, const char *m)
{
	snprintf(c->msg, sizeof(c->msg), "%s", m && *m ? m : "unknown error");
	size_t len = strlen(c->msg);
	while (len > 0 && (c->msg[len - 1] == '\n' || c->msg[len - 1] == ' '))
		c->msg[--len] = '\0';
}

/* Maps a failed result (or a broken connection) onto a SQLite result code. */
static int map_error(struct db_pg *c, const PGresult *res)
{
	set_msg(c, res ? PQresultErrorMessage(res) : PQerrorMessage(c->c));
	c->fk_failed = false;
	if (PQstatus(c->c) != CONNECTION_OK)
		return DB_LOST;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!state)
		return PQstatus(c->c) == CONNECTION_OK ? SQLITE_ERROR : DB_LOST;
	if (strcmp(state, "23505") == 0)
		return SQLITE_CONSTRAINT_UNIQUE;
	if (strcmp(state, "23503") == 0) {
		c->fk_failed = true;
		return SQLITE_CONSTRAINT_FOREIGNKEY;
	}
	if (strncmp(state, "23", 2) == 0)
		return SQLITE_CONSTRAINT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return SQLITE_BUSY;
	if (strcmp(state, "53100") == 0)
		return SQLITE_FULL;
	if (strcmp(state, "53200") == 0)
		return SQLITE_NOMEM;
	if (strcmp(state, "25006") == 0)
		return SQLITE_READONLY; /* a standby, or default_transaction_read_only */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
	    strcmp(state, "53300") == 0)
		return DB_LOST;
	if (strncmp(state, "58", 2) == 0)
		return SQLITE_IOERR;
	return SQLITE_ERROR;
}

/* Each session: text is UTF-8 whatever the server's default; a writer waiting for another
 * daemon's writer (the advisory lock of txn.c) or for a row gives up after 5 s as SQLite's
 * busy_timeout does, and the request gets 503 db_busy instead of hanging. */
#define SESSION_SQL \
	"SET client_encoding = 'UTF8'; SET client_min_messages = warning; " \
	"SET lock_timeout = '5s'"

struct db_pg *db_pg_connect(const char *uri, char *msg, size_t size)
{
	struct db_pg *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(msg, size, "out of memory");
		return NULL;
	}
	/* Defaults the URI may override (it is expanded after them): a server that does not
	 * answer is given up after 5 s, and an idle connection to a dead host is noticed in
	 * about a minute rather than the kernel's two hours. */
	static const char *const keys[] = {"connect_timeout", "keepalives_idle",
	                                   "keepalives_interval", "keepalives_count",
	                                   "application_name", "dbname", NULL};
	const char *const vals[] = {"5", "30", "10", "3", "hoso", uri, NULL};
	c->c = PQconnectdbParams(keys, vals, 1);
	if (!c->c || PQstatus(c->c) != CONNECTION_OK) {
		snprintf(msg, size, "%s", c->c ? PQerrorMessage(c->c) : "out of memory");
		size_t len = strlen(msg);
		while (len > 0 && msg[len - 1] == '\n')
			msg[--len] = '\0';
		PQfinish(c->c);
		free(c);
		return NULL;
	}
	c->gen = 1;
	if (db_pg_exec(c, SESSION_SQL) != DB_OK) {
		snprintf(msg, size, "%s", c->msg);
		db_pg_close(c);
		return NULL;
	}
	return c;
}

void db_pg_close(struct db_pg *c)
{
	if (!c)
		return;
	PQfinish(c->c);
	free(c);
}

/* Resets c and sets the session up again: DB_OK or DB_LOST. */
static int reset(struct db_pg *c)
{
	PQreset(c->c);
	if (PQstatus(c->c) != CONNECTION_OK) {
		set_msg(c, PQerrorMessage(c->c));
		return DB_LOST;
	}
	c->gen++;
	return db_pg_exec(c, SESSION_SQL);
}

int db_pg_ensure(struct db_pg *c)
{
	/* A server that shut down while the connection sat idle has sent its goodbye and
	 * closed the socket: reading what is there notices it, without a round trip. */
	if (PQstatus(c->c) == CONNECTION_OK && PQtransactionStatus(c->c) == PQTRANS_IDLE)
		PQconsumeInput(c->c);
	if (PQstatus(c->c) == CONNECTION_OK)
		return DB_OK;
	return reset(c);
}

int db_pg_exec(struct db_pg *c, const char *sql)
{
	PGresult *res = PQexec(c->c, sql);
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc = DB_OK;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		const char *n = PQcmdTuples(res);
		c->changes = n && *n ? strtoll(n, NULL, 10) : 0;
	} else {
		rc = map_error(c, res);
	}
	PQclear(res);
	return rc;
}

/* ?N becomes $N outside quotes. Parameters the SQL never names get a type (text), which
 * PostgreSQL cannot infer for them. */
static int translate(struct db_pg_st *s)
{
	size_t len = strlen(s->sql);
	s->pg_sql = malloc(len + 1);
	if (!s->pg_sql)
		return SQLITE_NOMEM;
	char quote = 0;
	size_t o = 0;
	unsigned used[4] = {0};
	for (size_t i = 0; i < len; i++) {
		char ch = s->sql[i];
		if (quote) {
			if (ch == quote)
				quote = 0;
		} else if (ch == '\'' || ch == '"') {
			quote = ch;
		} else if (ch == '?' && s->sql[i + 1] >= '0' && s->sql[i + 1] <= '9') {
			ch = '$';
			int n = atoi(s->sql + i + 1);
			if (n > 0 && n <= 128) {
				used[(n - 1) / 32] |= 1u << ((n - 1) % 32);
				if (n > s->nparams)
					s->nparams = n;
			}
		}
		s->pg_sql[o++] = ch;
	}
	s->pg_sql[o] = '\0';
	if (s->nparams > 0) {
		s->types = calloc((size_t)s->nparams, sizeof(*s->types));
		s->params = calloc((size_t)s->nparams, sizeof(*s->params));
		if (!s->types || !s->params)
			return SQLITE_NOMEM;
		for (int i = 0; i < s->nparams; i++)
			if (!(used[i / 32] & (1u << (i % 32))))
				s->types[i] = 25; /* text */
	}
	return DB_OK;
}

/* Prepares s on its connection (again after a reset). */
static int prepare_now(struct db_pg_st *s)
{
	struct db_pg *c = s->conn;
	snprintf(s->name, sizeof(s->name), "s%u", ++c->next_id);
	PGresult *res = PQprepare(c->c, s->name, s->pg_sql, s->nparams, (const Oid *)s->types);
	int rc = DB_OK;
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = map_error(c, res);
	else
		s->gen = c->gen;
	PQclear(res);
	return rc;
}

struct db_pg_st *db_pg_prepare(struct db_pg *c, const char *sql, int *rc)
{
	_Static_assert(sizeof(unsigned) == sizeof(Oid), "Oid is an unsigned int");
	struct db_pg_st *s = calloc(1, sizeof(*s));
	if (!s || !(s->sql = strdup(sql))) {
		free(s);
		*rc = SQLITE_NOMEM;
		return NULL;
	}
	s->conn = c;
	s->row = -1;
	s->read_only = strncasecmp(sql, "SELECT", 6) == 0;
	s->blob_col = -1;
	if ((*rc = translate(s)) != DB_OK || (*rc = prepare_now(s)) != DB_OK) {
		if (*rc == SQLITE_NOMEM)
			set_msg(c, "out of memory");
		db_pg_st_free(s);
		return NULL;
	}
	return s;
}

void db_pg_reset(struct db_pg_st *s)
{
	if (!s)
		return;
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	s->blob_col = -1;
	for (int i = 0; i < s->nparams; i++) {
		free(s->params[i].p);
		s->params[i] = (struct db_pg_param){0};
	}
}

void db_pg_st_free(struct db_pg_st *s)
{
	if (!s)
		return;
	db_pg_reset(s);
	if (s->gen && s->gen == s->conn->gen && PQstatus(s->conn->c) == CONNECTION_OK) {
		char sql[48];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->conn->c, sql));
	}
	free(s->blob);
	free(s->params);
	free(s->types);
	free(s->pg_sql);
	free(s->sql);
	free(s);
}

int db_pg_bind(struct db_pg_st *s, int idx, const void *p, size_t n, int kind)
{
	if (idx < 1 || idx > s->nparams)
		return SQLITE_RANGE;
	struct db_pg_param *prm = &s->params[idx - 1];
	free(prm->p);
	*prm = (struct db_pg_param){.kind = kind};
	if (kind == DB_PG_NULL)
		return DB_OK;
	prm->p = malloc(n + 1);
	if (!prm->p)
		return SQLITE_NOMEM;
	memcpy(prm->p, p, n);
	prm->p[n] = '\0';
	prm->n = (int)n;
	return DB_OK;
}

int db_pg_step(struct db_pg_st *s)
{
	struct db_pg *c = s->conn;
	if (s->res) {
		if (s->row + 1 < s->nrows) {
			s->row++;
			return DB_ROW;
		}
		s->row = s->nrows;
		return DB_DONE;
	}
	int rc;
	if (s->gen != c->gen && (rc = prepare_now(s)) != DB_OK)
		return rc;
	const char *vals[128];
	int lens[128], fmts[128];
	int np = s->nparams > 128 ? 128 : s->nparams;
	for (int i = 0; i < np; i++) {
		vals[i] = s->params[i].kind == DB_PG_NULL ? NULL : s->params[i].p;
		lens[i] = s->params[i].n;
		fmts[i] = s->params[i].kind == DB_PG_BINARY;
	}
	bool idle = PQtransactionStatus(c->c) == PQTRANS_IDLE;
	PGresult *res = PQexecPrepared(c->c, s->name, np, vals, lens, fmts, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = map_error(c, res);
		PQclear(res);
		/* A read outside any transaction on a connection that turned out dead (the server
		 * restarted, or failed over): reconnect and read once more. Writes are not tried
		 * again here: whether the server applied one before the line broke is unknown. */
		if (rc == DB_LOST && idle && s->read_only && !s->retrying && reset(c) == DB_OK) {
			s->retrying = true;
			rc = db_pg_step(s);
			s->retrying = false;
		}
		return rc;
	}
	const char *n = PQcmdTuples(res);
	c->changes = n && *n ? strtoll(n, NULL, 10) : 0;
	s->res = res;
	s->nrows = st == PGRES_TUPLES_OK ? PQntuples(res) : 0;
	s->row = 0;
	if (s->nrows > 0)
		return DB_ROW;
	return DB_DONE;
}

const char *db_pg_col(struct db_pg_st *s, int i)
{
	if (!s->res || s->row < 0 || s->row >= s->nrows || i < 0 || i >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

const void *db_pg_col_blob(struct db_pg_st *s, int i, int *n)
{
	*n = 0;
	const char *v = db_pg_col(s, i);
	if (!v)
		return NULL;
	if (s->blob_col == i && s->blob_row == s->row) {
		*n = (int)s->blob_n;
		return s->blob;
	}
	size_t len = strlen(v);
	if (len < 2 || v[0] != '\\' || v[1] != 'x') { /* text read as bytes */
		*n = (int)len;
		return v;
	}
	size_t bytes = (len - 2) / 2;
	unsigned char *b = realloc(s->blob, bytes + 1);
	if (!b)
		return NULL;
	s->blob = b;
	for (size_t k = 0; k < bytes; k++) {
		int hi = hexval(v[2 + 2 * k]), lo = hexval(v[3 + 2 * k]);
		b[k] = (unsigned char)((hi < 0 ? 0 : hi) << 4 | (lo < 0 ? 0 : lo));
	}
	s->blob_col = i;
	s->blob_row = s->row;
	s->blob_n = bytes;
	*n = (int)bytes;
	return b;
}

const char *db_pg_sql(const struct db_pg_st *s)
{
	return s->sql;
}

const char *db_pg_errmsg(const struct db_pg *c)
{
	return c->msg;
}

int64_t db_pg_changes(const struct db_pg *c)
{
	return c->changes;
}

bool db_pg_fk_failed(const struct db_pg *c)
{
	return c->fk_failed;
}

bool db_pg_idle(const struct db_pg *c)
{
	return PQtransactionStatus(c->c) == PQTRANS_IDLE;
}
