/* stats.c — the supervisors' statistics: today's figures by state, office and agency, the
 * figures of each day, and the hours each leg of a dossier's journey takes. The queries
 * are db_stats.h's; the rules (which states are finished, what "on time" means, which
 * office a figure belongs to) are here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_stats.h"
#include "trk_internal.h"
#include "trk_stats.h"

#define DAY_MS INT64_C(86400000)

/* The first ms (UTC) of local date d. */
static int64_t day_start(const trk *t, trk_date d)
{
	return (int64_t)d * DAY_MS - (int64_t)t->cfg.tz_offset_minutes * 60000;
}

/* Statistics are for supervisors and admins, and for an agency officer about their agency
 * (*agency is then set to it; NULL means every agency). */
static hoso_status scope(const trk_actor *a, bool agency_ok, const char **agency,
                         hoso_err *err)
{
	*agency = NULL;
	if (!strcmp(a->role, "supervisor") || !strcmp(a->role, "admin"))
		return HOSO_OK;
	if (agency_ok && !strcmp(a->role, "agency") && a->agency_code[0]) {
		*agency = a->agency_code;
		return HOSO_OK;
	}
	return hoso_err_set(err, HOSO_FORBIDDEN, "forbidden_role", NULL,
	                    "role %s may not read the statistics", a->role);
}

/* Strict "1".."366"; NULL gives the default. */
static hoso_status parse_days(const char *s, int *days, hoso_err *err)
{
	*days = TRK_STATS_DAYS_DEFAULT;
	if (!s)
		return HOSO_OK;
	long v = 0;
	size_t len = strlen(s);
	bool ok = len >= 1 && len <= 3;
	for (size_t i = 0; ok && i < len; i++) {
		ok = s[i] >= '0' && s[i] <= '9';
		v = v * 10 + (s[i] - '0');
	}
	if (!ok || v < 1 || v > TRK_STATS_DAYS_MAX)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "days",
		                    "days must be a whole number from 1 to %d", TRK_STATS_DAYS_MAX);
	*days = (int)v;
	return HOSO_OK;
}

/* A state is finished when the state machine allows no event from it in either role: the
 * one table decides, not a list here. */
static bool state_finished(trk_state s)
{
	trk_event evs[TRK_EVENT_COUNT];
	return trk_machine_allowed(TRK_SUBMISSION, s, evs, TRK_EVENT_COUNT) == 0 &&
	       trk_machine_allowed(TRK_RESULT, s, evs, TRK_EVENT_COUNT) == 0;
}

double trk_stats_quantile(const double *sorted, size_t n, double p)
{
	if (n == 1 || p <= 0)
		return sorted[0];
	if (p >= 1)
		return sorted[n - 1];
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)h;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

bool trk_stats_on_time(const trk *t, int64_t collected_at, int64_t delivered_at,
                       const char *route_class)
{
	if (collected_at <= 0)
		return false;
	int off = t->cfg.tz_offset_minutes;
	trk_date due = trk_calendar_add_working_days(t->cal, trk_date_of_ms(collected_at, off),
	                                             trk_route_days(route_class));
	return trk_date_of_ms(delivered_at, off) <= due;
}

/* ---- today -------------------------------------------------------------------------- */

static json_t *zero_states(void)
{
	json_t *o = json_object();
	for (int s = TRK_S_NONE + 1; s < TRK_STATE_COUNT; s++)
		json_object_set_new(o, trk_state_name((trk_state)s), json_integer(0));
	return o;
}

static void bump(json_t *o, const char *key, int64_t by)
{
	json_int_t v = json_integer_value(json_object_get(o, key));
	json_object_set_new(o, key, json_integer(v + (json_int_t)by));
}

/* The entry of code in map (an office or an agency), made on first use. */
static json_t *entry(json_t *map, const char *code)
{
	json_t *e = json_object_get(map, code);
	if (e)
		return e;
	e = json_pack("{s:s, s:s, s:o, s:i, s:i, s:i, s:i}", "code", code, "name", "",
	              "states", zero_states(), "accepted_today", 0, "delivered_today", 0,
	              "overdue", 0, "due_soon", 0);
	json_object_set_new(map, code, e);
	return e;
}

static int cmp_codes(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The entries of map as an array sorted by code, each with its catalogue name. */
static json_t *entries_sorted(trk *t, json_t *map, bool offices)
{
	size_t n = json_object_size(map), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	json_t *arr = json_array();
	if (!keys)
		return arr;
	const char *k;
	json_t *v;
	json_object_foreach(map, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_codes);
	for (i = 0; i < n; i++) {
		json_t *e = json_object_get(map, keys[i]);
		db_office o;
		db_agency a;
		if (offices && db_office_get(t->db, keys[i], &o, NULL) == HOSO_OK)
			json_object_set_new(e, "name", json_string(o.name));
		else if (!offices && db_agency_get(t->db, keys[i], &a, NULL) == HOSO_OK)
			json_object_set_new(e, "name", json_string(a.name));
		json_array_append(arr, e);
	}
	free(keys);
	return arr;
}

/* Adds one row of item counts: a finished state counts the items that reached it today,
 * any other state every item in it. */
static void add_states(json_t *out, json_t *offices, json_t *agencies,
                       const db_stats_state_row *r)
{
	trk_state s;
	if (!trk_state_parse(r->state, &s) || s == TRK_S_NONE)
		return;
	int64_t c = state_finished(s) ? r->count_in_window : r->count;
	if (c == 0)
		return;
	bump(json_object_get(out, "states"), r->state, c);
	bump(json_object_get(entry(offices, r->office_code), "states"), r->state, c);
	bump(json_object_get(entry(agencies, r->agency_code), "states"), r->state, c);
	if (s == TRK_S_DELIVERED) {
		bump(out, "delivered_today", c);
		bump(entry(offices, r->office_code), "delivered_today", c);
		bump(entry(agencies, r->agency_code), "delivered_today", c);
	}
}

hoso_status trk_stats_today(trk *t, const trk_actor *actor, json_t **out, hoso_err *err)
{
	const char *agency;
	hoso_status st = scope(actor, true, &agency, err);
	if (st != HOSO_OK)
		return st;
	trk_date today = trk_today(t);
	char today_s[11], soon_s[11];
	trk_date_format(today, today_s);
	trk_date_format(trk_calendar_add_working_days(t->cal, today, 2), soon_s);
	db_stats_state_row *states = NULL;
	db_stats_due_row *due = NULL;
	db_stats_accept_row *acc = NULL;
	size_t ns = 0, nd = 0, na = 0;
	/* The machine's states, split as add_states counts them. */
	const char *open[DB_STATS_OPEN + 1] = {0}, *finished[DB_STATS_FINISHED + 1] = {0};
	size_t no = 0, nf = 0;
	for (int s = TRK_S_NONE + 1; s < TRK_STATE_COUNT; s++) {
		if (state_finished((trk_state)s) ? nf < DB_STATS_FINISHED : no < DB_STATS_OPEN)
			*(state_finished((trk_state)s) ? &finished[nf++] : &open[no++]) =
				trk_state_name((trk_state)s);
		else
			return hoso_err_set(err, HOSO_INTERNAL, "internal", NULL,
			                    "the state machine has more states than db_stats_item_states "
			                    "takes (a bug)");
	}
	if ((st = db_stats_item_states(t->db, agency, day_start(t, today),
	                               day_start(t, today + 1), open, finished, &states, &ns,
	                               err)) ||
	    (st = db_stats_due(t->db, agency, today_s, soon_s, &due, &nd, err)) ||
	    (st = db_stats_accepted(t->db, agency, today_s, today_s, &acc, &na, err)))
		goto free_rows;
	json_t *res = json_pack("{s:s, s:o, s:i, s:i, s:i, s:i}", "date", today_s, "states",
	                        zero_states(), "accepted_today", 0, "delivered_today", 0,
	                        "overdue", 0, "due_soon", 0);
	json_t *offices = json_object(), *agencies = json_object();
	if (agency)
		entry(agencies, agency); /* an officer always sees their own agency's line */
	for (size_t i = 0; i < ns; i++)
		add_states(res, offices, agencies, &states[i]);
	for (size_t i = 0; i < nd; i++) {
		const db_stats_due_row *r = &due[i];
		const char *keys[2] = {"overdue", "due_soon"};
		const int64_t counts[2] = {r->overdue, r->due_soon};
		for (int k = 0; k < 2; k++) {
			if (counts[k] == 0)
				continue;
			bump(res, keys[k], counts[k]);
			bump(entry(offices, r->office_code), keys[k], counts[k]);
			bump(entry(agencies, r->agency_code), keys[k], counts[k]);
		}
	}
	for (size_t i = 0; i < na; i++) {
		bump(res, "accepted_today", acc[i].dossiers);
		bump(entry(offices, acc[i].office_code), "accepted_today", acc[i].dossiers);
		bump(entry(agencies, acc[i].agency_code), "accepted_today", acc[i].dossiers);
	}
	json_object_set_new(res, "offices", entries_sorted(t, offices, true));
	json_object_set_new(res, "agencies", entries_sorted(t, agencies, false));
	json_decref(offices);
	json_decref(agencies);
	*out = res;
free_rows:
	free(states);
	free(due);
	free(acc);
	return st;
}

/* ---- per day ------------------------------------------------------------------------ */

hoso_status trk_stats_daily(trk *t, const trk_actor *actor, const char *days, json_t **out,
                            hoso_err *err)
{
	const char *agency;
	int n;
	hoso_status st;
	if ((st = scope(actor, true, &agency, err)) || (st = parse_days(days, &n, err)))
		return st;
	trk_date today = trk_today(t), first = today - n + 1;
	char from_s[11], to_s[11];
	trk_date_format(first, from_s);
	trk_date_format(today, to_s);
	int64_t (*cnt)[4] = calloc((size_t)n, sizeof(*cnt)); /* accepted delivered on_time late */
	db_stats_accept_row *acc = NULL;
	db_stats_delivery *del = NULL;
	size_t na = 0, nd = 0;
	if (!cnt)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	if ((st = db_stats_accepted(t->db, agency, from_s, to_s, &acc, &na, err)) ||
	    (st = db_stats_deliveries(t->db, agency, day_start(t, first), day_start(t, today + 1),
	                              &del, &nd, err)))
		goto free_rows;
	for (size_t i = 0; i < na; i++) {
		trk_date d;
		if (trk_date_parse(acc[i].date, &d) && d >= first && d <= today)
			cnt[d - first][0] += acc[i].dossiers;
	}
	for (size_t i = 0; i < nd; i++) {
		trk_date d = trk_date_of_ms(del[i].delivered_at, t->cfg.tz_offset_minutes);
		if (d < first || d > today)
			continue;
		cnt[d - first][1]++;
		if (del[i].collected_at > 0)
			cnt[d - first][trk_stats_on_time(t, del[i].collected_at, del[i].delivered_at,
			                                 del[i].route_class) ? 2 : 3]++;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		char date[11];
		trk_date_format(first + i, date);
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I, s:I}", "date", date,
		                                     "accepted", (json_int_t)cnt[i][0],
		                                     "delivered", (json_int_t)cnt[i][1],
		                                     "on_time", (json_int_t)cnt[i][2],
		                                     "late", (json_int_t)cnt[i][3]));
	}
	*out = json_pack("{s:s, s:s, s:o}", "from", from_s, "to", to_s, "days", arr);
free_rows:
	free(cnt);
	free(acc);
	free(del);
	return st;
}

/* ---- transit times ------------------------------------------------------------------ */

enum { LEG_TO_AGENCY, LEG_AT_AGENCY, LEG_TO_APPLICANT, LEG_WHOLE, LEG_COUNT };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Hours rounded to 2 decimals, as JSON. */
static json_t *hours_json(double h)
{
	return json_real((double)(int64_t)(h * 100.0 + 0.5) / 100.0);
}

hoso_status trk_stats_transit(trk *t, const trk_actor *actor, const char *days, json_t **out,
                              hoso_err *err)
{
	static const char *const names[LEG_COUNT] = {"accepted_to_agency",
	                                             "agency_to_result_ready",
	                                             "result_ready_to_delivered",
	                                             "accepted_to_delivered"};
	const char *agency;
	int n;
	hoso_status st;
	if ((st = scope(actor, true, &agency, err)) || (st = parse_days(days, &n, err)))
		return st;
	trk_date today = trk_today(t), first = today - n + 1;
	int64_t from = day_start(t, first), to = day_start(t, today + 1);
	db_stats_journey *js = NULL;
	size_t nj = 0;
	if ((st = db_stats_journeys(t->db, agency, from, to, &js, &nj, err)))
		return st;
	double *hours[LEG_COUNT] = {NULL};
	size_t count[LEG_COUNT] = {0};
	for (int l = 0; l < LEG_COUNT; l++) {
		hours[l] = malloc((nj ? nj : 1) * sizeof(double));
		if (!hours[l]) {
			st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
			goto free_hours;
		}
	}
	for (size_t i = 0; i < nj; i++) {
		const db_stats_journey *j = &js[i];
		/* Each leg: its start, its end; counted when both happened and it ended in the
		 * window. A leg that seems to end before it starts (a clock set back) is left out. */
		const int64_t legs[LEG_COUNT][2] = {{j->accepted_at, j->filed_at},
		                                    {j->filed_at, j->result_ready_at},
		                                    {j->result_ready_at, j->delivered_at},
		                                    {j->accepted_at, j->delivered_at}};
		for (int l = 0; l < LEG_COUNT; l++)
			if (legs[l][0] > 0 && legs[l][1] >= from && legs[l][1] < to &&
			    legs[l][1] >= legs[l][0])
				hours[l][count[l]++] = (double)(legs[l][1] - legs[l][0]) / 3600000.0;
	}
	json_t *arr = json_array();
	for (int l = 0; l < LEG_COUNT; l++) {
		qsort(hours[l], count[l], sizeof(double), cmp_double);
		json_t *leg = json_pack("{s:s, s:I}", "leg", names[l], "count", (json_int_t)count[l]);
		json_object_set_new(leg, "median_hours", count[l] ?
		                    hours_json(trk_stats_quantile(hours[l], count[l], 0.5)) : json_null());
		json_object_set_new(leg, "p90_hours", count[l] ?
		                    hours_json(trk_stats_quantile(hours[l], count[l], 0.9)) : json_null());
		json_array_append_new(arr, leg);
	}
	char from_s[11], to_s[11];
	trk_date_format(first, from_s);
	trk_date_format(today, to_s);
	*out = json_pack("{s:s, s:s, s:o}", "from", from_s, "to", to_s, "legs", arr);
free_hours:
	for (int l = 0; l < LEG_COUNT; l++)
		free(hours[l]);
	free(js);
	return st;
}
