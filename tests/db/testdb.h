/* testdb.h — the database a db/ unit test runs on, chosen by the environment:
 *   HOSO_TEST_DB unset or "sqlite": files in a scratch directory (SQLite);
 *   HOSO_TEST_DB=postgres: a fresh PostgreSQL database for each testdb_new() (CREATE DATABASE
 *     hoso_t_<random>), in the cluster of HOSO_TEST_PG (a superuser libpq URI, as
 *     scripts/pg-cluster.sh start prints it), or, when that is unset, in a private cluster
 *     started for this process with HOSO_SOURCE_ROOT/scripts/pg-cluster.sh.
 * Everything made here (the scratch directory, the databases, a private cluster) goes at exit;
 * when the test is killed (SIGTERM, SIGINT: a meson timeout) the directories and a private
 * cluster still go, databases made in a shared cluster stay.
 *
 * It also reaches the database behind db.h's back, through a second connection (sqlite3 for a
 * path, libpq for a URI), for what db.h does not expose: the schema's catalogue, tampering as
 * someone with the file or a superuser login would, and row counts read from outside. The code
 * under test goes through db.h only. */
#ifndef HOSO_TESTDB_H
#define HOSO_TESTDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes the scratch directory /tmp/hoso-test-TAG-XXXXXX and reads the environment; prints the
 * backend. false (with the reason on stderr) when that fails. Call once, first. */
bool testdb_init(const char *tag);

/* Whether the tests run on PostgreSQL (HOSO_TEST_DB=postgres). */
bool testdb_pg(void);

/* The scratch directory: for SQLite files and any other file a test writes. */
const char *testdb_dir(void);

/* Prints why a check is left out on PostgreSQL ("SQLite only: what: why"). */
void testdb_sqlite_only(const char *what, const char *why);

/* A fresh, empty database for db_open(), into buf: the path TESTDIR/name on SQLite (not
 * created), the URI of a new database on PostgreSQL (dropped at exit). false on failure. */
bool testdb_new(const char *name, char *buf, size_t size);

/* PostgreSQL: the URI of database dbname in the test cluster, which need not exist. */
bool testdb_uri(const char *dbname, char *buf, size_t size);

/* Outcomes of testdb_exec (SQLite's numbers; PostgreSQL's SQLSTATE class 23 is a constraint). */
enum { TESTDB_OK = 0, TESTDB_ERROR = 1, TESTDB_CONSTRAINT = 19, TESTDB_NOCONN = -1 };

/* Runs sql (several statements allowed) on db (a path or a URI); the error text goes to msg
 * (may be NULL). */
int testdb_exec(const char *db, const char *sql, char *msg, size_t size);

/* The first column of the first row of sql as an integer (a boolean reads 0 or 1); -1 when
 * the query fails or returns no row (the reason on stderr). */
int64_t testdb_int(const char *db, const char *sql);

/* The first column of the first row of sql, malloc'd ("(null)" for NULL); NULL on failure. */
char *testdb_text(const char *db, const char *sql);

/* The schema version db_open() left (PRAGMA user_version; hoso_schema on PostgreSQL); -1 on
 * failure. */
int64_t testdb_schema_version(const char *db);

/* Sets it, as an older or newer hoso would have left it: TESTDB_OK or an error. */
int testdb_set_schema_version(const char *db, int version);

/* Schema objects of db: type "table", "index", "trigger" or NULL (any), named name (NULL: any
 * name). On PostgreSQL: the public schema's tables, indexes, sequences and functions and the
 * triggers hoso made. -1 on failure. */
int64_t testdb_objects(const char *db, const char *type, const char *name);

/* SQLite only: the details of EXPLAIN QUERY PLAN for sql, joined with " | ". */
void testdb_sqlite_plan(const char *path, const char *sql, char *buf, size_t size);

/* Whether hay contains needle, ignoring ASCII case (engines word errors differently). */
bool testdb_contains_ci(const char *hay, const char *needle);

#endif
