/* sql_floor.c — the ceiling SQLite puts on the daemon: the statements db/ runs for one
 * acceptance (service "both") and for one "dispatch" event, replayed on a database made by
 * `hoso init --demo`, with nothing else: no HTTP, no JSON, no validation, no hash chain, no
 * locks, one thread. Writes are grouped as db/txn.c groups them (each use case in a
 * savepoint; COMMIT at synchronous=NORMAL, then fdatasync of the WAL), and a second thread
 * checkpoints on its own connection as db/checkpoint.c does, the writer finishing the copy
 * at 4,000 frames so that the WAL starts again (without it the WAL grew to 340 MB in a
 * 12,000-acceptance run). So the figure is an upper bound of what the daemon's writer can
 * reach on this disk and CPU.
 *
 *   sql_floor DB COUNT GROUP [EVENTS_PER_TXN]
 *     -> "sql_floor: N acceptances in S s = R/s (group G)"
 *        "sql_floor: N events in S s = R/s (batch B)"   (when EVENTS_PER_TXN is given)
 *
 * The statements are copies of those in db/dossiers.c, db/events.c, db/custody.c and
 * db/db.c (serials) as of their writing, with the values the benchmark's request gives. If db/
 * adds a statement to a use case, this floor is too high, never too low: it stays a ceiling.
 * tests/bench/test_sql_floor.py runs it small on a fresh database so that a renamed column
 * cannot go unnoticed. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CKPT_STEP 500     /* WAL frames between the checkpoint thread's runs (db/checkpoint.c) */
#define CKPT_RESTART 4000 /* and where the writer finishes the copy itself, so that the WAL
                           * starts again from its beginning (db/checkpoint.c) */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sql_floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(db, sql);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		die(db, sql);
	return st;
}

/* Steps st to its end; the first row's first column (an id) if asked. */
static int64_t run(sqlite3 *db, sqlite3_stmt *st)
{
	int64_t first = 0;
	int rc;
	bool row = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!row) {
			first = sqlite3_column_int64(st, 0);
			row = true;
		}
	if (rc != SQLITE_DONE)
		die(db, sqlite3_sql(st));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return first;
}

static void text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void num(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void) /* xorshift64: ids and serials need only be distinct */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A time-ordered id as trk_uuid_v7 makes them; role 8 marks the derived (result) ids. */
static void uuid(int64_t ms, int role, char out[37])
{
	uint64_t r = next_random();
	snprintf(out, 37, "%08llx-%04llx-%d%03llx-8%03llx-%012llx",
	         (unsigned long long)(ms >> 16) & 0xffffffffu, (unsigned long long)ms & 0xffff, role,
	         (unsigned long long)r & 0xfff, (unsigned long long)(r >> 12) & 0xfff,
	         (unsigned long long)(r >> 24) & 0xffffffffffffu);
}

/* The checkpoint thread: PASSIVE checkpoints on its own connection every CKPT_STEP frames. */
typedef struct {
	const char *path;
	atomic_int frames, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} ckpt;

static int on_commit(void *arg, sqlite3 *db, const char *schema, int frames)
{
	ckpt *c = arg;
	atomic_store(&c->frames, frames);
	pthread_mutex_lock(&c->mu);
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (frames >= CKPT_RESTART)
		sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static void *ckpt_main(void *arg)
{
	ckpt *c = arg;
	sqlite3 *conn;
	if (sqlite3_open(c->path, &conn) != SQLITE_OK)
		die(conn, "opening the checkpoint connection");
	exec(conn, "PRAGMA busy_timeout = 5000; SELECT count(*) FROM sqlite_schema");
	int done_at = 0;
	while (!atomic_load(&c->stop)) {
		pthread_mutex_lock(&c->mu);
		/* Fewer frames than last time: the WAL was restarted; check at once. */
		while (!atomic_load(&c->stop) && atomic_load(&c->frames) >= done_at &&
		       atomic_load(&c->frames) < done_at + CKPT_STEP)
			pthread_cond_wait(&c->cv, &c->mu);
		pthread_mutex_unlock(&c->mu);
		sqlite3_wal_checkpoint_v2(conn, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		done_at = atomic_load(&c->frames);
	}
	sqlite3_close(conn);
	return NULL;
}

typedef struct {
	sqlite3 *db;
	sqlite3_file *wal;
	/* Prepared once, as db/txn.c keeps them. */
	sqlite3_stmt *sync_normal, *begin, *commit, *sync_full;
	sqlite3_stmt *use_case, *release, *find, *dossier, *serial_step, *serial_get, *item,
		*event, *advance, *progress_get, *progress_put, *outbox;
} floor_db;

static void begin(floor_db *f)
{
	run(f->db, f->sync_normal);
	run(f->db, f->begin);
}

static void commit(floor_db *f)
{
	run(f->db, f->commit);
	run(f->db, f->sync_full);
	if (!f->wal)
		sqlite3_file_control(f->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f->wal);
	if (!f->wal || !f->wal->pMethods || f->wal->pMethods->xSync(f->wal, SQLITE_SYNC_NORMAL))
		die(f->db, "flushing the WAL");
}

#define EVENT_COLS                                                                       \
	"seq, id, tracking_number, type, state_from, state_to, user_id, username, place, " \
	"from_party, to_party, server_time, device_time, data, request_digest, prev_hash, hash"
#define PROGRESS_COLS                                                                      \
	"tracking_number, office_code, agency_code, state, due_date, filed_at, receipt_number, " \
	"appointment_date, attempts, next_attempt_date, hold_until, custodian, manifest_id, "    \
	"fee_due_vnd, result_ready_at"

static void prepare(floor_db *f)
{
	sqlite3 *db = f->db;
	f->sync_normal = prep(db, "PRAGMA synchronous = NORMAL");
	f->begin = prep(db, "BEGIN IMMEDIATE");
	f->commit = prep(db, "COMMIT");
	f->sync_full = prep(db, "PRAGMA synchronous = FULL");
	f->use_case = prep(db, "SAVEPOINT use_case");
	f->release = prep(db, "RELEASE use_case");
	f->find = prep(db, "SELECT " EVENT_COLS " FROM events WHERE id = ?1");
	f->dossier = prep(db,
		"INSERT INTO dossiers (procedure_code, agency_code, office_code, service, "
		"applicant_kind, applicant_name, applicant_phone, applicant_id_number, "
		"applicant_address, applicant_email, documents, postage_vnd, fee_vnd, payment_method, "
		"portal_code, notes, route_class, appointment_slip, created_by, accepted_at, "
		"accepted_date, due_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		"?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) RETURNING id");
	f->serial_step = prep(db, "UPDATE sequences SET value = value + 1 WHERE name = ?1");
	f->serial_get = prep(db, "SELECT value - 1 FROM sequences WHERE name = ?1");
	f->item = prep(db,
		"INSERT INTO items (tracking_number, dossier_id, role, state, created_at, updated_at, "
		"last_seq, last_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	f->event = prep(db,
		"INSERT INTO events (id, tracking_number, type, state_from, state_to, user_id, "
		"username, place, from_party, to_party, server_time, device_time, data, "
		"request_digest, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13, ?14, ?15, ?16)");
	f->advance = prep(db,
		"UPDATE items SET state = ?2, last_seq = ?3, last_hash = ?4, updated_at = ?5 "
		"WHERE tracking_number = ?1");
	f->progress_get = prep(db,
		"SELECT " PROGRESS_COLS " FROM item_progress WHERE tracking_number = ?1");
	f->progress_put = prep(db,
		"INSERT INTO item_progress (" PROGRESS_COLS ", next_deadline) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
		"ON CONFLICT (tracking_number) DO UPDATE SET office_code = excluded.office_code, "
		"agency_code = excluded.agency_code, state = excluded.state, "
		"due_date = excluded.due_date, filed_at = excluded.filed_at, "
		"receipt_number = excluded.receipt_number, "
		"appointment_date = excluded.appointment_date, attempts = excluded.attempts, "
		"next_attempt_date = excluded.next_attempt_date, hold_until = excluded.hold_until, "
		"custodian = excluded.custodian, manifest_id = excluded.manifest_id, "
		"fee_due_vnd = excluded.fee_due_vnd, result_ready_at = excluded.result_ready_at, "
		"next_deadline = excluded.next_deadline");
	f->outbox = prep(db,
		"INSERT INTO outbox (kind, target, payload, next_attempt_at, created_at, idem_key) "
		"VALUES (?1, ?2, ?3, ?4, ?4, lower(hex(randomblob(16))))");
}

static const char DOCUMENTS[] =
	"[{\"name\":\"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số "
	"04/2024/LLTP)\",\"form\":\"original\"},{\"name\":\"Bản chụp Thẻ căn cước, Căn cước công "
	"dân hoặc Hộ chiếu của người được cấp Phiếu\",\"form\":\"copy\"}]";
static const uint8_t ZERO[32], HASH[32] = {0x5a, 0x17, 0xc3};
static const char DIGEST[] = "331c43a25658b3f5a4b6c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1";

/* An event (its 14 text columns, NULL where a number goes) and the item's new state. */
static void record(floor_db *f, const char *const ev[14], int64_t user, int64_t ms,
                   const uint8_t prev[32])
{
	for (int i = 0; i < 14; i++)
		if (ev[i])
			text(f->event, i + 1, ev[i]);
	num(f->event, 6, user);
	num(f->event, 11, ms);
	num(f->event, 12, 0);
	sqlite3_bind_blob(f->event, 15, prev, 32, SQLITE_STATIC);
	sqlite3_bind_blob(f->event, 16, HASH, 32, SQLITE_STATIC);
	run(f->db, f->event);
	text(f->advance, 1, ev[1]);
	text(f->advance, 2, ev[4]);
	num(f->advance, 3, sqlite3_last_insert_rowid(f->db));
	sqlite3_bind_blob(f->advance, 4, HASH, 32, SQLITE_STATIC);
	num(f->advance, 5, ms);
	run(f->db, f->advance);
}

/* One item of an acceptance: serial, item, its first event, the item's state, its progress. */
static void accept_item(floor_db *f, int64_t dossier, bool result, const char *event_id,
                        int64_t ms, char tn[16])
{
	const char *serial = result ? "serial:DK" : "serial:DH";
	const char *state = result ? "AWAITING_RESULT" : "ACCEPTED";
	text(f->serial_step, 1, serial);
	run(f->db, f->serial_step);
	text(f->serial_get, 1, serial);
	run(f->db, f->serial_get);
	snprintf(tn, 16, "%s%08llu%dVN", result ? "DK" : "DH",
	         (unsigned long long)(next_random() % 100000000u), (int)(next_random() % 10));
	text(f->item, 1, tn);
	num(f->item, 2, dossier);
	text(f->item, 3, result ? "result" : "submission");
	text(f->item, 4, "");
	num(f->item, 5, ms);
	num(f->item, 6, ms);
	num(f->item, 7, 0);
	sqlite3_bind_blob(f->item, 8, ZERO, 32, SQLITE_STATIC);
	run(f->db, f->item);
	char data[64];
	snprintf(data, sizeof(data), "{\"dossier_id\":%lld,\"service\":\"both\"}", (long long)dossier);
	const char *ev[] = {event_id, tn, "accept", "", state, NULL, "clerk", "600000", "applicant",
	                    "office:600000", NULL, NULL, data, DIGEST};
	record(f, ev, 1, ms, ZERO);
	text(f->progress_get, 1, tn);
	run(f->db, f->progress_get);
	const char *due = result ? "" : "2026-11-30";
	const char *p[] = {tn, "600000", "000.00.12.H21", state, due, NULL, "", "", NULL, "", "",
	                   "office:600000", NULL, NULL, NULL, due};
	for (int i = 0; i < 16; i++)
		if (p[i])
			text(f->progress_put, i + 1, p[i]);
		else
			num(f->progress_put, i + 1, 0);
	run(f->db, f->progress_put);
}

static void accept_one(floor_db *f)
{
	int64_t ms = (int64_t)(now() * 1000) + 1700000000000;
	char id[37], rid[37], tn[2][16], payload[256];
	uuid(ms, 7, id);
	uuid(ms, 8, rid);
	run(f->db, f->use_case);
	text(f->find, 1, id);
	run(f->db, f->find);
	const char *d[] = {"2.000488", "000.00.12.H21", "600000", "both", "person",
	                   "Nguyễn Văn Anh", "0905123456", "064090001234",
	                   "12 Trần Hưng Đạo, Pleiku", "", DOCUMENTS, NULL, NULL, "cash", "", "",
	                   "", NULL, NULL, NULL, "2026-11-28", "2026-11-30"};
	for (int i = 0; i < 22; i++)
		if (d[i])
			text(f->dossier, i + 1, d[i]);
	num(f->dossier, 12, 28000);
	num(f->dossier, 13, 200000);
	num(f->dossier, 18, 0);
	num(f->dossier, 19, 1);
	num(f->dossier, 20, ms);
	int64_t dossier = run(f->db, f->dossier);
	accept_item(f, dossier, false, id, ms, tn[0]);
	accept_item(f, dossier, true, rid, ms, tn[1]);
	snprintf(payload, sizeof(payload),
	         "{\"agency_code\":\"000.00.12.H21\",\"dossier_id\":%lld,\"params\":{},"
	         "\"portal_code\":\"\",\"state\":\"ACCEPTED\",\"template\":\"accepted\","
	         "\"tracking_number\":\"%s\"}",
	         (long long)dossier, tn[0]);
	text(f->outbox, 1, "sms");
	text(f->outbox, 2, "0905123456");
	text(f->outbox, 3, payload);
	num(f->outbox, 4, ms);
	run(f->db, f->outbox);
	run(f->db, f->release);
}

/* Events: "dispatch" on every submission item still ACCEPTED, per_txn to a transaction,
 * each in its own savepoint, as db/ runs trk_events_record's statements. */
static void dispatch_all(floor_db *f, int per_txn)
{
	sqlite3 *db = f->db;
	sqlite3_stmt *list = prep(db,
		"SELECT tracking_number FROM items WHERE role = 'submission' AND state = 'ACCEPTED' "
		"ORDER BY rowid");
	size_t n = 0, cap = 1024;
	char (*tns)[16] = malloc(cap * 16);
	while (tns && sqlite3_step(list) == SQLITE_ROW) {
		if (n == cap && !(tns = realloc(tns, (cap *= 2) * 16)))
			break;
		snprintf(tns[n++], 16, "%s", (const char *)sqlite3_column_text(list, 0));
	}
	sqlite3_finalize(list);
	if (!tns)
		die(NULL, "out of memory");
	sqlite3_stmt *savepoint = prep(db, "SAVEPOINT event"), *release = prep(db, "RELEASE event");
	sqlite3_stmt *context = prep(db,
		"SELECT i.tracking_number, i.dossier_id, i.role, i.state, i.created_at, "
		"i.updated_at, i.last_seq, i.last_hash, d.id, d.agency_code, d.office_code, "
		"d.applicant_phone, d.portal_code, d.route_class, d.due_date, d.procedure_code, "
		"d.service, d.accepted_at, d.accepted_date, p.tracking_number, p.office_code, "
		"p.agency_code, p.state, p.due_date, p.filed_at, p.receipt_number, "
		"p.appointment_date, p.attempts, p.next_attempt_date, p.hold_until, p.custodian, "
		"p.manifest_id, p.fee_due_vnd, p.result_ready_at "
		"FROM items i LEFT JOIN dossiers d ON d.id = i.dossier_id "
		"LEFT JOIN item_progress p ON p.tracking_number = i.tracking_number "
		"WHERE i.tracking_number = ?1");
	sqlite3_stmt *light = prep(db,
		"UPDATE item_progress SET state = ?2, filed_at = ?3, receipt_number = ?4, "
		"attempts = ?5, custodian = ?6, manifest_id = ?7, fee_due_vnd = ?8, "
		"result_ready_at = ?9 WHERE tracking_number = ?1");
	double t0 = now();
	for (size_t i = 0; i < n; i += (size_t)per_txn) {
		begin(f);
		run(db, f->use_case);
		for (size_t k = i; k < i + (size_t)per_txn && k < n; k++) {
			int64_t ms = (int64_t)(now() * 1000) + 1700000000000;
			char id[37];
			uuid(ms, 7, id);
			run(db, savepoint);
			text(f->find, 1, id);
			run(db, f->find);
			text(context, 1, tns[k]);
			run(db, context);
			const char *ev[] = {id, tns[k], "dispatch", "ACCEPTED", "IN_TRANSIT", NULL,
			                    "courier", "600000", "office:600000", "courier:courier",
			                    NULL, NULL, "{}", DIGEST};
			record(f, ev, 2, ms, HASH);
			text(light, 1, tns[k]);
			text(light, 2, "IN_TRANSIT");
			text(light, 4, "");
			text(light, 6, "courier:courier");
			for (int c = 3; c <= 9; c++)
				if (c != 4 && c != 6)
					num(light, c, 0);
			run(db, light);
			run(db, release);
		}
		run(db, f->release);
		commit(f);
	}
	double secs = now() - t0;
	printf("sql_floor: %zu events in %.3f s = %.0f/s (batch %d)\n", n, secs,
	       (double)n / secs, per_txn);
	sqlite3_finalize(savepoint);
	sqlite3_finalize(release);
	sqlite3_finalize(context);
	sqlite3_finalize(light);
	free(tns);
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: sql_floor DB COUNT GROUP [EVENTS_PER_TXN]\n"
		                "  DB is a copy of a database made by `hoso init --demo`; it is "
		                "written to.\n");
		return 2;
	}
	int count = atoi(argv[2]), group = atoi(argv[3]);
	int per_txn = argc > 4 ? atoi(argv[4]) : 0;
	if (count < 1 || group < 1 || (argc > 4 && per_txn < 1)) {
		fprintf(stderr, "sql_floor: COUNT, GROUP and EVENTS_PER_TXN must be positive\n");
		return 2;
	}
	floor_db f = {0};
	if (sqlite3_open_v2(argv[1], &f.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die(f.db, argv[1]);
	/* The daemon's settings (db/db.c set_pragmas). */
	exec(f.db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
	           "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; "
	           "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384");
	ckpt c = {.path = argv[1]};
	pthread_mutex_init(&c.mu, NULL);
	pthread_cond_init(&c.cv, NULL);
	pthread_t thread;
	if (pthread_create(&thread, NULL, ckpt_main, &c) != 0)
		die(NULL, "starting the checkpoint thread");
	sqlite3_wal_hook(f.db, on_commit, &c);
	prepare(&f);

	double t0 = now();
	for (int i = 0; i < count; i += group) {
		begin(&f);
		for (int k = i; k < i + group && k < count; k++)
			accept_one(&f);
		commit(&f);
	}
	double secs = now() - t0;
	printf("sql_floor: %d acceptances in %.3f s = %.0f/s (group %d)\n", count, secs,
	       count / secs, group);
	if (per_txn)
		dispatch_all(&f, per_txn);

	atomic_store(&c.stop, 1);
	pthread_mutex_lock(&c.mu);
	pthread_cond_signal(&c.cv);
	pthread_mutex_unlock(&c.mu);
	pthread_join(thread, NULL);
	sqlite3_stmt *all[] = {f.sync_normal, f.begin, f.commit, f.sync_full, f.use_case,
	                       f.release, f.find, f.dossier, f.serial_step,
	                       f.serial_get, f.item, f.event, f.advance, f.progress_get,
	                       f.progress_put, f.outbox};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(f.db);
	return 0;
}
