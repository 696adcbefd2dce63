/* Courier, clerk and agency events (POST /api/v1/events): each checked for shape, role,
 * agency, the state machine and the law's timing rules, then linked into the item's custody
 * chain. A batch runs in one transaction with a savepoint per event, so each event is
 * recorded or refused on its own and the batch costs one durable commit; a bare event is a
 * use case of its own, rolled back whole when refused. What an event's JSON alone decides
 * (event_shape.c) is read for the whole request before the writer is taken. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_custody.h"
#include "log.h"
#include "text.h"
#include "trk_canon.h"
#include "trk_custody.h"
#include "trk_event_shape.h"
#include "trk_internal.h"
#include "trk_s10.h"
#include "trk_valid.h"

#define HOLD_WORKING_DAYS 10   /* how long a result waits at the office before going back */
#define MAX_SIGNATURE 200000   /* bytes of PNG */

enum { R_CLERK = 1, R_COURIER = 2, R_AGENCY = 4 };

/* Who may record each event type here. accept, pickup and handover have their own routes. */
static const unsigned event_roles[TRK_EVENT_COUNT] = {
	[TRK_E_DISPATCH] = R_COURIER | R_CLERK,
	[TRK_E_AGENCY_RECEIPT] = R_AGENCY,
	[TRK_E_AGENCY_REJECT] = R_AGENCY,
	[TRK_E_COLLECT] = R_COURIER,
	[TRK_E_ARRIVE] = R_COURIER | R_CLERK,
	[TRK_E_OUT] = R_COURIER,
	[TRK_E_ATTEMPT] = R_COURIER,
	[TRK_E_HOLD] = R_CLERK,
	[TRK_E_DELIVER] = R_COURIER | R_CLERK,
	[TRK_E_RETURN] = R_COURIER | R_CLERK,
};

static const char *const attempt_reasons[] = {"nobody_home", "wrong_address", "refused",
                                              "moved", "other", NULL};
static const char *const relations[] = {"applicant", "proxy", NULL};

static unsigned role_bit(const char *role)
{
	if (!strcmp(role, "clerk"))
		return R_CLERK;
	if (!strcmp(role, "courier"))
		return R_COURIER;
	if (!strcmp(role, "agency"))
		return R_AGENCY;
	return 0;
}

/* Everything one event needs while it is checked and recorded. */
typedef struct ctx {
	trk *t;
	const trk_actor *actor;
	const json_t *ev;
	const char *path;
	trk_event type;
	db_item item;
	db_dossier dossier;          /* the fields events use (db_event_context_get) */
	db_progress progress;
	db_progress stored;          /* progress as read, when it has a row (has_progress) */
	bool has_progress;
	db_event rec;
	json_t *data;                /* the event's own fields, stored and hashed */
	unsigned char *signature;    /* decoded PNG, stored as an attachment */
	size_t signature_len;
	/* Kept from one event of a batch to the next: the batch holds the database, so the
	 * catalogue cannot change under it. */
	char office_known[16];       /* the last place found in the offices catalogue */
} ctx;

static hoso_status need_string(ctx *c, const char *key, size_t max, char *buf, size_t size,
                               bool required, hoso_err *err)
{
	hoso_status st = trk_field_string(c->ev, c->path, key, required, max, buf, size, err);
	if (st == HOSO_OK && buf[0])
		json_object_set_new(c->data, key, json_string(buf));
	return st;
}

static hoso_status check_agency_receipt(ctx *c, hoso_err *err)
{
	char receipt[128], appt[16], where[128];
	hoso_status st;
	if ((st = need_string(c, "receipt_number", 60, receipt, sizeof(receipt), true, err)) ||
	    (st = need_string(c, "appointment_date", 10, appt, sizeof(appt), true, err)))
		return st;
	trk_date d;
	trk_field_path(where, sizeof(where), c->path, "appointment_date");
	if (!trk_date_parse(appt, &d))
		return hoso_err_set(err, HOSO_INVALID, "invalid_date", where,
		                    "%s must be a date YYYY-MM-DD", where);
	if (d < trk_today(c->t))
		return hoso_err_set(err, HOSO_INVALID, "date_in_past", where,
		                    "%s %s is in the past", where, appt);
	text_copy(c->progress.receipt_number, sizeof(c->progress.receipt_number), receipt);
	text_copy(c->progress.appointment_date, sizeof(c->progress.appointment_date), appt);
	return HOSO_OK;
}

static hoso_status check_attempt(ctx *c, hoso_err *err)
{
	char reason[32], note[600];
	hoso_status st;
	if ((st = trk_field_enum(c->ev, c->path, "reason", attempt_reasons, NULL, reason,
	                         sizeof(reason), err)) ||
	    (st = need_string(c, "note", 300, note, sizeof(note), !strcmp(reason, "other"), err)))
		return st;
	json_object_set_new(c->data, "reason", json_string(reason));
	return HOSO_OK;
}

static hoso_status decode_signature(ctx *c, const char *b64, hoso_err *err)
{
	char where[128];
	trk_field_path(where, sizeof(where), c->path, "signature");
	const char *comma = strncmp(b64, "data:image/png;base64,", 22) == 0 ? b64 + 22 : b64;
	size_t len = strlen(comma);
	if (len > (MAX_SIGNATURE / 3 + 1) * 4)
		return hoso_err_set(err, HOSO_TOO_LARGE, "signature_too_large", where,
		                    "%s is larger than %d bytes", where, MAX_SIGNATURE);
	c->signature = malloc(len / 4 * 3 + 3);
	if (!c->signature)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	if (sodium_base642bin(c->signature, len / 4 * 3 + 3, comma, len, " \r\n",
	                      &c->signature_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_base64", where,
		                    "%s must be a base64 PNG image", where);
	hoso_status st = trk_png_check(c->signature, c->signature_len, where, err);
	if (st != HOSO_OK)
		return st;
	uint8_t h[32];
	char hex[65];
	crypto_hash_sha256(h, c->signature, c->signature_len);
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	json_object_set_new(c->data, "signature_sha256", json_string(hex));
	json_object_set_new(c->data, "signature_bytes", json_integer((json_int_t)c->signature_len));
	return HOSO_OK;
}

static hoso_status check_deliver(ctx *c, hoso_err *err)
{
	char name[1024], relation[16], auth[128], idn[32], papers[1024], sig_where[128];
	int64_t fee;
	hoso_status st;
	if ((st = need_string(c, "receiver_name", 200, name, sizeof(name), true, err)) ||
	    (st = trk_field_enum(c->ev, c->path, "relation", relations, NULL, relation,
	                         sizeof(relation), err)) ||
	    (st = need_string(c, "authorisation_ref", 60, auth, sizeof(auth),
	                      !strcmp(relation, "proxy"), err)) ||
	    (st = trk_field_string(c->ev, c->path, "id_number", true, 12, idn, sizeof(idn), err)) ||
	    (st = need_string(c, "papers_collected", 300, papers, sizeof(papers), false, err)) ||
	    (st = trk_field_int(c->ev, c->path, "fee_collected_vnd", false, 0, 1000000000LL, 0,
	                        &fee, err)))
		return st;
	json_object_set_new(c->data, "relation", json_string(relation));
	char where[128];
	trk_field_path(where, sizeof(where), c->path, "id_number");
	if (!trk_valid_cccd(idn))
		return hoso_err_set(err, HOSO_INVALID, "invalid_id_number", where,
		                    "%s must be the 12-digit CCCD number shown by the receiver", where);
	/* Only the last four digits are kept (Decision 45/2016 Art 9: the ID is checked). */
	json_object_set_new(c->data, "id_last4", json_string(idn + 8));
	if (c->progress.fee_due_vnd > 0 && fee != c->progress.fee_due_vnd) {
		trk_field_path(where, sizeof(where), c->path, "fee_collected_vnd");
		return hoso_err_set(err, HOSO_INVALID, "fee_mismatch", where,
		                    "%s must be %lld: the agency fee still owed on this result", where,
		                    (long long)c->progress.fee_due_vnd);
	}
	json_object_set_new(c->data, "fee_collected_vnd", json_integer((json_int_t)fee));
	const json_t *sig = json_object_get(c->ev, "signature");
	trk_field_path(sig_where, sizeof(sig_where), c->path, "signature");
	if (sig && !json_is_null(sig)) {
		if (!json_is_string(sig))
			return hoso_err_set(err, HOSO_INVALID, "wrong_type", sig_where,
			                    "%s must be a base64 PNG string", sig_where);
		if ((st = decode_signature(c, json_string_value(sig), err)) != HOSO_OK)
			return st;
	}
	return HOSO_OK;
}

/* Rules of the law that depend on the item's history, once the transition is legal. */
static hoso_status check_timing(ctx *c, hoso_err *err)
{
	trk_date today = trk_today(c->t), d;
	db_progress *p = &c->progress;
	char when[11];
	if (c->type == TRK_E_OUT && p->attempts >= 2)
		return hoso_err_set(err, HOSO_CONFLICT, "attempts_exhausted", "type",
		                    "item %s was already invited twice (Decision 45/2016 Art 9): hold "
		                    "it at the office for collection", c->item.tracking_number);
	/* An earlier attempt only when the applicant asks for it (and says so on the event). */
	bool asked = false;
	hoso_status st = trk_field_bool(c->ev, c->path, "requested_by_applicant", false, &asked,
	                                err);
	if (st != HOSO_OK)
		return st;
	if (asked)
		json_object_set_new(c->data, "requested_by_applicant", json_true());
	if (c->type == TRK_E_OUT && p->attempts > 0 && trk_date_parse(p->next_attempt_date, &d) &&
	    today < d && !asked) {
		trk_date_vn(p->next_attempt_date, when);
		return hoso_err_set(err, HOSO_CONFLICT, "too_early", "type",
		                    "the next delivery attempt of %s is due on %s, 2 working days after "
		                    "the last one (earlier only when the applicant asks: "
		                    "\"requested_by_applicant\": true)", c->item.tracking_number, when);
	}
	if (c->type == TRK_E_RETURN && trk_date_parse(p->hold_until, &d) && today <= d) {
		trk_date_vn(p->hold_until, when);
		return hoso_err_set(err, HOSO_CONFLICT, "too_early", "type",
		                    "item %s is held for the applicant until %s; it can go back to the "
		                    "agency after that", c->item.tracking_number, when);
	}
	if (c->type == TRK_E_COLLECT && p->result_ready_at == 0)
		return hoso_err_set(err, HOSO_CONFLICT, "result_not_ready", "type",
		                    "the agency has not marked the result of %s ready",
		                    c->item.tracking_number);
	return HOSO_OK;
}

/* Where the event happens: a post office, or the dossier's agency for agency-side events. */
static hoso_status check_place(ctx *c, hoso_err *err)
{
	char place[32], where[128];
	trk_field_path(where, sizeof(where), c->path, "place");
	hoso_status st = trk_field_string(c->ev, c->path, "place", false, 13, place, sizeof(place),
	                                  err);
	if (st != HOSO_OK)
		return st;
	bool at_agency = c->type == TRK_E_AGENCY_RECEIPT || c->type == TRK_E_AGENCY_REJECT ||
	                 c->type == TRK_E_COLLECT || c->type == TRK_E_RETURN;
	if (!place[0])
		snprintf(place, sizeof(place), "%s",
		         at_agency ? c->dossier.agency_code
		                   : (c->actor->office_code[0] ? c->actor->office_code
		                                               : c->progress.office_code));
	if (at_agency) {
		if (strcmp(place, c->dossier.agency_code) != 0)
			return hoso_err_set(err, HOSO_INVALID, "wrong_place", where,
			                    "%s must be the dossier's agency %s for a %s event", where,
			                    c->dossier.agency_code, trk_event_name(c->type));
	} else {
		bool known = c->office_known[0] && strcmp(place, c->office_known) == 0;
		if (!known) {
			db_office o;
			known = trk_valid_office_code(place) &&
			        db_office_get(c->t->db, place, &o, NULL) == HOSO_OK;
			if (known)
				text_copy(c->office_known, sizeof(c->office_known), place);
		}
		if (!known)
			return hoso_err_set(err, HOSO_INVALID, "unknown_office", where,
			                    "%s \"%s\" is not a post office in the catalogue", where, place);
	}
	text_copy(c->rec.place, sizeof(c->rec.place), place);
	return HOSO_OK;
}

/* Fills parties and progress for the new state, and queues what the law asks to tell. */
static hoso_status apply(ctx *c, hoso_err *err)
{
	trk *t = c->t;
	db_progress *p = &c->progress;
	const db_dossier *d = &c->dossier;
	trk_date today = trk_today(t);
	char courier[96], vn[11];
	snprintf(courier, sizeof(courier), "courier:%.80s", c->actor->username);
	snprintf(c->rec.from_party, sizeof(c->rec.from_party), "%.60s", p->custodian);
	hoso_status st = HOSO_OK;
	switch (c->type) {
	case TRK_E_DISPATCH:
	case TRK_E_COLLECT:
	case TRK_E_OUT:
		text_copy(p->custodian, sizeof(p->custodian), courier);
		if (c->type == TRK_E_COLLECT) {
			trk_date_format(trk_calendar_add_working_days(t->cal, today,
			                                              trk_route_days(d->route_class)),
			                p->due_date);
			st = trk_notify(t, "webhook", d->agency_code, "result_collected", &c->item, d,
			                NULL, err);
		}
		if (c->type == TRK_E_OUT)
			st = trk_notify(t, "sms", d->applicant_phone, "out_for_delivery", &c->item, d,
			                NULL, err);
		break;
	case TRK_E_ARRIVE:
		snprintf(p->custodian, sizeof(p->custodian), "office:%s", c->rec.place);
		text_copy(p->office_code, sizeof(p->office_code), c->rec.place);
		break;
	case TRK_E_AGENCY_RECEIPT:
		snprintf(p->custodian, sizeof(p->custodian), "agency:%s", d->agency_code);
		p->due_date[0] = '\0';
		trk_date_vn(p->appointment_date, vn);
		st = trk_notify(t, "sms", d->applicant_phone, "agency_receipt", &c->item, d,
		                json_pack("{s:s, s:s}", "receipt_number", p->receipt_number,
		                          "appointment_date", vn), err);
		if (st == HOSO_OK && d->portal_code[0])
			st = trk_notify(t, "portal", d->portal_code, "portal_status", &c->item, d,
			                json_pack("{s:i}", "status", 2), err);
		break;
	case TRK_E_AGENCY_REJECT:
		p->due_date[0] = '\0';
		st = trk_notify(t, "sms", d->applicant_phone, "agency_reject", &c->item, d,
		                json_pack("{s:O?}", "reason", json_object_get(c->data, "note")), err);
		if (st == HOSO_OK && d->portal_code[0])
			st = trk_notify(t, "portal", d->portal_code, "portal_status", &c->item, d,
			                json_pack("{s:i}", "status", 3), err);
		break;
	case TRK_E_ATTEMPT:
		p->attempts++;
		trk_date_format(trk_calendar_add_working_days(t->cal, today, 2), p->next_attempt_date);
		trk_date_vn(p->next_attempt_date, vn);
		text_copy(p->custodian, sizeof(p->custodian), courier);
		st = trk_notify(t, "sms", d->applicant_phone,
		                p->attempts >= 2 ? "attempt_failed_last" : "attempt_failed",
		                &c->item, d, json_pack("{s:s, s:i}", "next_date", vn, "attempt",
		                                       p->attempts), err);
		break;
	case TRK_E_HOLD:
		snprintf(p->custodian, sizeof(p->custodian), "office:%s", c->rec.place);
		trk_date_format(trk_calendar_add_working_days(t->cal, today, HOLD_WORKING_DAYS),
		                p->hold_until);
		p->next_attempt_date[0] = '\0';
		trk_date_vn(p->hold_until, vn);
		st = trk_notify(t, "sms", d->applicant_phone, "held", &c->item, d,
		                json_pack("{s:s, s:s}", "office", c->rec.place, "until", vn), err);
		break;
	case TRK_E_DELIVER:
		snprintf(p->custodian, sizeof(p->custodian), "applicant");
		p->due_date[0] = p->next_attempt_date[0] = p->hold_until[0] = '\0';
		p->fee_due_vnd = 0;
		st = trk_notify(t, "webhook", d->agency_code, "delivered", &c->item, d, NULL, err);
		if (st == HOSO_OK)
			st = trk_notify(t, "sms", d->applicant_phone, "delivered", &c->item, d, NULL, err);
		if (st == HOSO_OK && d->portal_code[0])
			st = trk_notify(t, "portal", d->portal_code, "portal_status", &c->item, d,
			                json_pack("{s:i}", "status", 10), err);
		break;
	case TRK_E_RETURN:
		snprintf(p->custodian, sizeof(p->custodian), "agency:%s", d->agency_code);
		p->hold_until[0] = '\0';
		st = trk_notify(t, "webhook", d->agency_code, "returned_to_agency", &c->item, d, NULL,
		                err);
		break;
	default:
		break;
	}
	snprintf(c->rec.to_party, sizeof(c->rec.to_party), "%.60s", p->custodian);
	return st;
}

/* Records the event whose shape p has read, under the writer. */
static hoso_status record_one(ctx *c, const trk_event_shape *p, bool *dup, hoso_err *err)
{
	char input[320], where[128];
	const char *id = p->id, *type = p->type_name, *digest = p->digest;
	hoso_status st;
	*dup = false;
	if (p->st != HOSO_OK) {
		*err = p->err;
		return p->st;
	}
	c->type = p->type;
	trk_field_path(where, sizeof(where), c->path, "type");
	db_event *seen = &c->rec;
	bool found;
	if ((st = db_event_find(c->t->db, id, seen, &found, err)) != HOSO_OK)
		return st;
	if (found) {
		if (strcmp(seen->request_digest, digest) != 0)
			return hoso_err_set(err, HOSO_CONFLICT, "duplicate_id",
			                    trk_field_path(where, sizeof(where), c->path, "id"),
			                    "event id %s was already used for a different event", id);
		*dup = true;
		return HOSO_OK;
	}
	memset(&c->rec, 0, sizeof(c->rec));
	text_copy(c->rec.id, sizeof(c->rec.id), id);
	if (!(event_roles[c->type] & role_bit(c->actor->role)))
		return hoso_err_set(err, HOSO_FORBIDDEN, "forbidden_role", where,
		                    "a %s may not record %s events", c->actor->role, type);
	char tn[TRK_S10_LEN + 1];
	if ((st = trk_s10_parse(p->input, trk_field_path(where, sizeof(where), c->path, "item"),
	                        tn, err)))
		return st;
	/* The item, its dossier and its progress in one read. */
	st = db_event_context_get(c->t->db, tn, &c->item, &c->dossier, &c->stored,
	                          &c->has_progress, err);
	if (st == HOSO_NOT_FOUND && strcmp(err->code, "unknown_item") == 0)
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_item", where,
		                    "no item has tracking number %s", tn);
	if (st)
		return st;
	if (!trk_actor_sees_dossier(c->actor, &c->dossier))
		return hoso_err_set(err, HOSO_FORBIDDEN, "other_agency", where,
		                    "item %s belongs to another agency", tn);
	if (c->has_progress)
		c->progress = c->stored;
	else if ((st = trk_progress_load(c->t, &c->item, &c->dossier, &c->progress, err)))
		return st;
	if ((st = trk_event_device_time(c->ev, c->path, &c->rec.device_time, err)) ||
	    (st = check_place(c, err)))
		return st;
	switch (c->type) {
	case TRK_E_AGENCY_RECEIPT: st = check_agency_receipt(c, err); break;
	case TRK_E_AGENCY_REJECT:
		st = need_string(c, "note", 500, input, sizeof(input), false, err);
		if (st == HOSO_OK && !input[0])
			st = need_string(c, "reason", 500, input, sizeof(input), true, err);
		else if (st == HOSO_OK)
			json_object_set_new(c->data, "reason", json_string(input));
		break;
	case TRK_E_ATTEMPT: st = check_attempt(c, err); break;
	case TRK_E_DELIVER: st = check_deliver(c, err); break;
	default: st = need_string(c, "note", 300, input, sizeof(input), false, err); break;
	}
	if (st != HOSO_OK)
		return st;
	trk_role role;
	trk_state from;
	trk_role_parse(c->item.role, &role);
	if (trk_state_parse(c->item.state, &from) && trk_machine_next(role, from, c->type) != TRK_S_NONE &&
	    (st = check_timing(c, err)) != HOSO_OK)
		return st;
	if ((st = apply(c, err)) != HOSO_OK)
		return st;
	text_copy(c->rec.type, sizeof(c->rec.type), type);
	c->rec.user_id = c->actor->user_id;
	text_copy(c->rec.username, sizeof(c->rec.username), c->actor->username);
	c->rec.server_time = trk_now_ms();
	/* The stored data: the canonical JSON of the fields, straight into the record. */
	char *data = trk_json_canonical(c->data, c->rec.data, sizeof(c->rec.data), NULL);
	if (data != c->rec.data) {
		free(data);
		c->rec.data[0] = '\0';
		return hoso_err_set(err, HOSO_INVALID, "too_long", c->path, "the event is too long");
	}
	text_copy(c->rec.request_digest, sizeof(c->rec.request_digest), digest);
	if ((st = trk_record_event(c->t, &c->item, &c->rec, err)) != HOSO_OK)
		return st;
	if (c->signature &&
	    (st = db_attachment_put(c->t->db, c->rec.id, "signature", c->signature,
	                            c->signature_len, err)) != HOSO_OK)
		return st;
	/* As trk_progress_save, writing only what changed when the item had a row. */
	if (!c->has_progress)
		return trk_progress_save(c->t, &c->item, &c->progress, err);
	text_copy(c->progress.state, sizeof(c->progress.state), c->item.state);
	return db_progress_update(c->t->db, &c->stored, &c->progress, err);
}

static json_t *result_json(const char *id, const char *status, const char *state,
                           const hoso_err *e)
{
	json_t *r = json_pack("{s:s?, s:s, s:s?}", "id", id && *id ? id : NULL, "status", status,
	                      "state", state && *state ? state : NULL);
	if (e)
		json_object_set_new(r, "error",
		                    json_pack("{s:s, s:s, s:s?}", "code", e->code, "message",
		                              e->message, "field", e->field[0] ? e->field : NULL));
	return r;
}

hoso_status trk_events_record(trk *t, const trk_actor *actor, const json_t *body, json_t **out,
                              hoso_status *single_status, hoso_err *err)
{
	*out = NULL;
	*single_status = HOSO_OK;
	if (!json_is_object(body))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", "",
		                    "the body must be an event object or {\"events\": [...]}");
	const json_t *list = json_object_get(body, "events");
	bool single = list == NULL;
	if (!single) {
		static const char *const keys[] = {"events", NULL};
		hoso_status st = trk_field_only(body, "", keys, err);
		if (st != HOSO_OK)
			return st;
		if (!json_is_array(list) || json_array_size(list) == 0)
			return hoso_err_set(err, HOSO_INVALID, "invalid_value", "events",
			                    "events must be an array of 1 to %d events",
			                    TRK_EVENTS_MAX_BATCH);
		if (json_array_size(list) > TRK_EVENTS_MAX_BATCH)
			return hoso_err_set(err, HOSO_TOO_LARGE, "batch_too_large", "events",
			                    "a batch holds at most %d events, not %zu; split it",
			                    TRK_EVENTS_MAX_BATCH, json_array_size(list));
	}
	size_t n = single ? 1 : json_array_size(list);
	ctx *c = calloc(1, sizeof(*c));
	trk_event_shape *pre = calloc(n, sizeof(*pre));
	if (!c || !pre) {
		free(pre);
		free(c);
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	}
	/* Each event's shape and digest first, before the writer is taken: they read only the
	 * request, and the writer is what every other request waits for. */
	for (size_t i = 0; i < n; i++) {
		if (!single)
			snprintf(pre[i].path, sizeof(pre[i].path), "events[%zu]", i);
		trk_event_shape_read(single ? body : json_array_get(list, i), &pre[i]);
	}
	hoso_status st = db_begin(t->db, err);
	if (st != HOSO_OK)
		goto out_ctx;
	for (size_t i = 0; i < n; i++) {
		trk_event_shape *p = &pre[i];
		/* Only what an event may read before setting it: the item, dossier, progress and
		 * record are (re)filled by record_one; the rest of the 14 KB is not cleared. */
		c->item.state[0] = '\0';
		c->rec.id[0] = c->rec.state_to[0] = '\0';
		c->has_progress = false;
		c->signature = NULL;
		c->signature_len = 0;
		c->type = (trk_event)0;
		c->t = t;
		c->actor = actor;
		c->ev = single ? body : json_array_get(list, i);
		c->path = p->path;
		c->data = json_object();
		hoso_err e;
		hoso_err_clear(&e);
		bool dup = false;
		hoso_status one;
		if (single || p->st != HOSO_OK) {
			/* A bare event is the whole use case: db_begin's savepoint is its own, and a
			 * refusal rolls that back below (a savepoint of its own cost 13 K instructions
			 * under the writer's lock, and a refused event then waited for a flush). An
			 * event refused for its shape writes nothing. */
			one = record_one(c, p, &dup, &e);
		} else if ((one = db_savepoint(t->db, "event", &e)) == HOSO_OK) {
			one = record_one(c, p, &dup, &e);
			if (one == HOSO_OK)
				one = db_savepoint_release(t->db, "event", &e);
			else
				db_savepoint_rollback(t->db, "event");
		}
		json_decref(c->data);
		free(c->signature);
		if (one == HOSO_INTERNAL || one == HOSO_UNAVAILABLE) {
			*err = e;
			st = one;
			db_rollback(t->db);
			goto out_ctx;
		}
		/* The answer is built after the commit, from what is kept here. */
		p->st = one;
		p->err = e;
		p->dup = dup;
		text_copy(p->state, sizeof(p->state),
		          one == HOSO_OK && dup ? c->rec.state_to : c->item.state);
		if (single)
			*single_status = one;
	}
	if (single && *single_status != HOSO_OK)
		db_rollback(t->db); /* nothing of a refused bare event is kept */
	else if ((st = db_commit(t->db, err)) != HOSO_OK)
		goto out_ctx;
	json_t *results = json_array();
	for (size_t i = 0; results && i < n; i++) {
		const trk_event_shape *p = &pre[i];
		json_array_append_new(results,
		                      p->st != HOSO_OK ? result_json(p->id, "refused", p->state, &p->err)
		                      : result_json(p->id, p->dup ? "duplicate" : "recorded", p->state,
		                                    NULL));
	}
	*out = results ? json_pack("{s:o}", "results", results) : NULL;
	if (!*out)
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
out_ctx:
	free(pre);
	free(c);
	return st;
}
