/* test_audit.c — the audit trail and the failed-login record (db_audit.h) on a real database
 * (a SQLite file, or PostgreSQL with HOSO_TEST_DB=postgres: testdb.h): rows come back newest
 * first in pages, a failed use case leaves no audit row, the n-th newest failure in a window
 * drives the lockout, old failures are forgotten and a success clears a username's count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db_audit.h"
#include "testdb.h"

static void add(db *h, int64_t at, const char *action)
{
	hoso_err err;
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_audit_add(h, at, 0, action, NULL, &err), HOSO_OK);
	CHECK_INT(db_commit(h, &err), HOSO_OK);
}

static void test_trail(db *h)
{
	hoso_err err;
	for (int i = 0; i < 5; i++)
		add(h, 1000 + i, "test");
	/* rolled back: not there */
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_audit_add(h, 9999, 7, "rolled_back", "{\"x\": 1}", &err), HOSO_OK);
	db_rollback(h);
	db_audit_row *rows = NULL;
	size_t n = 0;
	CHECK_INT(db_audit_list(h, 0, 3, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK(rows[0].id > rows[1].id && rows[1].id > rows[2].id);
		CHECK_INT(rows[0].at, 1004);
		CHECK_STR(rows[0].detail, "{}");
		CHECK_STR(rows[0].action, "test");
		CHECK_STR(rows[0].username, "");
	}
	int64_t cursor = n ? rows[n - 1].id : 0;
	free(rows);
	CHECK_INT(db_audit_list(h, cursor, 10, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 2);
	for (size_t i = 0; i < n; i++)
		CHECK(rows[i].id < cursor && strcmp(rows[i].action, "rolled_back") != 0);
	free(rows);
}

static void fail_at(db *h, const char *user, int64_t at, int64_t forget_before)
{
	hoso_err err;
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_login_failure_add(h, user, "127.0.0.1", at, forget_before, &err), HOSO_OK);
	CHECK_INT(db_commit(h, &err), HOSO_OK);
}

static void test_failures(db *h)
{
	hoso_err err;
	int64_t at = -1;
	for (int i = 0; i < 4; i++)
		fail_at(h, "clerk", 10000 + i * 100, 0);
	fail_at(h, "other", 10050, 0);
	CHECK_INT(db_login_failure_nth(h, "clerk", 0, 5, &at, &err), HOSO_OK);
	CHECK_INT(at, 0);
	fail_at(h, "clerk", 10400, 0);
	CHECK_INT(db_login_failure_nth(h, "clerk", 0, 5, &at, &err), HOSO_OK);
	CHECK_INT(at, 10000);
	CHECK_INT(db_login_failure_nth(h, "clerk", 0, 1, &at, &err), HOSO_OK);
	CHECK_INT(at, 10400);
	/* outside the window: not counted */
	CHECK_INT(db_login_failure_nth(h, "clerk", 10001, 5, &at, &err), HOSO_OK);
	CHECK_INT(at, 0);
	/* a new failure forgets everything before forget_before */
	fail_at(h, "clerk", 20000, 10200);
	CHECK_INT(db_login_failure_nth(h, "clerk", 0, 4, &at, &err), HOSO_OK);
	CHECK_INT(at, 10200);
	CHECK_INT(db_login_failure_nth(h, "other", 0, 1, &at, &err), HOSO_OK);
	CHECK_INT(at, 0);
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_login_failures_clear(h, "clerk", &err), HOSO_OK);
	CHECK_INT(db_commit(h, &err), HOSO_OK);
	CHECK_INT(db_login_failure_nth(h, "clerk", 0, 1, &at, &err), HOSO_OK);
	CHECK_INT(at, 0);
	/* odd names are just text */
	fail_at(h, "x'); DROP TABLE audit;--", 30000, 0);
	CHECK_INT(db_login_failure_nth(h, "x'); DROP TABLE audit;--", 0, 1, &at, &err), HOSO_OK);
	CHECK_INT(at, 30000);
}

int main(void)
{
	char path[1100];
	if (!testdb_init("audit") || !testdb_new("audit.db", path, sizeof(path)))
		return 1;
	db *h = NULL;
	hoso_err err;
	hoso_status st = db_open(path, &h, &err);
	if (st != HOSO_OK)
		fprintf(stderr, "db_open: %s\n", err.message);
	CHECK_INT(st, HOSO_OK);
	if (h) {
		test_trail(h);
		test_failures(h);
		db_close(h);
	}
	return check_done();
}
