/* txn.c — transactions with group commit.
 *
 * Every use case runs under the handle's lock, in a savepoint of one SQLite transaction (the
 * group). When it ends, the savepoint is released into the group. If other writers are
 * queued for the lock, the group stays open for them and this use case waits; the writer
 * that finds nobody queued commits the group (one fsync for all) and wakes the others. So
 * concurrent requests share a commit, and each is answered only after that commit is
 * durable. A use case that fails rolls back its own savepoint only.
 *
 * Durability is pipelined: the group's COMMIT runs with synchronous=NORMAL (WAL frames
 * written, not yet flushed) under the lock; then, with the lock released so that the next
 * group can run, its members wait until an fdatasync() of the WAL that began after their
 * COMMIT has finished. One member flushes at a time and each flush covers every group
 * committed before it began. Nobody is answered before the flush covering its group. Outside
 * groups the connection stays at synchronous=FULL. */
#include "db_internal.h"
#include "db_pg.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GROUP_MAX 64 /* bounds the wait of the group's first member */

/* Every daemon's writer takes this lock at BEGIN on PostgreSQL, so use cases run one at a
 * time across the cluster as they do on one SQLite file: the checks each makes before it
 * writes (state, event id, serial) hold until its commit. Reads take no lock. The volume a
 * nation needs fits one writer many times over (docs/DEPLOY.md, BENCHMARKS.md). */
#define PG_BEGIN "BEGIN; SELECT pg_advisory_xact_lock(1752134511)" /* "hoso" */

/* Clock c in ns: CLOCK_MONOTONIC for the time the writer is held, CLOCK_THREAD_CPUTIME_ID
 * for the CPU its holder used meanwhile (kernel time included). */
static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The use case gives the writer back: count the time it held it, and how much of that time
 * its thread ran (the rest it waited: for a core, the disk, the server). Under the lock. */
static void writer_released(db *h)
{
	atomic_fetch_add(&h->st_busy_ns, clock_ns(CLOCK_MONOTONIC) - h->held_since_ns);
	atomic_fetch_add(&h->st_busy_cpu_ns,
	                 clock_ns(CLOCK_THREAD_CPUTIME_ID) - h->held_since_cpu_ns);
}

static hoso_status exec(db *h, enum db_stmt_id slot, const char *sql, const char *what,
                        hoso_err *err)
{
	int rc = db_exec_cached(h, slot, sql);
	return rc == DB_OK ? HOSO_OK : db_fail(h, rc, what, err);
}

/* Back to synchronous=FULL once no group is open, for any write made outside db_begin. */
static void group_closed(db *h)
{
	if (!db_is_pg(h))
		db_exec_cached(h, ST_TXN_SYNC_FULL, "PRAGMA synchronous = FULL");
}

/* Opens the WAL (first time) and flushes it to disk. Called by one thread at a time. */
static int flush_wal(db *h, hoso_err *err)
{
	if (db_is_pg(h))
		return 0; /* PostgreSQL's COMMIT is durable by itself */
	if (h->wal_fd < 0) {
		const char *wal = sqlite3_filename_wal(sqlite3_db_filename(h->conn, "main"));
		int fd = wal ? open(wal, O_RDWR | O_CLOEXEC) : -1;
		if (fd < 0) {
			int e = errno;
			hoso_err_set(err, HOSO_UNAVAILABLE, "db_io", NULL,
			             "cannot open the write-ahead log %s to flush it: %s",
			             wal ? wal : "?", strerror(e));
			return -1;
		}
		/* The WAL's name must survive a power cut too: flush its directory once. */
		char *copy = strdup(wal);
		int dfd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		free(copy);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		h->wal_fd = fd;
	}
	atomic_fetch_add(&h->st_flushes, 1);
	if (fdatasync(h->wal_fd) != 0) {
		int e = errno;
		hoso_err_set(err, HOSO_UNAVAILABLE,
		             e == ENOSPC ? "db_full" : e == EROFS ? "db_readonly" : "db_io", NULL,
		             "%s: flushing the write-ahead log to disk failed (%s); this request may "
		             "or may not have been saved: retry it with the same client_id once the "
		             "disk is fixed",
		             e == ENOSPC  ? "database disk is full"
		             : e == EROFS ? "database disk is read-only"
		                          : "database I/O error",
		             strerror(e));
		return -1;
	}
	return 0;
}

/* Commits the open group and tells its members. Under the lock. */
static hoso_status commit_group(db *h, hoso_err *err)
{
	uint64_t gen = h->group_gen;
	hoso_err local;
	hoso_err_clear(&local);
	hoso_status st = exec(h, ST_TXN_COMMIT, "COMMIT", "committing (nothing of this transaction was saved)",
	                      &local);
	if (st != HOSO_OK && !db_idle(h))
		db_exec(h, "ROLLBACK");
	h->group_open = false;
	h->group_members = 0;
	group_closed(h);
	if (st == HOSO_OK)
		atomic_fetch_add(&h->st_groups, 1);
	pthread_mutex_lock(&h->group_lock);
	h->done_gen = gen;
	if (db_is_pg(h) && st == HOSO_OK)
		h->durable_gen = gen; /* PostgreSQL's COMMIT returns once its WAL is flushed */
	if (st != HOSO_OK) {
		h->failed_gen = gen;
		h->failed_err = local;
	}
	pthread_cond_broadcast(&h->group_done);
	pthread_mutex_unlock(&h->group_lock);
	if (st != HOSO_OK && err)
		*err = local;
	return st;
}

/* After a use case ends: commit for everyone when nobody else is coming, or drop an empty
 * group. Under the lock. */
static hoso_status settle_group(db *h, hoso_err *err)
{
	if (!h->group_open)
		return HOSO_OK;
	if (db_idle(h)) {
		/* SQLite rolled the whole group back (I/O error, disk full): its members were
		 * promised nothing yet, so they are told it failed. */
		pthread_mutex_lock(&h->group_lock);
		h->done_gen = h->failed_gen = h->group_gen;
		hoso_err_set(&h->failed_err, HOSO_UNAVAILABLE, "db_unavailable", NULL,
		             "the database rolled the transaction back; nothing was saved");
		pthread_cond_broadcast(&h->group_done);
		pthread_mutex_unlock(&h->group_lock);
		h->group_open = false;
		h->group_members = 0;
		group_closed(h);
		return HOSO_OK;
	}
	if (h->group_members > 0) {
		if (atomic_load(&h->waiting) > 0 && h->group_members < GROUP_MAX)
			return HOSO_OK; /* a queued writer will commit it */
		return commit_group(h, err);
	}
	if (atomic_load(&h->waiting) == 0) {
		db_exec(h, "ROLLBACK");
		h->group_open = false;
		group_closed(h);
	}
	return HOSO_OK;
}

/* Waits until group gen is committed and on disk; its outcome. Not under the lock. */
static hoso_status wait_group(db *h, uint64_t gen, hoso_err *err)
{
	pthread_mutex_lock(&h->group_lock);
	while (h->done_gen < gen)
		pthread_cond_wait(&h->group_done, &h->group_lock);
	hoso_status st = HOSO_OK;
	if (h->failed_gen == gen) {
		st = h->failed_err.status;
		if (err)
			*err = h->failed_err;
		goto out;
	}
	while (h->durable_gen < gen && !h->sync_broken) {
		if (h->syncing) {
			pthread_cond_wait(&h->group_done, &h->group_lock);
			continue;
		}
		/* Flush for everyone committed so far, with the locks released. */
		h->syncing = true;
		uint64_t target = h->done_gen;
		pthread_mutex_unlock(&h->group_lock);
		hoso_err ferr;
		hoso_err_clear(&ferr);
		int rc = flush_wal(h, &ferr);
		pthread_mutex_lock(&h->group_lock);
		h->syncing = false;
		if (rc == 0) {
			if (target > h->durable_gen)
				h->durable_gen = target;
		} else {
			h->sync_broken = true;
			h->sync_err = ferr;
		}
		pthread_cond_broadcast(&h->group_done);
	}
	if (h->durable_gen < gen) {
		st = h->sync_err.status;
		if (err)
			*err = h->sync_err;
	}
out:
	pthread_mutex_unlock(&h->group_lock);
	return st;
}

/* After a failed flush of the WAL (sync_broken), nothing committed since the last good flush
 * is known to be on disk, and no later flush can prove it: the kernel may have dropped the
 * failed pages, and WAL frames are chained by checksum, so a later frame is only recoverable
 * if every earlier one is. Committing more on top would promise what cannot be kept, so
 * writes stay refused until this repair succeeds: a TRUNCATE checkpoint copies every frame
 * into the database file, fsyncs it and empties the WAL. When it succeeds in full, all that
 * was committed is durable again and groups start from an empty WAL. Called with the
 * handle's lock held and no group open; refuses (503) while the disk still fails. */
static hoso_status repair_sync(db *h, hoso_err *err)
{
	pthread_mutex_lock(&h->group_lock);
	while (h->syncing)
		pthread_cond_wait(&h->group_done, &h->group_lock);
	if (!h->sync_broken) {
		pthread_mutex_unlock(&h->group_lock);
		return HOSO_OK;
	}
	int log_frames = -1, ckpt_frames = -1;
	int rc = sqlite3_wal_checkpoint_v2(h->conn, "main", SQLITE_CHECKPOINT_TRUNCATE,
	                                   &log_frames, &ckpt_frames);
	hoso_status st = HOSO_OK;
	if (rc == SQLITE_OK && log_frames == ckpt_frames) {
		/* Whatever the WAL file was, it is empty now: reopen it for the next flush. */
		if (h->wal_fd >= 0)
			close(h->wal_fd);
		h->wal_fd = -1;
		h->durable_gen = h->done_gen;
		h->sync_broken = false;
		hoso_err_clear(&h->sync_err);
		pthread_cond_broadcast(&h->group_done);
	} else if (rc == SQLITE_OK || (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		st = hoso_err_set(err, HOSO_UNAVAILABLE, "db_busy", NULL,
		                  "the write-ahead log could not be flushed earlier and is being "
		                  "written back to the database file; retry");
	} else {
		hoso_err why;
		hoso_err_clear(&why);
		db_fail(h, rc, "writing the write-ahead log back after a failed flush", &why);
		st = hoso_err_set(err, HOSO_UNAVAILABLE, why.code[0] ? why.code : "db_io", NULL,
		                  "%s; %s", why.message, h->sync_err.message);
	}
	pthread_mutex_unlock(&h->group_lock);
	return st;
}

hoso_status db_begin(db *h, hoso_err *err)
{
	atomic_fetch_add(&h->waiting, 1);
	db_lock(h);
	atomic_fetch_sub(&h->waiting, 1);
	if (h->in_txn) {
		db_unlock(h);
		return hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
		                    "beginning a transaction: one is already open on this handle");
	}
	h->held_since_ns = clock_ns(CLOCK_MONOTONIC);
	h->held_since_cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	hoso_status st = HOSO_OK;
	if (!h->group_open) {
		if ((st = repair_sync(h, err)) != HOSO_OK)
			goto fail_lock;
		int lost = DB_OK;
		if (db_is_pg(h))
			lost = db_pg_ensure(h->pg);
		else
			db_exec_cached(h, ST_TXN_SYNC_NORMAL, "PRAGMA synchronous = NORMAL");
		if (lost != DB_OK) {
			st = db_fail(h, lost, "beginning a transaction", err);
			goto fail_lock;
		}
		if ((st = exec(h, ST_TXN_BEGIN, db_is_pg(h) ? PG_BEGIN : "BEGIN IMMEDIATE",
		               "beginning a transaction", err)) != HOSO_OK) {
			if (!db_idle(h))
				db_exec(h, "ROLLBACK");
			group_closed(h);
			goto fail_lock;
		}
		h->group_open = true;
		h->group_gen++;
		h->group_members = 0;
	}
	if ((st = exec(h, ST_TXN_SAVEPOINT, "SAVEPOINT use_case", "beginning a transaction", err)) != HOSO_OK) {
		hoso_err ignored;
		settle_group(h, &ignored);
		goto fail_lock;
	}
	h->in_txn = true;
	h->n_savepoints = 0;
	db_txn_owner(h);
	atomic_fetch_add(&h->st_use_cases, 1);
	return HOSO_OK; /* the lock stays held until commit or rollback */
fail_lock:
	db_unlock(h);
	return st;
}

hoso_status db_commit(db *h, hoso_err *err)
{
	db_lock(h);
	if (!h->in_txn) {
		db_unlock(h);
		return hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
		                    "committing: no transaction is open on this handle");
	}
	h->in_txn = false;
	db_txn_owner(NULL);
	hoso_status st = exec(h, ST_TXN_RELEASE, "RELEASE use_case", "committing", err);

	if (st != HOSO_OK) {
		db_exec(h, "ROLLBACK TO use_case; RELEASE use_case");
		hoso_err ignored;
		settle_group(h, &ignored);
		writer_released(h);
		db_unlock(h);
		db_unlock(h);
		return st;
	}
	h->group_members++;
	uint64_t gen = h->group_gen;
	st = settle_group(h, err);
	bool settled = !h->group_open;
	writer_released(h);
	db_unlock(h); /* this call's lock */
	db_unlock(h); /* db_begin's lock */
	if (settled && st != HOSO_OK)
		return st;
	return wait_group(h, gen, err);
}

void db_rollback(db *h)
{
	db_lock(h);
	if (!h->in_txn) {
		db_unlock(h);
		return;
	}
	h->in_txn = false;
	db_txn_owner(NULL);
	db_exec(h, "ROLLBACK TO use_case; RELEASE use_case");
	hoso_err ignored;
	settle_group(h, &ignored);
	writer_released(h);
	db_unlock(h);
	db_unlock(h);
}

void db_writer_stats_get(db *h, db_writer_stats *out)
{
	out->use_cases = atomic_load(&h->st_use_cases);
	out->groups = atomic_load(&h->st_groups);
	out->flushes = atomic_load(&h->st_flushes);
	out->busy_ns = atomic_load(&h->st_busy_ns);
	out->busy_cpu_ns = atomic_load(&h->st_busy_cpu_ns);
	out->checkpoints = db_ckpt_runs(h);
	db_ckpt_frames(h, &out->ckpt_frames_thread, &out->ckpt_frames_writer);
}

void db_txn_close(db *h)
{
	db_lock(h);
	if (h->in_txn) {
		db_exec(h, "ROLLBACK TO use_case; RELEASE use_case");
		h->in_txn = false;
		db_unlock(h);
	}
	if (h->group_open) {
		hoso_err ignored;
		if (h->group_members > 0)
			commit_group(h, &ignored);
		else
			db_exec(h, "ROLLBACK");
		h->group_open = false;
		group_closed(h);
	}
	db_unlock(h);
	/* Members still waiting flush for themselves; wait for them, then flush once more. */
	pthread_mutex_lock(&h->group_lock);
	while (h->syncing)
		pthread_cond_wait(&h->group_done, &h->group_lock);
	if (h->durable_gen < h->done_gen && !h->sync_broken) {
		hoso_err ignored;
		if (flush_wal(h, &ignored) == 0)
			h->durable_gen = h->done_gen;
		pthread_cond_broadcast(&h->group_done);
	}
	pthread_mutex_unlock(&h->group_lock);
	if (h->wal_fd >= 0)
		close(h->wal_fd);
	h->wal_fd = -1;
}
