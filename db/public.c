/* public.c — the public tracking reads (an item's view and its timeline in two statements,
 * the items of a portal dossier code) and the lock on the phone-digit check. */
#include "db_internal.h"
#include "db_public.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statement slots of this file inside db_internal.h's ST_PUBLIC range; complaints.c
 * numbers its own from PS_END_. */
enum {
	PS_TRACK_ITEM = ST_PUBLIC_FIRST_,
	PS_TRACK_EVENTS,
	PS_PORTAL_ITEMS,
	PS_LOCKOUT_GET,
	PS_LOCKOUT_PUT,
	PS_LOCKOUT_CLEAR,
	PS_END_,
};

static db_st *stmt(db *h, int slot, const char *sql, hoso_err *err)
{
	return db_stmt(h, (enum db_stmt_id)slot, sql, err);
}

static void read_view(db_st *st, db_track_item *v)
{
	db_item *it = &v->item;
	db_col_text(st, 0, it->tracking_number, sizeof(it->tracking_number));
	it->dossier_id = db_col_int64(st, 1);
	db_col_text(st, 2, it->role, sizeof(it->role));
	db_col_text(st, 3, it->state, sizeof(it->state));
	it->created_at = db_col_int64(st, 4);
	it->updated_at = db_col_int64(st, 5);
	it->last_seq = db_col_int64(st, 6);
	db_col_hash(st, 7, it->last_hash);
	v->dossier_id = it->dossier_id;
	db_col_text(st, 8, v->procedure_code, sizeof(v->procedure_code));
	db_col_text(st, 9, v->procedure_name, sizeof(v->procedure_name));
	db_col_text(st, 10, v->agency_code, sizeof(v->agency_code));
	db_col_text(st, 11, v->agency_name, sizeof(v->agency_name));
	db_col_text(st, 12, v->office_code, sizeof(v->office_code));
	db_col_text(st, 13, v->office_name, sizeof(v->office_name));
	db_col_text(st, 14, v->office_address, sizeof(v->office_address));
	db_col_text(st, 15, v->office_phone, sizeof(v->office_phone));
	db_col_text(st, 16, v->portal_code, sizeof(v->portal_code));
	db_col_text(st, 17, v->route_class, sizeof(v->route_class));
	db_col_text(st, 18, v->accepted_date, sizeof(v->accepted_date));
	db_col_text(st, 19, v->dossier_due_date, sizeof(v->dossier_due_date));
	db_col_text(st, 20, v->applicant_name, sizeof(v->applicant_name));
	db_col_text(st, 21, v->applicant_phone, sizeof(v->applicant_phone));
	db_col_text(st, 22, v->applicant_id_number, sizeof(v->applicant_id_number));
	db_col_text(st, 23, v->applicant_address, sizeof(v->applicant_address));
	v->has_progress = db_col_int(st, 24) != 0;
	db_col_text(st, 25, v->due_date, sizeof(v->due_date));
	db_col_text(st, 26, v->appointment_date, sizeof(v->appointment_date));
	db_col_text(st, 27, v->next_attempt_date, sizeof(v->next_attempt_date));
	db_col_text(st, 28, v->hold_until, sizeof(v->hold_until));
}

static hoso_status read_events(db *h, const char *tn, db_track_item *v, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	size_t cap = 0;
	db_st *st = stmt(h, PS_TRACK_EVENTS,
		"SELECT e.type, e.state_to, e.place, coalesce(o.name, a.name, ''), e.server_time, "
		"CASE e.type WHEN 'attempt' THEN coalesce(json_extract(e.data, '$.reason'), '') "
		"ELSE '' END, "
		"CASE e.type WHEN 'deliver' THEN coalesce(json_extract(e.data, '$.receiver_name'), '') "
		"ELSE '' END, "
		"CASE e.type WHEN 'deliver' THEN coalesce(json_extract(e.data, '$.relation'), '') "
		"ELSE '' END "
		"FROM events e LEFT JOIN offices o ON o.code = e.place "
		"LEFT JOIN agencies a ON a.code = e.place "
		"WHERE e.tracking_number = ?1 ORDER BY e.seq", err);
	if (!st)
		return db_prep_failed(err);
	db_bind_text(st, 1, tn);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (v->n_events == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			db_track_event *grown = realloc(v->events, ncap * sizeof(*grown));
			if (!grown) {
				status = hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
				                      "reading a timeline: out of memory");
				goto done;
			}
			v->events = grown;
			cap = ncap;
		}
		db_track_event *e = &v->events[v->n_events++];
		db_col_text(st, 0, e->type, sizeof(e->type));
		db_col_text(st, 1, e->state_to, sizeof(e->state_to));
		db_col_text(st, 2, e->place, sizeof(e->place));
		db_col_text(st, 3, e->place_name, sizeof(e->place_name));
		e->server_time = db_col_int64(st, 4);
		db_col_text(st, 5, e->reason, sizeof(e->reason));
		db_col_text(st, 6, e->receiver_name, sizeof(e->receiver_name));
		db_col_text(st, 7, e->relation, sizeof(e->relation));
	}
	if (rc != DB_DONE)
		status = db_fail(h, rc, "reading a timeline", err);
done:
	db_stmt_done(st);
	return status;
}

hoso_status db_track_item_get(db *h, const char *tracking_number, bool with_events,
                              db_track_item *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	memset(out, 0, sizeof(*out));
	db_read_lock(h);
	db_st *st = stmt(h, PS_TRACK_ITEM,
		"SELECT i.tracking_number, i.dossier_id, i.role, i.state, i.created_at, i.updated_at, "
		"i.last_seq, i.last_hash, d.procedure_code, coalesce(pr.name, ''), d.agency_code, "
		"coalesce(a.name, ''), coalesce(o.code, d.office_code), coalesce(o.name, ''), "
		"coalesce(o.address, ''), coalesce(o.phone, ''), d.portal_code, d.route_class, "
		"d.accepted_date, d.due_date, d.applicant_name, d.applicant_phone, "
		"d.applicant_id_number, d.applicant_address, p.tracking_number IS NOT NULL, "
		"coalesce(p.due_date, ''), coalesce(p.appointment_date, ''), "
		"coalesce(p.next_attempt_date, ''), coalesce(p.hold_until, '') "
		"FROM items i JOIN dossiers d ON d.id = i.dossier_id "
		"LEFT JOIN item_progress p ON p.tracking_number = i.tracking_number "
		"LEFT JOIN procedures pr ON pr.code = d.procedure_code "
		"LEFT JOIN agencies a ON a.code = d.agency_code "
		"LEFT JOIN offices o ON o.code = coalesce(nullif(p.office_code, ''), d.office_code) "
		"WHERE i.tracking_number = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, tracking_number);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_view(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "not_found", "tracking_number",
		                      "no item has tracking number %s", tracking_number);
	else
		status = db_fail(h, rc, "reading an item's tracking view", err);
	db_stmt_done(st);
	if (status == HOSO_OK && with_events)
		status = read_events(h, out->item.tracking_number, out, err);
	if (status != HOSO_OK)
		db_track_item_free(out);
unlock:
	db_read_unlock(h);
	return status;
}

void db_track_item_free(db_track_item *v)
{
	if (!v)
		return;
	free(v->events);
	v->events = NULL;
	v->n_events = 0;
}

hoso_status db_track_portal_items(db *h, const char *portal_code, char out[2][16], size_t *n,
                                  hoso_err *err)
{
	hoso_status status = HOSO_OK;
	*n = 0;
	db_read_lock(h);
	/* the newest dossier with that code, should the portal reuse one */
	db_st *st = stmt(h, PS_PORTAL_ITEMS,
		"SELECT i.tracking_number FROM items i WHERE i.dossier_id = "
		"(SELECT max(id) FROM dossiers WHERE portal_code = ?1 AND portal_code <> '') "
		"ORDER BY CASE i.role WHEN 'submission' THEN 0 ELSE 1 END LIMIT 2", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, portal_code);
	int rc;
	while ((rc = db_step(st)) == DB_ROW && *n < 2)
		db_col_text(st, 0, out[(*n)++], 16);
	if (rc != DB_DONE && rc != DB_ROW)
		status = db_fail(h, rc, "finding a portal dossier's items", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

/* ---- lock on the phone-digit check ----------------------------------------------- */

hoso_status db_lockout_get(db *h, const char *tracking_number, db_lockout *out,
                           hoso_err *err)
{
	hoso_status status = HOSO_OK;
	memset(out, 0, sizeof(*out));
	snprintf(out->tracking_number, sizeof(out->tracking_number), "%s", tracking_number);
	db_read_lock(h);
	db_st *st = stmt(h, PS_LOCKOUT_GET,
		"SELECT failures, locked_until, updated_at FROM track_lockouts "
		"WHERE tracking_number = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, tracking_number);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		out->failures = db_col_int(st, 0);
		out->locked_until = db_col_int64(st, 1);
		out->updated_at = db_col_int64(st, 2);
	} else if (rc != DB_DONE) {
		status = db_fail(h, rc, "reading a lookup lock", err);
	}
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_lockout_put(db *h, const db_lockout *l, hoso_err *err)
{
	if (l->failures < 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_lockout", "failures",
		                    "a lookup lock cannot count negative failures");
	hoso_status status;
	db_lock(h);
	db_st *st = stmt(h, PS_LOCKOUT_PUT,
		"INSERT INTO track_lockouts (tracking_number, failures, locked_until, updated_at) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tracking_number) DO UPDATE SET "
		"failures = excluded.failures, locked_until = excluded.locked_until, "
		"updated_at = excluded.updated_at", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, l->tracking_number);
	db_bind_int64(st, 2, l->failures);
	db_bind_int64(st, 3, l->locked_until);
	db_bind_int64(st, 4, l->updated_at);
	status = db_step_done(h, st, "recording a wrong phone-digit try", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_lockout_clear(db *h, const char *tracking_number, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = stmt(h, PS_LOCKOUT_CLEAR,
		"DELETE FROM track_lockouts WHERE tracking_number = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, tracking_number);
	status = db_step_done(h, st, "clearing a lookup lock", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}
