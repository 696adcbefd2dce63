/* checkpoint.c — writing the WAL back into the database file, off the writer's path.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold, on the
 * writer's connection and so under the handle's lock: every writer queued behind it waits
 * while megabytes are copied into the database file (7 % of the daemon's time in
 * bench/accept). Here the commit only notices that the WAL has grown (sqlite3_wal_hook) and
 * wakes a thread with its own connection, which runs a PASSIVE checkpoint: it copies what no
 * reader still needs, never blocks the writer, and SQLite restarts the WAL from its
 * beginning once everything in it has been copied. Durability is unchanged: a checkpoint
 * flushes the WAL before copying from it and the database file before it counts as done.
 *
 * The WAL only starts again from its beginning when a transaction begins with every frame
 * already copied, and under load the next group has always begun before the thread is
 * done. So the commit that finds the WAL past CKPT_RESTART checkpoints too, on the writer's
 * connection: the thread has copied nearly everything by then, so this copies only the
 * frames committed since its last run, and the next group starts the WAL again. If the
 * thread cannot start, that commit does the whole copy, as SQLite would.
 *
 * The thread's connection reads the schema once when it opens. A connection that has never
 * read does not know the file is in WAL mode, and its checkpoints return at once having
 * copied nothing: until 2026-11-28 every copy was made by the writer's 4,000-frame
 * checkpoint, 16-18 ms under the lock each time. The frames each side copies are counted
 * (db_ckpt_frames) so that a test sees which one does the work.
 *
 * The thread is woken at 1,000 frames and then each time the WAL has grown by 500 more, not
 * after every commit: each checkpoint flushes two files, and a page rewritten by many
 * commits in between is copied once. The writer's copy at 4,000 frames is then at most the
 * last 500 frames' pages. */
#include "db_internal.h"

#include "log.h"
#include <stdlib.h>
#include <string.h>

#define CKPT_FRAMES 1000   /* WAL frames (2 KiB pages) that wake the thread: 2 MB */
#define CKPT_STEP 500      /* and wake it again each time the WAL has grown this much */
#define CKPT_RESTART 4000  /* frames at which the writer finishes the copy: 8 MB */

struct db_ckpt {
	pthread_t thread;
	bool started;             /* the thread runs (mu) */
	bool failed;              /* it could not start: the writer checkpoints (mu) */
	bool wanted;              /* the WAL grew past CKPT_FRAMES or by CKPT_STEP (mu) */
	bool stop;                /* db_close (mu) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *path;
	sqlite3 *conn;            /* the thread's own connection */
	int last_frames;          /* the WAL's length at the last commit (writer, mu) */
	int asked_at;             /* its length when the thread was last woken (mu) */
	int copied;               /* frames of the current WAL known copied (mu) */
	uint64_t wal_gen;         /* times the WAL was seen starting again (mu) */
	_Atomic uint64_t runs;
	_Atomic uint64_t frames_thread, frames_writer; /* frames each side copied */
};

/* Counts what a checkpoint that began in WAL generation gen copied: done is SQLite's count
 * of the WAL's frames now in the database file, including those copied before. */
static void count_copied(struct db_ckpt *c, uint64_t gen, int rc, int done,
                         _Atomic uint64_t *counter)
{
	if (rc != SQLITE_OK || done <= 0)
		return;
	pthread_mutex_lock(&c->mu);
	if (gen == c->wal_gen && done > c->copied) {
		atomic_fetch_add(counter, (uint64_t)(done - c->copied));
		c->copied = done;
	}
	pthread_mutex_unlock(&c->mu);
}

static void *ckpt_main(void *arg)
{
	struct db_ckpt *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = false;
		uint64_t gen = c->wal_gen;
		pthread_mutex_unlock(&c->mu);
		int log_frames = -1, done = -1;
		int rc = sqlite3_wal_checkpoint_v2(c->conn, "main", SQLITE_CHECKPOINT_PASSIVE,
		                                   &log_frames, &done);
		atomic_fetch_add(&c->runs, 1);
		count_copied(c, gen, rc, done, &c->frames_thread);
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			log_warn("checkpoint of %s failed: %s (the WAL grows until it succeeds)",
			         c->path, sqlite3_errstr(rc));
		else
			log_debug("checkpoint: %d of %d WAL frames in the database file", done,
			          log_frames);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Opens the thread's connection and starts it; false when either fails. Under c->mu. */
static bool start(struct db_ckpt *c)
{
	if (sqlite3_open_v2(c->path, &c->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK ||
	    sqlite3_exec(c->conn, "PRAGMA busy_timeout = 5000", NULL, NULL, NULL) != SQLITE_OK ||
	    /* The first read opens the WAL: see the top of this file. */
	    sqlite3_exec(c->conn, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
	            SQLITE_OK) {
		log_warn("no checkpoint thread for %s: %s; commits checkpoint instead", c->path,
		         c->conn ? sqlite3_errmsg(c->conn) : "out of memory");
		return false;
	}
	if (pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
		log_warn("no checkpoint thread for %s; commits checkpoint instead", c->path);
		return false;
	}
	return true;
}

/* Runs on the writer's connection after each commit, under the handle's lock. */
static int on_wal_commit(void *arg, sqlite3 *conn, const char *schema, int frames)
{
	struct db_ckpt *c = arg;
	pthread_mutex_lock(&c->mu);
	if (frames < c->last_frames) { /* SQLite started the WAL again at this transaction */
		c->wal_gen++;
		c->copied = 0;
		c->asked_at = 0;
	}
	c->last_frames = frames;
	if (frames < CKPT_FRAMES) {
		pthread_mutex_unlock(&c->mu);
		return SQLITE_OK;
	}
	if (!c->started && !c->failed && !c->stop) {
		c->started = start(c);
		c->failed = !c->started;
	}
	bool inline_ckpt = c->failed || frames >= CKPT_RESTART;
	if (c->started && frames >= c->asked_at + CKPT_STEP) {
		c->asked_at = frames;
		c->wanted = true;
		pthread_cond_signal(&c->cv);
	}
	uint64_t gen = c->wal_gen;
	pthread_mutex_unlock(&c->mu);
	if (inline_ckpt) {
		int done = -1;
		int rc = sqlite3_wal_checkpoint_v2(conn, schema, SQLITE_CHECKPOINT_PASSIVE, NULL,
		                                   &done);
		count_copied(c, gen, rc, done, &c->frames_writer);
	}
	return SQLITE_OK;
}

hoso_status db_ckpt_attach(db *h, const char *path, hoso_err *err)
{
	/* The thread opens its connection later, perhaps after the daemon has changed its
	 * directory: by the absolute name SQLite resolved, not the one given. */
	const char *full = sqlite3_db_filename(h->conn, "main");
	if (full && full[0])
		path = full;
	struct db_ckpt *c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
		                    "opening %s: out of memory", path);
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	h->ckpt = c;
	sqlite3_wal_hook(h->conn, on_wal_commit, c); /* replaces SQLite's own checkpointing */
	return HOSO_OK;
}

uint64_t db_ckpt_runs(const db *h)
{
	return h->ckpt ? atomic_load(&h->ckpt->runs) : 0;
}

void db_ckpt_frames(const db *h, uint64_t *by_thread, uint64_t *by_writer)
{
	*by_thread = h->ckpt ? atomic_load(&h->ckpt->frames_thread) : 0;
	*by_writer = h->ckpt ? atomic_load(&h->ckpt->frames_writer) : 0;
}

void db_ckpt_detach(db *h)
{
	struct db_ckpt *c = h->ckpt;
	if (!c)
		return;
	if (h->conn)
		sqlite3_wal_hook(h->conn, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->cv);
	bool joined = c->started;
	pthread_mutex_unlock(&c->mu);
	if (joined)
		pthread_join(c->thread, NULL);
	sqlite3_close(c->conn);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c->path);
	free(c);
	h->ckpt = NULL;
}
