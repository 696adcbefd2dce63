/* custody.c — what db_custody.h's files share, items' progress and its due lists, event
 * attachments, and named savepoints inside a use case. */
#include "custody_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ----------------------------------------------------------------- */

db_st *db_custody_stmt(db *h, int slot, const char *sql, hoso_err *err)
{
	if (slot < ST_CUSTODY_FIRST_ || slot >= CS_END_) {
		hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
		             "statement slot %d is outside the custody range (a bug in db/)", slot);
		return NULL;
	}
	return db_stmt_slot(h, &h->stmts[slot], sql, err);
}

size_t db_custody_limit(size_t limit)
{
	return limit == 0 ? 50 : limit > 1000 ? 1000 : limit;
}

void *db_custody_room(void *rows, size_t *cap, size_t count, size_t elem, size_t limit)
{
	if (count < *cap)
		return rows;
	size_t ncap = *cap ? *cap * 2 : 4;
	if (ncap > limit)
		ncap = limit > count ? limit : count + 1;
	void *grown = realloc(rows, ncap * elem);
	if (grown)
		*cap = ncap;
	return grown;
}

hoso_status db_custody_no_memory(hoso_err *err, const char *what)
{
	return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "%s: out of memory", what);
}

bool db_custody_one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

bool db_custody_fk_failed(db *h, hoso_status status)
{
	return status != HOSO_OK && db_fk_failed(h);
}

/* ---- progress ----------------------------------------------------------------------- */

#define PROGRESS_COLS \
	"tracking_number, office_code, agency_code, state, due_date, filed_at, receipt_number, " \
	"appointment_date, attempts, next_attempt_date, hold_until, custodian, manifest_id, " \
	"fee_due_vnd, result_ready_at"

/* Word for word the predicate of the partial index item_progress_due (schema_v2.c); final
 * states have no next_deadline (nearest_deadline). */
#define PROGRESS_DUE_WHERE "next_deadline <> ''"

/* PROGRESS_COLS of the table aliased p. */
#define PROGRESS_COLS_P \
	"p.tracking_number, p.office_code, p.agency_code, p.state, p.due_date, p.filed_at, " \
	"p.receipt_number, p.appointment_date, p.attempts, p.next_attempt_date, p.hold_until, " \
	"p.custodian, p.manifest_id, p.fee_due_vnd, p.result_ready_at"

/* Reads PROGRESS_COLS from column c on. */
static void read_progress_at(db_st *st, int c, db_progress *p)
{
	memset(p, 0, sizeof(*p));
	db_col_text(st, c + 0, p->tracking_number, sizeof(p->tracking_number));
	db_col_text(st, c + 1, p->office_code, sizeof(p->office_code));
	db_col_text(st, c + 2, p->agency_code, sizeof(p->agency_code));
	db_col_text(st, c + 3, p->state, sizeof(p->state));
	db_col_text(st, c + 4, p->due_date, sizeof(p->due_date));
	p->filed_at = db_col_int64(st, c + 5);
	db_col_text(st, c + 6, p->receipt_number, sizeof(p->receipt_number));
	db_col_text(st, c + 7, p->appointment_date, sizeof(p->appointment_date));
	p->attempts = db_col_int(st, c + 8);
	db_col_text(st, c + 9, p->next_attempt_date, sizeof(p->next_attempt_date));
	db_col_text(st, c + 10, p->hold_until, sizeof(p->hold_until));
	db_col_text(st, c + 11, p->custodian, sizeof(p->custodian));
	p->manifest_id = db_col_int64(st, c + 12);
	p->fee_due_vnd = db_col_int64(st, c + 13);
	p->result_ready_at = db_col_int64(st, c + 14);
}

static void read_progress(db_st *st, db_progress *p)
{
	read_progress_at(st, 0, p);
}

/* The nearest of the item's deadlines: the smallest non-empty date, "" when none or when
 * the item is in a final state (so the due index needs no condition on the state: a
 * condition on state made SQLite check four values at every state change). */
static const char *nearest_deadline(const db_progress *p)
{
	static const char *const final[] = {"DELIVERED", "RECEIVED", "RETURNED_TO_AGENCY",
	                                    "RETURNED_INCOMPLETE"};
	for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
		if (!strcmp(p->state, final[i]))
			return "";
	const char *dates[] = {p->due_date, p->appointment_date, p->next_attempt_date,
	                       p->hold_until};
	const char *best = "";
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		if (dates[i][0] && (!best[0] || strcmp(dates[i], best) < 0))
			best = dates[i];
	return best;
}

hoso_status db_progress_get(db *h, const char *tracking_number, db_progress *out,
                            hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_PROGRESS_GET,
		"SELECT " PROGRESS_COLS " FROM item_progress WHERE tracking_number = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, tracking_number);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_progress(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "no_progress", NULL,
		                      "item %s has no progress recorded yet", tracking_number);
	else
		status = db_fail(h, rc, "reading an item's progress", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_progress_put(db *h, const db_progress *p, hoso_err *err)
{
	if (p->attempts < 0 || p->fee_due_vnd < 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_progress",
		                    p->attempts < 0 ? "attempts" : "fee_due_vnd",
		                    "progress of item %s: %s cannot be negative", p->tracking_number,
		                    p->attempts < 0 ? "the number of attempts" : "the fee due");
	hoso_status status;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_PROGRESS_PUT,
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
		"next_deadline = excluded.next_deadline", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, p->tracking_number);
	db_bind_text(st, 2, p->office_code);
	db_bind_text(st, 3, p->agency_code);
	db_bind_text(st, 4, p->state);
	db_bind_text(st, 5, p->due_date);
	db_bind_int64(st, 6, p->filed_at);
	db_bind_text(st, 7, p->receipt_number);
	db_bind_text(st, 8, p->appointment_date);
	db_bind_int64(st, 9, p->attempts);
	db_bind_text(st, 10, p->next_attempt_date);
	db_bind_text(st, 11, p->hold_until);
	db_bind_text(st, 12, p->custodian);
	db_bind_int64(st, 13, p->manifest_id);
	db_bind_int64(st, 14, p->fee_due_vnd);
	db_bind_int64(st, 15, p->result_ready_at);
	db_bind_text(st, 16, nearest_deadline(p));
	status = db_step_done(h, st, "saving an item's progress", err);
	if (db_custody_fk_failed(h, status))
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_item", "tracking_number",
		                      "saving progress: item %s does not exist", p->tracking_number);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

enum { DUE_OFFICE = 1, DUE_AGENCY = 2 };

/* ?1 office ?2 agency ?3 from ?4 to ?5 limit. The range is always bound ("" .. "9999-99-99"
 * when open) so that every variant is an index range scan in deadline order. */
static void due_sql(unsigned mask, char *sql, size_t size)
{
	snprintf(sql, size,
	         "SELECT " PROGRESS_COLS " FROM item_progress WHERE " PROGRESS_DUE_WHERE
	         " AND next_deadline >= ?3 AND next_deadline <= ?4%s%s "
	         "ORDER BY next_deadline, tracking_number LIMIT ?5",
	         mask & DUE_OFFICE ? " AND office_code = ?1" : "",
	         mask & DUE_AGENCY ? " AND agency_code = ?2" : "");
}

hoso_status db_progress_due(db *h, const db_due_filter *f, db_progress **out, size_t *n,
                            hoso_err *err)
{
	static const char what[] = "listing items near their deadline";
	*out = NULL;
	*n = 0;
	size_t limit = db_custody_limit(f->limit);
	unsigned mask = (f->office_code ? DUE_OFFICE : 0u) | (f->agency_code ? DUE_AGENCY : 0u);
	char sql[768];
	due_sql(mask, sql, sizeof(sql));

	hoso_status status = HOSO_OK;
	size_t cap = 0, count = 0;
	db_progress *rows = NULL;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_PROGRESS_DUE + (int)mask, sql, err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	if (mask & DUE_OFFICE)
		db_bind_text(st, 1, f->office_code);
	if (mask & DUE_AGENCY)
		db_bind_text(st, 2, f->agency_code);
	db_bind_text(st, 3, f->date_from ? f->date_from : "");
	db_bind_text(st, 4, f->date_to ? f->date_to : "9999-99-99");
	db_bind_int64(st, 5, limit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		db_progress *grown = db_custody_room(rows, &cap, count, sizeof(*rows), limit);
		if (!grown) {
			status = db_custody_no_memory(err, what);
			goto reset;
		}
		rows = grown;
		read_progress(st, &rows[count++]);
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

/* ---- attachments -------------------------------------------------------------------- */

hoso_status db_attachment_put(db *h, const char *event_id, const char *kind,
                              const unsigned char *data, size_t len, hoso_err *err)
{
	size_t klen = kind ? strlen(kind) : 0;
	if (klen == 0 || klen > 15)
		return hoso_err_set(err, HOSO_INVALID, "invalid_kind", "kind",
		                    "attachment of event %s: the kind must be 1 to 15 bytes "
		                    "(e.g. \"signature\")", event_id);
	if (!data || len == 0)
		return hoso_err_set(err, HOSO_INVALID, "empty_attachment", "data",
		                    "attachment of event %s is empty: nothing to store", event_id);
	hoso_status status;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_ATTACHMENT_PUT,
		"INSERT INTO attachments (event_id, kind, data, size) VALUES (?1, ?2, ?3, ?4)", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, event_id);
	db_bind_text(st, 2, kind);
	db_bind_blob(st, 3, data, len);
	db_bind_int64(st, 4, len);
	status = db_step_done(h, st, "saving an attachment", err);
	if (status == HOSO_CONFLICT)
		hoso_err_set(err, HOSO_CONFLICT, "attachment_exists", "event_id",
		             "event %s already has an attachment; attachments are never replaced",
		             event_id);
	else if (db_custody_fk_failed(h, status))
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_event", "event_id",
		                      "attachment: event %s has not been recorded; record the event "
		                      "first", event_id);
	db_stmt_done(st); /* clears the binding of data before the caller may free it */
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_attachment_get(db *h, const char *event_id, char kind[16],
                              unsigned char **data, size_t *len, hoso_err *err)
{
	*data = NULL;
	*len = 0;
	kind[0] = '\0';
	hoso_status status = HOSO_OK;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_ATTACHMENT_GET,
		"SELECT kind, data FROM attachments WHERE event_id = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, event_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const void *b = db_col_blob(st, 1);
		size_t size = (size_t)db_col_bytes(st, 1);
		unsigned char *copy = malloc(size ? size : 1);
		if (!copy) {
			status = db_custody_no_memory(err, "reading an attachment");
			goto reset;
		}
		if (size)
			memcpy(copy, b, size);
		db_col_text(st, 0, kind, 16);
		*data = copy;
		*len = size;
	} else if (rc == DB_DONE) {
		status = hoso_err_set(err, HOSO_NOT_FOUND, "no_attachment", NULL,
		                      "event %s has no attachment", event_id);
	} else {
		status = db_fail(h, rc, "reading an attachment", err);
	}
reset:
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* ---- savepoints --------------------------------------------------------------------- */

/* [a-z_]{1,31}, and not the savepoint txn.c wraps every use case in. */
static bool savepoint_name_ok(const char *name)
{
	size_t len = 0;
	for (; name && name[len]; len++)
		if (!((name[len] >= 'a' && name[len] <= 'z') || name[len] == '_'))
			return false;
	return len >= 1 && len <= 31 && strcmp(name, "use_case") != 0;
}

enum savepoint_op { SP_OPEN, SP_RELEASE, SP_ROLLBACK };

/* Savepoint statements are prepared once and kept (sqlite3_exec would parse them on every
 * event of a batch): one slot per operation, after the custody slots of
 * custody_internal.h; a slot holding another name's statement is prepared again. */
enum {
	CS_SP_OPEN_ = CS_END_,
	CS_SP_RELEASE_,
	CS_SP_ROLLBACK_TO_,
	CS_SP_ROLLBACK_RELEASE_,
	CS_EVENT_CONTEXT_,
	CS_PROGRESS_LIGHT_,
	CS_OWN_END_,
};
_Static_assert(CS_OWN_END_ <= ST_CUSTODY_LAST_ + 1,
               "db_internal.h reserves too few statement slots for db_custody.h");

/* Opens, releases or rolls back to savepoint name inside the open use case. */
static hoso_status savepoint_exec(db *h, enum savepoint_op op, const char *name, hoso_err *err)
{
	const char *what = op == SP_OPEN      ? "opening savepoint"
	                   : op == SP_RELEASE ? "releasing savepoint"
	                                      : "rolling back to savepoint";
	if (!savepoint_name_ok(name))
		return hoso_err_set(err, HOSO_INTERNAL, "bad_savepoint", NULL,
		                    "%s: the name \"%.40s\" is refused: use 1 to 31 of a-z and _, "
		                    "not use_case (a bug in the caller)", what, name ? name : "(null)");
	char sql[64];
	hoso_status status = HOSO_OK;
	db_lock(h);
	if (!h->in_txn) {
		status = hoso_err_set(err, HOSO_INTERNAL, "no_transaction", NULL,
		                      "%s %s: no transaction is open on this handle; call "
		                      "db_begin() first (a bug in the caller)", what, name);
		goto unlock;
	}
	/* Where the name stands among the open savepoints (n_savepoints when absent). */
	unsigned at = h->n_savepoints;
	for (unsigned i = h->n_savepoints; i-- > 0;)
		if (!strcmp(h->savepoints[i], name)) {
			at = i;
			break;
		}
	if (op == SP_OPEN && h->n_savepoints == sizeof(h->savepoints) / sizeof(h->savepoints[0])) {
		status = hoso_err_set(err, HOSO_INTERNAL, "bad_savepoint", NULL,
		                      "%s %s: %u savepoints are open already (a bug in the caller)",
		                      what, name, h->n_savepoints);
		goto unlock;
	}
	if (op != SP_OPEN && at == h->n_savepoints) {
		status = hoso_err_set(err, HOSO_INTERNAL, "bad_savepoint", NULL,
		                      "%s %s: no such savepoint is open (a bug in the caller); "
		                      "nothing was done", what, name);
		goto unlock;
	}
	int rc;
	if (op == SP_OPEN) {
		snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
		rc = db_exec_cached(h, CS_SP_OPEN_, sql);
	} else if (op == SP_RELEASE) {
		snprintf(sql, sizeof(sql), "RELEASE %s", name);
		rc = db_exec_cached(h, CS_SP_RELEASE_, sql);
	} else {
		/* As "ROLLBACK TO name; RELEASE name": the release only once the rollback worked. */
		snprintf(sql, sizeof(sql), "ROLLBACK TO %s", name);
		rc = db_exec_cached(h, CS_SP_ROLLBACK_TO_, sql);
		if (rc == DB_OK) {
			snprintf(sql, sizeof(sql), "RELEASE %s", name);
			rc = db_exec_cached(h, CS_SP_ROLLBACK_RELEASE_, sql);
		}
	}
	if (rc == DB_OK && op == SP_OPEN)
		snprintf(h->savepoints[h->n_savepoints++], sizeof(h->savepoints[0]), "%s", name);
	else if (rc == DB_OK)
		h->n_savepoints = at; /* it and every later one are gone */
	if (rc != DB_OK) {
		char detail[96];
		snprintf(detail, sizeof(detail), "%s %s", what, name);
		status = db_fail(h, rc, detail, err);
	}
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_savepoint(db *h, const char *name, hoso_err *err)
{
	return savepoint_exec(h, SP_OPEN, name, err);
}

hoso_status db_savepoint_release(db *h, const char *name, hoso_err *err)
{
	return savepoint_exec(h, SP_RELEASE, name, err);
}

void db_savepoint_rollback(db *h, const char *name)
{
	hoso_err ignored;
	savepoint_exec(h, SP_ROLLBACK, name, &ignored);
}

/* ---- what recording an event reads ---------------------------------------------------- */

hoso_status db_event_context_get(db *h, const char *tracking_number, db_item *item,
                                 db_dossier *dossier, db_progress *progress,
                                 bool *has_progress, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	*has_progress = false;
	db_lock(h); /* custody slots live on the main connection */
	db_st *st = db_stmt_slot(h, &h->stmts[CS_EVENT_CONTEXT_],
		"SELECT i.tracking_number, i.dossier_id, i.role, i.state, i.created_at, "
		"i.updated_at, i.last_seq, i.last_hash, "
		"d.id, d.agency_code, d.office_code, d.applicant_phone, d.portal_code, "
		"d.route_class, d.due_date, d.procedure_code, d.service, d.accepted_at, "
		"d.accepted_date, p.tracking_number, " PROGRESS_COLS_P " "
		"FROM items i LEFT JOIN dossiers d ON d.id = i.dossier_id "
		"LEFT JOIN item_progress p ON p.tracking_number = i.tracking_number "
		"WHERE i.tracking_number = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, tracking_number);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		/* The item as db_item_get reads it. */
		memset(item, 0, sizeof(*item));
		db_col_text(st, 0, item->tracking_number, sizeof(item->tracking_number));
		item->dossier_id = db_col_int64(st, 1);
		db_col_text(st, 2, item->role, sizeof(item->role));
		db_col_text(st, 3, item->state, sizeof(item->state));
		item->created_at = db_col_int64(st, 4);
		item->updated_at = db_col_int64(st, 5);
		item->last_seq = db_col_int64(st, 6);
		db_col_hash(st, 7, item->last_hash);
		if (db_col_null(st, 8)) {
			status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_dossier", NULL,
			                      "dossier %lld does not exist", (long long)item->dossier_id);
			goto reset;
		}
		/* The dossier's short fields; the long ones (applicant's name, address, documents,
		 * notes) are left empty: an event does not need them. */
		dossier->id = db_col_int64(st, 8);
		db_col_text(st, 9, dossier->agency_code, sizeof(dossier->agency_code));
		db_col_text(st, 10, dossier->office_code, sizeof(dossier->office_code));
		db_col_text(st, 11, dossier->applicant_phone, sizeof(dossier->applicant_phone));
		db_col_text(st, 12, dossier->portal_code, sizeof(dossier->portal_code));
		db_col_text(st, 13, dossier->route_class, sizeof(dossier->route_class));
		db_col_text(st, 14, dossier->due_date, sizeof(dossier->due_date));
		db_col_text(st, 15, dossier->procedure_code, sizeof(dossier->procedure_code));
		db_col_text(st, 16, dossier->service, sizeof(dossier->service));
		dossier->accepted_at = db_col_int64(st, 17);
		db_col_text(st, 18, dossier->accepted_date, sizeof(dossier->accepted_date));
		dossier->applicant_kind[0] = dossier->applicant_name[0] = '\0';
		dossier->applicant_id_number[0] = dossier->applicant_address[0] = '\0';
		dossier->applicant_email[0] = dossier->documents[0] = '\0';
		dossier->payment_method[0] = dossier->notes[0] = '\0';
		dossier->postage_vnd = dossier->fee_vnd = dossier->created_by = 0;
		dossier->appointment_slip = false;
		if (!db_col_null(st, 19)) {
			read_progress_at(st, 20, progress);
			*has_progress = true;
		}
	} else if (rc == DB_DONE) {
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_item", NULL,
		                      "item %s does not exist", tracking_number);
	} else {
		status = db_fail(h, rc, "reading an item, its dossier and progress", err);
	}
reset:
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_progress_update(db *h, const db_progress *before, const db_progress *p,
                               hoso_err *err)
{
	/* Only when the indexed columns (and the deadlines next_deadline derives from) stay:
	 * then an UPDATE of the others leaves item_progress_office and _agency alone. */
	if (strcmp(before->tracking_number, p->tracking_number) != 0 ||
	    strcmp(before->office_code, p->office_code) != 0 ||
	    strcmp(before->agency_code, p->agency_code) != 0 ||
	    strcmp(before->due_date, p->due_date) != 0 ||
	    strcmp(before->appointment_date, p->appointment_date) != 0 ||
	    strcmp(before->next_attempt_date, p->next_attempt_date) != 0 ||
	    strcmp(before->hold_until, p->hold_until) != 0 ||
	    strcmp(nearest_deadline(before), nearest_deadline(p)) != 0 || p->attempts < 0 ||
	    p->fee_due_vnd < 0)
		return db_progress_put(h, p, err);
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt_slot(h, &h->stmts[CS_PROGRESS_LIGHT_],
		"UPDATE item_progress SET state = ?2, filed_at = ?3, receipt_number = ?4, "
		"attempts = ?5, custodian = ?6, manifest_id = ?7, fee_due_vnd = ?8, "
		"result_ready_at = ?9 WHERE tracking_number = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, p->tracking_number);
	db_bind_text(st, 2, p->state);
	db_bind_int64(st, 3, p->filed_at);
	db_bind_text(st, 4, p->receipt_number);
	db_bind_int64(st, 5, p->attempts);
	db_bind_text(st, 6, p->custodian);
	db_bind_int64(st, 7, p->manifest_id);
	db_bind_int64(st, 8, p->fee_due_vnd);
	db_bind_int64(st, 9, p->result_ready_at);
	status = db_step_done(h, st, "saving an item's progress", err);
	bool missing = status == HOSO_OK && db_changes(h) == 0;
	db_stmt_done(st);
	if (missing) /* the row went away meanwhile: write it whole */
		status = db_progress_put(h, p, err);
unlock:
	db_unlock(h);
	return status;
}
