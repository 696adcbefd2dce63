/* The route table and its handlers. Each handler parses the request, calls one domain
 * function and writes the answer: no SQL and no business rule here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "http.h"
#include "lbl.h"
#include "pdf.h"

static void on_healthz(http_req *req)
{
	hoso_err err;
	json_t *out = NULL;
	hoso_status st = trk_health(http_req_app(req)->trk, &out, &err);
	if (st != HOSO_OK) {
		http_reply_fail(req, HOSO_UNAVAILABLE, "unhealthy", NULL, err.message);
		return;
	}
	http_reply_json(req, 200, out);
}

static void on_metrics(http_req *req)
{
	db_writer_stats writer;
	trk_writer_stats(http_req_app(req)->trk, &writer);
	char *text = http_metrics_render(&writer);
	if (!text) {
		http_reply_fail(req, HOSO_INTERNAL, NULL, NULL, "out of memory");
		return;
	}
	http_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text),
	                 NULL);
	free(text);
}

static void on_login(http_req *req)
{
	json_t *body = http_req_json(req);
	if (!body)
		return;
	const char *user = json_string_value(json_object_get(body, "username"));
	const char *pass = json_string_value(json_object_get(body, "password"));
	if (!user || !pass) {
		json_decref(body);
		http_reply_fail(req, HOSO_INVALID, "missing_field", user ? "password" : "username",
		                user ? "password is required" : "username is required");
		return;
	}
	hoso_err err;
	hoso_err_clear(&err);
	char token[65], client[64];
	trk_actor actor;
	int retry = 0;
	if (!http_login_admit(req)) {
		json_decref(body);
		return;
	}
	http_req_client(req, client);
	hoso_status st = trk_login_from(http_req_app(req)->trk, user, pass, client, token, &actor,
	                                &retry, &err);
	json_decref(body);
	if (st != HOSO_OK) {
		http_login_failed(req, &err, retry);
		return;
	}
	char cookie[200];
	int hours = trk_get_config(http_req_app(req)->trk)->token_hours;
	snprintf(cookie, sizeof(cookie),
	         "hoso_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token,
	         hours * 3600, http_req_app(req)->secure_cookies ? "; Secure" : "");
	http_reply_header(req, "Set-Cookie", cookie);
	char csrf[HTTP_CSRF_LEN + 1];
	http_csrf_token(token, csrf);
	http_reply_json(req, 200, json_pack("{s:s, s:o, s:i, s:s}", "token", token, "user",
	                                    trk_actor_json(&actor), "expires_in", hours * 3600,
	                                    "csrf", csrf));
}

static void on_logout(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	hoso_status st = trk_logout(http_req_app(req)->trk, http_req_token(req), &err);
	if (st != HOSO_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_header(req, "Set-Cookie",
	                  "hoso_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	http_reply_json(req, 200, json_pack("{s:b}", "logged_out", 1));
}

static void on_me(http_req *req)
{
	char csrf[HTTP_CSRF_LEN + 1];
	http_csrf_token(http_req_token(req), csrf);
	http_reply_json(req, 200, json_pack("{s:o, s:s}", "user", trk_actor_json(http_req_actor(req)),
	                                    "csrf", csrf));
}

static void on_procedures(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	const char *limit_s = http_req_query(req, "limit");
	long limit = limit_s ? strtol(limit_s, NULL, 10) : 50;
	if (limit < 1 || limit > 500) {
		http_reply_fail(req, HOSO_INVALID, "invalid_value", "limit",
		                "limit must be a whole number from 1 to 500");
		return;
	}
	hoso_status st = trk_procedure_search(http_req_app(req)->trk, http_req_query(req, "q"),
	                                      (size_t)limit, &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

static void on_dossier_create(http_req *req)
{
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	bool created = false;
	hoso_status st = trk_dossier_accept(http_req_app(req)->trk, http_req_actor(req), body,
	                                    &out, &created, &err);
	json_decref(body);
	if (st == HOSO_OK && created)
		http_metrics_acceptance();
	http_reply_result(req, st, &err, out, created ? 201 : 200);
}

static void on_dossier_get(http_req *req)
{
	http_run_id(req, trk_dossier_get);
}

static void on_dossier_list(http_req *req)
{
	trk_dossier_query q = {
		.office_code = http_req_query(req, "office"),
		.agency_code = http_req_query(req, "agency"),
		.date_from = http_req_query(req, "from"),
		.date_to = http_req_query(req, "to"),
		.state = http_req_query(req, "state"),
		.before = http_req_query(req, "before"),
		.limit = http_req_query(req, "limit"),
	};
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_dossier_list(http_req_app(req)->trk, http_req_actor(req), &q, &out,
	                                  &err);
	http_reply_result(req, st, &err, out, 200);
}

static void on_item_get(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_item_get(http_req_app(req)->trk, http_req_actor(req),
	                              http_req_param(req, 0), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

static void on_item_events(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_item_events(http_req_app(req)->trk, http_req_actor(req),
	                                 http_req_param(req, 0), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

static bool parse_size(http_req *req, const char *s, lbl_size *size)
{
	if (!s) {
		*size = LBL_A6;
		return true;
	}
	if (lbl_size_parse(s, size))
		return true;
	http_reply_fail(req, HOSO_INVALID, "invalid_value", "size",
	                "size must be a6, 100x150 or a4");
	return false;
}

static void reply_pdf(http_req *req, hoso_status st, const hoso_err *err, lbl_buf *pdf,
                      const char *filename)
{
	if (st != HOSO_OK)
		http_reply_error(req, err);
	else
		http_reply_bytes(req, 200, "application/pdf", pdf->data, pdf->len, filename);
	lbl_buf_free(pdf);
}

static void on_item_label(http_req *req)
{
	lbl_size size;
	if (!parse_size(req, http_req_query(req, "size"), &size))
		return;
	hoso_err err;
	hoso_err_clear(&err);
	lbl_buf pdf = {0};
	const char *tn = http_req_param(req, 0);
	http_app *app = http_req_app(req);
	hoso_status st = http_pdf_labels(app->trk, app->labels, http_req_actor(req), &tn, 1, size,
	                                 &pdf, &err);
	if (st != HOSO_OK && strncmp(err.field, "items", 5) == 0)
		snprintf(err.field, sizeof(err.field), "tracking_number");
	char name[48];
	snprintf(name, sizeof(name), "%.13s.pdf", tn);
	reply_pdf(req, st, &err, &pdf, name);
}

static void on_labels_batch(http_req *req)
{
	json_t *body = http_req_json(req);
	if (!body)
		return;
	lbl_size size;
	const json_t *items = json_object_get(body, "items");
	const json_t *jsize = json_object_get(body, "size");
	if (jsize && !json_is_string(jsize)) {
		json_decref(body);
		http_reply_fail(req, HOSO_INVALID, "wrong_type", "size", "size must be a string");
		return;
	}
	if (!parse_size(req, json_string_value(jsize), &size)) {
		json_decref(body);
		return;
	}
	size_t n = json_array_size(items);
	if (!json_is_array(items) || n == 0 || n > 1000) {
		json_decref(body);
		http_reply_fail(req, HOSO_INVALID, "invalid_value", "items",
		                "items must be an array of 1 to 1000 tracking numbers");
		return;
	}
	const char **tns = calloc(n, sizeof(*tns));
	if (!tns) {
		json_decref(body);
		http_reply_fail(req, HOSO_INTERNAL, NULL, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		tns[i] = json_string_value(json_array_get(items, i));
		if (!tns[i]) {
			char field[32];
			snprintf(field, sizeof(field), "items[%zu]", i);
			free(tns);
			json_decref(body);
			http_reply_fail(req, HOSO_INVALID, "wrong_type", field,
			                "each item must be a tracking number string");
			return;
		}
	}
	hoso_err err;
	hoso_err_clear(&err);
	lbl_buf pdf = {0};
	http_app *app = http_req_app(req);
	hoso_status st = http_pdf_labels(app->trk, app->labels, http_req_actor(req), tns, n, size,
	                                 &pdf, &err);
	free(tns);
	json_decref(body);
	reply_pdf(req, st, &err, &pdf, "labels.pdf");
}

static void on_dossier_note(http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	hoso_err err;
	hoso_err_clear(&err);
	lbl_buf pdf = {0};
	http_app *app = http_req_app(req);
	hoso_status st = http_pdf_note(app->trk, app->labels, http_req_actor(req), id, &pdf, &err);
	char name[48];
	snprintf(name, sizeof(name), "phieu-gui-%lld.pdf", (long long)id);
	reply_pdf(req, st, &err, &pdf, name);
}

static void on_dossier_print(http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	lbl_size size;
	if (!parse_size(req, http_req_query(req, "size"), &size))
		return;
	hoso_err err;
	hoso_err_clear(&err);
	lbl_buf pdf = {0};
	http_app *app = http_req_app(req);
	hoso_status st = http_pdf_print(app->trk, app->labels, http_req_actor(req), id, size, &pdf,
	                                &err);
	char name[48];
	snprintf(name, sizeof(name), "in-ho-so-%lld.pdf", (long long)id);
	reply_pdf(req, st, &err, &pdf, name);
}

/* Sorted by path; the first match of path and method wins. */
const http_route http_routes[] = {
	{"GET", "/healthz", "healthz", HTTP_PUBLIC, on_healthz},
	{"GET", "/metrics", "metrics", HTTP_PUBLIC, on_metrics},
	{"POST", "/api/v1/login", "login", HTTP_PUBLIC, on_login},
	{"POST", "/api/v1/logout", "logout", HTTP_STAFF, on_logout},
	{"GET", "/api/v1/me", "me", HTTP_STAFF, on_me},
	{"GET", "/api/v1/procedures", "procedures", HTTP_PUBLIC, on_procedures},
	{"POST", "/api/v1/dossiers", "dossier_create", HTTP_CLERK, on_dossier_create},
	{"GET", "/api/v1/dossiers", "dossier_list", HTTP_STAFF, on_dossier_list},
	{"GET", "/api/v1/dossiers/{}", "dossier_get", HTTP_STAFF, on_dossier_get},
	{"GET", "/api/v1/dossiers/{}/note.pdf", "dossier_note", HTTP_STAFF, on_dossier_note},
	{"GET", "/api/v1/dossiers/{}/print.pdf", "dossier_print", HTTP_STAFF, on_dossier_print},
	{"GET", "/api/v1/items/{}", "item_get", HTTP_STAFF, on_item_get},
	{"GET", "/api/v1/items/{}/events", "item_events", HTTP_STAFF, on_item_events},
	{"GET", "/api/v1/items/{}/label.pdf", "item_label", HTTP_STAFF, on_item_label},
	{"POST", "/api/v1/labels", "labels_batch", HTTP_STAFF, on_labels_batch},
	{"POST", "/api/v1/events", "events", HTTP_CLERK | HTTP_COURIER | HTTP_AGENCY,
	 http_on_events},
	{"GET", "/api/v1/items", "items_due", HTTP_CLERK | HTTP_AGENCY | HTTP_SUPERVISOR | HTTP_ADMIN,
	 http_on_items_due},
	{"GET", "/api/v1/items/{}/pod.pdf", "item_pod", HTTP_STAFF, http_on_item_pod},
	{"POST", "/api/v1/dossiers/{}/result", "result_ready", HTTP_AGENCY, http_on_result_ready},
	{"POST", "/api/v1/manifests", "manifest_create", HTTP_COURIER | HTTP_CLERK,
	 http_on_manifest_create},
	{"GET", "/api/v1/manifests", "manifest_list", HTTP_STAFF, http_on_manifest_list},
	{"GET", "/api/v1/manifests/{}", "manifest_get", HTTP_STAFF, http_on_manifest_get},
	{"GET", "/api/v1/manifests/{}/record.pdf", "manifest_pdf", HTTP_STAFF, http_on_manifest_pdf},
	{"POST", "/api/v1/manifests/{}/confirm", "manifest_confirm", HTTP_AGENCY,
	 http_on_manifest_confirm},
	{"GET", "/api/v1/discrepancies", "discrepancies", HTTP_SUPERVISOR | HTTP_ADMIN | HTTP_AGENCY,
	 http_on_discrepancies},
	{"GET", "/api/v1/fees/unpaid", "fees_unpaid", HTTP_SUPERVISOR | HTTP_ADMIN | HTTP_AGENCY,
	 http_on_fees_unpaid},
	{"POST", "/api/v1/pickups", "pickup_create", HTTP_CLERK | HTTP_AGENCY, http_on_pickup_create},
	{"GET", "/api/v1/pickups", "pickup_list", HTTP_CLERK | HTTP_COURIER | HTTP_SUPERVISOR |
	 HTTP_ADMIN, http_on_pickup_list},
	{"GET", "/api/v1/couriers", "courier_list", HTTP_CLERK | HTTP_SUPERVISOR | HTTP_ADMIN,
	 http_on_courier_list},
	{"POST", "/api/v1/pickups/{}/assign", "pickup_assign", HTTP_CLERK, http_on_pickup_assign},
	{"POST", "/api/v1/pickups/{}/accept", "pickup_accept", HTTP_COURIER, http_on_pickup_accept},
	{"POST", "/api/v1/pickups/{}/fail", "pickup_fail", HTTP_COURIER, http_on_pickup_fail},
	{"GET", "/api/v1/track/{}", "track", HTTP_PUBLIC, http_on_track_get},
	{"POST", "/api/v1/track/{}", "track_unlock", HTTP_PUBLIC, http_on_track_unlock},
	{"POST", "/api/v1/track/{}/complaints", "complaint_file", HTTP_PUBLIC,
	 http_on_complaint_file},
	{"GET", "/api/v1/complaints", "complaint_list", HTTP_SUPERVISOR | HTTP_ADMIN,
	 http_on_complaint_list},
	{"POST", "/api/v1/complaints/{}/answer", "complaint_answer", HTTP_SUPERVISOR,
	 http_on_complaint_answer},
	{"GET", "/t", "track_search", HTTP_PUBLIC, http_on_track_search},
	{"GET", "/t/{}", "track_page", HTTP_PUBLIC, http_on_track_page},
	{"GET", "/static/{}", "static", HTTP_PUBLIC, http_on_static},
	{"GET", "/desk", "desk", HTTP_PUBLIC, http_on_desk_root},
	{"GET", "/desk/{}", "desk_page", HTTP_PUBLIC, http_on_desk_page},
	{"GET", "/api/v1/outbox", "outbox_list", HTTP_SUPERVISOR | HTTP_ADMIN, http_on_outbox_list},
	{"POST", "/api/v1/outbox/{}/retry", "outbox_retry", HTTP_ADMIN, http_on_outbox_retry},
	{"GET", "/api/v1/audit", "audit_list", HTTP_SUPERVISOR | HTTP_ADMIN, http_on_audit_list},
	{"GET", "/api/v1/users", "user_list", HTTP_ADMIN, http_on_user_list},
	{"POST", "/api/v1/users", "user_create", HTTP_ADMIN, http_on_user_create},
	{"POST", "/api/v1/users/{}", "user_update", HTTP_ADMIN, http_on_user_update},
	{"POST", "/api/v1/users/{}/unlock", "user_unlock", HTTP_ADMIN, http_on_user_unlock},
	{"POST", "/api/v1/catalogue/{}", "catalogue_upload", HTTP_ADMIN, http_on_catalogue_upload,
	 HTTP_CATALOGUE_MAX_BODY},
	{"GET", "/api/v1/agencies", "agency_list", HTTP_STAFF,
	 http_on_agency_list},
	{"POST", "/api/v1/agencies/{}/webhook", "agency_webhook", HTTP_ADMIN, http_on_agency_webhook},
	{"GET", "/api/v1/stats/today", "stats_today", HTTP_SUPERVISOR | HTTP_ADMIN | HTTP_AGENCY,
	 http_on_stats_today},
	{"GET", "/api/v1/stats/daily", "stats_daily", HTTP_SUPERVISOR | HTTP_ADMIN | HTTP_AGENCY,
	 http_on_stats_daily},
	{"GET", "/api/v1/stats/transit", "stats_transit", HTTP_SUPERVISOR | HTTP_ADMIN | HTTP_AGENCY,
	 http_on_stats_transit},
	{"GET", "/api/v1/reports/quarterly", "report_quarterly", HTTP_SUPERVISOR | HTTP_ADMIN,
	 http_on_report_quarterly},
};
const size_t http_route_count = sizeof(http_routes) / sizeof(http_routes[0]);
