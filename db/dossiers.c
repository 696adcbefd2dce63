/* dossiers.c — dossiers and their postal items. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- dossiers ----------------------------------------------------------------------- */

#define DOSSIER_COLS \
	"id, procedure_code, agency_code, office_code, service, applicant_kind, " \
	"applicant_name, applicant_phone, applicant_id_number, applicant_address, " \
	"applicant_email, documents, postage_vnd, fee_vnd, payment_method, portal_code, notes, " \
	"route_class, appointment_slip, created_by, accepted_at, accepted_date, due_date"

void db_dossier_read_row(db_st *st, db_dossier *d)
{
	memset(d, 0, sizeof(*d));
	d->id = db_col_int64(st, 0);
	db_col_text(st, 1, d->procedure_code, sizeof(d->procedure_code));
	db_col_text(st, 2, d->agency_code, sizeof(d->agency_code));
	db_col_text(st, 3, d->office_code, sizeof(d->office_code));
	db_col_text(st, 4, d->service, sizeof(d->service));
	db_col_text(st, 5, d->applicant_kind, sizeof(d->applicant_kind));
	db_col_text(st, 6, d->applicant_name, sizeof(d->applicant_name));
	db_col_text(st, 7, d->applicant_phone, sizeof(d->applicant_phone));
	db_col_text(st, 8, d->applicant_id_number, sizeof(d->applicant_id_number));
	db_col_text(st, 9, d->applicant_address, sizeof(d->applicant_address));
	db_col_text(st, 10, d->applicant_email, sizeof(d->applicant_email));
	db_col_text(st, 11, d->documents, sizeof(d->documents));
	d->postage_vnd = db_col_int64(st, 12);
	d->fee_vnd = db_col_int64(st, 13);
	db_col_text(st, 14, d->payment_method, sizeof(d->payment_method));
	db_col_text(st, 15, d->portal_code, sizeof(d->portal_code));
	db_col_text(st, 16, d->notes, sizeof(d->notes));
	db_col_text(st, 17, d->route_class, sizeof(d->route_class));
	d->appointment_slip = db_col_int(st, 18) != 0;
	d->created_by = db_col_int64(st, 19);
	d->accepted_at = db_col_int64(st, 20);
	db_col_text(st, 21, d->accepted_date, sizeof(d->accepted_date));
	db_col_text(st, 22, d->due_date, sizeof(d->due_date));
}

hoso_status db_dossier_insert(db *h, db_dossier *d, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_DOSSIER_INSERT,
		"INSERT INTO dossiers (procedure_code, agency_code, office_code, service, "
		"applicant_kind, applicant_name, applicant_phone, applicant_id_number, "
		"applicant_address, applicant_email, documents, postage_vnd, fee_vnd, payment_method, "
		"portal_code, notes, route_class, appointment_slip, created_by, accepted_at, "
		"accepted_date, due_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		"?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) RETURNING id", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, d->procedure_code);
	db_bind_text(st, 2, d->agency_code);
	db_bind_text(st, 3, d->office_code);
	db_bind_text(st, 4, d->service);
	db_bind_text(st, 5, d->applicant_kind);
	db_bind_text(st, 6, d->applicant_name);
	db_bind_text(st, 7, d->applicant_phone);
	db_bind_text(st, 8, d->applicant_id_number);
	db_bind_text(st, 9, d->applicant_address);
	db_bind_text(st, 10, d->applicant_email);
	db_bind_text(st, 11, d->documents[0] ? d->documents : "[]");
	db_bind_int64(st, 12, d->postage_vnd);
	db_bind_int64(st, 13, d->fee_vnd);
	db_bind_text(st, 14, d->payment_method);
	db_bind_text(st, 15, d->portal_code);
	db_bind_text(st, 16, d->notes);
	db_bind_text(st, 17, d->route_class);
	db_bind_int64(st, 18, d->appointment_slip ? 1 : 0);
	db_bind_int64(st, 19, d->created_by);
	db_bind_int64(st, 20, d->accepted_at);
	db_bind_text(st, 21, d->accepted_date);
	db_bind_text(st, 22, d->due_date);
	status = db_step_id(h, st, "saving a dossier", &d->id, err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_dossier_get(db *h, int64_t id, db_dossier *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_DOSSIER_GET,
		"SELECT " DOSSIER_COLS " FROM dossiers WHERE id = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		db_dossier_read_row(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_dossier", NULL,
		                      "dossier %lld does not exist", (long long)id);
	else
		status = db_fail(h, rc, "reading a dossier", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

/* Filters in use, one bit each; the SQL of every combination is cached in its own slot. */
enum {
	F_OFFICE = 1, F_AGENCY = 2, F_FROM = 4, F_TO = 8, F_STATE = 16,
};

/* Builds the SQL of one filter combination: ?1 office ?2 agency ?3 from ?4 to ?5 state
 * ?6 before_id (0 = none) ?7 limit. */
static void dossier_list_sql(unsigned mask, char *sql, size_t size)
{
	snprintf(sql, size,
	         "SELECT " DOSSIER_COLS " FROM dossiers d WHERE (?6 = 0 OR d.id < ?6)%s%s%s%s%s "
	         "ORDER BY d.id DESC LIMIT ?7",
	         mask & F_OFFICE ? " AND d.office_code = ?1" : "",
	         mask & F_AGENCY ? " AND d.agency_code = ?2" : "",
	         mask & F_FROM ? " AND d.accepted_date >= ?3" : "",
	         mask & F_TO ? " AND d.accepted_date <= ?4" : "",
	         mask & F_STATE ? " AND EXISTS (SELECT 1 FROM items i WHERE i.dossier_id = d.id "
	                          "AND i.state = ?5)" : "");
}

/* limit 0 means 50; limits above 1000 are cut to 1000. */
hoso_status db_dossier_list(db *h, const db_dossier_filter *f, db_dossier **out, size_t *n,
                            hoso_err *err)
{
	*out = NULL;
	*n = 0;
	size_t limit = f->limit == 0 ? 50 : f->limit > 1000 ? 1000 : f->limit;
	unsigned mask = (f->office_code ? F_OFFICE : 0u) | (f->agency_code ? F_AGENCY : 0u) |
	                (f->date_from ? F_FROM : 0u) | (f->date_to ? F_TO : 0u) |
	                (f->state ? F_STATE : 0u);
	char sql[1024];
	dossier_list_sql(mask, sql, sizeof(sql));

	hoso_status status = HOSO_OK;
	size_t cap = 1, count = 0;
	db_dossier *rows = calloc(cap, sizeof(*rows));
	if (!rows)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
		                    "listing dossiers: out of memory");
	db_lock(h);
	db_st *st = db_stmt_slot(h, &h->dossier_list[mask], sql, err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	if (mask & F_OFFICE)
		db_bind_text(st, 1, f->office_code);
	if (mask & F_AGENCY)
		db_bind_text(st, 2, f->agency_code);
	if (mask & F_FROM)
		db_bind_text(st, 3, f->date_from);
	if (mask & F_TO)
		db_bind_text(st, 4, f->date_to);
	if (mask & F_STATE)
		db_bind_text(st, 5, f->state);
	db_bind_int64(st, 6, f->before_id > 0 ? f->before_id : 0);
	db_bind_int64(st, 7, limit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (count == cap) {
			size_t ncap = cap * 2 < limit ? cap * 2 : limit;
			db_dossier *grown = realloc(rows, ncap * sizeof(*rows));
			if (!grown) {
				status = hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
				                      "listing dossiers: out of memory");
				goto reset;
			}
			rows = grown;
			cap = ncap;
		}
		db_dossier_read_row(st, &rows[count++]);
	}
	if (rc != DB_DONE)
		status = db_fail(h, rc, "listing dossiers", err);
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

/* ---- items -------------------------------------------------------------------------- */

#define ITEM_COLS \
	"tracking_number, dossier_id, role, state, created_at, updated_at, last_seq, last_hash"

static void read_item(db_st *st, db_item *it)
{
	memset(it, 0, sizeof(*it));
	db_col_text(st, 0, it->tracking_number, sizeof(it->tracking_number));
	it->dossier_id = db_col_int64(st, 1);
	db_col_text(st, 2, it->role, sizeof(it->role));
	db_col_text(st, 3, it->state, sizeof(it->state));
	it->created_at = db_col_int64(st, 4);
	it->updated_at = db_col_int64(st, 5);
	it->last_seq = db_col_int64(st, 6);
	db_col_hash(st, 7, it->last_hash);
}

hoso_status db_item_insert(db *h, const db_item *it, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_ITEM_INSERT,
		"INSERT INTO items (" ITEM_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, it->tracking_number);
	db_bind_int64(st, 2, it->dossier_id);
	db_bind_text(st, 3, it->role);
	db_bind_text(st, 4, it->state);
	db_bind_int64(st, 5, it->created_at);
	db_bind_int64(st, 6, it->updated_at);
	db_bind_int64(st, 7, it->last_seq);
	db_bind_blob(st, 8, it->last_hash, 32);
	status = db_step_done(h, st, "saving an item", err);
	if (status == HOSO_CONFLICT)
		hoso_err_set(err, HOSO_CONFLICT, "item_exists", "tracking_number",
		             "item %s already exists, or dossier %lld already has a %s item",
		             it->tracking_number, (long long)it->dossier_id, it->role);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_item_get(db *h, const char *tracking_number, db_item *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_ITEM_GET,
		"SELECT " ITEM_COLS " FROM items WHERE tracking_number = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, tracking_number);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_item(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_item", NULL,
		                      "item %s does not exist", tracking_number);
	else
		status = db_fail(h, rc, "reading an item", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_items_of_dossier(db *h, int64_t dossier_id, db_item out[2], size_t *n,
                                hoso_err *err)
{
	hoso_status status = HOSO_OK;
	*n = 0;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_ITEMS_OF_DOSSIER,
		"SELECT " ITEM_COLS " FROM items WHERE dossier_id = ?1 "
		"ORDER BY CASE role WHEN 'submission' THEN 0 ELSE 1 END LIMIT 2", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, dossier_id);
	int rc = DB_DONE;
	while (*n < 2 && (rc = db_step(st)) == DB_ROW)
		read_item(st, &out[(*n)++]);
	if (*n < 2 && rc != DB_DONE)
		status = db_fail(h, rc, "reading a dossier's items", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_item_advance(db *h, const char *tracking_number, const char *state,
                            int64_t seq, const uint8_t hash[32], int64_t updated_at,
                            hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_ITEM_ADVANCE,
		"UPDATE items SET state = ?2, last_seq = ?3, last_hash = ?4, updated_at = ?5 "
		"WHERE tracking_number = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, tracking_number);
	db_bind_text(st, 2, state);
	db_bind_int64(st, 3, seq);
	db_bind_blob(st, 4, hash, 32);
	db_bind_int64(st, 5, updated_at);
	status = db_step_done(h, st, "updating an item", err);
	if (status == HOSO_OK && db_changes(h) == 0)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_item", NULL,
		                      "item %s does not exist", tracking_number);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}
