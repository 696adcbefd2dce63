/* routes_stats.c — the supervisors' statistics and the quarterly report. The handlers parse
 * the query, call one tracking/ function and write JSON, CSV or a PDF; the figures and
 * their rules are tracking/'s (trk_stats.h), the printed page labels/'s (lbl_report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "http.h"
#include "lbl_report.h"
#include "trk_stats.h"

void http_on_stats_today(http_req *req)
{
	http_run_actor(req, trk_stats_today);
}

void http_on_stats_daily(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_stats_daily(http_req_app(req)->trk, http_req_actor(req),
	                                 http_req_query(req, "days"), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_stats_transit(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_stats_transit(http_req_app(req)->trk, http_req_actor(req),
	                                   http_req_query(req, "days"), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

/* The plain lines labels/ prints, borrowing the report's strings. */
static void fill_line(lbl_report_line *p, const trk_report_line *l)
{
	p->agency_code = l->agency_code;
	p->agency_name = l->agency_name;
	p->procedure_code = l->procedure_code;
	p->procedure_name = l->procedure_name;
	p->dossiers_accepted = l->dossiers_accepted;
	p->results_delivered = l->results_delivered;
	p->results_on_time = l->results_on_time;
	p->postage_vnd = l->postage_vnd;
	p->fees_vnd = l->fee_counter_vnd + l->fee_delivery_vnd;
	p->complaints_received = l->complaints_received;
	p->complaints_answered = l->complaints_answered;
	p->complaints_late = l->complaints_answered_late;
	p->lost = l->lost;
	p->damaged = l->damaged;
}

static hoso_status render_pdf(lbl_ctx *labels, const trk_report *r, lbl_buf *pdf,
                              hoso_err *err)
{
	lbl_report_line *lines = calloc(r->n_lines ? r->n_lines : 1, sizeof(*lines));
	if (!lines)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	for (size_t i = 0; i < r->n_lines; i++)
		fill_line(&lines[i], &r->lines[i]);
	char period[40];
	snprintf(period, sizeof(period), "%s – %s", r->from_vn, r->to_vn);
	lbl_report rep = {
		.year = r->year,
		.quarter = r->quarter,
		.period = period,
		.generated_at = r->generated_at_vn,
		.complete = r->complete,
		.lines = lines,
		.n_lines = r->n_lines,
		.not_recorded = TRK_NOT_RECORDED_VI " (" TRK_NOT_RECORDED ")",
	};
	fill_line(&rep.total, &r->total);
	hoso_status st = lbl_render_report(labels, &rep, pdf, err);
	free(lines);
	return st;
}

void http_on_report_quarterly(http_req *req)
{
	const char *format = http_req_query(req, "format");
	if (!format)
		format = "json";
	if (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "pdf")) {
		http_reply_fail(req, HOSO_INVALID, "invalid_value", "format",
		                "format must be json, csv or pdf");
		return;
	}
	hoso_err err;
	hoso_err_clear(&err);
	trk_report *r = NULL;
	http_app *app = http_req_app(req);
	hoso_status st = trk_report_quarterly(app->trk, http_req_actor(req),
	                                      http_req_query(req, "year"),
	                                      http_req_query(req, "quarter"), &r, &err);
	if (st != HOSO_OK) {
		http_reply_error(req, &err);
		return;
	}
	char name[64];
	snprintf(name, sizeof(name), "bao-cao-quy-%d-%d.%s", r->quarter, r->year, format);
	if (!strcmp(format, "json")) {
		http_reply_json(req, 200, trk_report_json(r));
	} else if (!strcmp(format, "csv")) {
		size_t len = 0;
		char *csv = trk_report_csv(r, &len);
		if (csv)
			http_reply_bytes(req, 200, "text/csv; charset=utf-8", csv, len, name);
		else
			http_reply_fail(req, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
		free(csv);
	} else {
		lbl_buf pdf = {0};
		st = render_pdf(app->labels, r, &pdf, &err);
		if (st == HOSO_OK)
			http_reply_bytes(req, 200, "application/pdf", pdf.data, pdf.len, name);
		else
			http_reply_error(req, &err);
		lbl_buf_free(&pdf);
	}
	trk_report_free(r);
}
