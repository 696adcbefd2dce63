/* test_schema_v8.c — migration 8 on a SQLite file that hoso's first seven migrations made,
 * with rows in it: CHECK lists of three values or more become comparisons, SQLite stops
 * building a temporary b-tree for them on every insert (no OpenEphemeral in the programs),
 * the constraints still refuse what they refused, every row is kept, and a table whose text
 * is not hoso's stops the migration with nothing changed. SQLite only: the migration does
 * nothing on PostgreSQL, where an IN list costs no such thing. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db.h"
#include "db_internal.h"
#include "testdb.h"

#define V7 7

/* A file as hoso left it at version 7, with a user, a dossier and an outbox row. */
static bool make_v7(const char *path)
{
	sqlite3 *conn = NULL;
	bool ok = sqlite3_open(path, &conn) == SQLITE_OK;
	for (int v = 0; ok && v < V7; v++)
		for (const char *const *sql = db_migrations[v]; ok && *sql; sql++)
			ok = sqlite3_exec(conn, *sql, NULL, NULL, NULL) == SQLITE_OK;
	ok = ok && sqlite3_exec(conn,
	                        "PRAGMA user_version = 7;"
	                        "INSERT INTO users (username, role, pw_hash, created_at) "
	                        "VALUES ('an', 'courier', 'x', 1);"
	                        "INSERT INTO dossiers (procedure_code, agency_code, office_code, "
	                        "service, applicant_kind, applicant_name, accepted_at, "
	                        "accepted_date) VALUES ('1.001776', '000.00.00.H21', '600000', "
	                        "'both', 'person', 'Nguyễn Văn An', 1, '2026-11-28');"
	                        "INSERT INTO outbox (kind, target, payload, created_at) "
	                        "VALUES ('sms', '0912345678', '{}', 1);",
	                        NULL, NULL, NULL) == SQLITE_OK;
	if (!ok)
		fprintf(stderr, "making a version 7 file: %s\n", sqlite3_errmsg(conn));
	sqlite3_close(conn);
	return ok;
}

/* IN lists of three values or more in the tables' text: "IN (" up to its ")" with two
 * commas or more. */
static int in_lists(const char *sql)
{
	int n = 0;
	for (const char *p = strstr(sql, " IN ("); p; p = strstr(p + 1, " IN (")) {
		int commas = 0;
		for (const char *q = p + 5; *q && *q != ')'; q++)
			commas += *q == ',';
		n += commas >= 2;
	}
	return n;
}

static int64_t long_in_lists(const char *path)
{
	char *all = testdb_text(path, "SELECT group_concat(sql, ';') FROM sqlite_schema "
	                              "WHERE type = 'table'");
	int64_t n = all ? in_lists(all) : -1;
	free(all);
	return n;
}

/* OpenEphemeral steps in the program SQLite makes for sql. */
static int64_t ephemeral_tables(const char *path, const char *sql)
{
	char q[512];
	sqlite3 *conn = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	snprintf(q, sizeof(q), "EXPLAIN %s", sql);
	if (sqlite3_open(path, &conn) == SQLITE_OK &&
	    sqlite3_prepare_v2(conn, q, -1, &st, NULL) == SQLITE_OK) {
		n = 0;
		while (sqlite3_step(st) == SQLITE_ROW)
			n += strcmp((const char *)sqlite3_column_text(st, 1), "OpenEphemeral") == 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return n;
}

static const char *const outbox_insert =
	"INSERT INTO outbox (kind, target, payload, created_at) VALUES ('sms', 'x', '{}', 2)";
static const char *const dossier_insert =
	"INSERT INTO dossiers (procedure_code, agency_code, office_code, service, "
	"applicant_kind, applicant_name, accepted_at, accepted_date) VALUES ('1.001776', "
	"'000.00.00.H21', '600000', 'send', 'person', 'B', 2, '2026-11-28')";

static void test_migrates_and_keeps(void)
{
	char path[1100], msg[256];
	if (!testdb_new("v7.db", path, sizeof(path)) || !make_v7(path))
		return;
	CHECK_INT((int)testdb_schema_version(path), V7);
	/* users, dossiers, outbox (two), manifests, manifest_items, pickups (two) */
	CHECK_INT((int)long_in_lists(path), 8);
	CHECK(ephemeral_tables(path, outbox_insert) >= 2);
	CHECK(ephemeral_tables(path, dossier_insert) >= 1);

	db *h = NULL;
	hoso_err err;
	CHECK_INT(db_open(path, &h, &err), HOSO_OK);
	db_close(h);
	CHECK_INT((int)testdb_schema_version(path), db_latest_version());
	CHECK_INT((int)long_in_lists(path), 0);
	CHECK_INT((int)ephemeral_tables(path, outbox_insert), 0);
	CHECK_INT((int)ephemeral_tables(path, dossier_insert), 0);
	CHECK_INT((int)testdb_int(path, "SELECT count(*) FROM pragma_integrity_check "
	                                "WHERE integrity_check <> 'ok'"), 0);
	/* The rows are there, and the constraints refuse what they refused. */
	CHECK_INT((int)testdb_int(path, "SELECT count(*) FROM dossiers WHERE applicant_name = "
	                                "'Nguyễn Văn An' AND service = 'both'"), 1);
	CHECK_INT((int)testdb_int(path, "SELECT count(*) FROM outbox"), 1);
	CHECK_INT(testdb_exec(path, dossier_insert, msg, sizeof(msg)), TESTDB_OK);
	CHECK_INT(testdb_exec(path, outbox_insert, msg, sizeof(msg)), TESTDB_OK);
	CHECK_INT(testdb_exec(path, "UPDATE outbox SET state = 'sent' WHERE id = 1", msg,
	                      sizeof(msg)), TESTDB_OK);
	static const char *const refused[] = {
		"UPDATE dossiers SET service = 'teleport'",
		"UPDATE outbox SET state = 'lost'",
		"UPDATE outbox SET kind = 'fax'",
		"UPDATE users SET role = 'king'",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int rc = testdb_exec(path, refused[i], msg, sizeof(msg));
		if (rc != TESTDB_CONSTRAINT || !strstr(msg, "CHECK constraint failed"))
			fprintf(stderr, "%s: %d %s\n", refused[i], rc, msg);
		CHECK_INT(rc, TESTDB_CONSTRAINT);
		CHECK(strstr(msg, "CHECK constraint failed") != NULL);
	}
	CHECK_INT((int)testdb_int(path, "SELECT count(*) FROM dossiers WHERE service NOT IN "
	                                "('send', 'return', 'both')"), 0);
	CHECK_INT((int)testdb_int(path, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 1);
}

static void test_foreign_text_stops_it(void)
{
	char path[1100], msg[256];
	if (!testdb_new("odd.db", path, sizeof(path)) || !make_v7(path))
		return;
	/* Someone's hand-made users table: its role list is not hoso's. */
	CHECK_INT(testdb_exec(path,
	                      "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = "
	                      "replace(sql, '''admin''))', '''admin'', ''guest''))') "
	                      "WHERE name = 'users'; PRAGMA writable_schema = OFF;",
	                      msg, sizeof(msg)), TESTDB_OK);
	char *before = testdb_text(path, "SELECT group_concat(sql, ';') FROM sqlite_schema");
	db *h = NULL;
	hoso_err err;
	CHECK(db_open(path, &h, &err) != HOSO_OK);
	CHECK(h == NULL);
	CHECK(strstr(err.message, "table users") != NULL);
	CHECK(strstr(err.message, "nothing was changed") != NULL);
	CHECK_INT((int)testdb_schema_version(path), V7);
	char *after = testdb_text(path, "SELECT group_concat(sql, ';') FROM sqlite_schema");
	CHECK(before && after && strcmp(before, after) == 0);
	free(before);
	free(after);
}

int main(void)
{
	if (!testdb_init("v8"))
		return 1;
	if (testdb_pg()) {
		testdb_sqlite_only("migration 8", "it rewrites SQLite's CHECK constraints only");
		return check_done();
	}
	/* A first db_open before this file touches SQLite itself, so that db/pcache.c can still
	 * install its page cache (SQLite takes it only before it is first used). */
	char first[1100];
	db *h = NULL;
	hoso_err err;
	if (testdb_new("first.db", first, sizeof(first)) && db_open(first, &h, &err) == HOSO_OK)
		db_close(h);
	test_migrates_and_keeps();
	test_foreign_text_stops_it();
	return check_done();
}
