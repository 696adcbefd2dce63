/* custody_fixtures.h — what test_custody.c and test_manifests.c share: fresh databases (SQLite
 * files, or PostgreSQL databases with HOSO_TEST_DB=postgres: testdb.h), raw SQL on them, and
 * rows to satisfy the foreign keys of db_custody.h's tables. */
#ifndef HOSO_TEST_CUSTODY_FIXTURES_H
#define HOSO_TEST_CUSTODY_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db.h"
#include "db_custody.h"
#include "testdb.h"

static const char AG_X[] = "000.00.06.H56";
static const char AG_Y[] = "000.00.00.H21";

/* A fresh database of its own, named name, into buf (a path or a URI). */
static inline bool path_in(char *buf, size_t size, const char *name)
{
	bool ok = testdb_new(name, buf, size);
	CHECK(ok);
	return ok;
}

static inline db *open_ok(const char *path)
{
	db *h = NULL;
	hoso_err err;
	hoso_status st = db_open(path, &h, &err);
	if (st != HOSO_OK)
		fprintf(stderr, "db_open %s: %s\n", path, err.message);
	CHECK_INT(st, HOSO_OK);
	return h;
}

/* Opens a fresh database of its own for one test. */
static inline db *open_fresh(const char *name)
{
	char path[1100];
	if (!path_in(path, sizeof(path), name))
		return NULL;
	return open_ok(path);
}

/* Runs sql on the database through a second connection: TESTDB_OK or an error. */
static inline int raw_sql(const char *path, const char *sql)
{
	char msg[512];
	int rc = testdb_exec(path, sql, msg, sizeof(msg));
	if (rc != TESTDB_OK)
		fprintf(stderr, "raw_sql: %s\n", msg[0] ? msg : "?");
	return rc;
}

static inline int64_t raw_count(const char *path, const char *sql)
{
	return testdb_int(path, sql);
}

/* Inserts a dossier (fee fee_vnd, accepted at `at`) with a submission item sub and a result
 * item res (either may be NULL); returns its id. */
static inline int64_t add_dossier(db *h, const char *office, const char *agency,
                                  int64_t fee_vnd, int64_t at, const char *sub,
                                  const char *res)
{
	static db_dossier d;
	hoso_err err;
	memset(&d, 0, sizeof(d));
	snprintf(d.procedure_code, sizeof(d.procedure_code), "1.001776");
	snprintf(d.agency_code, sizeof(d.agency_code), "%s", agency);
	snprintf(d.office_code, sizeof(d.office_code), "%s", office);
	snprintf(d.service, sizeof(d.service), "both");
	snprintf(d.applicant_kind, sizeof(d.applicant_kind), "person");
	snprintf(d.applicant_name, sizeof(d.applicant_name), "Nguyễn Văn An");
	snprintf(d.accepted_date, sizeof(d.accepted_date), "2026-11-27");
	d.accepted_at = at;
	d.fee_vnd = fee_vnd;
	CHECK_INT(db_dossier_insert(h, &d, &err), HOSO_OK);
	const char *tns[2] = {sub, res};
	const char *roles[2] = {"submission", "result"};
	for (int i = 0; i < 2; i++) {
		if (!tns[i])
			continue;
		db_item it;
		memset(&it, 0, sizeof(it));
		snprintf(it.tracking_number, sizeof(it.tracking_number), "%s", tns[i]);
		it.dossier_id = d.id;
		snprintf(it.role, sizeof(it.role), "%s", roles[i]);
		snprintf(it.state, sizeof(it.state), i == 0 ? "ACCEPTED" : "AWAITING_RESULT");
		it.created_at = it.updated_at = at;
		CHECK_INT(db_item_insert(h, &it, &err), HOSO_OK);
	}
	return d.id;
}

/* An open manifest (state "" is stored as open) made by courier 3. */
static inline db_manifest manifest(const char *agency, const char *office, int64_t at)
{
	db_manifest m;
	memset(&m, 0, sizeof(m));
	snprintf(m.agency_code, sizeof(m.agency_code), "%s", agency);
	snprintf(m.office_code, sizeof(m.office_code), "%s", office);
	m.created_by = 3;
	snprintf(m.created_by_name, sizeof(m.created_by_name), "tvdung");
	m.created_at = at;
	return m;
}

/* One line of a manifest. */
static inline db_manifest_item line(int64_t manifest_id, int position, const char *tn,
                                    int64_t dossier_id, const char *status)
{
	db_manifest_item it;
	memset(&it, 0, sizeof(it));
	it.manifest_id = manifest_id;
	it.position = position;
	snprintf(it.tracking_number, sizeof(it.tracking_number), "%s", tn);
	it.dossier_id = dossier_id;
	snprintf(it.status, sizeof(it.status), "%s", status);
	return it;
}

/* A pickup request (state "" is stored as requested). */
static inline db_pickup pickup(const char *office, const char *from, const char *source)
{
	db_pickup p;
	memset(&p, 0, sizeof(p));
	snprintf(p.source, sizeof(p.source), "%s", source);
	snprintf(p.applicant_name, sizeof(p.applicant_name), "Lê Thị Cúc");
	snprintf(p.applicant_phone, sizeof(p.applicant_phone), "0987654321");
	snprintf(p.address, sizeof(p.address), "45 Trần Phú, Lộc Thọ, Nha Trang");
	snprintf(p.procedure_code, sizeof(p.procedure_code), "2.002621.H56");
	snprintf(p.window_from, sizeof(p.window_from), "%s", from);
	snprintf(p.window_to, sizeof(p.window_to), "2026-11-28T17:00");
	snprintf(p.office_code, sizeof(p.office_code), "%s", office);
	p.created_by = 2;
	p.created_at = p.updated_at = 1764000000000;
	return p;
}

#endif
