/* test_db.c — db/: migrations, round trips, sequences, conflicts, triggers, transactions,
 * dossier listing, backups and the thread lock. On SQLite files, or on PostgreSQL with
 * HOSO_TEST_DB=postgres (testdb.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "testdb.h"

enum { DB_NAME_MAX = 1100 };

/* A fresh database of its own, named name, into buf (a path or a URI). */
static bool new_db(const char *name, char *buf, size_t size)
{
	bool ok = testdb_new(name, buf, size);
	CHECK(ok);
	return ok;
}

static db *open_ok(const char *path)
{
	db *h = NULL;
	hoso_err err;
	hoso_status st = db_open(path, &h, &err);
	if (st != HOSO_OK)
		fprintf(stderr, "db_open %s: %s\n", path, err.message);
	CHECK_INT(st, HOSO_OK);
	return h;
}

static void test_migrations(void)
{
	char path[DB_NAME_MAX];
	CHECK(db_latest_version() >= 1);
	if (!new_db("migrate.db", path, sizeof(path)))
		return;
	db *h = open_ok(path);
	CHECK_INT(db_schema_version(h), db_latest_version());
	db_close(h);
	CHECK_INT(testdb_schema_version(path), db_latest_version());
	static const char *const tables[] = {"settings", "sequences", "offices", "agencies",
		"procedures", "users", "tokens", "dossiers", "items", "events", "outbox", "audit"};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		CHECK_INT(testdb_objects(path, "table", tables[i]), 1);
	CHECK_INT(testdb_objects(path, "trigger", NULL), 2);
	if (testdb_pg())
		testdb_sqlite_only("journal_mode is WAL", "a PRAGMA of the SQLite file");
	else
		CHECK_INT(testdb_int(path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	int64_t objects = testdb_objects(path, NULL, NULL);
	CHECK(objects > 0);

	/* opening again changes nothing */
	h = open_ok(path);
	CHECK_INT(db_schema_version(h), db_latest_version());
	db_close(h);
	CHECK_INT(testdb_objects(path, NULL, NULL), objects);

	/* a database from a newer hoso is refused, not damaged */
	CHECK_INT(testdb_set_schema_version(path, 999), TESTDB_OK);
	db *none = NULL;
	hoso_err err;
	CHECK_INT(db_open(path, &none, &err), HOSO_UNAVAILABLE);
	CHECK(none == NULL);
	CHECK(strstr(err.message, "schema version 999") != NULL);
	CHECK_INT(testdb_schema_version(path), 999);
	CHECK_INT(testdb_objects(path, NULL, NULL), objects);

	if (!testdb_pg()) {
		/* a directory is not a database */
		CHECK(db_open(testdb_dir(), &none, &err) != HOSO_OK);
		CHECK(none == NULL);
		CHECK(err.message[0] != '\0');
		return;
	}
	/* a database that does not exist is not created: the server is unavailable for it */
	char missing[DB_NAME_MAX];
	CHECK(testdb_uri("hoso_t_no_such_database", missing, sizeof(missing)));
	CHECK_INT(db_open(missing, &none, &err), HOSO_UNAVAILABLE);
	CHECK(none == NULL);
	CHECK_STR(err.code, "db_cantopen");
	CHECK(strstr(err.message, "hoso_t_no_such_database") != NULL);
}

static db_dossier make_dossier(const char *office, const char *agency, const char *date)
{
	db_dossier d;
	memset(&d, 0, sizeof(d));
	snprintf(d.procedure_code, sizeof(d.procedure_code), "1.001776");
	snprintf(d.agency_code, sizeof(d.agency_code), "%s", agency);
	snprintf(d.office_code, sizeof(d.office_code), "%s", office);
	snprintf(d.service, sizeof(d.service), "both");
	snprintf(d.applicant_kind, sizeof(d.applicant_kind), "person");
	snprintf(d.applicant_name, sizeof(d.applicant_name), "Nguyễn Văn An");
	snprintf(d.accepted_date, sizeof(d.accepted_date), "%s", date);
	d.accepted_at = 1700000000000;
	return d;
}

static void test_round_trips(db *h)
{
	hoso_err err;
	db_office o = {.code = "600000", .name = "Bưu điện Cần Thơ", .address = "2 Hòa Bình",
	               .district = "Ninh Kiều", .province = "Cần Thơ", .phone = "0292 382 0000"};
	CHECK_INT(db_office_upsert(h, &o, &err), HOSO_OK);
	db_office o2;
	CHECK_INT(db_office_get(h, "600000", &o2, &err), HOSO_OK);
	CHECK(memcmp(&o, &o2, sizeof(o)) == 0);
	CHECK_INT(db_office_get(h, "999999", &o2, &err), HOSO_NOT_FOUND);

	db_agency a = {.code = "000.00.06.H56", .name = "Sở Tư pháp Khánh Hòa",
	               .desk_name = "Bộ phận Một cửa", .address = "01 Lý Thánh Tôn",
	               .district = "Nha Trang", .province = "Khánh Hòa", .phone = "0258"};
	CHECK_INT(db_agency_upsert(h, &a, &err), HOSO_OK);
	db_agency a2;
	CHECK_INT(db_agency_get(h, a.code, &a2, &err), HOSO_OK);
	CHECK(memcmp(&a, &a2, sizeof(a)) == 0);

	static db_procedure p, p2; /* large: keep off the stack */
	snprintf(p.code, sizeof(p.code), "2.002621.H56");
	snprintf(p.name, sizeof(p.name), "Đăng ký khai sinh");
	snprintf(p.name_fold, sizeof(p.name_fold), "dang ky khai sinh");
	snprintf(p.agency_code, sizeof(p.agency_code), "%s", a.code);
	p.fee_vnd = 8000;
	p.days = 3;
	snprintf(p.components, sizeof(p.components), "[{\"name\":\"Tờ khai\",\"required\":true,"
	         "\"form\":\"original\"}]");
	CHECK_INT(db_procedure_upsert(h, &p, &err), HOSO_OK);
	CHECK_INT(db_procedure_get(h, p.code, &p2, &err), HOSO_OK);
	CHECK(memcmp(&p, &p2, sizeof(p)) == 0);
	p.fee_vnd = 9000; /* upsert updates */
	CHECK_INT(db_procedure_upsert(h, &p, &err), HOSO_OK);
	CHECK_INT(db_procedure_get(h, p.code, &p2, &err), HOSO_OK);
	CHECK_INT(p2.fee_vnd, 9000);
	snprintf(p2.code, sizeof(p2.code), "1.000001");
	snprintf(p2.agency_code, sizeof(p2.agency_code), "000.00.00.H99"); /* unknown agency */
	CHECK_INT(db_procedure_upsert(h, &p2, &err), HOSO_INTERNAL);
	CHECK(testdb_contains_ci(err.message, "foreign key")); /* SQLite's or PostgreSQL's words */

	db_procedure *found = NULL;
	size_t n = 0;
	CHECK_INT(db_procedure_search(h, "", "khai sinh", 10, &found, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	free(found);
	CHECK_INT(db_procedure_search(h, "2.00", "", 10, &found, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	free(found);
	CHECK_INT(db_procedure_search(h, "3.", "zzz", 10, &found, &n, &err), HOSO_OK);
	CHECK_INT(n, 0);
	free(found);
	int64_t count;
	CHECK_INT(db_catalogue_count(h, "procedures", &count, &err), HOSO_OK);
	CHECK_INT(count, 1);
	CHECK_INT(db_catalogue_count(h, "users; DROP TABLE x", &count, &err), HOSO_INVALID);

	db_user u = {.username = "clerk1", .role = "clerk", .office_code = "600000",
	             .full_name = "Trần Thị Bình", .pw_hash = "$argon2id$v=19$x",
	             .created_at = 1700000000001};
	CHECK_INT(db_user_insert(h, &u, &err), HOSO_OK);
	CHECK(u.id > 0);
	db_user u2;
	CHECK_INT(db_user_get(h, u.id, &u2, &err), HOSO_OK);
	CHECK(memcmp(&u, &u2, sizeof(u)) == 0);
	CHECK_INT(db_user_get_by_name(h, "clerk1", &u2, &err), HOSO_OK);
	CHECK_INT(u2.id, u.id);
	CHECK_INT(db_user_insert(h, &u, &err), HOSO_CONFLICT);
	snprintf(u.role, sizeof(u.role), "supervisor");
	CHECK_INT(db_user_update(h, &u, &err), HOSO_OK);
	CHECK_INT(db_user_get(h, u.id, &u2, &err), HOSO_OK);
	CHECK_STR(u2.role, "supervisor");
	db_user ghost = {.username = "ghost", .role = "clerk", .pw_hash = "x"};
	CHECK_INT(db_user_update(h, &ghost, &err), HOSO_NOT_FOUND);

	uint8_t tok[32];
	memset(tok, 0xab, sizeof(tok));
	CHECK_INT(db_token_insert(h, tok, u.id, 1000, 5000, &err), HOSO_OK);
	CHECK_INT(db_token_insert(h, tok, u.id, 1000, 5000, &err), HOSO_CONFLICT);
	CHECK_INT(db_token_lookup(h, tok, 4999, &u2, &err), HOSO_OK);
	CHECK_STR(u2.username, "clerk1");
	CHECK_INT(db_token_lookup(h, tok, 5000, &u2, &err), HOSO_NOT_FOUND);
	CHECK_INT(db_token_delete(h, tok, &err), HOSO_OK);
	CHECK_INT(db_token_lookup(h, tok, 10, &u2, &err), HOSO_NOT_FOUND);
	CHECK_INT(db_token_delete(h, tok, &err), HOSO_OK);

	static db_dossier d, d2;
	d = make_dossier("600000", a.code, "2026-11-27");
	snprintf(d.applicant_phone, sizeof(d.applicant_phone), "0912345678");
	snprintf(d.applicant_id_number, sizeof(d.applicant_id_number), "079012345678");
	snprintf(d.applicant_address, sizeof(d.applicant_address), "12 Lê Lợi");
	snprintf(d.applicant_email, sizeof(d.applicant_email), "an@example.vn");
	snprintf(d.documents, sizeof(d.documents), "[{\"name\":\"Tờ khai\",\"form\":\"original\","
	         "\"copies\":1}]");
	d.postage_vnd = 25000;
	d.fee_vnd = 8000;
	snprintf(d.payment_method, sizeof(d.payment_method), "cash");
	snprintf(d.portal_code, sizeof(d.portal_code), "000.00.06.H56-231027-0361");
	snprintf(d.notes, sizeof(d.notes), "ghi chú");
	snprintf(d.route_class, sizeof(d.route_class), "province");
	d.appointment_slip = true;
	d.created_by = u.id;
	snprintf(d.due_date, sizeof(d.due_date), "2026-12-01");
	CHECK_INT(db_dossier_insert(h, &d, &err), HOSO_OK);
	CHECK(d.id > 0);
	CHECK_INT(db_dossier_get(h, d.id, &d2, &err), HOSO_OK);
	CHECK(memcmp(&d, &d2, sizeof(d)) == 0);
	CHECK_INT(db_dossier_get(h, d.id + 100, &d2, &err), HOSO_NOT_FOUND);

	db_item it = {.tracking_number = "RB123456785VN", .dossier_id = d.id, .role = "result",
	              .state = "AWAITING_RESULT", .created_at = 1, .updated_at = 2};
	db_item sub = {.tracking_number = "EE876543216VN", .dossier_id = d.id,
	               .role = "submission", .state = "ACCEPTED", .created_at = 1, .updated_at = 1};
	CHECK_INT(db_item_insert(h, &it, &err), HOSO_OK);
	CHECK_INT(db_item_insert(h, &sub, &err), HOSO_OK);
	CHECK_INT(db_item_insert(h, &it, &err), HOSO_CONFLICT);
	db_item two[2];
	CHECK_INT(db_items_of_dossier(h, d.id, two, &n, &err), HOSO_OK);
	CHECK_INT(n, 2);
	CHECK_STR(two[0].role, "submission");
	CHECK(memcmp(&two[1], &it, sizeof(it)) == 0);

	static db_event ev, ev2;
	snprintf(ev.id, sizeof(ev.id), "6f1c2a8e-0000-4000-8000-000000000001");
	snprintf(ev.tracking_number, sizeof(ev.tracking_number), "%s", sub.tracking_number);
	snprintf(ev.type, sizeof(ev.type), "dispatch");
	snprintf(ev.state_from, sizeof(ev.state_from), "ACCEPTED");
	snprintf(ev.state_to, sizeof(ev.state_to), "IN_TRANSIT");
	ev.user_id = u.id;
	snprintf(ev.username, sizeof(ev.username), "clerk1");
	snprintf(ev.place, sizeof(ev.place), "600000");
	snprintf(ev.from_party, sizeof(ev.from_party), "600000");
	snprintf(ev.to_party, sizeof(ev.to_party), "courier:7");
	ev.server_time = 1700000001000;
	ev.device_time = 1700000000900;
	snprintf(ev.data, sizeof(ev.data), "{\"bag\":\"B1\"}");
	memset(ev.request_digest, 'a', 64);
	memset(ev.prev_hash, 0, 32);
	memset(ev.hash, 0x5a, 32);
	CHECK_INT(db_event_insert(h, &ev, &err), HOSO_OK);
	CHECK(ev.seq > 0);
	CHECK_INT(db_event_get(h, ev.id, &ev2, &err), HOSO_OK);
	CHECK(memcmp(&ev, &ev2, sizeof(ev)) == 0);
	int64_t first_seq = ev.seq;
	CHECK_INT(db_event_insert(h, &ev, &err), HOSO_CONFLICT);
	CHECK_STR(err.code, "duplicate_event");
	CHECK_INT(db_event_get(h, "nope", &ev2, &err), HOSO_NOT_FOUND);
	CHECK_STR(err.code, "unknown_event");
	/* db_event_find: the same lookup, "not there" as a flag rather than an error. */
	bool seen = false;
	memset(&ev2, 0, sizeof(ev2));
	CHECK_INT(db_event_find(h, ev.id, &ev2, &seen, &err), HOSO_OK);
	CHECK(seen);
	CHECK(memcmp(&ev, &ev2, sizeof(ev)) == 0);
	hoso_err_clear(&err);
	CHECK_INT(db_event_find(h, "nope", &ev2, &seen, &err), HOSO_OK);
	CHECK(!seen);
	CHECK_STR(err.code, "");
	CHECK_INT(db_item_advance(h, sub.tracking_number, "IN_TRANSIT", ev.seq, ev.hash, 3, &err),
	          HOSO_OK);
	CHECK_INT(db_item_advance(h, "XX000000000VN", "IN_TRANSIT", 1, ev.hash, 3, &err),
	          HOSO_NOT_FOUND);
	db_item got;
	CHECK_INT(db_item_get(h, sub.tracking_number, &got, &err), HOSO_OK);
	CHECK_STR(got.state, "IN_TRANSIT");
	CHECK_INT(got.last_seq, ev.seq);
	CHECK(memcmp(got.last_hash, ev.hash, 32) == 0);

	snprintf(ev.id, sizeof(ev.id), "6f1c2a8e-0000-4000-8000-000000000002");
	snprintf(ev.type, sizeof(ev.type), "handover");
	memcpy(ev.prev_hash, ev.hash, 32);
	ev.data[0] = '\0'; /* stored as {} */
	CHECK_INT(db_event_insert(h, &ev, &err), HOSO_OK);
	CHECK(ev.seq > first_seq);
	db_event *evs = NULL;
	CHECK_INT(db_events_of_item(h, sub.tracking_number, &evs, &n, &err), HOSO_OK);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(evs[0].seq, first_seq);
		CHECK_STR(evs[1].data, "{}");
	}
	free(evs);
	snprintf(ev.tracking_number, sizeof(ev.tracking_number), "ZZ000000000VN");
	snprintf(ev.id, sizeof(ev.id), "6f1c2a8e-0000-4000-8000-000000000003");
	CHECK(db_event_insert(h, &ev, &err) != HOSO_OK); /* no such item */

	CHECK_INT(db_outbox_insert(h, "sms", "0912345678", "{\"text\":\"Hồ sơ\"}", 5, &err),
	          HOSO_OK);
	CHECK_INT(db_outbox_insert(h, "fax", "x", "{}", 5, &err), HOSO_INVALID);
	CHECK_INT(db_outbox_count(h, "pending", &count, &err), HOSO_OK);
	CHECK_INT(count, 1);
	CHECK_INT(db_outbox_count(h, "sent", &count, &err), HOSO_OK);
	CHECK_INT(count, 0);
	CHECK_INT(db_outbox_count(h, "bogus", &count, &err), HOSO_INVALID);

	char buf[64];
	CHECK_INT(db_setting_get(h, "serial_key", buf, sizeof(buf), &err), HOSO_NOT_FOUND);
	CHECK_INT(db_setting_set(h, "serial_key", "0123456789abcdef", &err), HOSO_OK);
	CHECK_INT(db_setting_set(h, "serial_key", "fedcba9876543210", &err), HOSO_OK);
	CHECK_INT(db_setting_get(h, "serial_key", buf, sizeof(buf), &err), HOSO_OK);
	CHECK_STR(buf, "fedcba9876543210");
	CHECK_INT(db_setting_get(h, "serial_key", buf, 8, &err), HOSO_INTERNAL); /* no truncation */
}

static bool count_events(const db_event *ev, void *ctx)
{
	size_t *n = ctx;
	(*n)++;
	return ev->seq > 0;
}

static void test_triggers_and_each(db *h, const char *path)
{
	hoso_err err;
	size_t n = 0;
	CHECK_INT(db_events_each(h, count_events, &n, &err), HOSO_OK);
	CHECK_INT(n, 2);
	/* the triggers hold against anyone with the file or a login, not only against db/ */
	char msg[512];
	CHECK_INT(testdb_exec(path, "UPDATE events SET type = 'deliver'", msg, sizeof(msg)),
	          TESTDB_CONSTRAINT);
	CHECK(strstr(msg, "append-only") != NULL);
	CHECK_INT(testdb_exec(path, "DELETE FROM events", msg, sizeof(msg)), TESTDB_CONSTRAINT);
	CHECK(strstr(msg, "append-only") != NULL);
	CHECK_INT(testdb_int(path, "SELECT count(*) FROM events WHERE type = 'deliver'"), 0);
	CHECK_INT(testdb_int(path, "SELECT count(*) FROM events"), 2);
}

/* db_begin on another handle, from a thread of its own. */
struct begin_try {
	db *h;
	hoso_status st;
	hoso_err err;
	bool done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

enum { BUSY_WAIT_MAX = 15 };

static void *try_begin(void *arg)
{
	struct begin_try *t = arg;
	hoso_err err;
	hoso_status st = db_begin(t->h, &err);
	if (st == HOSO_OK)
		db_rollback(t->h); /* the lock db_begin took is this thread's */
	pthread_mutex_lock(&t->mu);
	t->st = st;
	t->err = err;
	t->done = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* Whether try_begin returned within seconds. */
static bool wait_try(struct begin_try *t, int seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&t->mu);
	int rc = 0;
	while (!t->done && rc == 0)
		rc = pthread_cond_timedwait(&t->cv, &t->mu, &until);
	bool done = t->done;
	pthread_mutex_unlock(&t->mu);
	return done;
}

static void test_sequences_and_txn(const char *path)
{
	hoso_err err;
	db *h = open_ok(path);
	int64_t v = -1, prev = -1;
	for (int i = 0; i < 5; i++) {
		CHECK_INT(db_sequence_next(h, "serial", &v, &err), HOSO_OK);
		CHECK_INT(v, prev + 1);
		prev = v;
	}
	CHECK_INT(db_sequence_next(h, "other", &v, &err), HOSO_OK);
	CHECK_INT(v, 0);
	/* a rolled-back transaction consumes nothing and keeps nothing */
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_begin(h, &err), HOSO_INTERNAL); /* no nesting */
	CHECK_INT(db_sequence_next(h, "serial", &v, &err), HOSO_OK);
	CHECK_INT(v, 5);
	db_office o = {.code = "111111", .name = "Tạm"};
	CHECK_INT(db_office_upsert(h, &o, &err), HOSO_OK);
	db_rollback(h);
	db_rollback(h); /* harmless */
	CHECK_INT(db_office_get(h, "111111", &o, &err), HOSO_NOT_FOUND);
	CHECK_INT(db_commit(h, &err), HOSO_INTERNAL);
	db_close(h);

	h = open_ok(path);
	CHECK_INT(db_sequence_next(h, "serial", &v, &err), HOSO_OK);
	CHECK_INT(v, 5); /* persisted across close/open, rollback consumed nothing */

	/* a second handle (as another process) waits busy_timeout, then gets UNAVAILABLE. Its
	 * db_begin runs in a thread of its own, so that one that never gives up shows as a
	 * failed check (after BUSY_WAIT_MAX s), not as a test that hangs. */
	db *other = open_ok(path);
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_office_upsert(h, &o, &err), HOSO_OK);
	if (other) {
		struct begin_try t = {.h = other};
		pthread_mutex_init(&t.mu, NULL);
		pthread_cond_init(&t.cv, NULL);
		pthread_t th;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pthread_create(&th, NULL, try_begin, &t);
		bool gave_up = wait_try(&t, BUSY_WAIT_MAX);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!gave_up) {
			fprintf(stderr, "db_begin on a second handle, while the first holds a "
			        "transaction, still waits after %d s (SQLite gives up after "
			        "busy_timeout, 5 s)\n", BUSY_WAIT_MAX);
			CHECK(gave_up);
			db_close(h); /* ends the first transaction: the waiting one gets through */
			h = NULL;
		}
		pthread_join(th, NULL);
		printf("db_begin on a busy database returned %d after %.1f s\n", (int)t.st,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		CHECK_INT(t.st, HOSO_UNAVAILABLE);
		CHECK_STR(t.err.code, "db_busy");
		CHECK(strstr(t.err.message, "database is busy") != NULL);
		db_close(other);
		pthread_cond_destroy(&t.cv);
		pthread_mutex_destroy(&t.mu);
	}
	db_close(h); /* with the transaction still open: it is not kept */
	h = open_ok(path);
	CHECK_INT(db_office_get(h, "111111", &o, &err), HOSO_NOT_FOUND);
	db_close(h);
}

enum { THREADS = 4, PER_THREAD = 50 };

static void *seq_worker(void *arg)
{
	db *h = arg;
	hoso_err err;
	int64_t v;
	for (int i = 0; i < PER_THREAD; i++) {
		if (db_begin(h, &err) != HOSO_OK)
			return NULL;
		db_sequence_next(h, "threads", &v, &err);
		db_sequence_next(h, "threads", &v, &err);
		db_commit(h, &err);
	}
	return arg;
}

static void test_threads(const char *path)
{
	db *h = open_ok(path);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, seq_worker, h);
	for (int i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		CHECK(r == h);
	}
	int64_t v;
	hoso_err err;
	CHECK_INT(db_sequence_next(h, "threads", &v, &err), HOSO_OK);
	CHECK_INT(v, THREADS * PER_THREAD * 2);
	db_close(h);
}

static void test_dossier_list(void)
{
	char path[DB_NAME_MAX];
	if (!new_db("list.db", path, sizeof(path)))
		return;
	db *h = open_ok(path);
	if (!h)
		return;
	hoso_err err;
	/* 30 dossiers: offices alternate, agencies every third, dates over 10 days */
	int64_t ids[30];
	for (int i = 0; i < 30; i++) {
		char date[11];
		snprintf(date, sizeof(date), "2026-11-%02d", 10 + i / 3);
		db_dossier d = make_dossier(i % 2 ? "700000" : "600000",
		                            i % 3 ? "000.00.00.H21" : "000.00.06.H56", date);
		CHECK_INT(db_dossier_insert(h, &d, &err), HOSO_OK);
		ids[i] = d.id;
		db_item it = {.dossier_id = d.id, .role = "submission", .created_at = 1,
		              .state = "ACCEPTED"};
		snprintf(it.tracking_number, sizeof(it.tracking_number), "EA%08dVN", i);
		if (i % 5 == 0)
			snprintf(it.state, sizeof(it.state), "AT_AGENCY");
		CHECK_INT(db_item_insert(h, &it, &err), HOSO_OK);
	}
	db_dossier *rows = NULL;
	size_t n = 0, total = 0;
	db_dossier_filter f = {.limit = 7};
	int64_t last = INT64_MAX;
	bool ordered = true;
	for (int page = 0; page < 10; page++) {
		CHECK_INT(db_dossier_list(h, &f, &rows, &n, &err), HOSO_OK);
		for (size_t i = 0; i < n; i++) {
			ordered = ordered && rows[i].id < last;
			last = rows[i].id;
		}
		total += n;
		if (n)
			f.before_id = rows[n - 1].id;
		free(rows);
		if (n < f.limit)
			break;
	}
	CHECK(ordered);
	CHECK_INT(total, 30);
	CHECK_INT(last, ids[0]);

	db_dossier_filter g = {.office_code = "700000", .agency_code = "000.00.00.H21"};
	CHECK_INT(db_dossier_list(h, &g, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 10); /* odd i not divisible by 3: 15 odd, 5 of them divisible by 3 */
	free(rows);
	db_dossier_filter s = {.state = "AT_AGENCY"};
	CHECK_INT(db_dossier_list(h, &s, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 6);
	if (n == 6)
		CHECK_INT(rows[0].id, ids[25]);
	free(rows);
	db_dossier_filter r = {.date_from = "2026-11-12", .date_to = "2026-11-13",
	                       .office_code = "600000"};
	CHECK_INT(db_dossier_list(h, &r, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 3); /* i = 6..11, even */
	free(rows);
	db_dossier_filter none = {.state = "DELIVERED"};
	CHECK_INT(db_dossier_list(h, &none, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 0);
	free(rows);
	db_close(h);
}

static void test_backup(const char *path)
{
	hoso_err err;
	char dest[300];
	snprintf(dest, sizeof(dest), "%s/backup.db", testdb_dir());
	db *h = open_ok(path);
	if (!h)
		return;
	if (testdb_pg()) {
		/* refused with a pointer to the server's tools; nothing is written */
		CHECK_INT(db_backup(h, dest, &err), HOSO_CONFLICT);
		CHECK_STR(err.code, "backup_postgres");
		CHECK(strstr(err.message, "pg_dump") != NULL);
		CHECK(access(dest, F_OK) != 0);
		db_close(h);
		testdb_sqlite_only("db_backup's copy", "the SQLite backup API; PostgreSQL is backed up "
		                   "with pg_dump or pg_basebackup");
		return;
	}
	CHECK_INT(db_backup(h, dest, &err), HOSO_OK);
	CHECK_INT(db_backup(h, dest, &err), HOSO_CONFLICT); /* never overwrites */
	db_close(h);
	db *b = open_ok(dest);
	if (!b)
		return;
	db_office o;
	CHECK_INT(db_office_get(b, "600000", &o, &err), HOSO_OK);
	CHECK_STR(o.name, "Bưu điện Cần Thơ");
	db_user u;
	CHECK_INT(db_user_get_by_name(b, "clerk1", &u, &err), HOSO_OK);
	int64_t v;
	CHECK_INT(db_sequence_next(b, "serial", &v, &err), HOSO_OK);
	CHECK_INT(v, 6);
	db_close(b);
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/no/such/dir/x.db", testdb_dir());
	h = open_ok(path);
	CHECK(db_backup(h, bad, &err) != HOSO_OK);
	CHECK(strstr(err.message, bad) != NULL);
	db_close(h);
}

int main(void)
{
	if (!testdb_init("db"))
		return 1;
	char path[DB_NAME_MAX];
	test_migrations();
	if (!new_db("main.db", path, sizeof(path)))
		return check_done();
	db *h = open_ok(path);
	if (h) {
		test_round_trips(h);
		test_triggers_and_each(h, path);
		db_close(h);
	}
	test_sequences_and_txn(path);
	test_threads(path);
	test_dossier_list();
	test_backup(path);
	return check_done();
}
