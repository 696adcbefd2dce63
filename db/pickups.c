/* pickups.c — home pickups: an applicant asks a courier to collect a dossier at home. */
#include "custody_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const pickup_states[] = {"requested", "assigned", "done", "failed",
                                            "cancelled", NULL};
static const char *const pickup_sources[] = {"counter", "agency", "portal", NULL};

#define PICKUP_COLS \
	"id, state, source, applicant_name, applicant_phone, address, procedure_code, " \
	"window_from, window_to, notes, office_code, assigned_to, assigned_name, created_by, " \
	"created_at, updated_at, dossier_id, failure_reason, client_id, request_digest"

static void read_pickup(db_st *st, db_pickup *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_col_int64(st, 0);
	db_col_text(st, 1, p->state, sizeof(p->state));
	db_col_text(st, 2, p->source, sizeof(p->source));
	db_col_text(st, 3, p->applicant_name, sizeof(p->applicant_name));
	db_col_text(st, 4, p->applicant_phone, sizeof(p->applicant_phone));
	db_col_text(st, 5, p->address, sizeof(p->address));
	db_col_text(st, 6, p->procedure_code, sizeof(p->procedure_code));
	db_col_text(st, 7, p->window_from, sizeof(p->window_from));
	db_col_text(st, 8, p->window_to, sizeof(p->window_to));
	db_col_text(st, 9, p->notes, sizeof(p->notes));
	db_col_text(st, 10, p->office_code, sizeof(p->office_code));
	p->assigned_to = db_col_int64(st, 11);
	db_col_text(st, 12, p->assigned_name, sizeof(p->assigned_name));
	p->created_by = db_col_int64(st, 13);
	p->created_at = db_col_int64(st, 14);
	p->updated_at = db_col_int64(st, 15);
	p->dossier_id = db_col_int64(st, 16);
	db_col_text(st, 17, p->failure_reason, sizeof(p->failure_reason));
	db_col_text(st, 18, p->client_id, sizeof(p->client_id));
	db_col_text(st, 19, p->request_digest, sizeof(p->request_digest));
}

static hoso_status check_state(const char *state, hoso_err *err)
{
	if (db_custody_one_of(state, pickup_states))
		return HOSO_OK;
	return hoso_err_set(err, HOSO_INVALID, "invalid_state", "state",
	                    "unknown pickup state \"%s\": use requested, assigned, done, failed "
	                    "or cancelled", state ? state : "(null)");
}

hoso_status db_pickup_insert(db *h, db_pickup *p, hoso_err *err)
{
	const char *state = p->state[0] ? p->state : "requested";
	hoso_status status = check_state(state, err);
	if (status != HOSO_OK)
		return status;
	if (!db_custody_one_of(p->source, pickup_sources))
		return hoso_err_set(err, HOSO_INVALID, "invalid_source", "source",
		                    "unknown pickup source \"%s\": use counter, agency or portal",
		                    p->source);
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_PICKUP_INSERT,
		"INSERT INTO pickups (state, source, applicant_name, applicant_phone, address, "
		"procedure_code, window_from, window_to, notes, office_code, assigned_to, "
		"assigned_name, created_by, created_at, updated_at, dossier_id, failure_reason, "
		"client_id, request_digest) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
		"?18, ?19) RETURNING id",
		err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, state);
	db_bind_text(st, 2, p->source);
	db_bind_text(st, 3, p->applicant_name);
	db_bind_text(st, 4, p->applicant_phone);
	db_bind_text(st, 5, p->address);
	db_bind_text(st, 6, p->procedure_code);
	db_bind_text(st, 7, p->window_from);
	db_bind_text(st, 8, p->window_to);
	db_bind_text(st, 9, p->notes);
	db_bind_text(st, 10, p->office_code);
	db_bind_int64(st, 11, p->assigned_to);
	db_bind_text(st, 12, p->assigned_name);
	db_bind_int64(st, 13, p->created_by);
	db_bind_int64(st, 14, p->created_at);
	db_bind_int64(st, 15, p->updated_at);
	db_bind_int64(st, 16, p->dossier_id);
	db_bind_text(st, 17, p->failure_reason);
	db_bind_text(st, 18, p->client_id);
	db_bind_text(st, 19, p->request_digest);
	status = db_step_id(h, st, "saving a pickup request", &p->id, err);
	if (status == HOSO_OK) {
		if (!p->state[0])
			snprintf(p->state, sizeof(p->state), "%s", state);
	}
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_pickup_update(db *h, const db_pickup *p, hoso_err *err)
{
	hoso_status status = check_state(p->state, err);
	if (status != HOSO_OK)
		return status;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_PICKUP_UPDATE,
		"UPDATE pickups SET state = ?2, assigned_to = ?3, assigned_name = ?4, "
		"dossier_id = ?5, failure_reason = ?6, updated_at = ?7 WHERE id = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, p->id);
	db_bind_text(st, 2, p->state);
	db_bind_int64(st, 3, p->assigned_to);
	db_bind_text(st, 4, p->assigned_name);
	db_bind_int64(st, 5, p->dossier_id);
	db_bind_text(st, 6, p->failure_reason);
	db_bind_int64(st, 7, p->updated_at);
	status = db_step_done(h, st, "updating a pickup", err);
	if (status == HOSO_OK && db_changes(h) == 0)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_pickup", "id",
		                      "pickup %lld does not exist", (long long)p->id);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* One pickup by id (client_id NULL) or by client_id. */
static hoso_status get_one(db *h, int64_t id, const char *client_id, db_pickup *out,
                           hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_lock(h);
	db_st *st = client_id
		? db_custody_stmt(h, CS_PICKUP_BY_CLIENT,
		                  "SELECT " PICKUP_COLS " FROM pickups WHERE client_id = ?1 "
		                  "AND client_id <> ''", err)
		: db_custody_stmt(h, CS_PICKUP_GET, "SELECT " PICKUP_COLS " FROM pickups WHERE id = ?1",
		                  err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	if (client_id)
		db_bind_text(st, 1, client_id);
	else
		db_bind_int64(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_pickup(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_pickup", NULL,
		                      "pickup %lld does not exist", (long long)id);
	else
		status = db_fail(h, rc, "reading a pickup", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_pickup_get(db *h, int64_t id, db_pickup *out, hoso_err *err)
{
	return get_one(h, id, NULL, out, err);
}

hoso_status db_pickup_get_by_client(db *h, const char *client_id, db_pickup *out,
                                    hoso_err *err)
{
	return get_one(h, 0, client_id, out, err);
}

enum { PL_OFFICE = 1, PL_COURIER = 2, PL_STATE = 4 };

hoso_status db_pickup_list(db *h, const db_pickup_filter *f, db_pickup **out, size_t *n,
                           hoso_err *err)
{
	static const char what[] = "listing pickups";
	*out = NULL;
	*n = 0;
	if (f->state) {
		hoso_status bad = check_state(f->state, err);
		if (bad != HOSO_OK)
			return bad;
	}
	size_t limit = db_custody_limit(f->limit);
	unsigned mask = (f->office_code ? PL_OFFICE : 0u) | (f->assigned_to ? PL_COURIER : 0u) |
	                (f->state ? PL_STATE : 0u);
	/* ?1 office ?2 courier ?3 state ?4 limit */
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "SELECT " PICKUP_COLS " FROM pickups WHERE 1 = 1%s%s%s "
	         "ORDER BY window_from, id LIMIT ?4",
	         mask & PL_OFFICE ? " AND office_code = ?1" : "",
	         mask & PL_COURIER ? " AND assigned_to = ?2" : "",
	         mask & PL_STATE ? " AND state = ?3" : "");

	hoso_status status = HOSO_OK;
	size_t cap = 0, count = 0;
	db_pickup *rows = NULL;
	db_lock(h);
	db_st *st = db_custody_stmt(h, CS_PICKUP_LIST + (int)mask, sql, err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	if (mask & PL_OFFICE)
		db_bind_text(st, 1, f->office_code);
	if (mask & PL_COURIER)
		db_bind_int64(st, 2, f->assigned_to);
	if (mask & PL_STATE)
		db_bind_text(st, 3, f->state);
	db_bind_int64(st, 4, limit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		db_pickup *grown = db_custody_room(rows, &cap, count, sizeof(*rows), limit);
		if (!grown) {
			status = db_custody_no_memory(err, what);
			goto reset;
		}
		rows = grown;
		read_pickup(st, &rows[count++]);
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
