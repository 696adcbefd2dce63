/* The audit trail: who changed what (users, catalogue imports, logins) and every write the
 * API refused, each with its user and time. Rows are written in the use case's own
 * transaction, or in a small one of their own for refusals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_audit.h"
#include "log.h"
#include "text.h"
#include "trk_internal.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500

static char operator_name[96];

void trk_set_operator(const char *who)
{
	snprintf(operator_name, sizeof(operator_name), "%s", who ? who : "");
}

hoso_status trk_audit_write(db *h, int64_t user_id, const char *action, json_t *detail,
                            hoso_err *err)
{
	if (!detail)
		detail = json_object();
	if (user_id == 0 && operator_name[0] &&
	    text_utf8_valid(operator_name, strlen(operator_name)))
		json_object_set_new(detail, "operator", json_string(operator_name));
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	json_decref(detail);
	if (!text)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL,
		                    "out of memory writing an audit row");
	hoso_status st = db_audit_add(h, trk_now_ms(), user_id, action, text, err);
	free(text);
	return st;
}

hoso_status trk_audit_note(trk *t, int64_t user_id, const char *action, json_t *detail,
                           hoso_err *err)
{
	hoso_status st = db_begin(t->db, err);
	if (st != HOSO_OK) {
		json_decref(detail);
		return st;
	}
	if ((st = trk_audit_write(t->db, user_id, action, detail, err)) != HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	return db_commit(t->db, err);
}

/* Text fit for a JSON string: s when it is valid UTF-8, otherwise a placeholder. */
static const char *json_safe(const char *s)
{
	if (!s)
		return "";
	return text_utf8_valid(s, strlen(s)) ? s : "(not UTF-8)";
}

void trk_audit_refused(trk *t, const trk_actor *actor, const char *route, unsigned status,
                       const char *code, const char *client)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *d = json_pack("{s:s, s:i, s:s, s:s}", "route", json_safe(route), "status",
	                      (int)status, "code", json_safe(code), "client", json_safe(client));
	if (d && actor)
		json_object_set_new(d, "username", json_string(json_safe(actor->username)));
	if (!d) {
		log_error("audit: out of memory recording a refused %s", json_safe(route));
		return;
	}
	if (trk_audit_note(t, actor ? actor->user_id : 0, "write_refused", d, &err) != HOSO_OK)
		log_error("audit: cannot record a refused %s: %s", json_safe(route), err.message);
}

/* Parses an optional whole number from lo to hi; false when present and not one. */
static bool parse_num(const char *s, long long lo, long long hi, long long *v)
{
	if (!s)
		return true;
	char *end = NULL;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (!*s || *end || errno || n < lo || n > hi || s[0] == '+' || s[0] == ' ')
		return false;
	*v = n;
	return true;
}

static json_t *row_json(const trk *t, const db_audit_row *r)
{
	char at[32];
	trk_format_time(t, r->at, at);
	json_error_t jerr;
	json_t *detail = json_loads(r->detail, 0, &jerr);
	if (!detail)
		detail = json_pack("{s:s}", "text", json_safe(r->detail));
	return json_pack("{s:I, s:s, s:I, s:s?, s:s, s:o}", "id", (json_int_t)r->id, "at", at,
	                 "user_id", (json_int_t)r->user_id, "username",
	                 r->username[0] ? json_safe(r->username) : NULL, "action",
	                 json_safe(r->action), "detail", detail);
}

hoso_status trk_audit_list(trk *t, const trk_actor *actor, const char *limit,
                           const char *before, json_t **out, hoso_err *err)
{
	*out = NULL;
	if (!actor || (strcmp(actor->role, "admin") != 0 && strcmp(actor->role, "supervisor") != 0))
		return hoso_err_set(err, HOSO_FORBIDDEN, "forbidden_role", NULL,
		                    "only supervisors and admins read the audit trail");
	long long lim = LIST_DEFAULT, cursor = 0;
	if (!parse_num(limit, 1, LIST_MAX, &lim))
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "limit",
		                    "limit must be a whole number from 1 to %d", LIST_MAX);
	if (!parse_num(before, 1, INT64_MAX, &cursor))
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "before",
		                    "before must be the \"next\" cursor of an earlier page "
		                    "(a positive whole number)");
	db_audit_row *rows = NULL;
	size_t n = 0;
	hoso_status st = db_audit_list(t->db, cursor, (size_t)lim, &rows, &n, err);
	if (st != HOSO_OK)
		return st;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		if (json_array_append_new(list, row_json(t, &rows[i])) != 0) {
			json_decref(list);
			list = NULL;
		}
	json_t *next = n == (size_t)lim && n > 0 ? json_sprintf("%lld", (long long)rows[n - 1].id)
	                                         : json_null();
	free(rows);
	*out = list ? json_pack("{s:o, s:o}", "entries", list, "next", next) : NULL;
	if (!*out)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	return HOSO_OK;
}
