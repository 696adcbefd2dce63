/* The reference for the acceptance and event benchmarks: raw SQLite inserts of rows the size
 * of a dossier, WAL and synchronous=FULL, on the disk given. Either one durable transaction
 * per insert, or `batch` inserts per transaction.
 *
 *   raw_sqlite DIR COUNT [BATCH]   -> prints "raw_sqlite: N inserts in S s = R/s (batch B)" */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "raw_sqlite: %s: %s\n", sql, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: raw_sqlite DIR COUNT [BATCH]\n");
		return 2;
	}
	int count = atoi(argv[2]), batch = argc > 3 ? atoi(argv[3]) : 1;
	if (count < 1 || batch < 1)
		return 2;
	char path[4096];
	snprintf(path, sizeof(path), "%s/raw-%d.db", argv[1], (int)getpid());
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 1;
	if (exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	             "CREATE TABLE t(id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, body TEXT, h BLOB)"))
		return 1;
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "INSERT INTO t(uuid, body, h) VALUES (?, ?, randomblob(32))", -1,
	                   &st, NULL);
	char body[900];
	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	double t0 = now();
	for (int i = 0; i < count; i += batch) {
		exec(db, "BEGIN IMMEDIATE");
		for (int k = 0; k < batch && i + k < count; k++) {
			char uuid[40];
			snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-%012d", i + k, i + k);
			sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				return 1;
			sqlite3_reset(st);
		}
		if (exec(db, "COMMIT"))
			return 1;
	}
	double secs = now() - t0;
	printf("raw_sqlite: %d inserts in %.3f s = %.0f/s (batch %d)\n", count, secs,
	       count / secs, batch);
	sqlite3_finalize(st);
	sqlite3_close(db);
	unlink(path);
	char side[4200];
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return 0;
}
