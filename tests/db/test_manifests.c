/* test_manifests.c — db_custody.h: handover manifests and their lines, keyset pagination,
 * discrepancies, agency fees not yet paid over, and home pickups. On SQLite files, or on
 * PostgreSQL with HOSO_TEST_DB=postgres. */
#include "custody_fixtures.h"

static void test_manifests(void)
{
	db *h = open_fresh("manifests.db");
	if (!h)
		return;
	hoso_err err;
	int64_t d1 = add_dossier(h, "600000", AG_X, 8000, 1, "MA", "MR");
	int64_t d2 = add_dossier(h, "600000", AG_X, 0, 2, "MB", NULL);
	int64_t d3 = add_dossier(h, "600000", AG_X, 0, 3, "MC", NULL);

	/* round trip; an empty state is stored as open */
	db_manifest m = manifest(AG_X, "600000", 1764000000000);
	m.total_fee_vnd = 8000;
	CHECK_INT(db_manifest_insert(h, &m, &err), HOSO_OK);
	CHECK(m.id > 0);
	CHECK_STR(m.state, "open");
	db_manifest got;
	CHECK_INT(db_manifest_get(h, m.id, &got, &err), HOSO_OK);
	CHECK(memcmp(&m, &got, sizeof(m)) == 0);
	CHECK_INT(db_manifest_get(h, m.id + 100, &got, &err), HOSO_NOT_FOUND);
	CHECK_STR(err.code, "unknown_manifest");

	/* lines: by position, a duplicate is a conflict, unknown references are named */
	db_manifest_item l1 = line(m.id, 2, "MA", d1, "");
	l1.fee_vnd = 8000;
	l1.documents = 3;
	snprintf(l1.note, sizeof(l1.note), "bì thư số 2");
	db_manifest_item l2 = line(m.id, 1, "MB", d2, "pending");
	db_manifest_item l3 = line(m.id, 3, "MC", d3, "pending");
	CHECK_INT(db_manifest_item_insert(h, &l1, &err), HOSO_OK);
	CHECK_INT(db_manifest_item_insert(h, &l2, &err), HOSO_OK);
	CHECK_INT(db_manifest_item_insert(h, &l3, &err), HOSO_OK);
	CHECK_INT(db_manifest_item_insert(h, &l1, &err), HOSO_CONFLICT);
	CHECK_STR(err.code, "already_on_manifest");
	CHECK(strstr(err.message, "MA") != NULL);
	db_manifest_item bad = line(m.id, 4, "ZZ999999999VN", d1, "pending");
	CHECK_INT(db_manifest_item_insert(h, &bad, &err), HOSO_NOT_FOUND);
	bad = line(m.id + 100, 1, "MA", d1, "pending");
	CHECK_INT(db_manifest_item_insert(h, &bad, &err), HOSO_NOT_FOUND);
	bad = line(m.id, 4, "MR", d1, "lost");
	CHECK_INT(db_manifest_item_insert(h, &bad, &err), HOSO_INVALID);
	CHECK_STR(err.field, "status");
	bad = line(m.id, 0, "MR", d1, "pending");
	CHECK_INT(db_manifest_item_insert(h, &bad, &err), HOSO_INVALID);
	CHECK_STR(err.field, "position");

	db_manifest_item *lines = NULL;
	size_t n = 0;
	CHECK_INT(db_manifest_items(h, m.id, &lines, &n, &err), HOSO_OK);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(lines[0].tracking_number, "MB");
		snprintf(l1.status, sizeof(l1.status), "pending");
		CHECK(memcmp(&lines[1], &l1, sizeof(l1)) == 0);
		CHECK_STR(lines[2].tracking_number, "MC");
	}
	free(lines);
	CHECK_INT(db_manifest_items(h, m.id + 100, &lines, &n, &err), HOSO_OK);
	CHECK_INT(n, 0);
	free(lines);

	/* confirmation: lines' status and note, the manifest's state and fees */
	snprintf(l1.status, sizeof(l1.status), "received");
	snprintf(l2.status, sizeof(l2.status), "missing");
	snprintf(l2.note, sizeof(l2.note), "không có trong túi");
	snprintf(l3.status, sizeof(l3.status), "damaged");
	CHECK_INT(db_manifest_item_update(h, &l1, &err), HOSO_OK);
	CHECK_INT(db_manifest_item_update(h, &l2, &err), HOSO_OK);
	CHECK_INT(db_manifest_item_update(h, &l3, &err), HOSO_OK);
	db_manifest_item off = line(m.id, 1, "MR", d1, "received");
	CHECK_INT(db_manifest_item_update(h, &off, &err), HOSO_NOT_FOUND);
	CHECK_STR(err.code, "not_on_manifest");
	off = line(m.id, 1, "MA", d1, "bogus");
	CHECK_INT(db_manifest_item_update(h, &off, &err), HOSO_INVALID);
	CHECK_INT(db_manifest_items(h, m.id, &lines, &n, &err), HOSO_OK);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK(memcmp(&lines[0], &l2, sizeof(l2)) == 0);
		CHECK(memcmp(&lines[1], &l1, sizeof(l1)) == 0);
	}
	free(lines);
	snprintf(m.state, sizeof(m.state), "partial");
	m.confirmed_by = 9;
	snprintf(m.confirmed_by_name, sizeof(m.confirmed_by_name), "motcua.h56");
	m.confirmed_at = 1764000100000;
	m.fees_received_vnd = 8000;
	CHECK_INT(db_manifest_update(h, &m, &err), HOSO_OK);
	CHECK_INT(db_manifest_get(h, m.id, &got, &err), HOSO_OK);
	CHECK_INT(got.item_count, 3);
	m.item_count = 3;
	CHECK(memcmp(&m, &got, sizeof(m)) == 0);
	snprintf(m.state, sizeof(m.state), "signed");
	CHECK_INT(db_manifest_update(h, &m, &err), HOSO_INVALID);
	CHECK_STR(err.field, "state");
	snprintf(m.state, sizeof(m.state), "confirmed");
	m.id += 100;
	CHECK_INT(db_manifest_update(h, &m, &err), HOSO_NOT_FOUND);
	m.id -= 100;

	/* twelve more manifests: agencies alternate, offices every third, every fourth
	 * confirmed */
	int64_t ids[13];
	ids[0] = m.id;
	for (int k = 1; k <= 12; k++) {
		db_manifest x = manifest(k % 2 ? AG_Y : AG_X, k % 3 ? "600000" : "700000", 1000 + k);
		if (k % 4 == 0)
			snprintf(x.state, sizeof(x.state), "confirmed");
		CHECK_INT(db_manifest_insert(h, &x, &err), HOSO_OK);
		ids[k] = x.id;
	}
	db_manifest *rows = NULL;
	db_manifest_filter f = {.limit = 5};
	size_t total = 0;
	int64_t last = INT64_MAX;
	bool ordered = true;
	for (int page = 0; page < 5; page++) {
		CHECK_INT(db_manifest_list(h, &f, &rows, &n, &err), HOSO_OK);
		for (size_t k = 0; k < n; k++) {
			ordered = ordered && rows[k].id < last;
			last = rows[k].id;
		}
		total += n;
		if (n)
			f.before_id = rows[n - 1].id;
		free(rows);
		if (n < f.limit)
			break;
	}
	CHECK(ordered);
	CHECK_INT(total, 13);
	CHECK_INT(last, ids[0]);
	db_manifest_filter by_agency = {.agency_code = AG_Y};
	CHECK_INT(db_manifest_list(h, &by_agency, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 6);
	if (n == 6)
		CHECK_INT(rows[0].id, ids[11]);
	free(rows);
	db_manifest_filter by_office = {.office_code = "700000", .agency_code = AG_X};
	CHECK_INT(db_manifest_list(h, &by_office, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 2); /* k = 6, 12 */
	free(rows);
	db_manifest_filter by_state = {.state = "confirmed", .before_id = ids[12]};
	CHECK_INT(db_manifest_list(h, &by_state, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 2); /* k = 4, 8 */
	if (n == 2)
		CHECK_INT(rows[0].id, ids[8]);
	free(rows);
	db_manifest_filter by_partial = {.state = "partial", .office_code = "600000",
	                                 .agency_code = AG_X};
	CHECK_INT(db_manifest_list(h, &by_partial, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	free(rows);
	db_manifest_filter bad_state = {.state = "closed"};
	CHECK_INT(db_manifest_list(h, &bad_state, &rows, &n, &err), HOSO_INVALID);
	CHECK(rows == NULL);

	/* discrepancies: newest manifest first, filtered by the manifest's office or agency */
	db_manifest_item l4 = line(ids[12], 1, "MA", d1, "damaged"); /* AG_X, 700000 */
	CHECK_INT(db_manifest_item_insert(h, &l4, &err), HOSO_OK);
	db_manifest_item l5 = line(ids[11], 1, "MB", d2, "received"); /* AG_Y, 600000 */
	CHECK_INT(db_manifest_item_insert(h, &l5, &err), HOSO_OK);
	db_manifest_item *disc = NULL;
	CHECK_INT(db_manifest_discrepancies(h, NULL, NULL, 0, &disc, &n, &err), HOSO_OK);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK(memcmp(&disc[0], &l4, sizeof(l4)) == 0);
		CHECK(memcmp(&disc[1], &l2, sizeof(l2)) == 0);
		CHECK(memcmp(&disc[2], &l3, sizeof(l3)) == 0);
	}
	free(disc);
	CHECK_INT(db_manifest_discrepancies(h, "600000", NULL, 10, &disc, &n, &err), HOSO_OK);
	CHECK_INT(n, 2);
	free(disc);
	CHECK_INT(db_manifest_discrepancies(h, "700000", AG_X, 10, &disc, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	free(disc);
	CHECK_INT(db_manifest_discrepancies(h, NULL, AG_Y, 10, &disc, &n, &err), HOSO_OK);
	CHECK_INT(n, 0);
	free(disc);
	CHECK_INT(db_manifest_discrepancies(h, NULL, NULL, 1, &disc, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	free(disc);
	db_close(h);
}

/* Dossier ids of db_fees_unpaid, joined with spaces. */
static void unpaid(db *h, const char *office, const char *agency, const int64_t *ids,
                   size_t nids, char *buf, size_t size)
{
	db_dossier *rows = NULL;
	size_t n = 0;
	hoso_err err;
	buf[0] = '\0';
	CHECK_INT(db_fees_unpaid(h, office, agency, 0, &rows, &n, &err), HOSO_OK);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < nids && ids[k] != rows[i].id)
			k++;
		size_t used = strlen(buf);
		snprintf(buf + used, size - used, "%sd%zu", i ? " " : "", k);
	}
	free(rows);
}

static void test_fees_unpaid(void)
{
	char path[1100];
	if (!path_in(path, sizeof(path), "fees.db"))
		return;
	db *h = open_ok(path);
	if (!h)
		return;
	hoso_err err;
	int64_t ids[5];
	/* accepted out of id order: the list goes by acceptance time */
	ids[0] = add_dossier(h, "600000", AG_X, 8000, 300, "FA", "FR");
	ids[1] = add_dossier(h, "600000", AG_X, 0, 100, "FB", NULL);  /* no fee */
	ids[2] = add_dossier(h, "600000", AG_X, 5000, 100, NULL, "FC"); /* result only */
	ids[3] = add_dossier(h, "700000", AG_Y, 3000, 200, "FD", NULL);
	ids[4] = add_dossier(h, "600000", AG_Y, 2000, 250, "FE", NULL);
	char list[128];
	unpaid(h, NULL, NULL, ids, 5, list, sizeof(list));
	CHECK_STR(list, "d3 d4 d0");
	unpaid(h, "600000", NULL, ids, 5, list, sizeof(list));
	CHECK_STR(list, "d4 d0");
	unpaid(h, NULL, AG_Y, ids, 5, list, sizeof(list));
	CHECK_STR(list, "d3 d4");
	unpaid(h, "600000", AG_X, ids, 5, list, sizeof(list));
	CHECK_STR(list, "d0");
	db_dossier *rows = NULL;
	size_t n = 0;
	CHECK_INT(db_fees_unpaid(h, "600000", AG_X, 5, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(rows[0].fee_vnd, 8000);
		CHECK_STR(rows[0].applicant_name, "Nguyễn Văn An");
		CHECK_INT(rows[0].accepted_at, 300);
	}
	free(rows);

	/* received on a manifest that is still open: not paid over yet */
	db_manifest m = manifest(AG_X, "600000", 400);
	CHECK_INT(db_manifest_insert(h, &m, &err), HOSO_OK);
	db_manifest_item l0 = line(m.id, 1, "FA", ids[0], "received");
	CHECK_INT(db_manifest_item_insert(h, &l0, &err), HOSO_OK);
	db_manifest_item l3 = line(m.id, 2, "FD", ids[3], "missing");
	CHECK_INT(db_manifest_item_insert(h, &l3, &err), HOSO_OK);
	unpaid(h, NULL, NULL, ids, 5, list, sizeof(list));
	CHECK_STR(list, "d3 d4 d0");
	/* confirmed: the received one is paid over, the missing one is not */
	snprintf(m.state, sizeof(m.state), "confirmed");
	m.confirmed_at = 500;
	CHECK_INT(db_manifest_update(h, &m, &err), HOSO_OK);
	unpaid(h, NULL, NULL, ids, 5, list, sizeof(list));
	CHECK_STR(list, "d3 d4");
	/* a partial confirmation counts for the lines it received */
	db_manifest p = manifest(AG_Y, "600000", 600);
	snprintf(p.state, sizeof(p.state), "partial");
	CHECK_INT(db_manifest_insert(h, &p, &err), HOSO_OK);
	db_manifest_item l4 = line(p.id, 1, "FE", ids[4], "received");
	CHECK_INT(db_manifest_item_insert(h, &l4, &err), HOSO_OK);
	unpaid(h, NULL, NULL, ids, 5, list, sizeof(list));
	CHECK_STR(list, "d3");
	db_close(h);

	/* oldest first straight from a partial index, one index probe per dossier for its
	 * received lines, no sort: the LIMIT stops the walk early */
	if (testdb_pg()) {
		testdb_sqlite_only("the fee list's query plan", "it checks SQLite's planner (EXPLAIN "
		                   "QUERY PLAN: partial index walk, no TEMP B-TREE)");
		return;
	}
	char plan[1024];
	testdb_sqlite_plan(path, "SELECT d.id FROM dossiers d JOIN items i ON i.dossier_id = d.id "
	                   "AND i.role = 'submission' WHERE d.fee_vnd > 0 AND d.office_code = '1' "
	                   "AND NOT EXISTS (SELECT 1 FROM manifest_items mi JOIN manifests m ON "
	                   "m.id = mi.manifest_id WHERE mi.tracking_number = i.tracking_number AND "
	                   "mi.status = 'received' AND m.state IN ('confirmed', 'partial')) "
	                   "ORDER BY d.accepted_at, d.id LIMIT 50", plan, sizeof(plan));
	CHECK(strstr(plan, "dossiers_fee_office") != NULL);
	CHECK(strstr(plan, "manifest_items_item") != NULL);
	CHECK(strstr(plan, "TEMP B-TREE") == NULL);
}

/* A request with a client_id is found by it (a retried request); one client_id names one
 * pickup; pickups without one never match the empty id. */
static void test_pickup_client_id(void)
{
	db *h = open_fresh("pickups-client.db");
	if (!h)
		return;
	hoso_err err;
	db_pickup got;
	db_pickup keyed = pickup("600000", "2026-11-28T11:00", "counter");
	snprintf(keyed.client_id, sizeof(keyed.client_id), "6f1c2b7e-8d7a-4c55-9a4e-0b4f3c2d1e10");
	snprintf(keyed.request_digest, sizeof(keyed.request_digest), "%064d", 7);
	CHECK_INT(db_pickup_insert(h, &keyed, &err), HOSO_OK);
	CHECK_INT(db_pickup_get_by_client(h, keyed.client_id, &got, &err), HOSO_OK);
	CHECK(memcmp(&keyed, &got, sizeof(keyed)) == 0);
	CHECK_INT(db_pickup_get_by_client(h, "", &got, &err), HOSO_NOT_FOUND);
	CHECK_INT(db_pickup_get_by_client(h, "0c9e5b1a-2f3d-4e6a-8b7c-1d2e3f4a5b6c", &got, &err),
	          HOSO_NOT_FOUND);
	db_pickup twin = keyed;
	CHECK(db_pickup_insert(h, &twin, &err) != HOSO_OK);
	db_pickup plain = pickup("600000", "2026-11-28T12:00", "counter");
	CHECK_INT(db_pickup_insert(h, &plain, &err), HOSO_OK);
	db_pickup plain2 = pickup("600000", "2026-11-28T12:30", "counter");
	CHECK_INT(db_pickup_insert(h, &plain2, &err), HOSO_OK);
	db_close(h);
}

static void test_pickups(void)
{
	db *h = open_fresh("pickups.db");
	if (!h)
		return;
	hoso_err err;
	db_pickup p = pickup("600000", "2026-11-28T10:00", "portal");
	snprintf(p.notes, sizeof(p.notes), "gọi trước 30 phút");
	CHECK_INT(db_pickup_insert(h, &p, &err), HOSO_OK);
	CHECK(p.id > 0);
	CHECK_STR(p.state, "requested");
	db_pickup got;
	CHECK_INT(db_pickup_get(h, p.id, &got, &err), HOSO_OK);
	CHECK(memcmp(&p, &got, sizeof(p)) == 0);
	CHECK_INT(db_pickup_get(h, p.id + 100, &got, &err), HOSO_NOT_FOUND);

	/* the mutable fields change; the request itself does not */
	int64_t dossier = add_dossier(h, "600000", AG_X, 0, 1, "KA", NULL);
	db_pickup upd = p;
	memset(upd.state, 0, sizeof(upd.state)); /* memcmp below sees every byte */
	snprintf(upd.state, sizeof(upd.state), "done");
	upd.assigned_to = 7;
	snprintf(upd.assigned_name, sizeof(upd.assigned_name), "tvdung");
	upd.dossier_id = dossier;
	upd.updated_at = 1764000500000;
	snprintf(upd.address, sizeof(upd.address), "elsewhere");
	CHECK_INT(db_pickup_update(h, &upd, &err), HOSO_OK);
	CHECK_INT(db_pickup_get(h, p.id, &got, &err), HOSO_OK);
	snprintf(upd.address, sizeof(upd.address), "%s", p.address);
	CHECK(memcmp(&upd, &got, sizeof(upd)) == 0);
	snprintf(upd.state, sizeof(upd.state), "lost");
	CHECK_INT(db_pickup_update(h, &upd, &err), HOSO_INVALID);
	snprintf(upd.state, sizeof(upd.state), "failed");
	upd.id += 100;
	CHECK_INT(db_pickup_update(h, &upd, &err), HOSO_NOT_FOUND);
	db_pickup bad = pickup("600000", "2026-11-28T10:00", "phone");
	CHECK_INT(db_pickup_insert(h, &bad, &err), HOSO_INVALID);
	CHECK_STR(err.field, "source");

	/* list: by window, then id; filters by office, courier and state */
	db_pickup q1 = pickup("600000", "2026-11-28T08:00", "counter");
	db_pickup q2 = pickup("700000", "2026-11-28T09:00", "agency");
	db_pickup q3 = pickup("600000", "2026-11-28T08:00", "counter");
	snprintf(q3.state, sizeof(q3.state), "assigned");
	q3.assigned_to = 7;
	db_pickup q4 = pickup("600000", "2026-11-27T14:00", "portal");
	snprintf(q4.state, sizeof(q4.state), "assigned");
	q4.assigned_to = 8;
	db_pickup *qs[] = {&q1, &q2, &q3, &q4};
	for (size_t k = 0; k < 4; k++)
		CHECK_INT(db_pickup_insert(h, qs[k], &err), HOSO_OK);
	db_pickup *rows = NULL;
	size_t n = 0;
	db_pickup_filter all = {.limit = 0};
	CHECK_INT(db_pickup_list(h, &all, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK_INT(rows[0].id, q4.id);
		CHECK_INT(rows[1].id, q1.id);
		CHECK_INT(rows[2].id, q3.id);
		CHECK_INT(rows[3].id, q2.id);
		CHECK_INT(rows[4].id, p.id);
		CHECK(memcmp(&rows[2], &q3, sizeof(q3)) == 0);
	}
	free(rows);
	db_pickup_filter office = {.office_code = "600000", .state = "assigned"};
	CHECK_INT(db_pickup_list(h, &office, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 2);
	free(rows);
	db_pickup_filter courier = {.assigned_to = 7};
	CHECK_INT(db_pickup_list(h, &courier, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 2); /* q3 and the done one */
	if (n == 2)
		CHECK_INT(rows[0].id, q3.id);
	free(rows);
	db_pickup_filter mine = {.office_code = "600000", .assigned_to = 7, .state = "assigned",
	                         .limit = 1};
	CHECK_INT(db_pickup_list(h, &mine, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	free(rows);
	db_pickup_filter requested = {.state = "requested", .limit = 1};
	CHECK_INT(db_pickup_list(h, &requested, &rows, &n, &err), HOSO_OK);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(rows[0].id, q1.id);
	free(rows);
	db_pickup_filter bogus = {.state = "bogus"};
	CHECK_INT(db_pickup_list(h, &bogus, &rows, &n, &err), HOSO_INVALID);
	db_close(h);
}

int main(void)
{
	if (!testdb_init("manifests"))
		return 1;
	test_manifests();
	test_fees_unpaid();
	test_pickups();
	test_pickup_client_id();
	return check_done();
}
