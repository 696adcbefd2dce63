/* test_checkpoint.c — db/checkpoint.c on a SQLite file: with writers committing without a
 * pause and readers reading all the while, the WAL is written back by the background thread
 * and started again, so it stays near its threshold instead of growing with the data; nothing
 * committed is lost, and the file is sound after close. SQLite only (a PostgreSQL server
 * manages its own WAL). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "db.h"
#include "testdb.h"

#define WRITERS 4
#define ROWS 3000        /* a writer's use cases, each one row of VALUE_BYTES */
#define VALUE_BYTES 1800 /* about one 2 KiB page a row: 12,000 pages (24 MB) in all */

static char path[1100], wal[1200];
static db *h;
static atomic_bool writing = true;
static atomic_long wal_max;
static atomic_int write_failures, read_failures;

static void *writer(void *arg)
{
	int id = (int)(intptr_t)arg;
	char key[32], *value = malloc(VALUE_BYTES + 1);
	memset(value, 'a' + id, VALUE_BYTES);
	value[VALUE_BYTES] = '\0';
	for (int i = 0; i < ROWS; i++) {
		hoso_err err;
		snprintf(key, sizeof(key), "w%d-%d", id, i);
		if (db_begin(h, &err) != HOSO_OK) {
			atomic_fetch_add(&write_failures, 1);
			continue;
		}
		if (db_setting_set(h, key, value, &err) != HOSO_OK) {
			db_rollback(h);
			atomic_fetch_add(&write_failures, 1);
			continue;
		}
		if (db_commit(h, &err) != HOSO_OK)
			atomic_fetch_add(&write_failures, 1);
	}
	free(value);
	return NULL;
}

/* Reads all the while, so that checkpoints meet readers holding snapshots, and watches the
 * size of the WAL file. */
static void *watcher(void *arg)
{
	(void)arg;
	char v[VALUE_BYTES + 1];
	for (long n = 0; atomic_load(&writing); n++) {
		char key[32];
		snprintf(key, sizeof(key), "w%ld-%ld", n % WRITERS, n % 100);
		hoso_status st = db_setting_get(h, key, v, sizeof(v), NULL);
		if (st != HOSO_OK && st != HOSO_NOT_FOUND)
			atomic_fetch_add(&read_failures, 1);
		struct stat sb;
		if (stat(wal, &sb) == 0 && sb.st_size > atomic_load(&wal_max))
			atomic_store(&wal_max, (long)sb.st_size);
	}
	return NULL;
}

int main(void)
{
	if (!testdb_init("ckpt"))
		return 1;
	if (testdb_pg()) {
		testdb_sqlite_only("the background checkpoint", "PostgreSQL writes its own WAL back");
		return check_done();
	}
	if (!testdb_new("c.db", path, sizeof(path)))
		return 1;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	hoso_err err;
	CHECK_INT(db_open(path, &h, &err), HOSO_OK);

	pthread_t w[WRITERS], r;
	pthread_create(&r, NULL, watcher, NULL);
	for (int i = 0; i < WRITERS; i++)
		pthread_create(&w[i], NULL, writer, (void *)(intptr_t)i);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	atomic_store(&writing, false);
	pthread_join(r, NULL);
	CHECK_INT(atomic_load(&write_failures), 0);
	CHECK_INT(atomic_load(&read_failures), 0);

	db_writer_stats ws;
	db_writer_stats_get(h, &ws);
	printf("%llu use cases in %llu commits, %llu background checkpoints, WAL at most %ld bytes;"
	       " frames copied back: %llu by the thread, %llu by the writer\n",
	       (unsigned long long)ws.use_cases, (unsigned long long)ws.groups,
	       (unsigned long long)ws.checkpoints, atomic_load(&wal_max),
	       (unsigned long long)ws.ckpt_frames_thread, (unsigned long long)ws.ckpt_frames_writer);
	CHECK(ws.checkpoints >= 1);
	/* The thread does the copying, not the writer. Until 2026-11-28 its connection had
	 * never read the file, so SQLite did not know it was in WAL mode and each of its
	 * checkpoints copied nothing: runs were counted, frames copied were not, and every copy
	 * was made under the writer's lock. 12,000 pages went through the WAL; the writer's
	 * share is only the frames committed while the thread was between runs. */
	CHECK(ws.ckpt_frames_thread > 4000);
	CHECK(ws.ckpt_frames_writer < ws.ckpt_frames_thread);
	/* 24 MB went through the WAL. It is started again at 4,000 frames (8.3 MB with their
	 * headers); allow a few groups beyond that, far below what was written. */
	CHECK(atomic_load(&wal_max) > 0);
	CHECK(atomic_load(&wal_max) < 12L * 1024 * 1024);

	char v[VALUE_BYTES + 1];
	CHECK_INT(db_setting_get(h, "w3-2999", v, sizeof(v), NULL), HOSO_OK);
	CHECK_INT((int)strlen(v), VALUE_BYTES);
	db_close(h);

	/* Everything is there after close and reopen, and the file is sound. */
	CHECK_INT((int)testdb_int(path, "SELECT count(*) FROM settings WHERE key LIKE 'w%-%'"),
	          WRITERS * ROWS);
	CHECK_INT((int)testdb_int(path, "SELECT count(*) FROM pragma_integrity_check "
	                             "WHERE integrity_check <> 'ok'"),
	          0);
	return check_done();
}
