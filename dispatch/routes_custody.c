/* Handlers of the custody chain: events, manifests, results, proofs of delivery, pickups
 * and the supervisors' lists. Thin: parse, call one use case, answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "lbl.h"
#include "pdf.h"
#include "trk_custody.h"

bool http_param_id(http_req *req, const char *field, int64_t *id)
{
	const char *s = http_req_param(req, 0);
	char *end = NULL;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || v < 1) {
		char msg[96];
		snprintf(msg, sizeof(msg), "%s must be a positive whole number", field);
		http_reply_fail(req, HOSO_INVALID, "invalid_id", field, msg);
		return false;
	}
	*id = v;
	return true;
}

void http_reply_result(http_req *req, hoso_status st, const hoso_err *err, json_t *out,
                       unsigned ok_status)
{
	if (st == HOSO_OK)
		http_reply_json(req, ok_status, out);
	else
		http_reply_error(req, err);
}

#define APP(req) (http_req_app(req)->trk)

void http_run_actor(http_req *req, http_actor_case fn)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = fn(APP(req), http_req_actor(req), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_run_id(http_req *req, http_id_case fn)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = fn(APP(req), http_req_actor(req), id, &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_run_id_body(http_req *req, http_id_body_case fn, unsigned ok_status)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = fn(APP(req), http_req_actor(req), id, body, &out, &err);
	json_decref(body);
	http_reply_result(req, st, &err, out, ok_status);
}

void http_on_events(http_req *req)
{
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status single = HOSO_OK;
	hoso_status st = trk_events_record(APP(req), http_req_actor(req), body, &out, &single,
	                                   &err);
	json_decref(body);
	if (st != HOSO_OK) {
		http_reply_error(req, &err);
		return;
	}
	if (single != HOSO_OK) {
		/* One bare event that was refused: its own status, with the error at the top. */
		json_t *r = json_array_get(json_object_get(out, "results"), 0);
		json_object_set(out, "error", json_object_get(r, "error"));
		http_reply_json(req, http_status_of(single), out);
		return;
	}
	http_reply_json(req, 200, out);
}

void http_on_manifest_create(http_req *req)
{
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	bool created = false;
	hoso_status st = trk_manifest_create(APP(req), http_req_actor(req), body, &out, &created,
	                                     &err);
	json_decref(body);
	http_reply_result(req, st, &err, out, created ? 201 : 200);
}

void http_on_manifest_list(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_manifest_list(APP(req), http_req_actor(req),
	                                   http_req_query(req, "state"),
	                                   http_req_query(req, "agency"),
	                                   http_req_query(req, "office"),
	                                   http_req_query(req, "before"),
	                                   http_req_query(req, "limit"), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_manifest_get(http_req *req)
{
	http_run_id(req, trk_manifest_get);
}

void http_on_manifest_confirm(http_req *req)
{
	http_run_id_body(req, trk_manifest_confirm, 200);
}

void http_on_manifest_pdf(http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	hoso_err err;
	hoso_err_clear(&err);
	lbl_buf pdf = {0};
	http_app *app = http_req_app(req);
	hoso_status st = http_pdf_manifest(app->trk, app->labels, http_req_actor(req), id, &pdf,
	                                   &err);
	char name[48];
	snprintf(name, sizeof(name), "bien-ban-%lld.pdf", (long long)id);
	if (st != HOSO_OK)
		http_reply_error(req, &err);
	else
		http_reply_bytes(req, 200, "application/pdf", pdf.data, pdf.len, name);
	lbl_buf_free(&pdf);
}

void http_on_result_ready(http_req *req)
{
	http_run_id_body(req, trk_result_ready, 200);
}

void http_on_item_pod(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	lbl_buf pdf = {0};
	http_app *app = http_req_app(req);
	const char *tn = http_req_param(req, 0);
	hoso_status st = http_pdf_pod(app->trk, app->labels, http_req_actor(req), tn, &pdf, &err);
	char name[48];
	snprintf(name, sizeof(name), "phat-%.13s.pdf", tn);
	if (st != HOSO_OK)
		http_reply_error(req, &err);
	else
		http_reply_bytes(req, 200, "application/pdf", pdf.data, pdf.len, name);
	lbl_buf_free(&pdf);
}

void http_on_items_due(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_items_due(APP(req), http_req_actor(req), http_req_query(req, "due"),
	                               http_req_query(req, "office"),
	                               http_req_query(req, "agency"),
	                               http_req_query(req, "limit"), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_discrepancies(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_discrepancies(APP(req), http_req_actor(req),
	                                   http_req_query(req, "office"),
	                                   http_req_query(req, "agency"), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_fees_unpaid(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_fees_unpaid(APP(req), http_req_actor(req),
	                                 http_req_query(req, "office"),
	                                 http_req_query(req, "agency"), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_pickup_create(http_req *req)
{
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	bool created = false;
	hoso_status st = trk_pickup_create(APP(req), http_req_actor(req), body, &out, &created,
	                                   &err);
	json_decref(body);
	http_reply_result(req, st, &err, out, created ? 201 : 200);
}

void http_on_pickup_list(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_pickup_list(APP(req), http_req_actor(req),
	                                 http_req_query(req, "state"), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_courier_list(http_req *req)
{
	http_run_actor(req, trk_courier_list);
}

/* At the door: like an acceptance at the counter (201 and the acceptance metric). */
void http_on_pickup_accept(http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	bool created = false;
	hoso_status st = trk_pickup_accept(APP(req), http_req_actor(req), id, body, &out, &created,
	                                   &err);
	json_decref(body);
	if (st == HOSO_OK && created)
		http_metrics_acceptance();
	http_reply_result(req, st, &err, out, created ? 201 : 200);
}

void http_on_pickup_assign(http_req *req) { http_run_id_body(req, trk_pickup_assign, 200); }
void http_on_pickup_fail(http_req *req) { http_run_id_body(req, trk_pickup_fail, 200); }
