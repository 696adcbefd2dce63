/* Read-only use cases: dossiers, items, timelines and the catalogue as the API shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "trk_internal.h"
#include "trk_s10.h"
#include "trk_valid.h"

json_t *trk_item_json(const trk *t, const db_item *it, const db_dossier *d)
{
	char created[32], updated[32], url[320], label[64], code[9];
	trk_format_time(t, it->created_at, created);
	trk_format_time(t, it->updated_at, updated);
	snprintf(url, sizeof(url), "%s/t/%s", t->cfg.public_base_url, it->tracking_number);
	snprintf(label, sizeof(label), "/api/v1/items/%s/label.pdf", it->tracking_number);
	trk_chain_short_code(it->last_hash, code);
	bool submission = strcmp(it->role, "submission") == 0;
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s?, s:s}",
	                 "tracking_number", it->tracking_number, "role", it->role, "state",
	                 it->state, "dossier_id", (json_int_t)it->dossier_id, "created_at",
	                 created, "updated_at", updated, "label_url", label, "tracking_url", url,
	                 "due_date", (submission && d && d->due_date[0]) ? d->due_date : NULL,
	                 "chain_code", code);
}

json_t *trk_dossier_json(const trk *t, const db_dossier *d, const db_item *items, size_t n)
{
	char accepted[32], note[64], print[64];
	trk_format_time(t, d->accepted_at, accepted);
	snprintf(note, sizeof(note), "/api/v1/dossiers/%lld/note.pdf", (long long)d->id);
	snprintf(print, sizeof(print), "/api/v1/dossiers/%lld/print.pdf", (long long)d->id);
	json_t *docs = json_loads(d->documents, 0, NULL);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(arr, trk_item_json(t, &items[i], d));
	}
	json_t *o = json_pack(
		"{s:I, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s?}, s:o, s:I, s:I, s:s, "
		"s:s?, s:s?, s:s, s:b, s:s, s:s, s:s?, s:o, s:s, s:s}",
		"id", (json_int_t)d->id, "procedure_code", d->procedure_code, "agency_code",
		d->agency_code, "office_code", d->office_code, "service", d->service, "applicant",
		"kind", d->applicant_kind, "name", d->applicant_name, "phone", d->applicant_phone,
		"id_number", d->applicant_id_number, "address", d->applicant_address, "email",
		d->applicant_email[0] ? d->applicant_email : NULL, "documents",
		docs ? docs : json_array(), "postage_vnd", (json_int_t)d->postage_vnd, "fee_vnd",
		(json_int_t)d->fee_vnd, "payment_method", d->payment_method, "portal_code",
		d->portal_code[0] ? d->portal_code : NULL, "notes", d->notes[0] ? d->notes : NULL,
		"route_class", d->route_class, "appointment_slip", d->appointment_slip,
		"accepted_at", accepted, "accepted_date", d->accepted_date, "due_date",
		d->due_date[0] ? d->due_date : NULL, "items", arr, "note_url", note,
		"print_url", print);
	return o;
}

/* Loads an item by a scanned or typed number and checks the actor may see it. */
static hoso_status load_item(trk *t, const trk_actor *actor, const char *input, db_item *it,
                             db_dossier *d, hoso_err *err)
{
	char tn[TRK_S10_LEN + 1];
	hoso_status st = trk_s10_parse(input, "tracking_number", tn, err);
	if (st != HOSO_OK)
		return st;
	st = db_item_get(t->db, tn, it, err);
	if (st == HOSO_NOT_FOUND)
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_item", "tracking_number",
		                    "no item has tracking number %s", tn);
	if (st != HOSO_OK)
		return st;
	if ((st = db_dossier_get(t->db, it->dossier_id, d, err)) != HOSO_OK)
		return st;
	if (!trk_actor_sees_dossier(actor, d))
		return hoso_err_set(err, HOSO_FORBIDDEN, "other_agency", "tracking_number",
		                    "item %s belongs to another agency", tn);
	return HOSO_OK;
}

hoso_status trk_item_get(trk *t, const trk_actor *actor, const char *tn, json_t **out,
                         hoso_err *err)
{
	db_item it;
	db_dossier *d = malloc(sizeof(*d));
	if (!d)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	hoso_status st = load_item(t, actor, tn, &it, d, err);
	if (st == HOSO_OK) {
		*out = trk_item_json(t, &it, d);
		json_object_set_new(*out, "procedure_code", json_string(d->procedure_code));
		json_object_set_new(*out, "agency_code", json_string(d->agency_code));
		json_object_set_new(*out, "office_code", json_string(d->office_code));
		json_object_set_new(*out, "service", json_string(d->service));
		db_progress p;
		if (db_progress_get(t->db, it.tracking_number, &p, NULL) == HOSO_OK)
			json_object_set_new(*out, "progress", trk_progress_json(t, &p));
	}
	free(d);
	return st;
}

json_t *trk_progress_json(const trk *t, const db_progress *p)
{
	char filed[32];
	if (p->filed_at)
		trk_format_time(t, p->filed_at, filed);
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:i, s:s?, s:s?, s:s, s:I, s:b}",
	                 "due_date", p->due_date[0] ? p->due_date : NULL,
	                 "filed_at", p->filed_at ? filed : NULL,
	                 "receipt_number", p->receipt_number[0] ? p->receipt_number : NULL,
	                 "appointment_date", p->appointment_date[0] ? p->appointment_date : NULL,
	                 "attempts", p->attempts,
	                 "next_attempt_date", p->next_attempt_date[0] ? p->next_attempt_date : NULL,
	                 "hold_until", p->hold_until[0] ? p->hold_until : NULL,
	                 "custodian", p->custodian,
	                 "fee_due_vnd", (json_int_t)p->fee_due_vnd,
	                 "result_ready", p->result_ready_at != 0);
}

hoso_status trk_dossier_get(trk *t, const trk_actor *actor, int64_t id, json_t **out,
                            hoso_err *err)
{
	db_dossier *d = malloc(sizeof(*d));
	if (!d)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	db_item items[2];
	size_t n = 0;
	hoso_status st = db_dossier_get(t->db, id, d, err);
	if (st == HOSO_NOT_FOUND)
		st = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_dossier", "id",
		                  "no dossier has id %lld", (long long)id);
	else if (st == HOSO_OK && !trk_actor_sees_dossier(actor, d))
		st = hoso_err_set(err, HOSO_FORBIDDEN, "other_agency", "id",
		                  "dossier %lld belongs to another agency", (long long)id);
	if (st == HOSO_OK && (st = db_items_of_dossier(t->db, id, items, &n, err)) == HOSO_OK)
		*out = trk_dossier_json(t, d, items, n);
	free(d);
	return st;
}

static hoso_status parse_positive(const char *s, const char *field, int64_t max, int64_t *out,
                                  hoso_err *err)
{
	char *end = NULL;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || v < 1 || v > max)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", field,
		                    "%s must be a whole number from 1 to %lld", field, (long long)max);
	*out = v;
	return HOSO_OK;
}

hoso_status trk_dossier_list(trk *t, const trk_actor *actor, const trk_dossier_query *q,
                             json_t **out, hoso_err *err)
{
	db_dossier_filter f = {0};
	trk_date dt;
	int64_t limit = 50, before = 0;
	hoso_status st;
	if (q->limit && (st = parse_positive(q->limit, "limit", 200, &limit, err)))
		return st;
	if (q->before && (st = parse_positive(q->before, "before", INT64_MAX, &before, err)))
		return st;
	if (q->date_from && !trk_date_parse(q->date_from, &dt))
		return hoso_err_set(err, HOSO_INVALID, "invalid_date", "from",
		                    "from must be a date YYYY-MM-DD");
	if (q->date_to && !trk_date_parse(q->date_to, &dt))
		return hoso_err_set(err, HOSO_INVALID, "invalid_date", "to",
		                    "to must be a date YYYY-MM-DD");
	trk_state s;
	if (q->state && !trk_state_parse(q->state, &s))
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "state",
		                    "state \"%.30s\" is not an item state such as ACCEPTED", q->state);
	if (q->office_code && !trk_valid_office_code(q->office_code))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "office",
		                    "office must be a 5- or 6-digit post office code");
	if (q->agency_code && !trk_valid_agency_code(q->agency_code))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "agency",
		                    "agency must be an agency code such as 000.00.00.H21");
	f.office_code = q->office_code;
	f.agency_code = q->agency_code;
	if (strcmp(actor->role, "agency") == 0) {
		if (q->agency_code && strcmp(q->agency_code, actor->agency_code) != 0)
			return hoso_err_set(err, HOSO_FORBIDDEN, "other_agency", "agency",
			                    "an agency officer sees only the dossiers of %s",
			                    actor->agency_code);
		f.agency_code = actor->agency_code;
	}
	f.date_from = q->date_from;
	f.date_to = q->date_to;
	f.state = q->state;
	f.before_id = before;
	f.limit = (size_t)limit + 1;
	db_dossier *rows = NULL;
	size_t n = 0;
	if ((st = db_dossier_list(t->db, &f, &rows, &n, err)) != HOSO_OK)
		return st;
	json_t *arr = json_array();
	size_t shown = n > (size_t)limit ? (size_t)limit : n;
	for (size_t i = 0; i < shown; i++) {
		db_item items[2];
		size_t ni = 0;
		if ((st = db_items_of_dossier(t->db, rows[i].id, items, &ni, err)) != HOSO_OK)
			break;
		json_array_append_new(arr, trk_dossier_json(t, &rows[i], items, ni));
	}
	if (st != HOSO_OK) {
		json_decref(arr);
		free(rows);
		return st;
	}
	char next[24];
	if (n > (size_t)limit)
		snprintf(next, sizeof(next), "%lld", (long long)rows[shown - 1].id);
	*out = json_pack("{s:o, s:s?}", "dossiers", arr, "next", n > (size_t)limit ? next : NULL);
	free(rows);
	return HOSO_OK;
}

hoso_status trk_item_view_load(trk *t, const trk_actor *actor, const char *tn,
                               trk_item_view **out, hoso_err *err)
{
	*out = NULL;
	trk_item_view *v = calloc(1, sizeof(*v));
	if (!v)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	hoso_status st = load_item(t, actor, tn, &v->item, &v->dossier, err);
	if (st == HOSO_OK)
		st = db_procedure_get(t->db, v->dossier.procedure_code, &v->procedure, err);
	if (st == HOSO_OK)
		st = db_agency_get(t->db, v->dossier.agency_code, &v->agency, err);
	if (st == HOSO_OK)
		st = db_office_get(t->db, v->dossier.office_code, &v->office, err);
	if (st != HOSO_OK) {
		free(v);
		return st;
	}
	db_user clerk;
	if (db_user_get(t->db, v->dossier.created_by, &clerk, NULL) == HOSO_OK)
		snprintf(v->clerk_name, sizeof(v->clerk_name), "%s",
		         clerk.full_name[0] ? clerk.full_name : clerk.username);
	snprintf(v->qr_url, sizeof(v->qr_url), "%s/t/%s", t->cfg.public_base_url,
	         v->item.tracking_number);
	trk_date j, due;
	if (trk_date_parse(v->dossier.accepted_date, &j))
		trk_date_format_vn(j, v->accepted_vn);
	if (trk_date_parse(v->dossier.due_date, &due))
		trk_date_format_vn(due, v->due_vn);
	char iso[32];
	trk_format_time(t, v->dossier.accepted_at, iso);
	/* iso is YYYY-MM-DDTHH:MM:SS+07:00 */
	snprintf(v->accepted_at_vn, sizeof(v->accepted_at_vn), "%.5s %s", iso + 11,
	         v->accepted_vn);
	*out = v;
	return HOSO_OK;
}

hoso_status trk_item_events(trk *t, const trk_actor *actor, const char *tn, json_t **out,
                            hoso_err *err)
{
	db_item it;
	db_dossier *d = malloc(sizeof(*d));
	if (!d)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	hoso_status st = load_item(t, actor, tn, &it, d, err);
	free(d);
	if (st != HOSO_OK)
		return st;
	db_event *evs = NULL;
	size_t n = 0;
	if ((st = db_events_of_item(t->db, it.tracking_number, &evs, &n, err)) != HOSO_OK)
		return st;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const db_event *e = &evs[i];
		char when[32], dev[32], hash[65], code[9];
		trk_format_time(t, e->server_time, when);
		if (e->device_time)
			trk_format_time(t, e->device_time, dev);
		trk_hex32(e->hash, hash);
		trk_chain_short_code(e->hash, code);
		json_t *data = json_loads(e->data, 0, NULL);
		json_array_append_new(
			arr, json_pack("{s:s, s:I, s:s, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s?, "
			               "s:o, s:s, s:s}",
			               "id", e->id, "seq", (json_int_t)e->seq, "type", e->type,
			               "from_state", e->state_from[0] ? e->state_from : NULL,
			               "to_state", e->state_to, "user", e->username, "place", e->place,
			               "from", e->from_party[0] ? e->from_party : NULL, "to",
			               e->to_party[0] ? e->to_party : NULL, "server_time", when,
			               "device_time", e->device_time ? dev : NULL, "data",
			               data ? data : json_object(), "hash", hash, "chain_code", code));
	}
	free(evs);
	*out = json_pack("{s:s, s:s, s:s, s:o}", "tracking_number", it.tracking_number, "role",
	                 it.role, "state", it.state, "events", arr);
	return HOSO_OK;
}

hoso_status trk_procedure_search(trk *t, const char *q, size_t limit, json_t **out,
                                 hoso_err *err)
{
	char *fold = text_fold(q ? q : "");
	if (!fold)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	if (strlen(fold) > 200) {
		free(fold);
		return hoso_err_set(err, HOSO_INVALID, "too_long", "q",
		                    "q is too long: at most 200 characters");
	}
	/* A code-looking query ("1.0017") matches by prefix; anything else by folded name. */
	const char *code = "", *name = fold;
	bool codeish = fold[0] >= '0' && fold[0] <= '9' && strspn(fold, "0123456789.h") ==
	                                                       strlen(fold);
	char code_upper[64] = "";
	if (codeish) {
		snprintf(code_upper, sizeof(code_upper), "%s", fold);
		for (char *c = code_upper; *c; c++)
			if (*c == 'h')
				*c = 'H';
		code = code_upper;
		name = "";
	}
	db_procedure *rows = NULL;
	size_t n = 0;
	hoso_status st = db_procedure_search(t->db, code, name, limit, &rows, &n, err);
	free(fold);
	if (st != HOSO_OK)
		return st;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *comps = json_loads(rows[i].components, 0, NULL);
		db_agency a;
		bool has_agency = db_agency_get(t->db, rows[i].agency_code, &a, NULL) == HOSO_OK;
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:s?, s:o, s:I, s:i}", "code", rows[i].code,
			               "name", rows[i].name, "agency_code", rows[i].agency_code,
			               "agency_name", has_agency ? a.name : NULL, "components",
			               comps ? comps : json_array(), "fee_vnd",
			               (json_int_t)rows[i].fee_vnd, "days", rows[i].days));
	}
	free(rows);
	*out = json_pack("{s:o}", "procedures", arr);
	return HOSO_OK;
}

hoso_status trk_dossier_view_load(trk *t, const trk_actor *actor, int64_t id,
                                  trk_item_view **out, hoso_err *err)
{
	db_item items[2];
	size_t n = 0;
	*out = NULL;
	hoso_status st = db_items_of_dossier(t->db, id, items, &n, err);
	if (st != HOSO_OK)
		return st;
	if (n == 0)
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_dossier", "id",
		                    "no dossier has id %lld", (long long)id);
	return trk_item_view_load(t, actor, items[0].tracking_number, out, err);
}

hoso_status trk_dossier_views_load(trk *t, const trk_actor *actor, int64_t id,
                                   trk_item_view *out[2], size_t *n, hoso_err *err)
{
	db_item items[2];
	size_t ni = 0;
	out[0] = out[1] = NULL;
	*n = 0;
	hoso_status st = db_items_of_dossier(t->db, id, items, &ni, err);
	if (st != HOSO_OK)
		return st;
	if (ni == 0)
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_dossier", "id",
		                    "no dossier has id %lld", (long long)id);
	for (size_t i = 0; i < ni; i++) {
		st = trk_item_view_load(t, actor, items[i].tracking_number, &out[i], err);
		if (st == HOSO_FORBIDDEN)
			/* the caller asked for a dossier: name it, not its item */
			hoso_err_set(err, HOSO_FORBIDDEN, "other_agency", "id",
			             "dossier %lld belongs to another agency", (long long)id);
		if (st != HOSO_OK) {
			for (size_t k = 0; k < i; k++) {
				free(out[k]);
				out[k] = NULL;
			}
			return st;
		}
	}
	*n = ni;
	return HOSO_OK;
}

hoso_status trk_health(trk *t, json_t **out, hoso_err *err)
{
	int64_t offices = 0;
	hoso_status st = db_catalogue_count(t->db, "offices", &offices, err);
	if (st != HOSO_OK)
		return st;
	*out = json_pack("{s:s, s:s, s:i, s:I}", "status", "ok", "database", db_backend(t->db),
	                 "schema_version", db_schema_version(t->db), "offices", (json_int_t)offices);
	return HOSO_OK;
}

void trk_writer_stats(trk *t, db_writer_stats *out)
{
	db_writer_stats_get(t->db, out);
}
