/* testdb.c — see testdb.h. */
#include "testdb.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_DBS = 64 };

static struct {
	bool ready, pg;
	char dir[256];            /* scratch directory */
	char base[1024];          /* the cluster's superuser URI ("" until known) */
	PGconn *admin;            /* connected to base: CREATE / DROP DATABASE */
	char *dbs[MAX_DBS];       /* databases made here, dropped at exit */
	int ndbs;
	char cluster[320];        /* a private cluster's directory ("" when HOSO_TEST_PG is used) */
} T;

/* For the signal handler: what stops a private cluster, and what to remove. */
static char stop_script[1024], stop_dir[320], rm_dirs[2][320];

/* Runs argv (argv[0] a path, or a name on PATH) and waits for it; its stdout goes into out
 * (size > 0), or, when out is NULL, to ours (the test's log). Exit status, or -1 when it
 * could not run or died of a signal. */
static int run(char *const argv[], char *out, size_t size)
{
	int fds[2] = {-1, -1};
	if (out && pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		if (out) {
			close(fds[0]);
			close(fds[1]);
		}
		return -1;
	}
	if (pid == 0) {
		if (out) {
			dup2(fds[1], STDOUT_FILENO);
			close(fds[0]);
			close(fds[1]);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (out) {
		close(fds[1]);
		size_t used = 0;
		for (;;) {
			char chunk[256];
			ssize_t n = read(fds[0], chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			for (ssize_t i = 0; i < n && used + 1 < size; i++)
				out[used++] = chunk[i];
		}
		out[used] = '\0';
		close(fds[0]);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void stop_cluster(void)
{
	if (!T.cluster[0])
		return;
	char *argv[] = {stop_script, (char[]){"stop"}, stop_dir, NULL};
	if (run(argv, NULL, 0) != 0)
		fprintf(stderr, "testdb: %s stop %s failed\n", stop_script, stop_dir);
	T.cluster[0] = '\0';
}

/* Killed (a meson timeout): the postmaster lives in a session of its own, so stop a private
 * cluster here and remove the directories, then die of the signal. fork, execv and waitpid
 * are async-signal-safe. (Databases made in a shared cluster stay: dropping them needs libpq.) */
static void on_signal(int sig)
{
	pid_t pid;
	if (stop_dir[0] && (pid = fork()) >= 0) {
		if (pid == 0) {
			char *argv[] = {stop_script, (char[]){"stop"}, stop_dir, NULL};
			execv(stop_script, argv);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (!rm_dirs[i][0] || (pid = fork()) < 0)
			continue;
		if (pid == 0) {
			char *argv[] = {(char[]){"/bin/rm"}, (char[]){"-rf"}, rm_dirs[i], NULL};
			execv(argv[0], argv);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void remove_tree(const char *path)
{
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", path);
	char *argv[] = {(char[]){"rm"}, (char[]){"-rf"}, copy, NULL};
	if (run(argv, NULL, 0) != 0)
		fprintf(stderr, "testdb: could not remove %s\n", path);
}

static void cleanup(void)
{
	if (T.admin) {
		for (int i = 0; i < T.ndbs; i++) {
			char sql[200];
			snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)",
			         T.dbs[i]);
			PGresult *r = PQexec(T.admin, sql);
			if (PQresultStatus(r) != PGRES_COMMAND_OK)
				fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(T.admin));
			PQclear(r);
		}
		PQfinish(T.admin);
		T.admin = NULL;
	}
	for (int i = 0; i < T.ndbs; i++)
		free(T.dbs[i]);
	T.ndbs = 0;
	if (T.cluster[0]) {
		char parent[320];
		snprintf(parent, sizeof(parent), "%s", T.cluster);
		char *slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		stop_cluster();
		remove_tree(parent);
	}
	if (T.dir[0])
		remove_tree(T.dir);
}

bool testdb_init(const char *tag)
{
	const char *kind = getenv("HOSO_TEST_DB");
	if (kind && *kind && strcmp(kind, "sqlite") != 0 && strcmp(kind, "postgres") != 0) {
		fprintf(stderr, "testdb: HOSO_TEST_DB=%s: want sqlite or postgres\n", kind);
		return false;
	}
	T.pg = kind && strcmp(kind, "postgres") == 0;
	setvbuf(stdout, NULL, _IOLBF, 0); /* in order with stderr in the test's log */
	snprintf(T.dir, sizeof(T.dir), "/tmp/hoso-test-%s-XXXXXX", tag);
	if (!mkdtemp(T.dir)) {
		perror("testdb: mkdtemp");
		T.dir[0] = '\0';
		return false;
	}
	T.ready = true;
	atexit(cleanup);
	snprintf(rm_dirs[0], sizeof(rm_dirs[0]), "%s", T.dir);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("testdb: %s (scratch directory %s)\n", T.pg ? "PostgreSQL" : "SQLite", T.dir);
	return true;
}

bool testdb_pg(void)
{
	return T.pg;
}

const char *testdb_dir(void)
{
	return T.dir;
}

void testdb_sqlite_only(const char *what, const char *why)
{
	if (T.pg)
		printf("SQLite only, left out on PostgreSQL: %s: %s\n", what, why);
}

/* The cluster's superuser URI: HOSO_TEST_PG, or a private cluster started now. */
static const char *pg_base(void)
{
	if (T.base[0])
		return T.base;
	const char *env = getenv("HOSO_TEST_PG");
	if (env && *env) {
		snprintf(T.base, sizeof(T.base), "%s", env);
		return T.base;
	}
	const char *root = getenv("HOSO_SOURCE_ROOT");
	if (!root || !*root) {
		fprintf(stderr, "testdb: HOSO_TEST_PG is unset and so is HOSO_SOURCE_ROOT (to start a "
		        "cluster with scripts/pg-cluster.sh)\n");
		return NULL;
	}
	char parent[] = "/tmp/hoso-testpg-XXXXXX";
	if (!mkdtemp(parent)) {
		perror("testdb: mkdtemp");
		return NULL;
	}
	chmod(parent, 0755); /* under root the cluster is the postgres user's: let it in */
	snprintf(stop_script, sizeof(stop_script), "%s/scripts/pg-cluster.sh", root);
	snprintf(stop_dir, sizeof(stop_dir), "%s/pg", parent);
	snprintf(T.cluster, sizeof(T.cluster), "%s", stop_dir);
	snprintf(rm_dirs[1], sizeof(rm_dirs[1]), "%s", parent);
	char out[1024];
	char *argv[] = {stop_script, (char[]){"start"}, stop_dir, NULL};
	int rc = run(argv, out, sizeof(out));
	out[strcspn(out, "\r\n")] = '\0';
	if (rc != 0 || strncmp(out, "postgres", 8) != 0) {
		fprintf(stderr, "testdb: %s start %s failed (exit %d)\n", stop_script, stop_dir, rc);
		return NULL;
	}
	printf("testdb: started a private cluster: %s\n", out);
	snprintf(T.base, sizeof(T.base), "%s", out);
	return T.base;
}

/* base with its database replaced by dbname (user, host, port and options kept). */
static bool make_uri(const char *base, const char *dbname, char *buf, size_t size)
{
	const char *p = strstr(base, "://");
	if (!p)
		return false;
	const char *auth = p + 3;
	const char *rest = auth + strcspn(auth, "/?#");
	const char *query = *rest == '/' ? rest + strcspn(rest, "?#") : rest;
	int n = snprintf(buf, size, "%.*s/%s%s", (int)(rest - base), base, dbname, query);
	return n > 0 && (size_t)n < size;
}

bool testdb_uri(const char *dbname, char *buf, size_t size)
{
	const char *base = pg_base();
	return base && make_uri(base, dbname, buf, size);
}

static bool random_hex(char *out, size_t bytes)
{
	unsigned char b[32];
	if (bytes > sizeof(b))
		return false;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, bytes) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)bytes) {
		unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid() * 2654435761u;
		for (size_t i = 0; i < bytes; i++)
			b[i] = (unsigned char)rand_r(&seed);
	}
	for (size_t i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return true;
}

bool testdb_new(const char *name, char *buf, size_t size)
{
	if (!T.ready) {
		fprintf(stderr, "testdb: testdb_init() first\n");
		return false;
	}
	if (!T.pg) {
		int n = snprintf(buf, size, "%s/%s", T.dir, name);
		return n > 0 && (size_t)n < size;
	}
	const char *base = pg_base();
	if (!base)
		return false;
	if (!T.admin) {
		T.admin = PQconnectdb(base);
		if (PQstatus(T.admin) != CONNECTION_OK) {
			fprintf(stderr, "testdb: connecting to %s: %s", base, PQerrorMessage(T.admin));
			PQfinish(T.admin);
			T.admin = NULL;
			return false;
		}
	}
	if (T.ndbs == MAX_DBS) {
		fprintf(stderr, "testdb: more than %d databases\n", MAX_DBS);
		return false;
	}
	char dbname[40] = "hoso_t_";
	random_hex(dbname + strlen(dbname), 8);
	char sql[100];
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", dbname);
	PGresult *r = PQexec(T.admin, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(T.admin));
	PQclear(r);
	if (!ok)
		return false;
	if (!(T.dbs[T.ndbs] = strdup(dbname)))
		return false;
	T.ndbs++;
	if (!make_uri(base, dbname, buf, size))
		return false;
	printf("testdb: %s is database %s\n", name, dbname);
	return true;
}

/* ---- raw access ------------------------------------------------------------------------ */

static bool is_uri(const char *db)
{
	return strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0;
}

static PGconn *pg_open(const char *uri)
{
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "testdb: connecting: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PGresult *r = PQexec(c, "SET client_min_messages = warning");
	PQclear(r);
	return c;
}

static sqlite3 *lite_open(const char *path)
{
	sqlite3 *c = NULL;
	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "testdb: opening %s: %s\n", path, c ? sqlite3_errmsg(c) : "?");
		sqlite3_close(c);
		return NULL;
	}
	sqlite3_busy_timeout(c, 5000);
	return c;
}

int testdb_exec(const char *db, const char *sql, char *msg, size_t size)
{
	if (msg && size)
		msg[0] = '\0';
	if (is_uri(db)) {
		PGconn *c = pg_open(db);
		if (!c)
			return TESTDB_NOCONN;
		PGresult *r = PQexec(c, sql);
		ExecStatusType s = PQresultStatus(r);
		int rc = TESTDB_OK;
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			rc = state && strncmp(state, "23", 2) == 0 ? TESTDB_CONSTRAINT : TESTDB_ERROR;
			if (msg)
				snprintf(msg, size, "%s", PQresultErrorMessage(r));
		}
		PQclear(r);
		PQfinish(c);
		return rc;
	}
	sqlite3 *c = lite_open(db);
	if (!c)
		return TESTDB_NOCONN;
	char *m = NULL;
	int rc = sqlite3_exec(c, sql, NULL, NULL, &m);
	if (msg)
		snprintf(msg, size, "%s", m ? m : "");
	sqlite3_free(m);
	sqlite3_close(c);
	if (rc == SQLITE_OK)
		return TESTDB_OK;
	return (rc & 0xff) == SQLITE_CONSTRAINT ? TESTDB_CONSTRAINT : TESTDB_ERROR;
}

char *testdb_text(const char *db, const char *sql)
{
	char *out = NULL;
	if (is_uri(db)) {
		PGconn *c = pg_open(db);
		if (!c)
			return NULL;
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0)
			out = strdup(PQgetisnull(r, 0, 0) ? "(null)" : PQgetvalue(r, 0, 0));
		else
			fprintf(stderr, "testdb: %s: %s\n", sql,
			        PQresultStatus(r) == PGRES_TUPLES_OK ? "no row" : PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		return out;
	}
	sqlite3 *c = lite_open(db);
	if (!c)
		return NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(c, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		out = strdup(v ? (const char *)v : "(null)");
	} else {
		fprintf(stderr, "testdb: %s: %s\n", sql,
		        rc == SQLITE_DONE ? "no row" : sqlite3_errmsg(c));
	}
	sqlite3_finalize(st);
	sqlite3_close(c);
	return out;
}

int64_t testdb_int(const char *db, const char *sql)
{
	char *v = testdb_text(db, sql);
	if (!v)
		return -1;
	int64_t n = -1;
	if (strcmp(v, "t") == 0)
		n = 1;
	else if (strcmp(v, "f") == 0)
		n = 0;
	else if (strcmp(v, "(null)") != 0)
		n = strtoll(v, NULL, 10);
	free(v);
	return n;
}

int64_t testdb_schema_version(const char *db)
{
	return testdb_int(db, is_uri(db) ? "SELECT version FROM hoso_schema"
	                                 : "PRAGMA user_version");
}

int testdb_set_schema_version(const char *db, int version)
{
	char sql[64], msg[256];
	snprintf(sql, sizeof(sql),
	         is_uri(db) ? "UPDATE hoso_schema SET version = %d" : "PRAGMA user_version = %d",
	         version);
	int rc = testdb_exec(db, sql, msg, sizeof(msg));
	if (rc != TESTDB_OK)
		fprintf(stderr, "testdb: %s: %s\n", sql, msg);
	return rc;
}

int64_t testdb_objects(const char *db, const char *type, const char *name)
{
	for (const char *p = name; p && *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
			return -1; /* names are spliced into the SQL */
	char sql[1024], cond[128] = "";
	if (!is_uri(db)) {
		if (name)
			snprintf(cond, sizeof(cond), " AND name = '%s'", name);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master WHERE 1%s%s%s%s", cond,
		         type ? " AND type = '" : "", type ? type : "", type ? "'" : "");
		return testdb_int(db, sql);
	}
	static const char rels[] =
		"(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		"WHERE n.nspname = 'public'";
	static const char trigs[] =
		"(SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
		"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
		"AND NOT t.tgisinternal";
	static const char procs[] =
		"(SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
		"WHERE n.nspname = 'public'";
	if (!type) {
		if (name) /* by name: relations and triggers */
			snprintf(sql, sizeof(sql), "SELECT %s AND c.relname = '%s') + %s AND t.tgname = "
			         "'%s')", rels, name, trigs, name);
		else
			snprintf(sql, sizeof(sql), "SELECT %s) + %s) + %s)", rels, trigs, procs);
		return testdb_int(db, sql);
	}
	if (name && strcmp(type, "trigger") == 0)
		snprintf(cond, sizeof(cond), " AND t.tgname = '%s'", name);
	else if (name)
		snprintf(cond, sizeof(cond), " AND c.relname = '%s'", name);
	if (strcmp(type, "table") == 0)
		snprintf(sql, sizeof(sql), "SELECT %s AND c.relkind IN ('r', 'p')%s)", rels, cond);
	else if (strcmp(type, "index") == 0)
		snprintf(sql, sizeof(sql), "SELECT %s AND c.relkind IN ('i', 'I')%s)", rels, cond);
	else if (strcmp(type, "trigger") == 0)
		snprintf(sql, sizeof(sql), "SELECT %s%s)", trigs, cond);
	else
		return -1;
	return testdb_int(db, sql);
}

void testdb_sqlite_plan(const char *path, const char *sql, char *buf, size_t size)
{
	buf[0] = '\0';
	if (is_uri(path))
		return;
	sqlite3 *c = lite_open(path);
	if (!c)
		return;
	sqlite3_stmt *st = NULL;
	char q[1024];
	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(c, q, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			size_t used = strlen(buf);
			const unsigned char *d = sqlite3_column_text(st, 3);
			snprintf(buf + used, size - used, "%s | ", d ? (const char *)d : "");
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(c);
}

bool testdb_contains_ci(const char *hay, const char *needle)
{
	if (!hay || !needle)
		return false;
	size_t n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] &&
		       tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return n == 0;
}
