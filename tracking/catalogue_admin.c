/* catalogue_admin.c — the admin page's catalogue (trk_admin.h): CSV files uploaded into the
 * catalogue, the list of agencies, and each agency's webhook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_admin.h"
#include "db_outbox.h"
#include "text.h"
#include "trk_admin.h"
#include "trk_import.h"
#include "trk_internal.h"
#include "trk_outbox.h"
#include "trk_valid.h"

#define FILE_NAME_MAX 120 /* bytes of an uploaded file's name, as shown in messages */

static const char *const kinds[] = {"offices", "agencies", "procedures", NULL};

hoso_status trk_catalogue_upload(trk *t, const trk_actor *actor, const char *kind,
                                 const char *name, const char *data, size_t len,
                                 json_t **out, hoso_err *err)
{
	*out = NULL;
	hoso_status st = trk_require_admin(actor, err);
	if (st != HOSO_OK)
		return st;
	size_t k = 0;
	while (kinds[k] && (!kind || strcmp(kind, kinds[k]) != 0))
		k++;
	/* kind comes from the path: not echoed, it may be any bytes */
	if (!kinds[k])
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_kind", "kind",
		                    "no such catalogue: upload to offices, agencies or procedures");
	char fallback[32];
	if (!name) {
		snprintf(fallback, sizeof(fallback), "%s.csv", kinds[k]);
		name = fallback;
	}
	size_t nlen = strlen(name);
	if (nlen == 0 || nlen > FILE_NAME_MAX || !text_utf8_valid(name, nlen) ||
	    text_has_control(name))
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "name",
		                    "name must be the file's name: 1 to %d bytes of UTF-8 text "
		                    "without control characters", FILE_NAME_MAX);
	size_t rows = 0;
	st = trk_import_csv_buffer_by(t->db, actor->user_id, kinds[k], name, data, len, &rows,
	                              err);
	if (st != HOSO_OK)
		return st;
	*out = json_pack("{s:s, s:s, s:I}", "kind", kinds[k], "file", name, "rows",
	                 (json_int_t)rows);
	if (!*out)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	return HOSO_OK;
}

/* An agency as the admin page shows it; the webhook (never its secret) when show_webhook. */
static json_t *agency_json(const trk *t, const db_agency_entry *e, bool show_webhook)
{
	const db_agency *a = &e->agency;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", a->code, "name",
	                      a->name, "desk_name", a->desk_name, "address", a->address,
	                      "district", a->district, "province", a->province, "phone", a->phone);
	if (!o || !show_webhook)
		return o;
	json_t *w = json_null();
	if (e->has_webhook) {
		char at[32];
		trk_format_time(t, e->webhook_updated_at, at);
		w = json_pack("{s:s, s:b, s:s}", "url", e->webhook_url, "has_secret", e->has_secret,
		              "updated_at", at);
	}
	if (!w || json_object_set_new(o, "webhook", w) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Webhook URLs may carry an agency's credentials: only those who run the service see them. */
static bool sees_webhooks(const trk_actor *actor)
{
	return actor && (strcmp(actor->role, "admin") == 0 ||
	                 strcmp(actor->role, "supervisor") == 0);
}

hoso_status trk_agencies_list(trk *t, const trk_actor *actor, json_t **out, hoso_err *err)
{
	*out = NULL;
	db_agency_entry *rows = NULL;
	size_t n = 0;
	hoso_status st = db_agency_list(t->db, &rows, &n, err);
	if (st != HOSO_OK)
		return st;
	bool show = sees_webhooks(actor);
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		if (json_array_append_new(list, agency_json(t, &rows[i], show)) != 0) {
			json_decref(list);
			list = NULL;
		}
	free(rows);
	*out = list ? json_pack("{s:o}", "agencies", list) : NULL;
	if (!*out)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	return HOSO_OK;
}

/* Removes the webhook of an agency known to exist, with its audit row. */
static hoso_status remove_webhook(trk *t, int64_t user_id, const char *code, hoso_err *err)
{
	bool removed = false;
	hoso_status st = db_begin(t->db, err);
	if (st != HOSO_OK)
		return st;
	if ((st = db_agency_webhook_delete(t->db, code, &removed, err)) != HOSO_OK ||
	    (st = trk_audit_write(t->db, user_id, "agency_webhook_remove",
	                          json_pack("{s:s, s:b}", "agency_code", code, "removed", removed),
	                          err)) != HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	return db_commit(t->db, err);
}

/* Reads string key of body into *s (NULL when absent or null), refusing other types and NULs. */
static hoso_status read_raw(const json_t *body, const char *key, const char **s, hoso_err *err)
{
	json_t *v = json_object_get(body, key);
	*s = NULL;
	if (!v || json_is_null(v))
		return HOSO_OK;
	if (!json_is_string(v))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", key, "%s must be a string", key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return hoso_err_set(err, HOSO_INVALID, "invalid_text", key,
		                    "%s contains a NUL character", key);
	*s = json_string_value(v);
	return HOSO_OK;
}

static const char *const webhook_fields[] = {"url", "secret", NULL};

hoso_status trk_agency_webhook_update(trk *t, const trk_actor *actor, const char *code,
                                      const json_t *body, json_t **out, hoso_err *err)
{
	*out = NULL;
	db_agency_entry e;
	const char *url = NULL, *secret = NULL;
	char stored_url[1024], stored_secret[256];
	hoso_status st;
	if ((st = trk_require_admin(actor, err)) != HOSO_OK)
		return st;
	/* code comes from the path: checked before it is echoed in a message */
	if (!code || !trk_valid_agency_code(code))
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_agency", "agency_code",
		                    "no agency has that code: write it like 000.00.00.H21");
	if ((st = db_agency_entry_get(t->db, code, &e, err)) != HOSO_OK ||
	    (st = trk_field_only(body, NULL, webhook_fields, err)) != HOSO_OK)
		return st;
	if (!json_object_get(body, "url"))
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "url",
		                    "url is required: the webhook's address, or null to remove it");
	if ((st = read_raw(body, "url", &url, err)) != HOSO_OK ||
	    (st = read_raw(body, "secret", &secret, err)) != HOSO_OK)
		return st;
	if (!url) {
		st = remove_webhook(t, actor->user_id, code, err);
	} else {
		/* Without a new secret the stored one stays, so a URL can change on its own. */
		if (!secret && db_agency_webhook_get(t->db, code, stored_url, sizeof(stored_url),
		                                     stored_secret, sizeof(stored_secret),
		                                     NULL) == HOSO_OK)
			secret = stored_secret;
		if (!secret)
			return hoso_err_set(err, HOSO_INVALID, "missing_field", "secret",
			                    "secret is required: agency %s has no webhook secret yet "
			                    "(16 to 255 bytes)", code);
		st = trk_agency_webhook_set_by(t, actor->user_id, code, url, secret, err);
		memset(stored_secret, 0, sizeof(stored_secret));
	}
	if (st != HOSO_OK || (st = db_agency_entry_get(t->db, code, &e, err)) != HOSO_OK)
		return st;
	json_t *a = agency_json(t, &e, true);
	*out = a ? json_pack("{s:o}", "agency", a) : NULL;
	if (!*out)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	return HOSO_OK;
}
