/* test_txn.c — group commit under concurrency: many threads run use cases (db_begin, writes,
 * db_commit) at once. Every acknowledged write is there exactly once, nothing rolled back is,
 * a failing use case in a group does not take the others down, a committed write is visible
 * to readers as soon as db_commit returns, and readers outside a use case never see a group's
 * uncommitted rows (nor wait for them). On a SQLite file, or on PostgreSQL with
 * HOSO_TEST_DB=postgres (testdb.h); the counts are read through a connection of their own. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "testdb.h"

#define THREADS 8
#define ROUNDS 150

static char path[1100];
static db *h;

struct worker {
	int id;
	int acked, rolled, conflicts, failed, invisible;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < ROUNDS; i++) {
		char key[64];
		snprintf(key, sizeof(key), "t%d-%d", w->id, i);
		hoso_err err;
		if (db_begin(h, &err) != HOSO_OK) {
			w->failed++;
			continue;
		}
		if (db_setting_set(h, key, "v", &err) != HOSO_OK) {
			db_rollback(h);
			w->failed++;
			continue;
		}
		if (i % 7 == 3) {
			/* A use case that gives up after writing: only its own write goes. */
			db_rollback(h);
			w->rolled++;
			continue;
		}
		if (i % 11 == 5) {
			/* A use case whose statement fails (duplicate username): it rolls back. */
			db_user u;
			memset(&u, 0, sizeof(u));
			snprintf(u.username, sizeof(u.username), "dup");
			snprintf(u.role, sizeof(u.role), "clerk");
			snprintf(u.pw_hash, sizeof(u.pw_hash), "x");
			if (db_user_insert(h, &u, &err) == HOSO_CONFLICT) {
				db_rollback(h);
				w->conflicts++;
				continue;
			}
		}
		if (db_commit(h, &err) != HOSO_OK) {
			w->failed++;
			continue;
		}
		w->acked++;
		char v[8];
		if (db_setting_get(h, key, v, sizeof(v), NULL) != HOSO_OK)
			w->invisible++;
	}
	return NULL;
}

/* Reader isolation: a use case stays open while another thread reads. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int phase;
static hoso_status seen_open;

static void *writer_open(void *arg)
{
	(void)arg;
	hoso_err err;
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_setting_set(h, "uncommitted", "x", &err), HOSO_OK);
	pthread_mutex_lock(&mu);
	phase = 1;
	pthread_cond_broadcast(&cv);
	while (phase < 2)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	db_rollback(h);
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (phase < 1)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	char v[8];
	seen_open = db_setting_get(h, "uncommitted", v, sizeof(v), NULL);
	pthread_mutex_lock(&mu);
	phase = 2;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* A count read through a second connection (not the handle under test). */
static int count_sql(const char *sql)
{
	return (int)testdb_int(path, sql);
}

int main(void)
{
	if (!testdb_init("txn") || !testdb_new("t.db", path, sizeof(path)))
		return 1;
	hoso_err err;
	CHECK_INT(db_open(path, &h, &err), HOSO_OK);
	db_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "dup");
	snprintf(u.role, sizeof(u.role), "clerk");
	snprintf(u.pw_hash, sizeof(u.pw_hash), "x");
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_user_insert(h, &u, &err), HOSO_OK);
	CHECK_INT(db_commit(h, &err), HOSO_OK);

	pthread_t t[THREADS];
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	int acked = 0, rolled = 0, conflicts = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(w[i].failed, 0);
		CHECK_INT(w[i].invisible, 0);
		acked += w[i].acked;
		rolled += w[i].rolled;
		conflicts += w[i].conflicts;
	}
	CHECK_INT(acked + rolled + conflicts, THREADS * ROUNDS);
	CHECK(rolled > 0 && conflicts > 0);
	/* Every acknowledged key is in the file once; no rolled-back one is. */
	CHECK_INT(count_sql("SELECT count(*) FROM settings WHERE key LIKE 't%-%'"), acked);
	int expect_rolled = 0;
	char sql[256];
	for (int i = 0; i < THREADS; i++)
		for (int r = 0; r < ROUNDS; r++)
			if (r % 7 == 3 || (r % 11 == 5))
				expect_rolled++;
	CHECK_INT(acked, THREADS * ROUNDS - expect_rolled);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM settings WHERE key LIKE 't%%-%%' AND "
	         "(CAST(substr(key, instr(key, '-') + 1) AS INTEGER) %% 7 = 3 OR "
	         "CAST(substr(key, instr(key, '-') + 1) AS INTEGER) %% 11 = 5)");
	CHECK_INT(count_sql(sql), 0);
	CHECK_INT(count_sql("SELECT count(*) FROM users WHERE username = 'dup'"), 1);

	/* The writer's counters (/metrics): every use case counted, groups shared by several. */
	db_writer_stats ws;
	db_writer_stats_get(h, &ws);
	CHECK(ws.use_cases >= (uint64_t)(THREADS * ROUNDS + 1));
	CHECK(ws.groups >= 1 && ws.groups < ws.use_cases);
	CHECK(ws.busy_ns > 0);
	/* Each holder ran for at most the time it held the writer (1 ms of clock slack). */
	CHECK(ws.busy_cpu_ns > 0 && ws.busy_cpu_ns <= ws.busy_ns + 1000000);
	if (testdb_pg())
		CHECK(ws.flushes == 0); /* the server's COMMIT is durable by itself */
	else
		CHECK(ws.flushes >= 1 && ws.flushes <= ws.groups);

	/* A reader outside the use case neither waits for it nor sees its rows. */
	pthread_t a, b;
	pthread_create(&a, NULL, writer_open, NULL);
	pthread_create(&b, NULL, reader, NULL);
	pthread_join(b, NULL);
	pthread_join(a, NULL);
	CHECK_INT(seen_open, HOSO_NOT_FOUND);
	char v[8];
	CHECK_INT(db_setting_get(h, "uncommitted", v, sizeof(v), NULL), HOSO_NOT_FOUND);

	db_close(h);
	/* Still all there after close and reopen. */
	CHECK_INT(count_sql("SELECT count(*) FROM settings WHERE key LIKE 't%-%'"), acked);
	return check_done();
}
