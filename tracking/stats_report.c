/* stats_report.c — the quarterly report on the service (Circular 17/2017 Art 13.1.c): per
 * procedure of each agency, the volume (dossiers accepted, results delivered), revenue
 * (postage) and the fees collected on the agencies' behalf, complaints and how they were
 * answered, items lost or damaged at handover. Compensation is not recorded by hoso: the
 * report says so rather than print a 0. As JSON (the API) and CSV (for a spreadsheet). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_stats.h"
#include "trk_internal.h"
#include "trk_stats.h"

#define DAY_MS INT64_C(86400000)

/* Strict decimal of exactly `len` digits (len 0: 1 to 4 digits); -1 otherwise. */
static long parse_digits(const char *s, size_t len)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 4 || (len && n != len))
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

void trk_report_free(trk_report *r)
{
	if (!r)
		return;
	free(r->lines);
	free(r);
}

/* The line of (agency, procedure), added (with catalogue names) on first use; NULL when out
 * of memory. Lines stay few (one per procedure used), so a scan is enough. */
static trk_report_line *line_of(trk *t, trk_report *r, size_t *cap, const char *agency,
                                const char *procedure, db_procedure *scratch)
{
	for (size_t i = r->n_lines; i-- > 0;)
		if (!strcmp(r->lines[i].agency_code, agency) &&
		    !strcmp(r->lines[i].procedure_code, procedure))
			return &r->lines[i];
	if (r->n_lines == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		trk_report_line *grown = realloc(r->lines, ncap * sizeof(*grown));
		if (!grown)
			return NULL;
		r->lines = grown;
		*cap = ncap;
	}
	trk_report_line *l = &r->lines[r->n_lines++];
	memset(l, 0, sizeof(*l));
	snprintf(l->agency_code, sizeof(l->agency_code), "%s", agency);
	snprintf(l->procedure_code, sizeof(l->procedure_code), "%s", procedure);
	db_agency a;
	if (db_agency_get(t->db, agency, &a, NULL) == HOSO_OK)
		snprintf(l->agency_name, sizeof(l->agency_name), "%s", a.name);
	if (db_procedure_get(t->db, procedure, scratch, NULL) == HOSO_OK)
		snprintf(l->procedure_name, sizeof(l->procedure_name), "%s", scratch->name);
	return l;
}

static int cmp_lines(const void *a, const void *b)
{
	const trk_report_line *x = a, *y = b;
	int c = strcmp(x->agency_code, y->agency_code);
	return c ? c : strcmp(x->procedure_code, y->procedure_code);
}

static void add_line(trk_report_line *sum, const trk_report_line *l)
{
	sum->dossiers_accepted += l->dossiers_accepted;
	sum->results_delivered += l->results_delivered;
	sum->results_on_time += l->results_on_time;
	sum->postage_vnd += l->postage_vnd;
	sum->fee_counter_vnd += l->fee_counter_vnd;
	sum->fee_delivery_vnd += l->fee_delivery_vnd;
	sum->complaints_received += l->complaints_received;
	sum->complaints_answered += l->complaints_answered;
	sum->complaints_answered_late += l->complaints_answered_late;
	sum->complaints_open += l->complaints_open;
	sum->lost += l->lost;
	sum->damaged += l->damaged;
}

/* Reads the quarter's rows into r's lines. */
static hoso_status fill(trk *t, trk_report *r, trk_date first, trk_date last, hoso_err *err)
{
	int off = t->cfg.tz_offset_minutes;
	int64_t from = (int64_t)first * DAY_MS - off * INT64_C(60000);
	int64_t to = (int64_t)(last + 1) * DAY_MS - off * INT64_C(60000);
	db_stats_accept_row *acc = NULL;
	db_stats_delivery *del = NULL;
	db_stats_complaint *cs = NULL;
	db_stats_loss_row *loss = NULL;
	size_t na = 0, nd = 0, nc = 0, nl = 0, cap = 0;
	hoso_status st;
	db_procedure *scratch = malloc(sizeof(*scratch));
	if (!scratch)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	if ((st = db_stats_accepted(t->db, NULL, r->from, r->to, &acc, &na, err)) ||
	    (st = db_stats_deliveries(t->db, NULL, from, to, &del, &nd, err)) ||
	    (st = db_stats_complaints(t->db, from, to, &cs, &nc, err)) ||
	    (st = db_stats_losses(t->db, from, to, &loss, &nl, err)))
		goto free_rows;
	trk_report_line *l;
	for (size_t i = 0; i < na; i++) {
		if (!(l = line_of(t, r, &cap, acc[i].agency_code, acc[i].procedure_code, scratch)))
			goto no_memory;
		l->dossiers_accepted += acc[i].dossiers;
		l->postage_vnd += acc[i].postage_vnd;
		l->fee_counter_vnd += acc[i].fee_vnd;
	}
	for (size_t i = 0; i < nd; i++) {
		if (!(l = line_of(t, r, &cap, del[i].agency_code, del[i].procedure_code, scratch)))
			goto no_memory;
		l->results_delivered++;
		l->fee_delivery_vnd += del[i].fee_collected_vnd;
		if (trk_stats_on_time(t, del[i].collected_at, del[i].delivered_at,
		                      del[i].route_class))
			l->results_on_time++;
	}
	for (size_t i = 0; i < nc; i++) {
		if (!(l = line_of(t, r, &cap, cs[i].agency_code, cs[i].procedure_code, scratch)))
			goto no_memory;
		l->complaints_received++;
		if (!cs[i].answered) {
			l->complaints_open++;
			continue;
		}
		l->complaints_answered++;
		char answered[11];
		trk_date_format(trk_date_of_ms(cs[i].answered_at, off), answered);
		if (cs[i].due_date[0] && strcmp(answered, cs[i].due_date) > 0)
			l->complaints_answered_late++;
	}
	for (size_t i = 0; i < nl; i++) {
		if (!(l = line_of(t, r, &cap, loss[i].agency_code, loss[i].procedure_code, scratch)))
			goto no_memory;
		l->lost += loss[i].missing;
		l->damaged += loss[i].damaged;
	}
	if (r->n_lines > 0) /* no lines: lines is NULL, which qsort may not be given */
		qsort(r->lines, r->n_lines, sizeof(*r->lines), cmp_lines);
	for (size_t i = 0; i < r->n_lines; i++)
		add_line(&r->total, &r->lines[i]);
	goto free_rows;
no_memory:
	st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
free_rows:
	free(scratch);
	free(acc);
	free(del);
	free(cs);
	free(loss);
	return st;
}

hoso_status trk_report_quarterly(trk *t, const trk_actor *actor, const char *year,
                                 const char *quarter, trk_report **out, hoso_err *err)
{
	*out = NULL;
	if (strcmp(actor->role, "supervisor") && strcmp(actor->role, "admin"))
		return hoso_err_set(err, HOSO_FORBIDDEN, "forbidden_role", NULL,
		                    "role %s may not read the quarterly report", actor->role);
	trk_date today = trk_today(t);
	int ty, tm, td;
	trk_date_to_ymd(today, &ty, &tm, &td);
	long y = parse_digits(year, 4), q = parse_digits(quarter, 1);
	if (y < 2000)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "year",
		                    "year must be a 4-digit year from 2000 (e.g. %d)", ty);
	if (y > ty)
		return hoso_err_set(err, HOSO_INVALID, "future_period", "year",
		                    "year %ld has not begun: the report covers a quarter that has", y);
	if (q < 1 || q > 4)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "quarter",
		                    "quarter must be 1, 2, 3 or 4");
	trk_date first = trk_date_from_ymd((int)y, (int)q * 3 - 2, 1);
	trk_date last = q == 4 ? trk_date_from_ymd((int)y + 1, 1, 1) - 1
	                       : trk_date_from_ymd((int)y, (int)q * 3 + 1, 1) - 1;
	if (first > today)
		return hoso_err_set(err, HOSO_INVALID, "future_period", "quarter",
		                    "quarter %ld of %ld has not begun yet", q, y);
	trk_report *r = calloc(1, sizeof(*r));
	if (!r)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	r->year = (int)y;
	r->quarter = (int)q;
	r->complete = last < today;
	trk_date_format(first, r->from);
	trk_date_format(last, r->to);
	trk_date_format_vn(first, r->from_vn);
	trk_date_format_vn(last, r->to_vn);
	int64_t now = trk_now_ms();
	trk_format_time(t, now, r->generated_at);
	trk_format_time_vn(t, now, r->generated_at_vn);
	hoso_status st = fill(t, r, first, last, err);
	if (st != HOSO_OK) {
		trk_report_free(r);
		return st;
	}
	*out = r;
	return HOSO_OK;
}

/* ---- JSON and CSV ------------------------------------------------------------------- */

static json_t *figures_json(const trk_report_line *l)
{
	json_t *o = json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"dossiers_accepted", (json_int_t)l->dossiers_accepted,
		"results_delivered", (json_int_t)l->results_delivered,
		"results_delivered_on_time", (json_int_t)l->results_on_time,
		"postage_vnd", (json_int_t)l->postage_vnd,
		"fees_collected_vnd", (json_int_t)(l->fee_counter_vnd + l->fee_delivery_vnd),
		"fee_at_counter_vnd", (json_int_t)l->fee_counter_vnd,
		"fee_on_delivery_vnd", (json_int_t)l->fee_delivery_vnd,
		"complaints_received", (json_int_t)l->complaints_received,
		"complaints_answered", (json_int_t)l->complaints_answered,
		"complaints_answered_late", (json_int_t)l->complaints_answered_late,
		"complaints_open", (json_int_t)l->complaints_open,
		"lost", (json_int_t)l->lost, "damaged", (json_int_t)l->damaged,
		"handover_incidents", (json_int_t)(l->lost + l->damaged));
	json_object_set_new(o, "compensation_cases", json_null());
	json_object_set_new(o, "compensation_vnd", json_null());
	return o;
}

json_t *trk_report_json(const trk_report *r)
{
	json_t *lines = json_array();
	for (size_t i = 0; i < r->n_lines; i++) {
		const trk_report_line *l = &r->lines[i];
		json_t *o = figures_json(l);
		json_object_set_new(o, "agency_code", json_string(l->agency_code));
		json_object_set_new(o, "agency_name", json_string(l->agency_name));
		json_object_set_new(o, "procedure_code", json_string(l->procedure_code));
		json_object_set_new(o, "procedure_name", json_string(l->procedure_name));
		json_array_append_new(lines, o);
	}
	json_t *not_recorded = json_pack("{s:s, s:s, s:s}", "compensation_cases", TRK_NOT_RECORDED,
	                                 "compensation_vnd", TRK_NOT_RECORDED, "safety_level",
	                                 TRK_NOT_RECORDED);
	return json_pack("{s:i, s:i, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "year", r->year,
	                 "quarter", r->quarter, "from", r->from, "to", r->to, "generated_at",
	                 r->generated_at, "complete", r->complete, "lines", lines, "totals",
	                 figures_json(&r->total), "not_recorded", not_recorded);
}

/* A growing text buffer; `failed` once out of memory (every later append is dropped). */
typedef struct csv_buf {
	char *data;
	size_t len, cap;
	bool failed;
} csv_buf;

static void put(csv_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *grown = realloc(b->data, cap);
		if (!grown) {
			b->failed = true;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* A quoted text cell. A cell a spreadsheet would take for a formula (= + - @ first) gets
 * a leading apostrophe, so that a name in the catalogue cannot run as one. */
static void cell_text(csv_buf *b, const char *s, bool first)
{
	if (!first)
		put(b, ",", 1);
	put(b, "\"", 1);
	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')
		put(b, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			put(b, "\"\"", 2); /* RFC 4180: a quote inside is doubled */
		else
			put(b, p, 1);
	}
	put(b, "\"", 1);
}

static void cell_int(csv_buf *b, int64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), ",%lld", (long long)v);
	put(b, num, (size_t)n);
}

static void csv_figures(csv_buf *b, const trk_report_line *l)
{
	const int64_t v[] = {l->dossiers_accepted, l->results_delivered, l->results_on_time,
	                     l->postage_vnd, l->fee_counter_vnd + l->fee_delivery_vnd,
	                     l->complaints_received, l->complaints_answered,
	                     l->complaints_answered_late, l->complaints_open, l->lost, l->damaged};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cell_int(b, v[i]);
	cell_text(b, TRK_NOT_RECORDED_VI " (" TRK_NOT_RECORDED ")", false);
	cell_text(b, TRK_NOT_RECORDED_VI " (" TRK_NOT_RECORDED ")", false);
	put(b, "\r\n", 2);
}

char *trk_report_csv(const trk_report *r, size_t *len)
{
	static const char *const head[] = {
		"Mã cơ quan", "Tên cơ quan", "Mã thủ tục", "Tên thủ tục", "Số hồ sơ tiếp nhận",
		"Số kết quả đã phát", "Số kết quả phát đúng hạn", "Doanh thu cước (đồng)",
		"Phí, lệ phí thu hộ (đồng)", "Số vụ khiếu nại", "Số vụ đã giải quyết",
		"Số vụ giải quyết quá hạn", "Số vụ chưa giải quyết", "Số hồ sơ bị mất, thất lạc",
		"Số hồ sơ bị hư hỏng", "Số trường hợp bồi thường", "Tổng giá trị bồi thường (đồng)"};
	csv_buf b = {0};
	put(&b, "\xEF\xBB\xBF", 3);
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		cell_text(&b, head[i], i == 0);
	put(&b, "\r\n", 2);
	for (size_t i = 0; i < r->n_lines; i++) {
		const trk_report_line *l = &r->lines[i];
		cell_text(&b, l->agency_code, true);
		cell_text(&b, l->agency_name, false);
		cell_text(&b, l->procedure_code, false);
		cell_text(&b, l->procedure_name, false);
		csv_figures(&b, l);
	}
	char period[96];
	snprintf(period, sizeof(period), "Quý %d/%d (%s – %s)", r->quarter, r->year, r->from_vn,
	         r->to_vn);
	cell_text(&b, "Tổng cộng", true);
	cell_text(&b, period, false);
	cell_text(&b, "", false);
	cell_text(&b, "", false);
	csv_figures(&b, &r->total);
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	*len = b.len;
	return b.data;
}
