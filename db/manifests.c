/* manifests.c — handover records (biên bản giao nhận) and their lines, the discrepancies
 * reported at confirmation, and the agency fees not yet paid over. */
#include "custody_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const manifest_states[] = {"open", "confirmed", "partial", NULL};
static const char *const line_statuses[] = {"pending", "received", "missing", "damaged", NULL};

/* ---- manifests ---------------------------------------------------------------------- */

#define MANIFEST_COLS \
	"id, agency_code, office_code, created_by, created_by_name, created_at, state, " \
	"confirmed_by, confirmed_by_name, confirmed_at, total_fee_vnd, fees_received_vnd, " \
	"(SELECT count(*) FROM manifest_items mi WHERE mi.manifest_id = manifests.id)"

static void read_manifest(db_st *st, db_manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->id = db_col_int64(st, 0);
	db_col_text(st, 1, m->agency_code, sizeof(m->agency_code));
	db_col_text(st, 2, m->office_code, sizeof(m->office_code));
	m->created_by = db_col_int64(st, 3);
	db_col_text(st, 4, m->created_by_name, sizeof(m->created_by_name));
	m->created_at = db_col_int64(st, 5);
	db_col_text(st, 6, m->state, sizeof(m->state));
	m->confirmed_by = db_col_int64(st, 7);
	db_col_text(st, 8, m->confirmed_by_name, sizeof(m->confirmed_by_name));
	m->confirmed_at = db_col_int64(st, 9);
	m->total_fee_vnd = db_col_int64(st, 10);
	m->fees_received_vnd = db_col_int64(st, 11);
	m->item_count = db_col_int(st, 12);
}

/* Refuses what the table's CHECKs would refuse, with a message naming the field. */
static hoso_status check_manifest(const db_manifest *m, bool is_new, hoso_err *err)
{
	const char *state = m->state[0] || !is_new ? m->state : "open";
	if (!db_custody_one_of(state, manifest_states))
		return hoso_err_set(err, HOSO_INVALID, "invalid_state", "state",
		                    "unknown manifest state \"%s\": use open, confirmed or partial",
		                    m->state);
	if (m->total_fee_vnd < 0 || m->fees_received_vnd < 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_fee",
		                    m->total_fee_vnd < 0 ? "total_fee_vnd" : "fees_received_vnd",
		                    "manifest fees cannot be negative");
	return HOSO_OK;
}

hoso_status db_manifest_insert(db *h, db_manifest *m, hoso_err *err)
{
	hoso_status status = check_manifest(m, true, err);
	if (status != HOSO_OK)
		return status;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_MANIFEST_INSERT,
		"INSERT INTO manifests (agency_code, office_code, created_by, created_by_name, "
		"created_at, state, confirmed_by, confirmed_by_name, confirmed_at, total_fee_vnd, "
		"fees_received_vnd) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
		err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, m->agency_code);
	db_bind_text(st, 2, m->office_code);
	db_bind_int64(st, 3, m->created_by);
	db_bind_text(st, 4, m->created_by_name);
	db_bind_int64(st, 5, m->created_at);
	db_bind_text(st, 6, m->state[0] ? m->state : "open");
	db_bind_int64(st, 7, m->confirmed_by);
	db_bind_text(st, 8, m->confirmed_by_name);
	db_bind_int64(st, 9, m->confirmed_at);
	db_bind_int64(st, 10, m->total_fee_vnd);
	db_bind_int64(st, 11, m->fees_received_vnd);
	status = db_step_id(h, st, "saving a manifest", &m->id, err);
	if (status == HOSO_OK) {
		if (!m->state[0])
			snprintf(m->state, sizeof(m->state), "open");
	}
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_manifest_update(db *h, const db_manifest *m, hoso_err *err)
{
	hoso_status status = check_manifest(m, false, err);
	if (status != HOSO_OK)
		return status;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_MANIFEST_UPDATE,
		"UPDATE manifests SET state = ?2, confirmed_by = ?3, confirmed_by_name = ?4, "
		"confirmed_at = ?5, total_fee_vnd = ?6, fees_received_vnd = ?7 WHERE id = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, m->id);
	db_bind_text(st, 2, m->state);
	db_bind_int64(st, 3, m->confirmed_by);
	db_bind_text(st, 4, m->confirmed_by_name);
	db_bind_int64(st, 5, m->confirmed_at);
	db_bind_int64(st, 6, m->total_fee_vnd);
	db_bind_int64(st, 7, m->fees_received_vnd);
	status = db_step_done(h, st, "updating a manifest", err);
	if (status == HOSO_OK && db_changes(h) == 0)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_manifest", "id",
		                      "manifest %lld does not exist", (long long)m->id);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_manifest_get(db *h, int64_t id, db_manifest *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_MANIFEST_GET,
		"SELECT " MANIFEST_COLS " FROM manifests WHERE id = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_manifest(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_manifest", NULL,
		                      "manifest %lld does not exist", (long long)id);
	else
		status = db_fail(h, rc, "reading a manifest", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* ---- lines -------------------------------------------------------------------------- */

#define LINE_COLS \
	"manifest_id, position, tracking_number, dossier_id, fee_vnd, documents, status, note"

static void read_line(db_st *st, db_manifest_item *it)
{
	memset(it, 0, sizeof(*it));
	it->manifest_id = db_col_int64(st, 0);
	it->position = db_col_int(st, 1);
	db_col_text(st, 2, it->tracking_number, sizeof(it->tracking_number));
	it->dossier_id = db_col_int64(st, 3);
	it->fee_vnd = db_col_int64(st, 4);
	it->documents = db_col_int(st, 5);
	db_col_text(st, 6, it->status, sizeof(it->status));
	db_col_text(st, 7, it->note, sizeof(it->note));
}

static hoso_status check_status(const char *status, hoso_err *err)
{
	if (db_custody_one_of(status, line_statuses))
		return HOSO_OK;
	return hoso_err_set(err, HOSO_INVALID, "invalid_status", "status",
	                    "unknown manifest line status \"%s\": use pending, received, missing "
	                    "or damaged", status ? status : "(null)");
}

hoso_status db_manifest_item_insert(db *h, const db_manifest_item *it, hoso_err *err)
{
	const char *line_status = it->status[0] ? it->status : "pending";
	hoso_status status = check_status(line_status, err);
	if (status != HOSO_OK)
		return status;
	if (it->position < 1 || it->fee_vnd < 0 || it->documents < 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_line",
		                    it->position < 1 ? "position" : it->fee_vnd < 0 ? "fee_vnd"
		                                                                    : "documents",
		                    "manifest line of %s: the position counts from 1, the fee and "
		                    "the number of documents cannot be negative", it->tracking_number);
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_MANIFEST_ITEM_INSERT,
		"INSERT INTO manifest_items (" LINE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, it->manifest_id);
	db_bind_int64(st, 2, it->position);
	db_bind_text(st, 3, it->tracking_number);
	db_bind_int64(st, 4, it->dossier_id);
	db_bind_int64(st, 5, it->fee_vnd);
	db_bind_int64(st, 6, it->documents);
	db_bind_text(st, 7, line_status);
	db_bind_text(st, 8, it->note);
	status = db_step_done(h, st, "adding a line to a manifest", err);
	if (status == HOSO_CONFLICT)
		hoso_err_set(err, HOSO_CONFLICT, "already_on_manifest", "tracking_number",
		             "item %s is already on manifest %lld", it->tracking_number,
		             (long long)it->manifest_id);
	else if (db_custody_fk_failed(h, status))
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_reference", NULL,
		                      "adding %s to manifest %lld: the manifest, the item or dossier "
		                      "%lld does not exist", it->tracking_number,
		                      (long long)it->manifest_id, (long long)it->dossier_id);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_manifest_item_update(db *h, const db_manifest_item *it, hoso_err *err)
{
	hoso_status status = check_status(it->status, err);
	if (status != HOSO_OK)
		return status;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_MANIFEST_ITEM_UPDATE,
		"UPDATE manifest_items SET status = ?3, note = ?4 "
		"WHERE manifest_id = ?1 AND tracking_number = ?2", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, it->manifest_id);
	db_bind_text(st, 2, it->tracking_number);
	db_bind_text(st, 3, it->status);
	db_bind_text(st, 4, it->note);
	status = db_step_done(h, st, "updating a manifest line", err);
	if (status == HOSO_OK && db_changes(h) == 0)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "not_on_manifest", "tracking_number",
		                      "item %s is not on manifest %lld", it->tracking_number,
		                      (long long)it->manifest_id);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* Steps st and collects its lines into a malloc'd array (read_line's columns). */
static hoso_status collect_lines(db *h, db_st *st, size_t limit, const char *what,
                                 db_manifest_item **out, size_t *n, hoso_err *err)
{
	size_t cap = 0, count = 0;
	db_manifest_item *rows = NULL;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		db_manifest_item *grown = db_custody_room(rows, &cap, count, sizeof(*rows), limit);
		if (!grown) {
			free(rows);
			return db_custody_no_memory(err, what);
		}
		rows = grown;
		read_line(st, &rows[count++]);
	}
	if (rc != DB_DONE) {
		free(rows);
		return db_fail(h, rc, what, err);
	}
	*out = rows;
	*n = count;
	return HOSO_OK;
}

hoso_status db_manifest_items(db *h, int64_t manifest_id, db_manifest_item **out, size_t *n,
                              hoso_err *err)
{
	*out = NULL;
	*n = 0;
	hoso_status status;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_MANIFEST_ITEMS,
		"SELECT " LINE_COLS " FROM manifest_items WHERE manifest_id = ?1 "
		"ORDER BY position, tracking_number", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, manifest_id);
	status = collect_lines(h, st, SIZE_MAX, "reading a manifest's lines", out, n, err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* ---- lists -------------------------------------------------------------------------- */

enum { ML_AGENCY = 1, ML_OFFICE = 2, ML_STATE = 4 };

hoso_status db_manifest_list(db *h, const db_manifest_filter *f, db_manifest **out,
                             size_t *n, hoso_err *err)
{
	static const char what[] = "listing manifests";
	*out = NULL;
	*n = 0;
	if (f->state && !db_custody_one_of(f->state, manifest_states))
		return hoso_err_set(err, HOSO_INVALID, "invalid_state", "state",
		                    "unknown manifest state \"%s\": use open, confirmed or partial",
		                    f->state);
	size_t limit = db_custody_limit(f->limit);
	unsigned mask = (f->agency_code ? ML_AGENCY : 0u) | (f->office_code ? ML_OFFICE : 0u) |
	                (f->state ? ML_STATE : 0u);
	/* ?1 agency ?2 office ?3 state ?4 before_id (INT64_MAX for the first page) ?5 limit */
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "SELECT " MANIFEST_COLS " FROM manifests WHERE id < ?4%s%s%s "
	         "ORDER BY id DESC LIMIT ?5",
	         mask & ML_AGENCY ? " AND agency_code = ?1" : "",
	         mask & ML_OFFICE ? " AND office_code = ?2" : "",
	         mask & ML_STATE ? " AND state = ?3" : "");

	hoso_status status = HOSO_OK;
	size_t cap = 0, count = 0;
	db_manifest *rows = NULL;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_MANIFEST_LIST + (int)mask, sql, err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	if (mask & ML_AGENCY)
		db_bind_text(st, 1, f->agency_code);
	if (mask & ML_OFFICE)
		db_bind_text(st, 2, f->office_code);
	if (mask & ML_STATE)
		db_bind_text(st, 3, f->state);
	db_bind_int64(st, 4, f->before_id > 0 ? f->before_id : INT64_MAX);
	db_bind_int64(st, 5, limit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		db_manifest *grown = db_custody_room(rows, &cap, count, sizeof(*rows), limit);
		if (!grown) {
			status = db_custody_no_memory(err, what);
			goto reset;
		}
		rows = grown;
		read_manifest(st, &rows[count++]);
	}
	if (rc != DB_DONE)
		status = db_fail(h, rc, what, err);
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

enum { BY_OFFICE = 1, BY_AGENCY = 2 };

hoso_status db_manifest_discrepancies(db *h, const char *office_code, const char *agency_code,
                                      size_t limit, db_manifest_item **out, size_t *n,
                                      hoso_err *err)
{
	*out = NULL;
	*n = 0;
	limit = db_custody_limit(limit);
	unsigned mask = (office_code ? BY_OFFICE : 0u) | (agency_code ? BY_AGENCY : 0u);
	/* ?1 office ?2 agency ?3 limit */
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "SELECT mi.manifest_id, mi.position, mi.tracking_number, mi.dossier_id, "
	         "mi.fee_vnd, mi.documents, mi.status, mi.note FROM manifest_items mi "
	         "JOIN manifests m ON m.id = mi.manifest_id "
	         "WHERE mi.status IN ('missing', 'damaged')%s%s " /* manifest_items_discrepancy */
	         "ORDER BY mi.manifest_id DESC, mi.position, mi.tracking_number LIMIT ?3",
	         mask & BY_OFFICE ? " AND m.office_code = ?1" : "",
	         mask & BY_AGENCY ? " AND m.agency_code = ?2" : "");
	hoso_status status;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_DISCREPANCIES + (int)mask, sql, err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	if (mask & BY_OFFICE)
		db_bind_text(st, 1, office_code);
	if (mask & BY_AGENCY)
		db_bind_text(st, 2, agency_code);
	db_bind_int64(st, 3, limit);
	status = collect_lines(h, st, limit, "listing manifest discrepancies", out, n, err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* ---- fees not yet paid over ----------------------------------------------------------- */

hoso_status db_fees_unpaid(db *h, const char *office_code, const char *agency_code,
                           size_t limit, db_dossier **out, size_t *n, hoso_err *err)
{
	static const char what[] = "listing fees not yet paid over";
	*out = NULL;
	*n = 0;
	limit = db_custody_limit(limit);
	unsigned mask = (office_code ? BY_OFFICE : 0u) | (agency_code ? BY_AGENCY : 0u);
	/* ?1 office ?2 agency ?3 limit */
	char sql[1024];
	snprintf(sql, sizeof(sql),
	         "SELECT " DB_DOSSIER_COLS_D " FROM dossiers d "
	         "JOIN items i ON i.dossier_id = d.id AND i.role = 'submission' "
	         "WHERE d.fee_vnd > 0%s%s AND NOT EXISTS (SELECT 1 FROM manifest_items mi "
	         "JOIN manifests m ON m.id = mi.manifest_id "
	         "WHERE mi.tracking_number = i.tracking_number AND mi.status = 'received' "
	         "AND m.state IN ('confirmed', 'partial')) "
	         "ORDER BY d.accepted_at, d.id LIMIT ?3",
	         mask & BY_OFFICE ? " AND d.office_code = ?1" : "",
	         mask & BY_AGENCY ? " AND d.agency_code = ?2" : "");

	hoso_status status = HOSO_OK;
	size_t cap = 0, count = 0;
	db_dossier *rows = NULL;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_FEES_UNPAID + (int)mask, sql, err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	if (mask & BY_OFFICE)
		db_bind_text(st, 1, office_code);
	if (mask & BY_AGENCY)
		db_bind_text(st, 2, agency_code);
	db_bind_int64(st, 3, limit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		db_dossier *grown = db_custody_room(rows, &cap, count, sizeof(*rows), limit);
		if (!grown) {
			status = db_custody_no_memory(err, what);
			goto reset;
		}
		rows = grown;
		db_dossier_read_row(st, &rows[count++]);
	}
	if (rc != DB_DONE)
		status = db_fail(h, rc, what, err);
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
