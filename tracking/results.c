/* Results ready at the agency, proofs of delivery, and the lists supervisors read:
 * deadlines, handover discrepancies, fees not yet paid over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "trk_custody.h"
#include "trk_internal.h"
#include "trk_valid.h"

hoso_status trk_result_ready(trk *t, const trk_actor *actor, int64_t dossier_id,
                             const json_t *body, json_t **out, hoso_err *err)
{
	static const char *const keys[] = {"fee_due_vnd", "note", NULL};
	char note[600];
	int64_t fee;
	hoso_status st;
	if ((st = trk_field_only(body, "", keys, err)) ||
	    (st = trk_field_int(body, "", "fee_due_vnd", false, 0, 1000000000LL, 0, &fee, err)) ||
	    (st = trk_field_string(body, "", "note", false, 300, note, sizeof(note), err)))
		return st;
	db_dossier *d = malloc(sizeof(*d));
	if (!d)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	db_item items[2], *res = NULL, *sub = NULL;
	size_t n = 0;
	db_progress p;
	if ((st = db_begin(t->db, err)))
		goto out_d;
	st = db_dossier_get(t->db, dossier_id, d, err);
	if (st == HOSO_NOT_FOUND)
		st = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_dossier", "id",
		                  "no dossier has id %lld", (long long)dossier_id);
	if (st)
		goto out_txn;
	if (!trk_actor_sees_dossier(actor, d)) {
		st = hoso_err_set(err, HOSO_FORBIDDEN, "other_agency", "id",
		                  "dossier %lld belongs to another agency", (long long)dossier_id);
		goto out_txn;
	}
	if ((st = db_items_of_dossier(t->db, dossier_id, items, &n, err)))
		goto out_txn;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(items[i].role, "result"))
			res = &items[i];
		else
			sub = &items[i];
	}
	/* The result exists once the agency has the dossier: received, or sent back. */
	if (sub && strcmp(sub->state, "RECEIVED") && strcmp(sub->state, "RETURNED_INCOMPLETE")) {
		st = hoso_err_set(err, HOSO_CONFLICT, "not_received", "id",
		                  "dossier %lld is %s: the agency has not received it yet",
		                  (long long)dossier_id, sub->state);
		goto out_txn;
	}
	if (!res) {
		res = &items[n];
		memset(res, 0, sizeof(*res));
		if ((st = trk_next_tracking_number(t, t->cfg.result_prefix, res->tracking_number, err)))
			goto out_txn;
		res->dossier_id = d->id;
		snprintf(res->role, sizeof(res->role), "result");
		res->created_at = res->updated_at = trk_now_ms();
		if ((st = db_item_insert(t->db, res, err)))
			goto out_txn;
		db_event ev;
		memset(&ev, 0, sizeof(ev));
		trk_uuid_v7(ev.id);
		snprintf(ev.type, sizeof(ev.type), "accept");
		ev.user_id = actor->user_id;
		snprintf(ev.username, sizeof(ev.username), "%s", actor->username);
		snprintf(ev.place, sizeof(ev.place), "%s", d->agency_code);
		snprintf(ev.from_party, sizeof(ev.from_party), "agency:%.50s", d->agency_code);
		snprintf(ev.to_party, sizeof(ev.to_party), "agency:%.50s", d->agency_code);
		ev.server_time = res->created_at;
		snprintf(ev.data, sizeof(ev.data), "{\"dossier_id\":%lld,\"result_ready\":true}",
		         (long long)d->id);
		if ((st = trk_record_event(t, res, &ev, err)))
			goto out_txn;
		n++;
	} else if (strcmp(res->state, "AWAITING_RESULT") != 0) {
		st = hoso_err_set(err, HOSO_CONFLICT, "illegal_transition", "id",
		                  "the result item %s is already %s", res->tracking_number, res->state);
		goto out_txn;
	}
	if ((st = trk_progress_load(t, res, d, &p, err)))
		goto out_txn;
	p.result_ready_at = trk_now_ms();
	p.fee_due_vnd = fee;
	if (sub) {
		db_progress sp;
		if (trk_progress_load(t, sub, d, &sp, NULL) == HOSO_OK)
			snprintf(p.appointment_date, sizeof(p.appointment_date), "%s",
			         sp.appointment_date);
	}
	if ((st = trk_progress_save(t, res, &p, err)) ||
	    (st = trk_notify(t, "sms", d->applicant_phone, "result_ready", res, d,
	                     json_pack("{s:I}", "fee_due_vnd", (json_int_t)fee), err)) ||
	    (st = db_commit(t->db, err)))
		goto out_d;
	*out = trk_dossier_json(t, d, items, n);
	json_object_set_new(*out, "result_tracking_number", json_string(res->tracking_number));
	json_object_set_new(*out, "fee_due_vnd", json_integer((json_int_t)fee));
	goto out_d;
out_txn:
	db_rollback(t->db);
out_d:
	free(d);
	return st;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

void trk_delivery_view_free(trk_delivery_view *v)
{
	if (!v)
		return;
	free(v->signature);
	free(v);
}

hoso_status trk_delivery_view_load(trk *t, const trk_actor *actor, const char *tn,
                                   trk_delivery_view **out, hoso_err *err)
{
	*out = NULL;
	trk_item_view *iv = NULL;
	hoso_status st = trk_item_view_load(t, actor, tn, &iv, err);
	if (st != HOSO_OK)
		return st;
	trk_delivery_view *v = calloc(1, sizeof(*v));
	if (!v) {
		free(iv);
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	}
	v->item = *iv;
	free(iv);
	db_event *evs = NULL;
	size_t n = 0;
	if ((st = db_events_of_item(t->db, v->item.item.tracking_number, &evs, &n, err)))
		goto fail_v;
	size_t k = n;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(evs[i].type, "deliver"))
			k = i;
	if (k == n) {
		free(evs);
		st = hoso_err_set(err, HOSO_CONFLICT, "not_delivered", "tracking_number",
		                  "item %s has not been delivered (it is %s)",
		                  v->item.item.tracking_number, v->item.item.state);
		goto fail_v;
	}
	v->event = evs[k];
	free(evs);
	json_t *data = json_loads(v->event.data, 0, NULL);
	snprintf(v->receiver_name, sizeof(v->receiver_name), "%s",
	         jstr(data, "receiver_name"));
	snprintf(v->relation, sizeof(v->relation), "%s",
	         jstr(data, "relation"));
	snprintf(v->authorisation_ref, sizeof(v->authorisation_ref), "%s",
	         jstr(data, "authorisation_ref"));
	snprintf(v->id_last4, sizeof(v->id_last4), "%s",
	         jstr(data, "id_last4"));
	snprintf(v->papers_collected, sizeof(v->papers_collected), "%s",
	         jstr(data, "papers_collected"));
	v->fee_collected_vnd = json_integer_value(json_object_get(data, "fee_collected_vnd"));
	json_decref(data);
	trk_format_time_vn(t, v->event.server_time, v->delivered_at_vn);
	trk_chain_short_code(v->event.hash, v->chain_code);
	db_user u;
	if (db_user_get(t->db, v->event.user_id, &u, NULL) == HOSO_OK)
		snprintf(v->courier_name, sizeof(v->courier_name), "%s",
		         u.full_name[0] ? u.full_name : u.username);
	char kind[16];
	st = db_attachment_get(t->db, v->event.id, kind, &v->signature, &v->signature_len, err);
	if (st == HOSO_NOT_FOUND) {
		hoso_err_clear(err);
		st = HOSO_OK;
	}
	if (st != HOSO_OK)
		goto fail_v;
	*out = v;
	return HOSO_OK;
fail_v:
	trk_delivery_view_free(v);
	return st;
}

/* Office and agency filters: an agency officer sees only their agency. */
static hoso_status scope(const trk_actor *a, const char **office, const char **agency,
                         hoso_err *err)
{
	if (*office && !trk_valid_office_code(*office))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "office",
		                    "office must be a 5- or 6-digit post office code");
	if (*agency && !trk_valid_agency_code(*agency))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "agency",
		                    "agency must be an agency code such as 000.00.00.H21");
	if (!strcmp(a->role, "agency"))
		*agency = a->agency_code;
	return HOSO_OK;
}

hoso_status trk_items_due(trk *t, const trk_actor *actor, const char *due, const char *office,
                          const char *agency, const char *limit, json_t **out, hoso_err *err)
{
	hoso_status st = scope(actor, &office, &agency, err);
	if (st != HOSO_OK)
		return st;
	trk_date today = trk_today(t);
	char from[11] = "", to[11] = "";
	if (!due || !strcmp(due, "overdue")) {
		trk_date_format(today - 1, to);
	} else if (!strcmp(due, "today")) {
		trk_date_format(today, from);
		trk_date_format(today, to);
	} else if (!strcmp(due, "soon")) {
		trk_date_format(today, from);
		trk_date_format(trk_calendar_add_working_days(t->cal, today, 2), to);
	} else {
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "due",
		                    "due must be overdue, today or soon");
	}
	long lim = 100;
	if (limit) {
		char *end = NULL;
		lim = strtol(limit, &end, 10);
		if (!*limit || *end || lim < 1 || lim > 1000)
			return hoso_err_set(err, HOSO_INVALID, "invalid_value", "limit",
			                    "limit must be a whole number from 1 to 1000");
	}
	db_due_filter f = {.office_code = office, .agency_code = agency,
	                   .date_from = from[0] ? from : NULL, .date_to = to, .limit = (size_t)lim};
	db_progress *rows = NULL;
	size_t n = 0;
	if ((st = db_progress_due(t->db, &f, &rows, &n, err)))
		return st;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const db_progress *p = &rows[i];
		/* The dossier and the item's role, so a list can name the dossier without a
		 * request per line (one indexed read each, on the server). */
		db_item it;
		hoso_err ignored;
		if (db_item_get(t->db, p->tracking_number, &it, &ignored) != HOSO_OK)
			memset(&it, 0, sizeof(it));
		json_array_append_new(
			arr, json_pack("{s:s, s:I, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:i, s:s}",
			               "tracking_number", p->tracking_number, "dossier_id",
			               (json_int_t)it.dossier_id, "role", it.role[0] ? it.role : NULL,
			               "state", p->state,
			               "office_code", p->office_code, "agency_code", p->agency_code,
			               "due_date", p->due_date[0] ? p->due_date : NULL,
			               "appointment_date", p->appointment_date[0] ? p->appointment_date
			                                                          : NULL,
			               "next_attempt_date", p->next_attempt_date[0] ? p->next_attempt_date
			                                                            : NULL,
			               "hold_until", p->hold_until[0] ? p->hold_until : NULL, "attempts",
			               p->attempts, "custodian", p->custodian));
	}
	free(rows);
	*out = json_pack("{s:s, s:o}", "due", due ? due : "overdue", "items", arr);
	return HOSO_OK;
}

hoso_status trk_discrepancies(trk *t, const trk_actor *actor, const char *office,
                              const char *agency, json_t **out, hoso_err *err)
{
	hoso_status st = scope(actor, &office, &agency, err);
	if (st != HOSO_OK)
		return st;
	db_manifest_item *rows = NULL;
	size_t n = 0;
	if ((st = db_manifest_discrepancies(t->db, office, agency, 500, &rows, &n, err)))
		return st;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:s, s:s, s:I}", "manifest_id",
		                                     (json_int_t)rows[i].manifest_id,
		                                     "tracking_number", rows[i].tracking_number,
		                                     "dossier_id", (json_int_t)rows[i].dossier_id,
		                                     "status", rows[i].status, "note", rows[i].note,
		                                     "fee_vnd", (json_int_t)rows[i].fee_vnd));
	free(rows);
	*out = json_pack("{s:o}", "discrepancies", arr);
	return HOSO_OK;
}

hoso_status trk_fees_unpaid(trk *t, const trk_actor *actor, const char *office,
                            const char *agency, json_t **out, hoso_err *err)
{
	hoso_status st = scope(actor, &office, &agency, err);
	if (st != HOSO_OK)
		return st;
	db_dossier *rows = NULL;
	size_t n = 0;
	if ((st = db_fees_unpaid(t->db, office, agency, 500, &rows, &n, err)))
		return st;
	json_t *arr = json_array();
	json_int_t total = 0;
	for (size_t i = 0; i < n; i++) {
		total += rows[i].fee_vnd;
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "dossier_id",
		                                     (json_int_t)rows[i].id, "office_code",
		                                     rows[i].office_code, "agency_code",
		                                     rows[i].agency_code, "procedure_code",
		                                     rows[i].procedure_code, "fee_vnd",
		                                     (json_int_t)rows[i].fee_vnd, "accepted_date",
		                                     rows[i].accepted_date));
	}
	free(rows);
	*out = json_pack("{s:o, s:I}", "dossiers", arr, "total_vnd", total);
	return HOSO_OK;
}
