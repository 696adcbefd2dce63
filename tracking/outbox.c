/* The operator's side of notifications (trk_outbox.h): listing the outbox, sending failed
 * rows again, and agencies' webhook settings. The worker that sends is in dispatch/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_outbox.h"
#include "trk_internal.h"
#include "text.h"
#include "trk_outbox.h"

/* A phone shows only its last 3 digits, as on the public tracking page. */
static json_t *masked_target(const db_outbox_row *r)
{
	if (strcmp(r->kind, "sms") != 0)
		return json_string(r->target);
	char m[64];
	size_t n = strlen(r->target);
	for (size_t i = 0; i < n && i < sizeof(m) - 1; i++)
		m[i] = i + 3 < n ? '*' : r->target[i];
	m[n < sizeof(m) - 1 ? n : sizeof(m) - 1] = '\0';
	return json_string(m);
}

static json_t *time_or_null(const trk *t, int64_t ms)
{
	if (!ms)
		return json_null();
	char buf[32];
	trk_format_time(t, ms, buf);
	return json_string(buf);
}

static json_t *row_json(const trk *t, const db_outbox_row *r)
{
	json_t *payload = json_loads(r->payload, 0, NULL);
	json_t *params = json_object_get(payload, "params");
	json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:o?, s:s, s:i, s:o, s:o, s:o, s:o, s:s}",
		"id", (json_int_t)r->id, "kind", r->kind, "target", masked_target(r),
		"template", json_string_value(json_object_get(payload, "template")) ?
		            json_string_value(json_object_get(payload, "template")) : "",
		"tracking_number", json_incref(json_object_get(payload, "tracking_number")),
		"state", r->state, "attempts", r->attempts,
		"created_at", time_or_null(t, r->created_at),
		"next_attempt_at", strcmp(r->state, "pending") == 0 ?
		                   time_or_null(t, r->next_attempt_at) : json_null(),
		"sent_at", time_or_null(t, r->sent_at),
		"last_error", r->last_error[0] ? json_string(r->last_error) : json_null(),
		"idempotency_key", r->idem_key);
	if (o && json_is_object(params) && strcmp(r->kind, "sms") != 0)
		json_object_set(o, "params", params);
	json_decref(payload);
	return o;
}

hoso_status trk_outbox_list(trk *t, const char *state, int64_t before, size_t limit,
                            json_t **out, hoso_err *err)
{
	*out = NULL;
	if (limit < 1 || limit > 500)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "limit",
		                    "limit must be a whole number from 1 to 500");
	db_outbox_row *rows = NULL;
	size_t n = 0;
	hoso_status st = db_outbox_list(t->db, state, before, limit, &rows, &n, err);
	if (st != HOSO_OK)
		return st;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list, row_json(t, &rows[i]));
	json_t *next = n == limit && n ? json_integer((json_int_t)rows[n - 1].id) : json_null();
	free(rows);
	*out = json_pack("{s:s, s:o, s:o}", "state", state, "outbox", list, "next", next);
	if (!*out)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "out of memory");
	return HOSO_OK;
}

hoso_status trk_outbox_retry(trk *t, int64_t id, json_t **out, hoso_err *err)
{
	*out = NULL;
	hoso_status st = db_begin(t->db, err);
	if (st != HOSO_OK)
		return st;
	if ((st = db_outbox_requeue(t->db, id, trk_now_ms(), err)) != HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	if ((st = db_commit(t->db, err)) != HOSO_OK)
		return st;
	db_outbox_row *row = malloc(sizeof(*row));
	if (!row)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "out of memory");
	if ((st = db_outbox_get(t->db, id, row, err)) == HOSO_OK)
		*out = row_json(t, row);
	free(row);
	return st;
}

hoso_status trk_outbox_retry_failed(trk *t, int64_t *count, hoso_err *err)
{
	hoso_status st = db_begin(t->db, err);
	if (st != HOSO_OK)
		return st;
	if ((st = db_outbox_requeue_failed(t->db, trk_now_ms(), count, err)) != HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	return db_commit(t->db, err);
}

hoso_status trk_agency_webhook_set(trk *t, const char *agency_code, const char *url,
                                   const char *secret, hoso_err *err)
{
	return trk_agency_webhook_set_by(t, 0, agency_code, url, secret, err);
}

hoso_status trk_agency_webhook_set_by(trk *t, int64_t user_id, const char *agency_code,
                                      const char *url, const char *secret, hoso_err *err)
{
	size_t ulen = url ? strlen(url) : 0;
	bool scheme = url && ((!strncmp(url, "http://", 7) && url[7] && url[7] != '/') ||
	                      (!strncmp(url, "https://", 8) && url[8] && url[8] != '/'));
	bool clean = true;
	for (size_t i = 0; i < ulen; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
			clean = false;
	if (!scheme || !clean || ulen > 1000)
		return hoso_err_set(err, HOSO_INVALID, "invalid_url", "url",
		                    "webhook URL \"%.200s\" must be an http:// or https:// URL with a "
		                    "host, without spaces, at most 1000 bytes",
		                    /* echoed only when plain ASCII: a cut could split a character */
		                    url && clean ? url : "(not shown)");
	size_t slen = secret ? strlen(secret) : 0;
	if (slen < 16 || slen > 255 || text_has_control(secret))
		return hoso_err_set(err, HOSO_INVALID, "invalid_secret", "secret",
		                    "the webhook secret must be 16 to 255 bytes without control "
		                    "characters (it is %zu)", slen);
	hoso_status st = db_begin(t->db, err);
	if (st != HOSO_OK)
		return st;
	st = db_agency_webhook_set(t->db, agency_code, url, secret, trk_now_ms(), err);
	if (st == HOSO_NOT_FOUND)
		hoso_err_set(err, HOSO_NOT_FOUND, "unknown_agency", "agency_code",
		             "agency %.60s is not in the catalogue (import it first)", agency_code);
	else if (st == HOSO_OK) /* the secret stays out of the audit trail */
		st = trk_audit_write(t->db, user_id, "agency_webhook_set",
		                     json_pack("{s:s, s:s}", "agency_code", agency_code, "url", url),
		                     err);
	if (st != HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	return db_commit(t->db, err);
}
