/* Accepting a dossier at the counter: the checks a clerk makes, then one transaction that
 * writes the dossier, its items and their first events. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"
#include "trk_components.h"
#include "trk_internal.h"
#include "trk_valid.h"

#define MAX_DOCUMENTS 60
#define MAX_VND 1000000000LL

static const char *const top_keys[] = {
	"client_id", "procedure_code", "service", "applicant", "documents", "postage_vnd",
	"fee_vnd", "payment_method", "portal_code", "notes", "office_code", "appointment_slip",
	NULL};
static const char *const applicant_keys[] = {"kind", "name", "phone", "id_number", "address",
                                             "email", NULL};
static const char *const document_keys[] = {"name", "form", "copies", NULL};
static const char *const services[] = {"send", "return", "both", NULL};
static const char *const kinds[] = {"person", "organisation", NULL};
static const char *const forms[] = {"original", "copy", NULL};
static const char *const payments[] = {"cash", "transfer", "none", NULL};

static hoso_status read_applicant(const json_t *body, db_dossier *d, hoso_err *err)
{
	const json_t *a = json_object_get(body, "applicant");
	if (!a || json_is_null(a))
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "applicant",
		                    "applicant is required");
	if (!json_is_object(a))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", "applicant",
		                    "applicant must be an object");
	hoso_status st;
	char phone[64], idn[32], email[128];
	if ((st = trk_field_only(a, "applicant", applicant_keys, err)) ||
	    (st = trk_field_enum(a, "applicant", "kind", kinds, "person", d->applicant_kind,
	                         sizeof(d->applicant_kind), err)) ||
	    (st = trk_field_string(a, "applicant", "name", true, 200, d->applicant_name,
	                           sizeof(d->applicant_name), err)) ||
	    (st = trk_field_string(a, "applicant", "phone", true, 24, phone, sizeof(phone), err)) ||
	    (st = trk_field_string(a, "applicant", "id_number", true, 20, idn, sizeof(idn), err)) ||
	    (st = trk_field_string(a, "applicant", "address", true, 300, d->applicant_address,
	                           sizeof(d->applicant_address), err)) ||
	    (st = trk_field_string(a, "applicant", "email", false, 120, email, sizeof(email), err)))
		return st;
	if (!trk_phone_normalize(phone, d->applicant_phone))
		return hoso_err_set(err, HOSO_INVALID, "invalid_phone", "applicant.phone",
		                    "applicant.phone \"%s\" is not a Vietnamese phone number: a "
		                    "mobile has 10 digits starting 03, 05, 07, 08 or 09, a landline "
		                    "11 digits starting 02", phone);
	bool person = strcmp(d->applicant_kind, "person") == 0;
	if (person && !trk_valid_cccd(idn))
		return hoso_err_set(err, HOSO_INVALID, "invalid_id_number", "applicant.id_number",
		                    "applicant.id_number must be a 12-digit citizen identity card "
		                    "(CCCD) number beginning with a province code 001-096");
	if (!person && !trk_valid_tax_code(idn))
		return hoso_err_set(err, HOSO_INVALID, "invalid_id_number", "applicant.id_number",
		                    "applicant.id_number of an organisation must be its tax code: 10 "
		                    "digits, or 10 digits, a dash and 3 digits for a branch");
	snprintf(d->applicant_id_number, sizeof(d->applicant_id_number), "%s", idn);
	if (email[0] && !trk_valid_email(email))
		return hoso_err_set(err, HOSO_INVALID, "invalid_email", "applicant.email",
		                    "applicant.email is not an e-mail address");
	snprintf(d->applicant_email, sizeof(d->applicant_email), "%s", email);
	return HOSO_OK;
}

/* Checks the documents handed in against the procedure's components (Decision 45/2016
 * Art 6: the clerk checks the dossier against the published list) and stores them. */
static hoso_status read_documents(trk *t, const json_t *body, const db_procedure *p,
                                  bool sending, db_dossier *d, hoso_err *err)
{
	hoso_status st = HOSO_OK;
	const json_t *docs = json_object_get(body, "documents");
	if (docs && !json_is_null(docs) && !json_is_array(docs))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", "documents",
		                    "documents must be an array");
	size_t n = docs ? json_array_size(docs) : 0;
	if (sending && n == 0)
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "documents",
		                    "documents is required when the dossier is sent: list each paper "
		                    "handed in");
	if (n > MAX_DOCUMENTS)
		return hoso_err_set(err, HOSO_INVALID, "too_many", "documents",
		                    "documents lists %zu papers; at most %d", n, MAX_DOCUMENTS);
	trk_components *comps;
	if ((st = trk_components_get(t->comps, p, &comps, err)) != HOSO_OK)
		return st;
	json_t *stored = json_array();
	if (!stored) {
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
		goto out_comps;
	}
	size_t nc = trk_components_count(comps);
	bool covered[TRK_COMPONENTS_MAX] = {false};
	for (size_t i = 0; i < n; i++) {
		char path[32], name[1024], form[16];
		int64_t copies;
		snprintf(path, sizeof(path), "documents[%zu]", i);
		const json_t *doc = json_array_get(docs, i);
		if (!json_is_object(doc)) {
			st = hoso_err_set(err, HOSO_INVALID, "wrong_type", path,
			                  "%s must be an object with name and form", path);
			goto out_json;
		}
		if ((st = trk_field_only(doc, path, document_keys, err)) ||
		    (st = trk_field_string(doc, path, "name", true, 300, name, sizeof(name), err)) ||
		    (st = trk_field_enum(doc, path, "form", forms, NULL, form, sizeof(form), err)) ||
		    (st = trk_field_int(doc, path, "copies", false, 1, 50, 1, &copies, err)))
			goto out_json;
		char *fold = text_fold(name);
		if (!fold) {
			st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
			goto out_json;
		}
		for (size_t c = 0; c < nc; c++) {
			const trk_component *comp = trk_components_at(comps, c);
			if (strcmp(comp->fold, fold) != 0)
				continue;
			if (comp->original && strcmp(form, "copy") == 0) {
				free(fold);
				st = hoso_err_set(err, HOSO_INVALID, "original_required", path,
				                  "%s: the procedure requires the original of \"%s\", "
				                  "not a copy", path, comp->name);
				goto out_json;
			}
			covered[c] = true;
		}
		free(fold);
		json_array_append_new(stored, json_pack("{s:s, s:s, s:I}", "name", name, "form",
		                                        form, "copies", (json_int_t)copies));
	}
	if (sending) {
		char missing[1024] = "";
		size_t count = 0;
		for (size_t c = 0; c < nc; c++) {
			const trk_component *comp = trk_components_at(comps, c);
			if (covered[c] || !comp->required)
				continue;
			size_t used = strlen(missing);
			snprintf(missing + used, sizeof(missing) - used, "%s\"%s\"", count ? ", " : "",
			         comp->name);
			count++;
		}
		if (count) {
			st = hoso_err_set(err, HOSO_INVALID, "missing_document", "documents",
			                  "the dossier lacks %zu required document%s of procedure %s: "
			                  "%s", count, count > 1 ? "s" : "", p->code, missing);
			goto out_json;
		}
	}
	char *dump = json_dumps(stored, JSON_COMPACT);
	if (!dump || strlen(dump) >= sizeof(d->documents)) {
		free(dump);
		st = hoso_err_set(err, HOSO_INVALID, "too_long", "documents",
		                  "documents is too long altogether");
		goto out_json;
	}
	snprintf(d->documents, sizeof(d->documents), "%s", dump);
	free(dump);
out_json:
	json_decref(stored);
out_comps:
	trk_components_release(comps);
	return st;
}

static bool province_in_list(const char *list, const char *province)
{
	char *fp = text_fold(province);
	char *fl = text_fold(list);
	bool found = false;
	if (fp && fl && *fp) {
		for (char *tok = strtok(fl, ","); tok && !found; tok = strtok(NULL, ",")) {
			while (*tok == ' ')
				tok++;
			char *e = tok + strlen(tok);
			while (e > tok && e[-1] == ' ')
				*--e = '\0';
			found = strcmp(tok, fp) == 0;
		}
	}
	free(fp);
	free(fl);
	return found;
}

static bool same_place(const char *a, const char *b)
{
	char *fa = text_fold(a), *fb = text_fold(b);
	bool same = fa && fb && *fa && strcmp(fa, fb) == 0;
	free(fa);
	free(fb);
	return same;
}

/* Route class and n of J + n (Circular 17/2017 Art 7(2)). */
static int route_days(const trk *t, const db_office *o, const db_agency *a, bool slip,
                      char route[16])
{
	int n;
	if (same_place(o->province, a->province) && same_place(o->district, a->district)) {
		snprintf(route, 16, "district");
		n = 1;
	} else if (same_place(o->province, a->province)) {
		snprintf(route, 16, "province");
		n = 2;
	} else if (province_in_list(t->cfg.class1_provinces, o->province) &&
	           province_in_list(t->cfg.class1_provinces, a->province)) {
		snprintf(route, 16, "city1");
		n = 3;
	} else {
		snprintf(route, 16, "other");
		n = 4;
	}
	return slip ? 2 * n : n;
}

/* Reads every field of the request into d; touches nothing in the database but reads. */
static hoso_status read_request(trk *t, const trk_actor *actor, const json_t *body,
                                db_dossier *d, db_procedure *p, char client_id[40],
                                hoso_err *err)
{
	hoso_status st;
	char office[16];
	if (!json_is_object(body))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", "",
		                    "the request body must be a JSON object");
	if ((st = trk_field_only(body, "", top_keys, err)) ||
	    (st = trk_field_string(body, "", "client_id", false, 36, client_id, 40, err)) ||
	    (st = trk_field_string(body, "", "procedure_code", true, 12, d->procedure_code,
	                           sizeof(d->procedure_code), err)) ||
	    (st = trk_field_enum(body, "", "service", services, NULL, d->service,
	                         sizeof(d->service), err)))
		return st;
	if (client_id[0] && !trk_valid_uuid(client_id))
		return hoso_err_set(err, HOSO_INVALID, "invalid_uuid", "client_id",
		                    "client_id must be a UUID such as "
		                    "\"0b7e4b8e-2f0c-4f4e-9d7a-3c1e5f6a7b8c\"");
	if (!trk_valid_procedure_code(d->procedure_code))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "procedure_code",
		                    "procedure_code \"%s\" is not a procedure code such as 1.001776 "
		                    "or 2.002621.H56", d->procedure_code);
	st = db_procedure_get(t->db, d->procedure_code, p, err);
	if (st == HOSO_NOT_FOUND)
		return hoso_err_set(err, HOSO_INVALID, "unknown_procedure", "procedure_code",
		                    "procedure %s is not in the catalogue", d->procedure_code);
	if (st != HOSO_OK)
		return st;
	snprintf(d->agency_code, sizeof(d->agency_code), "%s", p->agency_code);
	if ((st = read_applicant(body, d, err)))
		return st;
	bool sending = strcmp(d->service, "return") != 0;
	if ((st = read_documents(t, body, p, sending, d, err)) ||
	    (st = trk_field_int(body, "", "postage_vnd", false, 0, MAX_VND, 0, &d->postage_vnd,
	                        err)) ||
	    (st = trk_field_int(body, "", "fee_vnd", false, 0, MAX_VND, 0, &d->fee_vnd, err)) ||
	    (st = trk_field_enum(body, "", "payment_method", payments, "cash", d->payment_method,
	                         sizeof(d->payment_method), err)) ||
	    (st = trk_field_string(body, "", "portal_code", false, 25, d->portal_code,
	                           sizeof(d->portal_code), err)) ||
	    (st = trk_field_string(body, "", "notes", false, 500, d->notes, sizeof(d->notes),
	                           err)) ||
	    (st = trk_field_bool(body, "", "appointment_slip", false, &d->appointment_slip, err)) ||
	    (st = trk_field_string(body, "", "office_code", false, 6, office, sizeof(office), err)))
		return st;
	if (d->portal_code[0] && !trk_valid_portal_code(d->portal_code))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "portal_code",
		                    "portal_code \"%s\" is not a portal dossier code such as "
		                    "000.00.06.H56-231027-0361", d->portal_code);
	if (!office[0])
		snprintf(office, sizeof(office), "%s", actor->office_code);
	if (!office[0])
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "office_code",
		                    "office_code is required: user %s has no home post office",
		                    actor->username);
	if (!trk_valid_office_code(office))
		return hoso_err_set(err, HOSO_INVALID, "invalid_code", "office_code",
		                    "office_code must be a 5- or 6-digit post office code");
	snprintf(d->office_code, sizeof(d->office_code), "%s", office);
	return HOSO_OK;
}

/* The answer to a repeated request: the dossier its first event belongs to. */
static hoso_status replay(trk *t, const db_event *first, const char *digest, json_t **out,
                          hoso_err *err)
{
	if (strcmp(first->request_digest, digest) != 0)
		return hoso_err_set(err, HOSO_CONFLICT, "duplicate_id", "client_id",
		                    "client_id was already used for a different request");
	db_item it;
	hoso_status st = db_item_get(t->db, first->tracking_number, &it, err);
	if (st != HOSO_OK)
		return st;
	db_dossier *d = malloc(sizeof(*d));
	if (!d)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	db_item items[2];
	size_t n = 0;
	if ((st = db_dossier_get(t->db, it.dossier_id, d, err)) == HOSO_OK &&
	    (st = db_items_of_dossier(t->db, d->id, items, &n, err)) == HOSO_OK)
		*out = trk_dossier_json(t, d, items, n);
	free(d);
	return st;
}

static hoso_status create_item(trk *t, const trk_actor *actor, const db_dossier *d,
                               trk_role role, const char *event_type, const char *event_id,
                               const char *digest, db_item *it, hoso_err *err)
{
	const char *prefix = role == TRK_SUBMISSION ? t->cfg.submission_prefix
	                                            : t->cfg.result_prefix;
	memset(it, 0, sizeof(*it));
	hoso_status st = trk_next_tracking_number(t, prefix, it->tracking_number, err);
	if (st != HOSO_OK)
		return st;
	it->dossier_id = d->id;
	snprintf(it->role, sizeof(it->role), "%s", trk_role_name(role));
	it->created_at = it->updated_at = d->accepted_at;
	if ((st = db_item_insert(t->db, it, err)) != HOSO_OK)
		return st;
	db_event ev;
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.id, sizeof(ev.id), "%s", event_id);
	snprintf(ev.type, sizeof(ev.type), "%s", role == TRK_SUBMISSION ? event_type : "accept");
	ev.user_id = actor->user_id;
	snprintf(ev.username, sizeof(ev.username), "%s", actor->username);
	snprintf(ev.place, sizeof(ev.place), "%s", d->office_code);
	snprintf(ev.from_party, sizeof(ev.from_party), "applicant");
	if (!strcmp(ev.type, "pickup"))
		snprintf(ev.to_party, sizeof(ev.to_party), "courier:%.50s", actor->username);
	else
		snprintf(ev.to_party, sizeof(ev.to_party), "office:%s", d->office_code);
	ev.server_time = d->accepted_at;
	snprintf(ev.data, sizeof(ev.data), "{\"dossier_id\":%lld,\"service\":\"%s\"}",
	         (long long)d->id, d->service);
	snprintf(ev.request_digest, sizeof(ev.request_digest), "%s", digest);
	if ((st = trk_record_event(t, it, &ev, err)) != HOSO_OK)
		return st;
	db_progress p;
	if ((st = trk_progress_load(t, it, d, &p, err)) != HOSO_OK)
		return st;
	snprintf(p.custodian, sizeof(p.custodian), "%.95s", ev.to_party);
	return trk_progress_save(t, it, &p, err);
}

hoso_status trk_dossier_accept(trk *t, const trk_actor *actor, const json_t *body,
                               json_t **out, bool *created, hoso_err *err)
{
	return trk_dossier_accept_as(t, actor, body, "accept", NULL, NULL, out, created, err);
}

hoso_status trk_dossier_accept_as(trk *t, const trk_actor *actor, const json_t *body,
                                  const char *event_type, trk_accept_hook hook, void *hook_ctx,
                                  json_t **out, bool *created, hoso_err *err)
{
	*out = NULL;
	*created = false;
	char client_id[40] = "", digest[65];
	db_dossier *d = calloc(1, sizeof(*d));
	db_procedure *p = calloc(1, sizeof(*p));
	db_office *o = calloc(1, sizeof(*o));
	db_agency *a = calloc(1, sizeof(*a));
	db_event *first = calloc(1, sizeof(*first));
	hoso_status st;
	if (!d || !p || !o || !a || !first) {
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
		goto out_mem;
	}
	if ((st = read_request(t, actor, body, d, p, client_id, err)))
		goto out_mem;
	trk_body_digest(body, digest);
	st = db_office_get(t->db, d->office_code, o, err);
	if (st == HOSO_NOT_FOUND)
		st = hoso_err_set(err, HOSO_INVALID, "unknown_office", "office_code",
		                  "post office %s is not in the catalogue", d->office_code);
	if (st != HOSO_OK)
		goto out_mem;
	if ((st = db_agency_get(t->db, d->agency_code, a, err)) != HOSO_OK)
		goto out_mem;
	if (!client_id[0])
		trk_uuid_v7(client_id);

	if ((st = db_begin(t->db, err)) != HOSO_OK)
		goto out_mem;
	bool seen;
	if ((st = db_event_find(t->db, client_id, first, &seen, err)) != HOSO_OK)
		goto out_txn;
	if (seen) {
		st = replay(t, first, digest, out, err);
		db_rollback(t->db);
		goto out_mem;
	}

	d->created_by = actor->user_id;
	d->accepted_at = trk_now_ms();
	trk_date j = trk_date_of_ms(d->accepted_at, t->cfg.tz_offset_minutes);
	trk_date_format(j, d->accepted_date);
	int n = route_days(t, o, a, d->appointment_slip, d->route_class);
	if (strcmp(d->service, "return") != 0)
		trk_date_format(trk_calendar_add_working_days(t->cal, j, n), d->due_date);
	if ((st = db_dossier_insert(t->db, d, err)) != HOSO_OK)
		goto out_txn;

	db_item items[2];
	size_t count = 0;
	bool sub = strcmp(d->service, "return") != 0, res = strcmp(d->service, "send") != 0;
	if (sub && (st = create_item(t, actor, d, TRK_SUBMISSION, event_type, client_id, digest,
	                             &items[count++], err)) != HOSO_OK)
		goto out_txn;
	if (res) {
		char rid[40];
		if (sub)
			trk_uuid_derived(client_id, "result", rid);
		else
			snprintf(rid, sizeof(rid), "%s", client_id);
		if ((st = create_item(t, actor, d, TRK_RESULT, "accept", rid, digest,
		                      &items[count++], err)) != HOSO_OK)
			goto out_txn;
	}
	if (hook && (st = hook(t, d, hook_ctx, err)) != HOSO_OK)
		goto out_txn;
	/* Tell the applicant the number to follow (Circular 17/2017 Art 12). */
	if ((st = trk_notify(t, "sms", d->applicant_phone, "accepted", &items[0], d, NULL, err)) !=
	    HOSO_OK)
		goto out_txn;
	if ((st = db_commit(t->db, err)) != HOSO_OK)
		goto out_mem;
	log_info("dossier %lld accepted by %s at %s: %s%s%s", (long long)d->id, actor->username,
	         d->office_code, items[0].tracking_number, count > 1 ? " + " : "",
	         count > 1 ? items[1].tracking_number : "");
	*out = trk_dossier_json(t, d, items, count);
	*created = true;
	goto out_mem;
out_txn:
	db_rollback(t->db);
out_mem:
	free(first);
	free(a);
	free(o);
	free(p);
	free(d);
	if (st == HOSO_OK && !*out)
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	return st;
}
