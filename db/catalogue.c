/* catalogue.c — post offices, agencies and procedures (imported from CSV, read everywhere). */
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- offices ------------------------------------------------------------------------ */

hoso_status db_office_upsert(db *h, const db_office *o, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_OFFICE_UPSERT,
		"INSERT INTO offices (code, name, address, district, province, phone) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (code) DO UPDATE SET "
		"name = excluded.name, address = excluded.address, district = excluded.district, "
		"province = excluded.province, phone = excluded.phone", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, o->code);
	db_bind_text(st, 2, o->name);
	db_bind_text(st, 3, o->address);
	db_bind_text(st, 4, o->district);
	db_bind_text(st, 5, o->province);
	db_bind_text(st, 6, o->phone);
	status = db_step_done(h, st, "saving a post office", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_office_get(db *h, const char *code, db_office *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_OFFICE_GET,
		"SELECT code, name, address, district, province, phone FROM offices "
		"WHERE code = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, code);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		memset(out, 0, sizeof(*out));
		db_col_text(st, 0, out->code, sizeof(out->code));
		db_col_text(st, 1, out->name, sizeof(out->name));
		db_col_text(st, 2, out->address, sizeof(out->address));
		db_col_text(st, 3, out->district, sizeof(out->district));
		db_col_text(st, 4, out->province, sizeof(out->province));
		db_col_text(st, 5, out->phone, sizeof(out->phone));
	} else if (rc == DB_DONE) {
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_office", NULL,
		                      "post office %s is not in the catalogue", code);
	} else {
		status = db_fail(h, rc, "reading a post office", err);
	}
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

/* ---- agencies ----------------------------------------------------------------------- */

hoso_status db_agency_upsert(db *h, const db_agency *a, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_AGENCY_UPSERT,
		"INSERT INTO agencies (code, name, desk_name, address, district, province, phone) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO UPDATE SET "
		"name = excluded.name, desk_name = excluded.desk_name, address = excluded.address, "
		"district = excluded.district, province = excluded.province, phone = excluded.phone",
		err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, a->code);
	db_bind_text(st, 2, a->name);
	db_bind_text(st, 3, a->desk_name);
	db_bind_text(st, 4, a->address);
	db_bind_text(st, 5, a->district);
	db_bind_text(st, 6, a->province);
	db_bind_text(st, 7, a->phone);
	status = db_step_done(h, st, "saving an agency", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

void db_agency_read_row(db_st *st, db_agency *a)
{
	memset(a, 0, sizeof(*a));
	db_col_text(st, 0, a->code, sizeof(a->code));
	db_col_text(st, 1, a->name, sizeof(a->name));
	db_col_text(st, 2, a->desk_name, sizeof(a->desk_name));
	db_col_text(st, 3, a->address, sizeof(a->address));
	db_col_text(st, 4, a->district, sizeof(a->district));
	db_col_text(st, 5, a->province, sizeof(a->province));
	db_col_text(st, 6, a->phone, sizeof(a->phone));
}

hoso_status db_agency_get(db *h, const char *code, db_agency *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_AGENCY_GET,
		"SELECT " DB_AGENCY_COLS_A " FROM agencies a WHERE a.code = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, code);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		db_agency_read_row(st, out);
	} else if (rc == DB_DONE) {
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_agency", NULL,
		                      "agency %s is not in the catalogue", code);
	} else {
		status = db_fail(h, rc, "reading an agency", err);
	}
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

/* ---- procedures --------------------------------------------------------------------- */

#define PROCEDURE_COLS "code, name, name_fold, agency_code, fee_vnd, days, components"

static void read_procedure(db_st *st, db_procedure *p)
{
	memset(p, 0, sizeof(*p));
	db_col_text(st, 0, p->code, sizeof(p->code));
	db_col_text(st, 1, p->name, sizeof(p->name));
	db_col_text(st, 2, p->name_fold, sizeof(p->name_fold));
	db_col_text(st, 3, p->agency_code, sizeof(p->agency_code));
	p->fee_vnd = db_col_int64(st, 4);
	p->days = db_col_int(st, 5);
	db_col_text(st, 6, p->components, sizeof(p->components));
}

hoso_status db_procedure_upsert(db *h, const db_procedure *p, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_PROCEDURE_UPSERT,
		"INSERT INTO procedures (" PROCEDURE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		"ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
		"name_fold = excluded.name_fold, agency_code = excluded.agency_code, "
		"fee_vnd = excluded.fee_vnd, days = excluded.days, components = excluded.components",
		err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, p->code);
	db_bind_text(st, 2, p->name);
	db_bind_text(st, 3, p->name_fold);
	db_bind_text(st, 4, p->agency_code);
	db_bind_int64(st, 5, p->fee_vnd);
	db_bind_int64(st, 6, p->days);
	db_bind_text(st, 7, p->components[0] ? p->components : "[]");
	status = db_step_done(h, st, "saving a procedure", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_procedure_get(db *h, const char *code, db_procedure *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_PROCEDURE_GET,
		"SELECT " PROCEDURE_COLS " FROM procedures WHERE code = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, code);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_procedure(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_procedure", NULL,
		                      "procedure %s is not in the catalogue", code);
	else
		status = db_fail(h, rc, "reading a procedure", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

/* An empty criterion is ignored; when both are empty every procedure matches. limit 0 means
 * 50; limits above 1000 are cut to 1000. */
hoso_status db_procedure_search(db *h, const char *code_prefix, const char *fold,
                                size_t limit, db_procedure **out, size_t *n, hoso_err *err)
{
	*out = NULL;
	*n = 0;
	if (limit == 0)
		limit = 50;
	if (limit > 1000)
		limit = 1000;
	hoso_status status = HOSO_OK;
	db_procedure *rows = calloc(1, sizeof(*rows));
	size_t cap = 1, count = 0;
	if (!rows)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
		                    "searching procedures: out of memory");
	db_lock(h);
	db_st *st = db_stmt(h, ST_PROCEDURE_SEARCH,
		"SELECT " PROCEDURE_COLS " FROM procedures WHERE (?1 = '' AND ?2 = '') "
		"OR (?1 <> '' AND substr(code, 1, length(?1)) = ?1) "
		"OR (?2 <> '' AND instr(name_fold, ?2) > 0) ORDER BY code LIMIT ?3", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, code_prefix ? code_prefix : "");
	db_bind_text(st, 2, fold ? fold : "");
	db_bind_int64(st, 3, limit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (count == cap) {
			size_t ncap = cap * 2 < limit ? cap * 2 : limit;
			db_procedure *grown = realloc(rows, ncap * sizeof(*rows));
			if (!grown) {
				status = hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
				                      "searching procedures: out of memory");
				goto reset;
			}
			rows = grown;
			cap = ncap;
		}
		read_procedure(st, &rows[count++]);
	}
	if (rc != DB_DONE)
		status = db_fail(h, rc, "searching procedures", err);
reset:
	db_stmt_done(st);
unlock:
	db_unlock(h);
	if (status != HOSO_OK) {
		free(rows);
		return status;
	}
	*out = rows;
	*n = count;
	return HOSO_OK;
}

hoso_status db_catalogue_count(db *h, const char *table, int64_t *count, hoso_err *err)
{
	static const struct {
		const char *table;
		enum db_stmt_id id;
		const char *sql;
	} tables[] = {
		{"offices", ST_COUNT_OFFICES, "SELECT count(*) FROM offices"},
		{"agencies", ST_COUNT_AGENCIES, "SELECT count(*) FROM agencies"},
		{"procedures", ST_COUNT_PROCEDURES, "SELECT count(*) FROM procedures"},
	};
	*count = 0;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (strcmp(table, tables[i].table) != 0)
			continue;
		hoso_status status = HOSO_OK;
		db_lock(h);
		db_st *st = db_stmt(h, tables[i].id, tables[i].sql, err);
		if (!st) {
			status = db_prep_failed(err);
		} else {
			int rc = db_step(st);
			if (rc == DB_ROW)
				*count = db_col_int64(st, 0);
			else
				status = db_fail(h, rc, "counting the catalogue", err);
			db_stmt_done(st);
		}
		db_unlock(h);
		return status;
	}
	return hoso_err_set(err, HOSO_INVALID, "invalid_table", "table",
	                    "unknown catalogue table \"%s\": use offices, agencies or procedures",
	                    table);
}
