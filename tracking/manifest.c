/* Handover manifests (biên bản giao nhận, Decision 45/2016 Art 7): the courier lists the
 * dossiers handed to one agency; the agency's officer counts them and confirms all or some.
 * The confirmation time is the legal filing time of each received dossier, and the fees
 * collected at the counter are paid over on the same record (Art 11). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "trk_custody.h"
#include "trk_internal.h"
#include "trk_s10.h"
#include "trk_valid.h"

#define MAX_LINES 500

void trk_manifest_ref(const trk *t, const db_manifest *m, char out[32])
{
	int y, mo, d;
	trk_date_to_ymd(trk_date_of_ms(m->created_at, t->cfg.tz_offset_minutes), &y, &mo, &d);
	snprintf(out, 32, "BB-%04d-%06lld", y, (long long)m->id);
}

static json_t *manifest_json(trk *t, const db_manifest *m, const db_manifest_item *lines,
                             size_t n)
{
	char ref[32], created[32], confirmed[32], pdf[80];
	trk_manifest_ref(t, m, ref);
	trk_format_time(t, m->created_at, created);
	if (m->confirmed_at)
		trk_format_time(t, m->confirmed_at, confirmed);
	snprintf(pdf, sizeof(pdf), "/api/v1/manifests/%lld/record.pdf", (long long)m->id);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:i, s:s, s:I, s:I, s:i, s:s, s:s?}",
		                                     "position", lines[i].position, "tracking_number",
		                                     lines[i].tracking_number, "dossier_id",
		                                     (json_int_t)lines[i].dossier_id, "fee_vnd",
		                                     (json_int_t)lines[i].fee_vnd, "documents",
		                                     lines[i].documents, "status", lines[i].status,
		                                     "note", lines[i].note[0] ? lines[i].note : NULL));
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:I, s:I, s:i, s:o, "
	                 "s:s}",
	                 "id", (json_int_t)m->id, "ref", ref, "agency_code", m->agency_code,
	                 "office_code", m->office_code, "state", m->state, "created_by",
	                 m->created_by_name, "created_at", created, "confirmed_by",
	                 m->confirmed_at ? m->confirmed_by_name : NULL, "confirmed_at",
	                 m->confirmed_at ? confirmed : NULL, "total_fee_vnd",
	                 (json_int_t)m->total_fee_vnd, "fees_received_vnd",
	                 (json_int_t)m->fees_received_vnd, "count", lines ? (int)n : m->item_count,
	                 "items", arr,
	                 "record_url", pdf);
}

hoso_status trk_manifest_load(trk *t, const trk_actor *a, int64_t id, db_manifest *m,
                                 db_manifest_item **lines, size_t *n, hoso_err *err)
{
	hoso_status st = db_manifest_get(t->db, id, m, err);
	if (st == HOSO_NOT_FOUND)
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_manifest", "id",
		                    "no manifest has id %lld", (long long)id);
	if (st != HOSO_OK)
		return st;
	if (a && !strcmp(a->role, "agency") && strcmp(a->agency_code, m->agency_code) != 0)
		return hoso_err_set(err, HOSO_FORBIDDEN, "other_agency", "id",
		                    "manifest %lld is for another agency", (long long)id);
	return lines ? db_manifest_items(t->db, id, lines, n, err) : HOSO_OK;
}

/* Checks one listed item and, when it is still at the office, dispatches it. */
static hoso_status take_item(trk *t, const trk_actor *a, const db_manifest *m, const char *input,
                             const char *path, int position, hoso_err *err)
{
	char tn[TRK_S10_LEN + 1];
	db_item it;
	db_dossier *d = malloc(sizeof(*d));
	db_progress p;
	hoso_status st;
	if (!d)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	if ((st = trk_s10_parse(input, path, tn, err)))
		goto out_d;
	if ((st = db_item_get(t->db, tn, &it, err)) == HOSO_NOT_FOUND) {
		st = hoso_err_set(err, HOSO_INVALID, "unknown_item", path, "no item has tracking "
		                  "number %s", tn);
		goto out_d;
	}
	if (st || (st = db_dossier_get(t->db, it.dossier_id, d, err)) ||
	    (st = trk_progress_load(t, &it, d, &p, err)))
		goto out_d;
	if (strcmp(it.role, "submission") != 0 || strcmp(d->agency_code, m->agency_code) != 0) {
		st = hoso_err_set(err, HOSO_INVALID, "wrong_agency", path,
		                  "%s is not a dossier for agency %s", tn, m->agency_code);
		goto out_d;
	}
	if (strcmp(it.state, "ACCEPTED") != 0 && strcmp(it.state, "IN_TRANSIT") != 0) {
		st = hoso_err_set(err, HOSO_CONFLICT, "illegal_transition", path,
		                  "%s is %s: only ACCEPTED or IN_TRANSIT dossiers can be handed over",
		                  tn, it.state);
		goto out_d;
	}
	if (p.manifest_id) {
		st = hoso_err_set(err, HOSO_CONFLICT, "on_manifest", path,
		                  "%s is already on open manifest %lld", tn, (long long)p.manifest_id);
		goto out_d;
	}
	json_t *docs = json_loads(d->documents, 0, NULL);
	db_manifest_item line = {.manifest_id = m->id, .position = position,
	                         .dossier_id = d->id, .fee_vnd = d->fee_vnd,
	                         .documents = (int)json_array_size(docs)};
	json_decref(docs);
	snprintf(line.tracking_number, sizeof(line.tracking_number), "%s", tn);
	snprintf(line.status, sizeof(line.status), "pending");
	st = db_manifest_item_insert(t->db, &line, err);
	if (st == HOSO_CONFLICT)
		st = hoso_err_set(err, HOSO_INVALID, "duplicate_item", path,
		                  "%s is listed twice", tn);
	if (st)
		goto out_d;
	if (!strcmp(it.state, "ACCEPTED")) {
		db_event ev;
		memset(&ev, 0, sizeof(ev));
		char base[64];
		snprintf(base, sizeof(base), "manifest-%lld", (long long)m->id);
		trk_uuid_derived(base, tn, ev.id);
		snprintf(ev.type, sizeof(ev.type), "dispatch");
		ev.user_id = a->user_id;
		snprintf(ev.username, sizeof(ev.username), "%s", a->username);
		snprintf(ev.place, sizeof(ev.place), "%s", m->office_code);
		snprintf(ev.from_party, sizeof(ev.from_party), "%.60s", p.custodian);
		snprintf(ev.to_party, sizeof(ev.to_party), "courier:%.50s", a->username);
		ev.server_time = m->created_at;
		snprintf(ev.data, sizeof(ev.data), "{\"manifest_id\":%lld}", (long long)m->id);
		if ((st = trk_record_event(t, &it, &ev, err)))
			goto out_d;
		snprintf(p.custodian, sizeof(p.custodian), "%.95s", ev.to_party);
	}
	p.manifest_id = m->id;
	st = trk_progress_save(t, &it, &p, err);
out_d:
	free(d);
	return st;
}

hoso_status trk_manifest_create(trk *t, const trk_actor *actor, const json_t *body,
                                json_t **out, bool *created, hoso_err *err)
{
	static const char *const keys[] = {"agency_code", "items", "office_code", NULL};
	char agency[32], office[16];
	hoso_status st;
	*created = false;
	*out = NULL;
	if ((st = trk_field_only(body, "", keys, err)) ||
	    (st = trk_field_string(body, "", "agency_code", true, 13, agency, sizeof(agency), err)) ||
	    (st = trk_field_string(body, "", "office_code", false, 6, office, sizeof(office), err)))
		return st;
	db_agency a;
	if (!trk_valid_agency_code(agency) || db_agency_get(t->db, agency, &a, NULL) != HOSO_OK)
		return hoso_err_set(err, HOSO_INVALID, "unknown_agency", "agency_code",
		                    "agency \"%s\" is not in the catalogue", agency);
	if (!office[0])
		snprintf(office, sizeof(office), "%s", actor->office_code);
	db_office o;
	if (!trk_valid_office_code(office) || db_office_get(t->db, office, &o, NULL) != HOSO_OK)
		return hoso_err_set(err, HOSO_INVALID, "unknown_office", "office_code",
		                    "office_code is required: a post office in the catalogue");
	const json_t *items = json_object_get(body, "items");
	size_t n = json_array_size(items);
	if (!json_is_array(items) || n == 0)
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "items",
		                    "items must list the tracking numbers handed over");
	if (n > MAX_LINES)
		return hoso_err_set(err, HOSO_TOO_LARGE, "too_many", "items",
		                    "a manifest lists at most %d items, not %zu", MAX_LINES, n);
	db_manifest m = {.created_by = actor->user_id, .created_at = trk_now_ms()};
	snprintf(m.agency_code, sizeof(m.agency_code), "%s", agency);
	snprintf(m.office_code, sizeof(m.office_code), "%s", office);
	snprintf(m.created_by_name, sizeof(m.created_by_name), "%s", actor->username);
	snprintf(m.state, sizeof(m.state), "open");
	if ((st = db_begin(t->db, err)))
		return st;
	if ((st = db_manifest_insert(t->db, &m, err)))
		goto out_txn;
	for (size_t i = 0; i < n; i++) {
		char path[32];
		snprintf(path, sizeof(path), "items[%zu]", i);
		const char *tn = json_string_value(json_array_get(items, i));
		if (!tn) {
			st = hoso_err_set(err, HOSO_INVALID, "wrong_type", path,
			                  "%s must be a tracking number", path);
			goto out_txn;
		}
		if ((st = take_item(t, actor, &m, tn, path, (int)i + 1, err)))
			goto out_txn;
	}
	db_manifest_item *lines = NULL;
	size_t nl = 0;
	if ((st = db_manifest_items(t->db, m.id, &lines, &nl, err)))
		goto out_txn;
	for (size_t i = 0; i < nl; i++)
		m.total_fee_vnd += lines[i].fee_vnd;
	if ((st = db_manifest_update(t->db, &m, err)) || (st = db_commit(t->db, err))) {
		free(lines);
		if (st != HOSO_OK)
			goto out_txn;
	}
	log_info("manifest %lld: %zu items from %s to %s by %s", (long long)m.id, nl, office,
	         agency, actor->username);
	*out = manifest_json(t, &m, lines, nl);
	*created = true;
	free(lines);
	return HOSO_OK;
out_txn:
	db_rollback(t->db);
	return st;
}

hoso_status trk_manifest_get(trk *t, const trk_actor *actor, int64_t id, json_t **out,
                             hoso_err *err)
{
	db_manifest m;
	db_manifest_item *lines = NULL;
	size_t n = 0;
	hoso_status st = trk_manifest_load(t, actor, id, &m, &lines, &n, err);
	if (st == HOSO_OK)
		*out = manifest_json(t, &m, lines, n);
	free(lines);
	return st;
}

hoso_status trk_manifest_list(trk *t, const trk_actor *actor, const char *state,
                              const char *agency, const char *office, const char *before,
                              const char *limit, json_t **out, hoso_err *err)
{
	static const char *const states[] = {"open", "confirmed", "partial", NULL};
	db_manifest_filter f = {.agency_code = agency, .office_code = office, .state = state,
	                        .limit = 50};
	if (state) {
		bool ok = false;
		for (size_t i = 0; states[i]; i++)
			ok = ok || !strcmp(state, states[i]);
		if (!ok)
			return hoso_err_set(err, HOSO_INVALID, "invalid_value", "state",
			                    "state must be open, confirmed or partial");
	}
	if (agency && !trk_valid_agency_code(agency))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "agency",
		                    "agency must be an agency code such as 000.00.00.H21");
	if (office && !trk_valid_office_code(office))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "office",
		                    "office must be a 5- or 6-digit post office code");
	char *end = NULL;
	if (limit) {
		long v = strtol(limit, &end, 10);
		if (!*limit || *end || v < 1 || v > 200)
			return hoso_err_set(err, HOSO_INVALID, "invalid_value", "limit",
			                    "limit must be a whole number from 1 to 200");
		f.limit = (size_t)v;
	}
	if (before) {
		long long v = strtoll(before, &end, 10);
		if (!*before || *end || v < 1)
			return hoso_err_set(err, HOSO_INVALID, "invalid_value", "before",
			                    "before must be a manifest id");
		f.before_id = v;
	}
	if (!strcmp(actor->role, "agency"))
		f.agency_code = actor->agency_code;
	db_manifest *rows = NULL;
	size_t n = 0;
	hoso_status st = db_manifest_list(t->db, &f, &rows, &n, err);
	if (st != HOSO_OK)
		return st;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j = manifest_json(t, &rows[i], NULL, 0);
		json_object_del(j, "items");
		json_array_append_new(arr, j);
	}
	char next[24];
	if (n == f.limit)
		snprintf(next, sizeof(next), "%lld", (long long)rows[n - 1].id);
	*out = json_pack("{s:o, s:s?}", "manifests", arr, "next", n == f.limit ? next : NULL);
	free(rows);
	return HOSO_OK;
}
