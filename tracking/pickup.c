/* Home pickups: a request recorded by a clerk (or sent by an agency or the portal), given to
 * a courier, and ended at the door by an acceptance (`pickup` event) or a failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "trk_custody.h"
#include "trk_internal.h"
#include "trk_valid.h"

static json_t *pickup_json(const trk *t, const db_pickup *p)
{
	char created[32];
	trk_format_time(t, p->created_at, created);
	return json_pack("{s:I, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, "
	                 "s:s, s:o?, s:s?}",
	                 "id", (json_int_t)p->id, "state", p->state, "source", p->source,
	                 "applicant", "name", p->applicant_name, "phone", p->applicant_phone,
	                 "address", p->address, "procedure_code", p->procedure_code,
	                 "window_from", p->window_from, "window_to", p->window_to, "notes",
	                 p->notes[0] ? p->notes : NULL, "office_code", p->office_code, "courier",
	                 p->assigned_name[0] ? p->assigned_name : NULL, "created_at", created,
	                 "dossier_id", p->dossier_id ? json_integer(p->dossier_id) : NULL,
	                 "failure_reason", p->failure_reason[0] ? p->failure_reason : NULL);
}

/* "2026-11-28T08:00" (local time, minutes). */
static bool valid_local_time(const char *s)
{
	int h, m;
	char date[11];
	trk_date d;
	if (strlen(s) != 16 || s[10] != 'T' || s[13] != ':')
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	return trk_date_parse(date, &d) && sscanf(s + 11, "%2d:%2d", &h, &m) == 2 && h >= 0 &&
	       h < 24 && m >= 0 && m < 60;
}

static hoso_status find_courier(trk *t, const char *username, const char *office, db_user *u,
                                hoso_err *err)
{
	if (db_user_get_by_name(t->db, username, u, NULL) != HOSO_OK || strcmp(u->role, "courier"))
		return hoso_err_set(err, HOSO_INVALID, "unknown_courier", "courier",
		                    "\"%.60s\" is not a courier", username);
	if (u->disabled)
		return hoso_err_set(err, HOSO_INVALID, "inactive_courier", "courier",
		                    "courier %s is deactivated", username);
	if (office[0] && u->office_code[0] && strcmp(u->office_code, office) != 0)
		return hoso_err_set(err, HOSO_INVALID, "other_office", "courier",
		                    "courier %s works for office %s, not %s", username, u->office_code,
		                    office);
	return HOSO_OK;
}

hoso_status trk_courier_list(trk *t, const trk_actor *actor, json_t **out, hoso_err *err)
{
	/* A clerk gives pickups only to couriers of their own office (find_courier refuses the
	 * others); a clerk without an office, a supervisor or an admin sees them all. */
	const char *office = actor && !strcmp(actor->role, "clerk") ? actor->office_code : "";
	db_user *rows = NULL;
	size_t n = 0;
	hoso_status st = db_courier_list(t->db, office, &rows, &n, err);
	if (st != HOSO_OK)
		return st;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?}", "username", rows[i].username,
		                                     "full_name", rows[i].full_name, "office_code",
		                                     rows[i].office_code[0] ? rows[i].office_code
		                                                            : NULL));
	free(rows);
	*out = json_pack("{s:o}", "couriers", arr);
	return HOSO_OK;
}

hoso_status trk_pickup_create(trk *t, const trk_actor *actor, const json_t *body, json_t **out,
                              bool *created, hoso_err *err)
{
	static const char *const keys[] = {"applicant", "address", "procedure_code",
	                                   "window_from", "window_to", "notes", "office_code",
	                                   "courier", "client_id", NULL};
	static const char *const akeys[] = {"name", "phone", NULL};
	db_pickup p = {0};
	char phone[64], courier[64], office[16];
	hoso_status st;
	const json_t *a = json_object_get(body, "applicant");
	if ((st = trk_field_only(body, "", keys, err)))
		return st;
	if (!json_is_object(a))
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "applicant",
		                    "applicant is required: {name, phone}");
	if ((st = trk_field_only(a, "applicant", akeys, err)) ||
	    (st = trk_field_string(a, "applicant", "name", true, 200, p.applicant_name,
	                           sizeof(p.applicant_name), err)) ||
	    (st = trk_field_string(a, "applicant", "phone", true, 24, phone, sizeof(phone), err)) ||
	    (st = trk_field_string(body, "", "address", true, 300, p.address, sizeof(p.address),
	                           err)) ||
	    (st = trk_field_string(body, "", "procedure_code", true, 12, p.procedure_code,
	                           sizeof(p.procedure_code), err)) ||
	    (st = trk_field_string(body, "", "window_from", true, 16, p.window_from,
	                           sizeof(p.window_from), err)) ||
	    (st = trk_field_string(body, "", "window_to", true, 16, p.window_to,
	                           sizeof(p.window_to), err)) ||
	    (st = trk_field_string(body, "", "notes", false, 300, p.notes, sizeof(p.notes), err)) ||
	    (st = trk_field_string(body, "", "office_code", false, 6, office, sizeof(office), err)) ||
	    (st = trk_field_string(body, "", "courier", false, 63, courier, sizeof(courier), err)) ||
	    (st = trk_field_string(body, "", "client_id", false, 36, p.client_id,
	                           sizeof(p.client_id), err)))
		return st;
	if (p.client_id[0] && !trk_valid_uuid(p.client_id))
		return hoso_err_set(err, HOSO_INVALID, "invalid_uuid", "client_id",
		                    "client_id must be a UUID such as "
		                    "6f1c2b7e-8d7a-4c55-9a4e-0b4f3c2d1e10");
	if (!trk_phone_normalize(phone, p.applicant_phone))
		return hoso_err_set(err, HOSO_INVALID, "invalid_phone", "applicant.phone",
		                    "applicant.phone is not a Vietnamese phone number");
	db_procedure *proc = malloc(sizeof(*proc));
	bool known = proc && trk_valid_procedure_code(p.procedure_code) &&
	             db_procedure_get(t->db, p.procedure_code, proc, NULL) == HOSO_OK;
	free(proc);
	if (!known)
		return hoso_err_set(err, HOSO_INVALID, "unknown_procedure", "procedure_code",
		                    "procedure %s is not in the catalogue", p.procedure_code);
	if (!valid_local_time(p.window_from))
		return hoso_err_set(err, HOSO_INVALID, "invalid_time", "window_from",
		                    "window_from must be a local time such as 2026-11-28T08:00");
	if (!valid_local_time(p.window_to) || strcmp(p.window_to, p.window_from) <= 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_time", "window_to",
		                    "window_to must be a local time after window_from");
	if (!office[0])
		snprintf(office, sizeof(office), "%s", actor->office_code);
	db_office o;
	if (!trk_valid_office_code(office) || db_office_get(t->db, office, &o, NULL) != HOSO_OK)
		return hoso_err_set(err, HOSO_INVALID, "unknown_office", "office_code",
		                    "office_code must name the post office that sends the courier");
	snprintf(p.office_code, sizeof(p.office_code), "%s", office);
	snprintf(p.source, sizeof(p.source), "%s", strcmp(actor->role, "agency") ? "counter"
	                                                                         : "agency");
	snprintf(p.state, sizeof(p.state), "requested");
	if (courier[0]) {
		db_user u;
		if ((st = find_courier(t, courier, office, &u, err)))
			return st;
		p.assigned_to = u.id;
		snprintf(p.assigned_name, sizeof(p.assigned_name), "%s", u.username);
		snprintf(p.state, sizeof(p.state), "assigned");
	}
	p.created_by = actor->user_id;
	p.created_at = p.updated_at = trk_now_ms();
	trk_body_digest(body, p.request_digest);
	*created = false;
	if ((st = db_begin(t->db, err)))
		return st;
	if (p.client_id[0]) {
		db_pickup first;
		st = db_pickup_get_by_client(t->db, p.client_id, &first, err);
		if (st == HOSO_OK) {
			db_rollback(t->db);
			if (strcmp(first.request_digest, p.request_digest) != 0)
				return hoso_err_set(err, HOSO_CONFLICT, "duplicate_id", "client_id",
				                    "client_id was already used for a different request");
			*out = pickup_json(t, &first);
			return HOSO_OK;
		}
		if (st != HOSO_NOT_FOUND) {
			db_rollback(t->db);
			return st;
		}
		hoso_err_clear(err);
	}
	if ((st = db_pickup_insert(t->db, &p, err)) || (st = db_commit(t->db, err))) {
		db_rollback(t->db);
		return st;
	}
	*created = true;
	*out = pickup_json(t, &p);
	return HOSO_OK;
}

/* Loads a pickup the actor may act on. */
static hoso_status load(trk *t, const trk_actor *a, int64_t id, db_pickup *p, hoso_err *err)
{
	hoso_status st = db_pickup_get(t->db, id, p, err);
	if (st == HOSO_NOT_FOUND)
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_pickup", "id",
		                    "no pickup request has id %lld", (long long)id);
	if (st)
		return st;
	if (!strcmp(a->role, "courier") && p->assigned_to != a->user_id)
		return hoso_err_set(err, HOSO_FORBIDDEN, "not_assigned", "id",
		                    "pickup %lld is not assigned to you", (long long)id);
	return HOSO_OK;
}

hoso_status trk_pickup_assign(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                              json_t **out, hoso_err *err)
{
	static const char *const keys[] = {"courier", NULL};
	char courier[64];
	db_pickup p;
	db_user u;
	hoso_status st;
	if ((st = trk_field_only(body, "", keys, err)) ||
	    (st = trk_field_string(body, "", "courier", true, 63, courier, sizeof(courier), err)) ||
	    (st = db_begin(t->db, err)))
		return st;
	if ((st = load(t, actor, id, &p, err)) || (st = find_courier(t, courier, p.office_code, &u,
	                                                             err)))
		goto out_txn;
	if (strcmp(p.state, "requested") && strcmp(p.state, "assigned")) {
		st = hoso_err_set(err, HOSO_CONFLICT, "pickup_closed", "id",
		                  "pickup %lld is %s", (long long)id, p.state);
		goto out_txn;
	}
	p.assigned_to = u.id;
	snprintf(p.assigned_name, sizeof(p.assigned_name), "%s", u.username);
	snprintf(p.state, sizeof(p.state), "assigned");
	p.updated_at = trk_now_ms();
	if ((st = db_pickup_update(t->db, &p, err)) || (st = db_commit(t->db, err)))
		goto out_txn;
	*out = pickup_json(t, &p);
	return HOSO_OK;
out_txn:
	db_rollback(t->db);
	return st;
}

hoso_status trk_pickup_list(trk *t, const trk_actor *actor, const char *state, json_t **out,
                            hoso_err *err)
{
	static const char *const states[] = {"requested", "assigned", "done", "failed",
	                                     "cancelled", NULL};
	bool ok = !state;
	for (size_t i = 0; state && states[i]; i++)
		ok = ok || !strcmp(state, states[i]);
	if (!ok)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "state",
		                    "state must be requested, assigned, done, failed or cancelled");
	db_pickup_filter f = {.state = state, .limit = 200};
	if (!strcmp(actor->role, "courier"))
		f.assigned_to = actor->user_id;
	else if (!strcmp(actor->role, "clerk"))
		f.office_code = actor->office_code;
	db_pickup *rows = NULL;
	size_t n = 0;
	hoso_status st = db_pickup_list(t->db, &f, &rows, &n, err);
	if (st)
		return st;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, pickup_json(t, &rows[i]));
	free(rows);
	*out = json_pack("{s:o}", "pickups", arr);
	return HOSO_OK;
}

struct done_ctx {
	db_pickup *p;
};

static hoso_status mark_done(trk *t, const db_dossier *d, void *ctx, hoso_err *err)
{
	db_pickup *p = ((struct done_ctx *)ctx)->p;
	p->dossier_id = d->id;
	snprintf(p->state, sizeof(p->state), "done");
	p->updated_at = trk_now_ms();
	return db_pickup_update(t->db, p, err);
}

hoso_status trk_pickup_accept(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                              json_t **out, bool *created, hoso_err *err)
{
	db_pickup p;
	hoso_status st = load(t, actor, id, &p, err);
	if (st)
		return st;
	if (strcmp(p.state, "assigned") != 0)
		return hoso_err_set(err, HOSO_CONFLICT, "pickup_closed", "id",
		                    "pickup %lld is %s, not assigned", (long long)id, p.state);
	struct done_ctx ctx = {&p};
	return trk_dossier_accept_as(t, actor, body, "pickup", mark_done, &ctx, out, created, err);
}

hoso_status trk_pickup_fail(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                            json_t **out, hoso_err *err)
{
	static const char *const keys[] = {"reason", NULL};
	db_pickup p;
	hoso_status st;
	if ((st = trk_field_only(body, "", keys, err)) || (st = db_begin(t->db, err)))
		return st;
	if ((st = load(t, actor, id, &p, err)) ||
	    (st = trk_field_string(body, "", "reason", true, 200, p.failure_reason,
	                           sizeof(p.failure_reason), err)))
		goto out_txn;
	if (strcmp(p.state, "assigned") != 0) {
		st = hoso_err_set(err, HOSO_CONFLICT, "pickup_closed", "id",
		                  "pickup %lld is %s, not assigned", (long long)id, p.state);
		goto out_txn;
	}
	snprintf(p.state, sizeof(p.state), "failed");
	p.updated_at = trk_now_ms();
	if ((st = db_pickup_update(t->db, &p, err)) || (st = db_commit(t->db, err)))
		goto out_txn;
	log_info("pickup %lld failed: %s", (long long)id, p.failure_reason);
	*out = pickup_json(t, &p);
	return HOSO_OK;
out_txn:
	db_rollback(t->db);
	return st;
}
