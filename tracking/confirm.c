/* The agency's confirmation of a handover manifest, and what its record prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"
#include "trk_custody.h"
#include "trk_internal.h"
#include "trk_s10.h"
#include "trk_valid.h"

static const char *const reasons[] = {"missing", "damaged", NULL};

/* Finds the line of a scanned number; -1 when not on the manifest. */
static long find_line(const db_manifest_item *lines, size_t n, const char *input)
{
	char tn[TRK_S10_LEN + 1];
	if (trk_s10_parse(input, "item", tn, NULL) != HOSO_OK)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(lines[i].tracking_number, tn))
			return (long)i;
	return -1;
}

/* Marks lines from the request: received ones "received", reported ones missing/damaged. */
static hoso_status mark_lines(const json_t *body, db_manifest_item *lines, size_t n,
                              hoso_err *err)
{
	const json_t *rec = json_object_get(body, "received");
	const json_t *missing = json_object_get(body, "missing");
	if (missing && !json_is_array(missing))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", "missing",
		                    "missing must be an array of {item, reason, note}");
	for (size_t i = 0; i < json_array_size(missing); i++) {
		static const char *const keys[] = {"item", "reason", "note", NULL};
		const json_t *m = json_array_get(missing, i);
		char path[32], item[320], reason[16], note[600];
		snprintf(path, sizeof(path), "missing[%zu]", i);
		hoso_status st;
		if (!json_is_object(m))
			return hoso_err_set(err, HOSO_INVALID, "wrong_type", path,
			                    "%s must be an object {item, reason, note}", path);
		if ((st = trk_field_only(m, path, keys, err)) ||
		    (st = trk_field_string(m, path, "item", true, 300, item, sizeof(item), err)) ||
		    (st = trk_field_enum(m, path, "reason", reasons, NULL, reason, sizeof(reason),
		                         err)) ||
		    (st = trk_field_string(m, path, "note", false, 200, note, sizeof(note), err)))
			return st;
		long k = find_line(lines, n, item);
		if (k < 0 || strcmp(lines[k].status, "pending") != 0)
			return hoso_err_set(err, HOSO_INVALID, k < 0 ? "not_on_manifest" : "listed_twice",
			                    path, "%s: %s %s", path, item,
			                    k < 0 ? "is not on this manifest" : "is listed twice");
		snprintf(lines[k].status, sizeof(lines[k].status), "%s", reason);
		text_copy(lines[k].note, sizeof(lines[k].note), note);
	}
	if (json_is_string(rec) && !strcmp(json_string_value(rec), "all")) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(lines[i].status, "pending"))
				snprintf(lines[i].status, sizeof(lines[i].status), "received");
		return HOSO_OK;
	}
	if (!json_is_array(rec))
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "received",
		                    "received must be \"all\" or the list of tracking numbers received");
	for (size_t i = 0; i < json_array_size(rec); i++) {
		char path[32];
		snprintf(path, sizeof(path), "received[%zu]", i);
		const char *item = json_string_value(json_array_get(rec, i));
		long k = item ? find_line(lines, n, item) : -1;
		if (k < 0 || strcmp(lines[k].status, "pending") != 0)
			return hoso_err_set(err, HOSO_INVALID, k < 0 ? "not_on_manifest" : "listed_twice",
			                    path, "%s: %s %s", path, item ? item : "(not a string)",
			                    k < 0 ? "is not on this manifest" : "is listed twice");
		snprintf(lines[k].status, sizeof(lines[k].status), "received");
	}
	char unlisted[400] = "";
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(lines[i].status, "pending") != 0)
			continue;
		size_t used = strlen(unlisted);
		if (count++ < 20)
			snprintf(unlisted + used, sizeof(unlisted) - used, "%s%s", used ? ", " : "",
			         lines[i].tracking_number);
	}
	if (count)
		return hoso_err_set(err, HOSO_INVALID, "unaccounted", "received",
		                    "%zu item%s neither received nor reported missing or damaged: %s",
		                    count, count > 1 ? "s are" : " is", unlisted);
	return HOSO_OK;
}

/* Moves one received item to the agency: the handover event, filing time, notification. */
static hoso_status hand_over(trk *t, const trk_actor *a, const db_manifest *m,
                             const db_manifest_item *line, hoso_err *err)
{
	db_item it;
	db_dossier *d = malloc(sizeof(*d));
	db_progress p;
	if (!d)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	hoso_status st;
	if ((st = db_item_get(t->db, line->tracking_number, &it, err)) ||
	    (st = db_dossier_get(t->db, it.dossier_id, d, err)) ||
	    (st = trk_progress_load(t, &it, d, &p, err)))
		goto out_d;
	p.manifest_id = 0;
	if (strcmp(line->status, "received") == 0) {
		db_event ev;
		memset(&ev, 0, sizeof(ev));
		char base[64];
		snprintf(base, sizeof(base), "manifest-%lld-confirm", (long long)m->id);
		trk_uuid_derived(base, it.tracking_number, ev.id);
		snprintf(ev.type, sizeof(ev.type), "handover");
		ev.user_id = a->user_id;
		snprintf(ev.username, sizeof(ev.username), "%s", a->username);
		snprintf(ev.place, sizeof(ev.place), "%s", m->agency_code);
		snprintf(ev.from_party, sizeof(ev.from_party), "%.60s", p.custodian);
		snprintf(ev.to_party, sizeof(ev.to_party), "agency:%.50s", m->agency_code);
		ev.server_time = m->confirmed_at;
		snprintf(ev.data, sizeof(ev.data), "{\"fee_vnd\":%lld,\"manifest_id\":%lld}",
		         (long long)line->fee_vnd, (long long)m->id);
		if ((st = trk_record_event(t, &it, &ev, err)))
			goto out_d;
		snprintf(p.custodian, sizeof(p.custodian), "agency:%s", m->agency_code);
		p.filed_at = m->confirmed_at;
		p.due_date[0] = '\0';
		char when[32];
		trk_format_time(t, m->confirmed_at, when);
		st = trk_notify(t, "sms", d->applicant_phone, "filed_at_agency", &it, d,
		                json_pack("{s:s, s:s}", "agency_code", m->agency_code, "filed_at", when),
		                err);
		if (st == HOSO_OK && d->portal_code[0])
			st = trk_notify(t, "portal", d->portal_code, "portal_status", &it, d,
			                json_pack("{s:i}", "status", 4), err);
		if (st)
			goto out_d;
	}
	st = trk_progress_save(t, &it, &p, err);
out_d:
	free(d);
	return st;
}

hoso_status trk_manifest_confirm(trk *t, const trk_actor *actor, int64_t id,
                                 const json_t *body, json_t **out, hoso_err *err)
{
	static const char *const keys[] = {"received", "missing", "fees_received_vnd", NULL};
	db_manifest m;
	db_manifest_item *lines = NULL;
	size_t n = 0;
	int64_t fees;
	hoso_status st;
	if ((st = trk_field_only(body, "", keys, err)))
		return st;
	if ((st = db_begin(t->db, err)))
		return st;
	if ((st = trk_manifest_load(t, actor, id, &m, &lines, &n, err)))
		goto out_txn;
	if (strcmp(m.state, "open") != 0) {
		st = hoso_err_set(err, HOSO_CONFLICT, "already_confirmed", "id",
		                  "manifest %lld was already confirmed", (long long)id);
		goto out_txn;
	}
	if ((st = mark_lines(body, lines, n, err)))
		goto out_txn;
	int64_t expected = 0;
	size_t received = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(lines[i].status, "received")) {
			expected += lines[i].fee_vnd;
			received++;
		}
	if ((st = trk_field_int(body, "", "fees_received_vnd", expected > 0, 0, 1000000000000LL,
	                        0, &fees, err)))
		goto out_txn;
	if (fees != expected) {
		st = hoso_err_set(err, HOSO_INVALID, "fee_mismatch", "fees_received_vnd",
		                  "fees_received_vnd is %lld but the received dossiers carry %lld in "
		                  "fees collected at the counter", (long long)fees, (long long)expected);
		goto out_txn;
	}
	m.confirmed_by = actor->user_id;
	snprintf(m.confirmed_by_name, sizeof(m.confirmed_by_name), "%s", actor->username);
	m.confirmed_at = trk_now_ms();
	m.fees_received_vnd = fees;
	snprintf(m.state, sizeof(m.state), "%s", received == n ? "confirmed" : "partial");
	for (size_t i = 0; i < n; i++)
		if ((st = db_manifest_item_update(t->db, &lines[i], err)) ||
		    (st = hand_over(t, actor, &m, &lines[i], err)))
			goto out_txn;
	if ((st = db_manifest_update(t->db, &m, err)) || (st = db_commit(t->db, err)))
		goto out_lines;
	log_info("manifest %lld confirmed by %s: %zu of %zu received", (long long)id,
	         actor->username, received, n);
	st = trk_manifest_get(t, actor, id, out, err);
	goto out_lines;
out_txn:
	db_rollback(t->db);
out_lines:
	free(lines);
	return st;
}

void trk_manifest_view_free(trk_manifest_view *v)
{
	if (!v)
		return;
	free(v->lines);
	free(v);
}

hoso_status trk_manifest_view_load(trk *t, const trk_actor *actor, int64_t id,
                                   trk_manifest_view **out, hoso_err *err)
{
	*out = NULL;
	trk_manifest_view *v = calloc(1, sizeof(*v));
	db_manifest_item *lines = NULL;
	size_t n = 0;
	if (!v)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	hoso_status st = trk_manifest_load(t, actor, id, &v->manifest, &lines, &n, err);
	if (st == HOSO_OK)
		st = db_office_get(t->db, v->manifest.office_code, &v->office, err);
	if (st == HOSO_OK)
		st = db_agency_get(t->db, v->manifest.agency_code, &v->agency, err);
	if (st == HOSO_OK && !(v->lines = calloc(n ? n : 1, sizeof(*v->lines))))
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	for (size_t i = 0; st == HOSO_OK && i < n; i++) {
		trk_manifest_line_view *lv = &v->lines[i];
		db_dossier *d = malloc(sizeof(*d));
		db_procedure *p = malloc(sizeof(*p));
		lv->line = lines[i];
		if (d && p && db_dossier_get(t->db, lines[i].dossier_id, d, NULL) == HOSO_OK) {
			snprintf(lv->applicant_name, sizeof(lv->applicant_name), "%s", d->applicant_name);
			snprintf(lv->procedure_code, sizeof(lv->procedure_code), "%s", d->procedure_code);
			if (db_procedure_get(t->db, d->procedure_code, p, NULL) == HOSO_OK)
				snprintf(lv->procedure_name, sizeof(lv->procedure_name), "%s", p->name);
		}
		free(d);
		free(p);
	}
	free(lines);
	if (st != HOSO_OK) {
		trk_manifest_view_free(v);
		return st;
	}
	v->n_lines = n;
	trk_manifest_ref(t, &v->manifest, v->ref);
	snprintf(v->url, sizeof(v->url), "%s/api/v1/manifests/%lld", t->cfg.public_base_url,
	         (long long)id);
	trk_format_time_vn(t, v->manifest.created_at, v->created_at_vn);
	if (v->manifest.confirmed_at)
		trk_format_time_vn(t, v->manifest.confirmed_at, v->confirmed_at_vn);
	db_user u;
	if (db_user_get(t->db, v->manifest.created_by, &u, NULL) == HOSO_OK)
		snprintf(v->courier_name, sizeof(v->courier_name), "%s",
		         u.full_name[0] ? u.full_name : u.username);
	if (v->manifest.confirmed_by && db_user_get(t->db, v->manifest.confirmed_by, &u, NULL) ==
	                                        HOSO_OK)
		snprintf(v->officer_name, sizeof(v->officer_name), "%s",
		         u.full_name[0] ? u.full_name : u.username);
	*out = v;
	return HOSO_OK;
}
