/* test_pcache.c — db/pcache.c, the wrapper of SQLite's page cache. First its contract, on
 * the cache methods themselves: a truncation drops every page numbered at or past its limit
 * and keeps the others, whether it is answered by the wrapper or passed on; page splits' moves
 * through the spare page number do not make the next truncation walk the cache; a page left
 * at the spare number is dropped. Then on a real file: random-key inserts that split pages,
 * commits, a transaction that grows the file and is rolled back, a savepoint rolled back; the
 * file stays sound, holds what was committed, and almost every commit's truncation was
 * answered without a walk. SQLite only: the cache is SQLite's. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db.h"
#include "db_internal.h"
#include "testdb.h"

#define SPARE (0x40000000u / 2048 + 1) /* the spare page number with 2 KiB pages */

static uint64_t passed_on(void)
{
	uint64_t t, s, m;
	db_pcache_counts(&t, &s, &m);
	return t;
}

static uint64_t answered(void)
{
	uint64_t t, s, m;
	db_pcache_counts(&t, &s, &m);
	return s;
}

static uint64_t spare_moves(void)
{
	uint64_t t, s, m;
	db_pcache_counts(&t, &s, &m);
	return m;
}

static sqlite3_pcache_methods2 m;

static void put(sqlite3_pcache *c, unsigned key)
{
	sqlite3_pcache_page *pg = m.xFetch(c, key, 2);
	CHECK(pg != NULL);
	if (pg)
		m.xUnpin(c, pg, 0);
}

static int present(sqlite3_pcache *c, unsigned key)
{
	sqlite3_pcache_page *pg = m.xFetch(c, key, 0);
	if (pg)
		m.xUnpin(c, pg, 0);
	return pg != NULL;
}

/* balance_nonroot()'s swap of pages a and b through the spare number. */
static void swap_through_spare(sqlite3_pcache *c, unsigned a, unsigned b)
{
	sqlite3_pcache_page *pa = m.xFetch(c, a, 0), *pb = m.xFetch(c, b, 0);
	CHECK(pa && pb);
	if (!pa || !pb)
		return;
	m.xRekey(c, pa, a, SPARE);
	m.xRekey(c, pb, b, a);
	m.xRekey(c, pa, SPARE, b);
	m.xUnpin(c, pa, 0);
	m.xUnpin(c, pb, 0);
}

static void test_contract(void)
{
	/* The methods in force are the wrapper's: SQLite lends them between a shutdown and the
	 * next initialise. */
	sqlite3_shutdown();
	CHECK_INT(sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &m), SQLITE_OK);
	CHECK(m.xInit == NULL || m.xInit(m.pArg) == SQLITE_OK);
	sqlite3_pcache *c = m.xCreate(2048, 64, 1);
	CHECK(c != NULL);
	if (!c)
		return;
	m.xCachesize(c, 1000);
	for (unsigned k = 1; k <= 100; k++)
		put(c, k);
	CHECK_INT(m.xPagecount(c), 100);

	swap_through_spare(c, 50, 60);
	uint64_t t0 = passed_on(), s0 = answered();
	m.xTruncate(c, 101); /* the end of a commit: nothing reaches 101 */
	CHECK_INT(answered(), s0 + 1);
	CHECK_INT(passed_on(), t0);
	CHECK(present(c, 1) && present(c, 50) && present(c, 60) && present(c, 100));
	CHECK(!present(c, SPARE));

	put(c, 150); /* the file grew, then shrank back: the page past the end must go */
	t0 = passed_on();
	m.xTruncate(c, 101);
	CHECK_INT(passed_on(), t0 + 1);
	CHECK(!present(c, 150));
	CHECK(present(c, 100));

	/* A page left at the spare number (a split that failed half way) is dropped too. */
	sqlite3_pcache_page *pg = m.xFetch(c, 70, 0);
	CHECK(pg != NULL);
	if (pg) {
		m.xRekey(c, pg, 70, SPARE);
		m.xUnpin(c, pg, 0);
	}
	CHECK(present(c, SPARE));
	t0 = passed_on();
	m.xTruncate(c, 101);
	CHECK_INT(passed_on(), t0 + 1);
	CHECK(!present(c, SPARE));
	/* ... and once it is gone, the walk is not needed again. */
	s0 = answered();
	m.xTruncate(c, 101);
	CHECK_INT(answered(), s0 + 1);

	/* A truncation inside the pages present drops exactly those at or past it. */
	m.xTruncate(c, 51);
	CHECK(present(c, 50) && !present(c, 51) && !present(c, 60) && !present(c, 100));
	CHECK(present(c, 1));
	m.xTruncate(c, 1); /* everything, as when a cache is cleared */
	CHECK(!present(c, 1) && !present(c, 50));
	CHECK_INT(m.xPagecount(c), 0);
	put(c, 3);
	CHECK(present(c, 3));
	m.xDestroy(c);
	if (m.xShutdown)
		m.xShutdown(m.pArg);
	CHECK_INT(sqlite3_initialize(), SQLITE_OK);
}

static int exec(sqlite3 *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	return rc;
}

static int64_t count(sqlite3 *c, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void insert_random(sqlite3 *c, sqlite3_stmt *ins, int n, unsigned *seed)
{
	for (int i = 0; i < n; i++) {
		char key[24];
		*seed = *seed * 1103515245u + 12345u;
		snprintf(key, sizeof(key), "VN%010u", *seed);
		sqlite3_bind_text(ins, 1, key, -1, SQLITE_TRANSIENT);
		CHECK_INT(sqlite3_step(ins), SQLITE_DONE);
		sqlite3_reset(ins);
	}
	(void)c;
}

static void test_file(const char *dir)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/pcache.db", dir);
	sqlite3 *c;
	CHECK_INT(sqlite3_open(path, &c), SQLITE_OK);
	CHECK_INT(exec(c, "PRAGMA page_size = 2048; PRAGMA journal_mode = WAL;"
	                  "PRAGMA cache_size = -16384;"
	                  "CREATE TABLE k (tn TEXT PRIMARY KEY, pad TEXT) WITHOUT ROWID;"
	                  "CREATE TABLE g (id INTEGER PRIMARY KEY, blob BLOB)"), SQLITE_OK);
	sqlite3_stmt *ins;
	CHECK_INT(sqlite3_prepare_v2(c, "INSERT OR IGNORE INTO k VALUES (?1, printf('%.200c', 'x'))",
	                             -1, &ins, NULL), SQLITE_OK);
	unsigned seed = 7;
	uint64_t t0 = passed_on(), s0 = answered(), m0 = spare_moves();
	for (int commit = 0; commit < 300; commit++) {
		CHECK_INT(exec(c, "BEGIN IMMEDIATE"), SQLITE_OK);
		insert_random(c, ins, 20, &seed);
		CHECK_INT(exec(c, "COMMIT"), SQLITE_OK);
	}
	int64_t rows = count(c, "SELECT count(*) FROM k");
	/* 300 commits of 6,000 random keys of 200 bytes: pages split, some through the spare
	 * number, after which pcache1 alone would have walked its table; the wrapper answers
	 * every commit's truncation itself. */
	uint64_t moves = spare_moves() - m0;
	CHECK(moves >= 10);
	CHECK(answered() - s0 >= 300);
	CHECK_INT(passed_on() - t0, 0);
	fprintf(stderr, "300 commits: %llu moves through the spare page, %llu truncations "
	        "answered, %llu passed on\n", (unsigned long long)moves,
	        (unsigned long long)(answered() - s0), (unsigned long long)(passed_on() - t0));

	/* Grow the file by 500 pages in a transaction, then roll it back: the cache must drop
	 * them, and the next growth must not see their old content. */
	int64_t pages = count(c, "PRAGMA page_count");
	CHECK_INT(exec(c, "BEGIN IMMEDIATE; INSERT INTO g (blob) SELECT randomblob(1900) FROM "
	                  "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE "
	                  "i < 500) SELECT i FROM n)"), SQLITE_OK);
	CHECK(count(c, "PRAGMA page_count") >= pages + 500);
	uint64_t t1 = passed_on();
	CHECK_INT(exec(c, "ROLLBACK"), SQLITE_OK);
	CHECK(passed_on() > t1); /* the pages past the end had to go: pcache1 dropped them */
	CHECK_INT(count(c, "PRAGMA page_count"), pages);
	CHECK_INT(count(c, "SELECT count(*) FROM g"), 0);
	CHECK_INT(exec(c, "BEGIN IMMEDIATE; INSERT INTO g (blob) SELECT zeroblob(1900) FROM "
	                  "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE "
	                  "i < 300) SELECT i FROM n); COMMIT"), SQLITE_OK);
	CHECK_INT(count(c, "SELECT count(*) FROM g WHERE blob = zeroblob(1900)"), 300);

	/* A savepoint that splits pages and is rolled back, inside a committed transaction. */
	CHECK_INT(exec(c, "BEGIN IMMEDIATE; SAVEPOINT s"), SQLITE_OK);
	unsigned seed2 = 99;
	insert_random(c, ins, 500, &seed2);
	CHECK_INT(exec(c, "ROLLBACK TO s; RELEASE s"), SQLITE_OK);
	insert_random(c, ins, 50, &seed);
	CHECK_INT(exec(c, "COMMIT"), SQLITE_OK);
	CHECK_INT(count(c, "SELECT count(*) FROM k"), rows + 50);
	sqlite3_finalize(ins);
	CHECK_INT(sqlite3_close(c), SQLITE_OK);

	/* Read back by a fresh connection, from the file and its WAL. */
	CHECK_INT(sqlite3_open(path, &c), SQLITE_OK);
	sqlite3_stmt *st;
	CHECK_INT(sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_step(st), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	CHECK_INT(count(c, "SELECT count(*) FROM k"), rows + 50);
	CHECK_INT(count(c, "SELECT count(*) FROM g"), 300);
	sqlite3_close(c);
}

int main(void)
{
	if (!testdb_init("pcache"))
		return 1;
	if (testdb_pg()) {
		testdb_sqlite_only("the page cache wrapper", "the cache is SQLite's");
		return 0;
	}
	/* db_open installs the wrapper before SQLite starts. */
	char path[1100];
	if (!testdb_new("hoso.db", path, sizeof(path)))
		return 1;
	hoso_err err;
	db *h = NULL;
	CHECK_INT(db_open(path, &h, &err), HOSO_OK);
	db_close(h);
	test_contract();
	test_file(testdb_dir());
	return check_done();
}
