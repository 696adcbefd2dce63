/* public.c — public tracking without a login (Circular 17/2017 Art 12): look an item up by
 * its tracking number or its dossier's portal code, masked; unlock the details with the
 * last 4 digits of the applicant's phone, with a lock after 5 wrong tries that survives a
 * restart (it lives in the database). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "public_internal.h"
#include "trk_s10.h"
#include "trk_valid.h"

/* One answer for every kind of miss, so that the answers do not tell what exists. */
static hoso_status not_found(hoso_err *err)
{
	return hoso_err_set(err, HOSO_NOT_FOUND, "not_found", "tracking_number",
	                    "no item or dossier has this number; check it against your receipt");
}

hoso_status trk_public_resolve(trk *t, const char *query, char tns[2][16], size_t *n,
                               bool *portal, hoso_err *err)
{
	*n = 0;
	*portal = false;
	if (!query || strlen(query) > 320)
		return not_found(err);
	hoso_status st;
	if (trk_valid_portal_code(query)) {
		*portal = true;
		if ((st = db_track_portal_items(t->db, query, tns, n, err)) != HOSO_OK)
			return st;
		return *n ? HOSO_OK : not_found(err);
	}
	char tn[TRK_S10_LEN + 1];
	hoso_err perr;
	if (trk_s10_parse(query, "tracking_number", tn, &perr) != HOSO_OK)
		return not_found(err);
	db_item it;
	st = db_item_get(t->db, tn, &it, err);
	if (st == HOSO_NOT_FOUND)
		return not_found(err);
	if (st != HOSO_OK)
		return st;
	db_item items[2];
	size_t ni = 0;
	if ((st = db_items_of_dossier(t->db, it.dossier_id, items, &ni, err)) != HOSO_OK)
		return st;
	snprintf(tns[(*n)++], 16, "%.15s", tn);
	for (size_t i = 0; i < ni; i++)
		if (strcmp(items[i].tracking_number, tn) != 0 && *n < 2)
			snprintf(tns[(*n)++], 16, "%.15s", items[i].tracking_number);
	return HOSO_OK;
}

hoso_status trk_public_check_digits(trk *t, const char *lock_key, const char *phone,
                                    const json_t *body, int *retry_after, hoso_err *err)
{
	*retry_after = 0;
	const char *digits = json_string_value(json_object_get(body, "phone_last4"));
	if (!json_object_get(body, "phone_last4"))
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "phone_last4",
		                    "phone_last4 is required: the last 4 digits of the phone number "
		                    "given at the counter");
	if (!digits || strlen(digits) != 4 || strspn(digits, "0123456789") != 4)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "phone_last4",
		                    "phone_last4 must be a string of exactly 4 digits");
	int64_t now = trk_now_ms();
	db_lockout l;
	hoso_status st = db_lockout_get(t->db, lock_key, &l, err);
	if (st != HOSO_OK)
		return st;
	if (l.locked_until > now) {
		*retry_after = (int)((l.locked_until - now + 999) / 1000);
		return hoso_err_set(err, HOSO_FORBIDDEN, "locked", "phone_last4",
		                    "too many wrong tries: try again in %d minutes",
		                    (*retry_after + 59) / 60);
	}
	size_t len = strlen(phone);
	char want[5] = "????";
	if (len >= 4)
		memcpy(want, phone + len - 4, 4);
	if (sodium_memcmp(want, digits, 4) == 0 && len >= 4)
		return l.failures ? db_lockout_clear(t->db, lock_key, err) : HOSO_OK;
	l.failures++;
	l.updated_at = now;
	if (l.failures >= TRK_LOCK_TRIES) {
		l.failures = 0;
		l.locked_until = now + TRK_LOCK_MS;
	}
	if ((st = db_lockout_put(t->db, &l, err)) != HOSO_OK)
		return st;
	if (l.locked_until > now) {
		*retry_after = TRK_LOCK_MS / 1000;
		return hoso_err_set(err, HOSO_FORBIDDEN, "locked", "phone_last4",
		                    "the digits do not match, and that was the %dth wrong try: "
		                    "try again in %d minutes", TRK_LOCK_TRIES,
		                    TRK_LOCK_MS / 60000);
	}
	return hoso_err_set(err, HOSO_FORBIDDEN, "wrong_digits", "phone_last4",
	                    "the digits do not match the applicant's phone number; %d tries left "
	                    "before a %d-minute lock", TRK_LOCK_TRIES - l.failures,
	                    TRK_LOCK_MS / 60000);
}

/* The views of the resolved items as JSON text: one item, or a portal dossier's items. */
static hoso_status answer_text(trk *t, const char *query, char tns[2][16], size_t n,
                               bool portal, bool clear, trk_buf *b, hoso_err *err)
{
	if (portal) {
		trk_buf_put(b, "{\"portal_code\":");
		trk_buf_json_str(b, query);
		trk_buf_put(b, ",\"items\":[");
	}
	for (size_t i = 0; i < (portal ? n : 1); i++) {
		db_track_item v;
		hoso_status st = db_track_item_get(t->db, tns[i], true, &v, err);
		if (st != HOSO_OK) {
			free(b->p);
			b->p = NULL;
			return st == HOSO_NOT_FOUND ? not_found(err) : st;
		}
		if (i)
			trk_buf_put(b, ",");
		trk_public_item_write(t, &v, clear, b);
		db_track_item_free(&v);
	}
	if (portal)
		trk_buf_put(b, "]}");
	if (!b->oom)
		return HOSO_OK;
	free(b->p);
	b->p = NULL;
	return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
}

/* answer_text as a JSON tree. */
static hoso_status answer(trk *t, const char *query, char tns[2][16], size_t n, bool portal,
                          bool clear, json_t **out, hoso_err *err)
{
	trk_buf b = {0};
	hoso_status st = answer_text(t, query, tns, n, portal, clear, &b, err);
	if (st != HOSO_OK)
		return st;
	*out = json_loadb(b.p, b.len, 0, NULL);
	free(b.p);
	return *out ? HOSO_OK
	            : hoso_err_set(err, HOSO_INTERNAL, "bad_json", NULL,
	                           "the tracking view is not valid JSON (a bug)");
}

/* Resolves query for a lookup: a tracking number directly (no need to read its dossier),
 * a portal code through its dossier. */
static hoso_status lookup_items(trk *t, const char *query, char tns[2][16], size_t *n,
                                bool *portal, hoso_err *err)
{
	*n = 0;
	*portal = false;
	if (!query || !*query)
		return not_found(err);
	if (trk_valid_portal_code(query))
		return trk_public_resolve(t, query, tns, n, portal, err);
	char tn[TRK_S10_LEN + 1];
	hoso_err perr;
	if (strlen(query) > 320 || trk_s10_parse(query, "tracking_number", tn, &perr))
		return not_found(err);
	snprintf(tns[0], 16, "%.15s", tn);
	*n = 1;
	return HOSO_OK;
}

hoso_status trk_track_lookup(trk *t, const char *query, json_t **out, hoso_err *err)
{
	char tns[2][16];
	size_t n = 0;
	bool portal = false;
	*out = NULL;
	hoso_status st = lookup_items(t, query, tns, &n, &portal, err);
	return st ? st : answer(t, query, tns, n, portal, false, out, err);
}

hoso_status trk_track_lookup_text(trk *t, const char *query, char **out, size_t *len,
                                  hoso_err *err)
{
	char tns[2][16];
	size_t n = 0;
	bool portal = false;
	trk_buf b = {0};
	*out = NULL;
	*len = 0;
	hoso_status st = lookup_items(t, query, tns, &n, &portal, err);
	if (st == HOSO_OK && (st = answer_text(t, query, tns, n, portal, false, &b, err)) == 0) {
		*out = b.p;
		*len = b.len;
	}
	return st;
}

hoso_status trk_track_unlock(trk *t, const char *query, const json_t *body, json_t **out,
                             int *retry_after, hoso_err *err)
{
	char tns[2][16];
	size_t n = 0;
	bool portal = false;
	*out = NULL;
	*retry_after = 0;
	hoso_status st = trk_public_resolve(t, query, tns, &n, &portal, err);
	if (st != HOSO_OK)
		return st;
	db_track_item v;
	if ((st = db_track_item_get(t->db, tns[0], false, &v, err)) != HOSO_OK)
		return st == HOSO_NOT_FOUND ? not_found(err) : st;
	db_item items[2];
	size_t ni = 0;
	if ((st = db_items_of_dossier(t->db, v.dossier_id, items, &ni, err)) != HOSO_OK)
		return st;
	if ((st = db_begin(t->db, err)) != HOSO_OK)
		return st;
	hoso_status check = trk_public_check_digits(t, items[0].tracking_number,
	                                            v.applicant_phone, body, retry_after, err);
	/* a wrong try is kept: commit whatever the outcome */
	hoso_err cerr;
	if ((st = db_commit(t->db, &cerr)) != HOSO_OK) {
		*err = cerr;
		return st;
	}
	if (check != HOSO_OK)
		return check;
	return answer(t, query, tns, n, portal, true, out, err);
}
