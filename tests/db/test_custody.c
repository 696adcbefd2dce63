/* test_custody.c — db_custody.h: migration 2 (fresh and from a version-1 file), progress and
 * its due lists, attachments, and savepoints inside a use case. Manifests, fees and pickups
 * are in test_manifests.c. On SQLite files, or on PostgreSQL with HOSO_TEST_DB=postgres. */
#include "custody_fixtures.h"

static void test_migrations(void)
{
	static const char *const tables[] = {"item_progress", "manifests", "manifest_items",
	                                     "pickups", "attachments"};
	static const char *const indexes[] = {"item_progress_due", "item_progress_office",
		"item_progress_agency", "manifests_agency", "manifests_office", "manifest_items_item",
		"manifest_items_discrepancy", "pickups_office", "pickups_courier",
		"dossiers_fee_office", "dossiers_fee_agency", "dossiers_fee"};
	char path[1100];
	CHECK_INT(db_latest_version() >= 2, 1);
	if (!path_in(path, sizeof(path), "migrate.db"))
		return;
	db *h = open_ok(path);
	if (!h)
		return;
	CHECK_INT(db_schema_version(h), db_latest_version());
	int64_t kept = add_dossier(h, "600000", AG_X, 0, 1700000000000, "EM00000001VN", NULL);
	db_close(h);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		CHECK_INT(testdb_objects(path, "table", tables[i]), 1);
	int64_t found = 0;
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++)
		found += testdb_objects(path, "index", indexes[i]);
	CHECK_INT(found, 12);
	int64_t objects = testdb_objects(path, NULL, NULL);
	CHECK(objects > 0);

	/* a database at version 1 (as an older hoso left it) gets migration 2 on open, and keeps
	 * its data */
	CHECK_INT(raw_sql(path, "DROP TABLE attachments; DROP TABLE pickups; "
	                        "DROP TABLE manifest_items; DROP TABLE manifests; "
	                        "DROP TABLE item_progress; DROP INDEX dossiers_fee_office; "
	                        "DROP INDEX dossiers_fee_agency; DROP INDEX dossiers_fee; "
	                        /* migration 3 (public tracking) */
	                        "DROP TABLE IF EXISTS track_lockouts; "
	                        "DROP TABLE IF EXISTS complaints; "
	                        /* migration 4 (notifications) */
	                        "DROP TABLE agency_webhooks; DROP INDEX outbox_state_id; "
	                        "ALTER TABLE outbox DROP COLUMN idem_key; "
	                        "ALTER TABLE outbox DROP COLUMN claimed_until; "
	                        "ALTER TABLE outbox DROP COLUMN window_start; "
	                        /* migration 5 (failed logins) */
	                        "DROP TABLE login_failures; "
	                        /* migration 7 (indexes for the figures of the day) */
	                        "DROP INDEX items_state_time; DROP INDEX dossiers_date; "
	                        "CREATE INDEX items_state ON items(state)"), TESTDB_OK);
	CHECK_INT(testdb_set_schema_version(path, 1), TESTDB_OK);
	CHECK_INT(testdb_objects(path, NULL, "manifests"), 0);
	h = open_ok(path);
	if (!h)
		return;
	CHECK_INT(db_schema_version(h), db_latest_version());
	hoso_err err;
	static db_dossier d;
	CHECK_INT(db_dossier_get(h, kept, &d, &err), HOSO_OK);
	db_progress p = {.tracking_number = "EM00000001VN", .state = "ACCEPTED"};
	CHECK_INT(db_progress_put(h, &p, &err), HOSO_OK);
	db_close(h);
	CHECK_INT(testdb_schema_version(path), db_latest_version());
	CHECK_INT(testdb_objects(path, NULL, NULL), objects);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		CHECK_INT(testdb_objects(path, "table", tables[i]), 1);
}

static db_progress progress(const char *tn, const char *office, const char *agency,
                            const char *state, const char *due)
{
	db_progress p;
	memset(&p, 0, sizeof(p));
	snprintf(p.tracking_number, sizeof(p.tracking_number), "%s", tn);
	snprintf(p.office_code, sizeof(p.office_code), "%s", office);
	snprintf(p.agency_code, sizeof(p.agency_code), "%s", agency);
	snprintf(p.state, sizeof(p.state), "%s", state);
	snprintf(p.due_date, sizeof(p.due_date), "%s", due);
	return p;
}

/* Tracking numbers of a due list, joined with spaces. */
static void due_list(db *h, const db_due_filter *f, char *buf, size_t size)
{
	db_progress *rows = NULL;
	size_t n = 0;
	hoso_err err;
	buf[0] = '\0';
	CHECK_INT(db_progress_due(h, f, &rows, &n, &err), HOSO_OK);
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, size - used, "%s%s", i ? " " : "", rows[i].tracking_number);
	}
	free(rows);
}

static void test_progress(void)
{
	char path[1100];
	if (!path_in(path, sizeof(path), "progress.db"))
		return;
	db *h = open_ok(path);
	if (!h)
		return;
	hoso_err err;
	add_dossier(h, "600000", AG_X, 0, 1, "PA", "PI");
	add_dossier(h, "600000", AG_Y, 0, 2, "PB", "PD");
	add_dossier(h, "700000", AG_X, 0, 3, "PC", "PE");
	add_dossier(h, "600000", AG_X, 0, 4, "PF", "PG");
	add_dossier(h, "600000", AG_X, 0, 5, "PH", "PJ");

	/* round trip, then an update of the same row */
	db_progress a = progress("PA", "600000", AG_X, "IN_TRANSIT", "2026-12-01");
	a.filed_at = 1764000000000;
	snprintf(a.receipt_number, sizeof(a.receipt_number), "000.00.06.H56-261127-0042");
	snprintf(a.custodian, sizeof(a.custodian), "courier:tvdung");
	a.manifest_id = 7;
	a.fee_due_vnd = 8000;
	a.result_ready_at = 1764000000001;
	CHECK_INT(db_progress_put(h, &a, &err), HOSO_OK);
	db_progress got;
	CHECK_INT(db_progress_get(h, "PA", &got, &err), HOSO_OK);
	CHECK(memcmp(&a, &got, sizeof(a)) == 0);
	a.manifest_id = 0;
	snprintf(a.custodian, sizeof(a.custodian), "agency:%s", AG_X);
	CHECK_INT(db_progress_put(h, &a, &err), HOSO_OK);
	CHECK_INT(db_progress_get(h, "PA", &got, &err), HOSO_OK);
	CHECK(memcmp(&a, &got, sizeof(a)) == 0);
	CHECK_INT(raw_count(path, "SELECT count(*) FROM item_progress"), 1);
	CHECK_INT(db_progress_get(h, "PB", &got, &err), HOSO_NOT_FOUND);
	CHECK_STR(err.code, "no_progress");
	db_progress ghost = progress("ZZ999999999VN", "600000", AG_X, "ACCEPTED", "");
	CHECK_INT(db_progress_put(h, &ghost, &err), HOSO_NOT_FOUND);
	CHECK(strstr(err.message, "ZZ999999999VN") != NULL);
	db_progress neg = progress("PB", "600000", AG_Y, "ACCEPTED", "");
	neg.attempts = -1;
	CHECK_INT(db_progress_put(h, &neg, &err), HOSO_INVALID);
	CHECK_STR(err.field, "attempts");

	/* the due list: nearest non-empty deadline, final states left out */
	db_progress b = progress("PB", "600000", AG_Y, "AT_AGENCY", "2026-12-05");
	db_progress c = progress("PC", "700000", AG_X, "HELD", "2026-12-10");
	snprintf(c.hold_until, sizeof(c.hold_until), "2026-11-30");
	db_progress d = progress("PD", "600000", AG_Y, "DELIVERED", "2026-11-29");
	db_progress e = progress("PE", "700000", AG_X, "RECEIVED", "");
	snprintf(e.appointment_date, sizeof(e.appointment_date), "2026-12-02");
	db_progress f = progress("PF", "600000", AG_X, "ATTEMPT_FAILED", "2026-12-04");
	snprintf(f.next_attempt_date, sizeof(f.next_attempt_date), "2026-12-03");
	f.attempts = 1;
	db_progress g = progress("PG", "600000", AG_X, "ACCEPTED", ""); /* no deadline */
	db_progress hh = progress("PH", "600000", AG_X, "RETURNED_TO_AGENCY", "2026-12-01");
	db_progress i = progress("PI", "600000", AG_X, "AWAITING_RESULT", "");
	snprintf(i.appointment_date, sizeof(i.appointment_date), "2026-12-02");
	db_progress j = progress("PJ", "600000", AG_X, "RETURNED_INCOMPLETE", "2026-11-01");
	const db_progress *all[] = {&b, &c, &d, &e, &f, &g, &hh, &i, &j};
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		CHECK_INT(db_progress_put(h, all[k], &err), HOSO_OK);
	CHECK_INT(db_progress_get(h, "PF", &got, &err), HOSO_OK);
	CHECK(memcmp(&f, &got, sizeof(f)) == 0);

	char list[256];
	db_due_filter any = {.limit = 0};
	due_list(h, &any, list, sizeof(list));
	CHECK_STR(list, "PC PA PI PF PB");
	db_due_filter range = {.date_from = "2026-12-01", .date_to = "2026-12-03"};
	due_list(h, &range, list, sizeof(list));
	CHECK_STR(list, "PA PI PF");
	db_due_filter upto = {.date_to = "2026-11-30"};
	due_list(h, &upto, list, sizeof(list));
	CHECK_STR(list, "PC");
	db_due_filter office = {.office_code = "700000"};
	due_list(h, &office, list, sizeof(list));
	CHECK_STR(list, "PC");
	db_due_filter agency = {.agency_code = AG_Y};
	due_list(h, &agency, list, sizeof(list));
	CHECK_STR(list, "PB");
	db_due_filter both = {.office_code = "600000", .agency_code = AG_X,
	                      .date_from = "2026-12-02"};
	due_list(h, &both, list, sizeof(list));
	CHECK_STR(list, "PI PF");
	db_due_filter two = {.limit = 2};
	due_list(h, &two, list, sizeof(list));
	CHECK_STR(list, "PC PA");
	/* leaving a final state brings it back; entering one drops it */
	f.next_attempt_date[0] = '\0';
	snprintf(f.state, sizeof(f.state), "DELIVERED");
	CHECK_INT(db_progress_put(h, &f, &err), HOSO_OK);
	due_list(h, &range, list, sizeof(list));
	CHECK_STR(list, "PA PI");
	db_close(h);

	/* the due lists are index range scans in deadline order, with no sort */
	if (testdb_pg()) {
		testdb_sqlite_only("the due lists' query plans", "they check SQLite's planner "
		                   "(EXPLAIN QUERY PLAN: WITHOUT ROWID indexes ending in the key)");
		return;
	}
	char plan[512];
	testdb_sqlite_plan(path, "SELECT * FROM item_progress WHERE next_deadline <> '' AND "
	                   "state NOT IN ('DELIVERED', 'RECEIVED', 'RETURNED_TO_AGENCY', "
	                   "'RETURNED_INCOMPLETE') AND next_deadline >= '' AND next_deadline <= '9' "
	                   "ORDER BY next_deadline, tracking_number LIMIT 5", plan, sizeof(plan));
	CHECK(strstr(plan, "item_progress_due") != NULL);
	testdb_sqlite_plan(path, "SELECT * FROM item_progress WHERE next_deadline <> '' AND "
	                   "state NOT IN ('DELIVERED', 'RECEIVED', 'RETURNED_TO_AGENCY', "
	                   "'RETURNED_INCOMPLETE') AND next_deadline >= '' AND next_deadline <= '9' "
	                   "AND office_code = '1' ORDER BY next_deadline LIMIT 5", plan, sizeof(plan));
	CHECK(strstr(plan, "item_progress_office") != NULL);
	CHECK(strstr(plan, "TEMP B-TREE") == NULL);
}

static void add_event(db *h, const char *id, const char *tn)
{
	static db_event ev;
	hoso_err err;
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.id, sizeof(ev.id), "%s", id);
	snprintf(ev.tracking_number, sizeof(ev.tracking_number), "%s", tn);
	snprintf(ev.type, sizeof(ev.type), "deliver");
	snprintf(ev.state_to, sizeof(ev.state_to), "DELIVERED");
	ev.server_time = 1764000000000;
	CHECK_INT(db_event_insert(h, &ev, &err), HOSO_OK);
}

static void test_attachments(void)
{
	db *h = open_fresh("attachments.db");
	if (!h)
		return;
	hoso_err err;
	add_dossier(h, "600000", AG_X, 0, 1, NULL, "AR");
	add_event(h, "6f1c2a8e-0000-4000-8000-00000000a001", "AR");
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0,
	                                    0, 0x0d, 'I', 'H', 'D', 'R', 0, 0xff};
	CHECK_INT(db_attachment_put(h, "6f1c2a8e-0000-4000-8000-00000000a001", "signature", png,
	                            sizeof(png), &err), HOSO_OK);
	char kind[16];
	unsigned char *data = NULL;
	size_t len = 0;
	CHECK_INT(db_attachment_get(h, "6f1c2a8e-0000-4000-8000-00000000a001", kind, &data, &len,
	                            &err), HOSO_OK);
	CHECK_STR(kind, "signature");
	CHECK_INT(len, sizeof(png));
	CHECK(data && memcmp(data, png, sizeof(png)) == 0);
	free(data);
	CHECK_INT(db_attachment_put(h, "6f1c2a8e-0000-4000-8000-00000000a001", "signature", png,
	                            4, &err), HOSO_CONFLICT);
	CHECK_STR(err.code, "attachment_exists");
	CHECK_INT(db_attachment_get(h, "6f1c2a8e-0000-4000-8000-00000000a002", kind, &data, &len,
	                            &err), HOSO_NOT_FOUND);
	CHECK(data == NULL);
	CHECK_INT(db_attachment_put(h, "6f1c2a8e-0000-4000-8000-00000000a002", "signature", png,
	                            sizeof(png), &err), HOSO_NOT_FOUND);
	CHECK_STR(err.code, "unknown_event");
	CHECK_INT(db_attachment_put(h, "6f1c2a8e-0000-4000-8000-00000000a001", "signature", png,
	                            0, &err), HOSO_INVALID);
	CHECK_INT(db_attachment_put(h, "6f1c2a8e-0000-4000-8000-00000000a001",
	                            "a-kind-far-too-long", png, 4, &err), HOSO_INVALID);
	db_close(h);
}

/* Commits the use case open on h, saying why when that fails. */
static void commit_ok(db *h)
{
	hoso_err err;
	hoso_status st = db_commit(h, &err);
	if (st != HOSO_OK)
		fprintf(stderr, "db_commit: %s\n", err.message);
	CHECK_INT(st, HOSO_OK);
}

static void test_savepoints(void)
{
	db *h = open_fresh("savepoints.db");
	if (!h)
		return;
	hoso_err err;
	int64_t dossier = add_dossier(h, "600000", AG_X, 0, 1, "SA", "SB");
	db_manifest m = manifest(AG_X, "600000", 1);
	CHECK_INT(db_manifest_insert(h, &m, &err), HOSO_OK);

	/* a batch: the outer work and the second event stay, the refused first one goes */
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	db_pickup outer = pickup("600000", "2026-11-28T08:00", "counter");
	CHECK_INT(db_pickup_insert(h, &outer, &err), HOSO_OK);
	CHECK_INT(db_savepoint(h, "event_one", &err), HOSO_OK);
	db_pickup inner = pickup("600000", "2026-11-28T09:00", "counter");
	CHECK_INT(db_pickup_insert(h, &inner, &err), HOSO_OK);
	db_manifest_item l = line(m.id, 1, "SA", dossier, "pending");
	CHECK_INT(db_manifest_item_insert(h, &l, &err), HOSO_OK);
	CHECK_INT(db_manifest_item_insert(h, &l, &err), HOSO_CONFLICT); /* refused */
	db_savepoint_rollback(h, "event_one");
	CHECK_INT(db_savepoint(h, "event_two", &err), HOSO_OK);
	db_manifest_item l2 = line(m.id, 2, "SB", dossier, "pending");
	CHECK_INT(db_manifest_item_insert(h, &l2, &err), HOSO_OK);
	CHECK_INT(db_savepoint_release(h, "event_two", &err), HOSO_OK);
	CHECK_INT(db_savepoint_release(h, "event_two", &err), HOSO_INTERNAL); /* gone */
	CHECK(strstr(err.message, "event_two") != NULL);
	commit_ok(h); /* the refused release left the use case as it was */

	db_pickup got;
	CHECK_INT(db_pickup_get(h, outer.id, &got, &err), HOSO_OK);
	CHECK_INT(db_pickup_get(h, inner.id, &got, &err), HOSO_NOT_FOUND);
	db_manifest_item *lines = NULL;
	size_t n = 0;
	CHECK_INT(db_manifest_items(h, m.id, &lines, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(lines[0].tracking_number, "SB");
	free(lines);

	/* names: [a-z_]{1,31}, and not the use case's own savepoint */
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	static const char *const bad[] = {"", "Event", "ev-1", "ev1", "a b", "use_case",
	                                  "x; DROP TABLE pickups",
	                                  "abcdefghijklmnopqrstuvwxyz_abcde" /* 32 */};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		CHECK_INT(db_savepoint(h, bad[k], &err), HOSO_INTERNAL);
		CHECK_STR(err.code, "bad_savepoint");
		CHECK_INT(db_savepoint_release(h, bad[k], &err), HOSO_INTERNAL);
		db_savepoint_rollback(h, bad[k]); /* does nothing */
	}
	CHECK_INT(db_savepoint(h, NULL, &err), HOSO_INTERNAL);
	CHECK_INT(db_savepoint(h, "abcdefghijklmnopqrstuvwxyz_abcd", &err), HOSO_OK); /* 31 */
	db_savepoint_rollback(h, "abcdefghijklmnopqrstuvwxyz_abcd");
	db_savepoint_rollback(h, "never_opened"); /* harmless */
	commit_ok(h);
	CHECK_INT(db_pickup_get(h, outer.id, &got, &err), HOSO_OK);

	/* outside a use case a savepoint would start a transaction of its own: refused */
	CHECK_INT(db_savepoint(h, "loose", &err), HOSO_INTERNAL);
	CHECK_STR(err.code, "no_transaction");
	db_close(h);
}

int main(void)
{
	if (!testdb_init("custody"))
		return 1;
	test_migrations();
	test_progress();
	test_attachments();
	test_savepoints();
	return check_done();
}
