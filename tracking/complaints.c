/* complaints.c — applicants' complaints (Circular 17/2017 Art 8): filed from the tracking
 * page after the phone-digit check, for 6 months after the end of the service time; the
 * post answers within 5 working days (same province) or 7 (between provinces). Supervisors
 * list and answer them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "public_internal.h"
#include "trk_valid.h"

#define COMPLAINT_WINDOW_MONTHS 6

int trk_complaint_answer_days(const char *route_class)
{
	bool same_province = route_class && (strcmp(route_class, "district") == 0 ||
	                                     strcmp(route_class, "province") == 0);
	return same_province ? 5 : 7;
}

trk_date trk_complaint_last_day(trk_date service_end)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;
	trk_date_to_ymd(service_end, &y, &m, &d);
	m += COMPLAINT_WINDOW_MONTHS;
	while (m > 12) {
		m -= 12;
		y++;
	}
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return trk_date_from_ymd(y, m, d > max ? max : d);
}

hoso_status trk_complaint_window_check(trk_date service_end, trk_date today, hoso_err *err)
{
	trk_date last = trk_complaint_last_day(service_end);
	if (today <= last)
		return HOSO_OK;
	char end_vn[11], last_vn[11];
	trk_date_format_vn(service_end, end_vn);
	trk_date_format_vn(last, last_vn);
	return hoso_err_set(err, HOSO_CONFLICT, "complaint_too_late", "text",
	                    "complaints can be filed for 6 months after the end of the service "
	                    "time (%s); that period ended on %s", end_vn, last_vn);
}

/* The end of the whole service time: the latest J + n of the dossier's items (their own
 * legs, or the dossier's), never before the acceptance date. */
static hoso_status service_end(trk *t, char tns[2][16], size_t n, trk_date *out,
                               db_track_item *first, hoso_err *err)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		db_track_item v;
		hoso_status st = db_track_item_get(t->db, tns[i], false, &v, err);
		if (st != HOSO_OK)
			return st;
		const char *dates[] = {v.accepted_date, v.dossier_due_date, v.due_date};
		for (size_t k = 0; k < 3; k++) {
			trk_date d;
			if (trk_date_parse(dates[k], &d) && d > *out)
				*out = d;
		}
		if (i == 0)
			*first = v;
	}
	return HOSO_OK;
}

static json_t *complaint_json(trk *t, const db_complaint *c, trk_date today)
{
	char created[32], answered[32];
	trk_format_time(t, c->created_at, created);
	if (c->answered_at)
		trk_format_time(t, c->answered_at, answered);
	trk_date due;
	bool overdue = strcmp(c->state, "open") == 0 && trk_date_parse(c->due_date, &due) &&
	               due < today;
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s, s:i, s:s, s:s, s:b, "
	                 "s:s?, s:s?, s:s?}",
	                 "id", (json_int_t)c->id, "number", c->number, "tracking_number",
	                 c->tracking_number, "dossier_id", (json_int_t)c->dossier_id,
	                 "office_code", c->office_code, "agency_code", c->agency_code, "text",
	                 c->text, "contact_phone", c->contact_phone[0] ? c->contact_phone : NULL,
	                 "state", c->state, "answer_days", c->inter_province ? 7 : 5,
	                 "created_at", created, "due_date", c->due_date, "overdue", overdue,
	                 "answer", c->answer[0] ? c->answer : NULL, "answered_by",
	                 c->answered_by_name[0] ? c->answered_by_name : NULL, "answered_at",
	                 c->answered_at ? answered : NULL);
}

json_t *trk_public_item_complaints(trk *t, const char *tracking_number)
{
	json_t *arr = json_array();
	db_complaint_filter f = {.tracking_number = tracking_number, .limit = 20};
	db_complaint *rows = NULL;
	size_t n = 0;
	if (db_complaint_list(t->db, &f, &rows, &n, NULL) != HOSO_OK)
		return arr;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "number",
		                                     rows[i].number, "state", rows[i].state,
		                                     "due_date", rows[i].due_date, "text",
		                                     rows[i].text, "answer",
		                                     rows[i].answer[0] ? rows[i].answer : NULL));
	free(rows);
	return arr;
}

hoso_status trk_complaint_file(trk *t, const char *query, const json_t *body, json_t **out,
                               int *retry_after, hoso_err *err)
{
	return trk_complaint_file_on(t, query, body, trk_today(t), out, retry_after, err);
}

hoso_status trk_complaint_file_on(trk *t, const char *query, const json_t *body,
                                  trk_date today, json_t **out, int *retry_after,
                                  hoso_err *err)
{
	static const char *const allowed[] = {"phone_last4", "text", "contact_phone", NULL};
	*out = NULL;
	*retry_after = 0;
	db_complaint *c = calloc(1, sizeof(*c));
	if (!c)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	char phone[64] = "", tns[2][16];
	size_t n = 0;
	bool portal = false;
	trk_date end = 0;
	db_track_item first;
	hoso_status st;
	if ((st = trk_field_only(body, "", allowed, err)) ||
	    (st = trk_field_string(body, "", "text", true, TRK_COMPLAINT_MAX_CHARS, c->text,
	                           sizeof(c->text), err)) ||
	    (st = trk_field_string(body, "", "contact_phone", false, 20, phone, sizeof(phone),
	                           err)))
		goto out;
	if (phone[0] && !trk_phone_normalize(phone, c->contact_phone)) {
		st = hoso_err_set(err, HOSO_INVALID, "invalid_phone", "contact_phone",
		                  "contact_phone must be a Vietnamese phone number such as "
		                  "0905 123 456");
		goto out;
	}
	if ((st = trk_public_resolve(t, query, tns, &n, &portal, err)) ||
	    (st = service_end(t, tns, n, &end, &first, err)))
		goto out;
	db_item items[2];
	size_t ni = 0;
	if ((st = db_items_of_dossier(t->db, first.dossier_id, items, &ni, err)) ||
	    (st = db_begin(t->db, err)))
		goto out;
	st = trk_public_check_digits(t, items[0].tracking_number, first.applicant_phone, body,
	                             retry_after, err);
	if (st != HOSO_OK) {
		hoso_err cerr;
		if (db_commit(t->db, &cerr) != HOSO_OK) /* keeps the wrong try */
			*err = cerr;
		goto out;
	}
	if ((st = trk_complaint_window_check(end, today, err)) != HOSO_OK) {
		db_rollback(t->db);
		goto out;
	}
	snprintf(c->tracking_number, sizeof(c->tracking_number), "%s", tns[0]);
	c->dossier_id = first.dossier_id;
	snprintf(c->office_code, sizeof(c->office_code), "%s", first.office_code);
	snprintf(c->agency_code, sizeof(c->agency_code), "%s", first.agency_code);
	int days = trk_complaint_answer_days(first.route_class);
	c->inter_province = days == 7;
	c->created_at = trk_now_ms();
	trk_date_format(trk_calendar_add_working_days(t->cal, today, days), c->due_date);
	if ((st = db_complaint_insert(t->db, c, err)) != HOSO_OK) {
		db_rollback(t->db);
		goto out;
	}
	if ((st = db_commit(t->db, err)) != HOSO_OK)
		goto out;
	*out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:i}", "id", (json_int_t)c->id, "number",
	                 c->number, "tracking_number", c->tracking_number, "state", "open",
	                 "due_date", c->due_date, "answer_days", days);
out:
	free(c);
	return st;
}

static hoso_status parse_number(const char *s, const char *field, int64_t max, int64_t *v,
                                hoso_err *err)
{
	char *end = NULL;
	long long n = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || n < 1 || n > max)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", field,
		                    "%s must be a whole number from 1 to %lld", field, (long long)max);
	*v = n;
	return HOSO_OK;
}

hoso_status trk_complaint_list(trk *t, const trk_actor *actor, const char *state,
                               const char *overdue, const char *before, const char *limit,
                               json_t **out, hoso_err *err)
{
	(void)actor;
	int64_t lim = 50, bef = 0;
	hoso_status st;
	if (state && strcmp(state, "open") != 0 && strcmp(state, "answered") != 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "state",
		                    "state must be open or answered");
	if (overdue && strcmp(overdue, "1") != 0 && strcmp(overdue, "0") != 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "overdue",
		                    "overdue must be 1 or 0");
	if ((limit && (st = parse_number(limit, "limit", 200, &lim, err))) ||
	    (before && (st = parse_number(before, "before", INT64_MAX, &bef, err))))
		return st;
	trk_date today = trk_today(t);
	char today_s[11];
	trk_date_format(today, today_s);
	bool late = overdue && strcmp(overdue, "1") == 0;
	if (late && state && strcmp(state, "answered") == 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "overdue",
		                    "only open complaints can be overdue");
	db_complaint_filter f = {.state = late ? "open" : state,
	                         .due_before = late ? today_s : NULL,
	                         .before_id = bef,
	                         .limit = (size_t)lim + 1};
	db_complaint *rows = NULL;
	size_t n = 0;
	if ((st = db_complaint_list(t->db, &f, &rows, &n, err)) != HOSO_OK)
		return st;
	size_t shown = n > (size_t)lim ? (size_t)lim : n;
	json_t *arr = json_array();
	for (size_t i = 0; i < shown; i++)
		json_array_append_new(arr, complaint_json(t, &rows[i], today));
	char next[24];
	if (n > shown)
		snprintf(next, sizeof(next), "%lld", (long long)rows[shown - 1].id);
	*out = json_pack("{s:o, s:s?}", "complaints", arr, "next", n > shown ? next : NULL);
	free(rows);
	return HOSO_OK;
}

hoso_status trk_complaint_answer(trk *t, const trk_actor *actor, int64_t id,
                                 const json_t *body, json_t **out, hoso_err *err)
{
	static const char *const allowed[] = {"answer", NULL};
	*out = NULL;
	char *text = malloc(8192);
	db_complaint *c = calloc(1, sizeof(*c));
	hoso_status st;
	if (!text || !c) {
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
		goto out;
	}
	if ((st = trk_field_only(body, "", allowed, err)) ||
	    (st = trk_field_string(body, "", "answer", true, TRK_ANSWER_MAX_CHARS, text, 8192,
	                           err)))
		goto out;
	if ((st = db_begin(t->db, err)) != HOSO_OK)
		goto out;
	if ((st = db_complaint_get(t->db, id, c, err)) ||
	    (st = db_complaint_answer(t->db, id, text, actor->user_id, actor->username,
	                              trk_now_ms(), err)) ||
	    (st = db_complaint_get(t->db, id, c, err))) {
		db_rollback(t->db);
		goto out;
	}
	if ((st = db_commit(t->db, err)) == HOSO_OK)
		*out = complaint_json(t, c, trk_today(t));
out:
	free(text);
	free(c);
	return st;
}
