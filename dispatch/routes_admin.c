/* routes_admin.c — the handlers of the admin page's API (docs/API.md, "Administration"):
 * users and roles, catalogue uploads, agencies and their webhooks. Each parses the request,
 * calls one use case of trk_admin.h and writes the answer. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "http.h"
#include "trk_admin.h"
#include "trk_import.h"

_Static_assert(HTTP_CATALOGUE_MAX_BODY <= TRK_IMPORT_MAX_FILE,
               "an upload the daemon takes in must fit the importer");

#define TRK(req) (http_req_app(req)->trk)

void http_on_user_list(http_req *req)
{
	http_run_actor(req, trk_users_list);
}

void http_on_user_create(http_req *req)
{
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_users_create(TRK(req), http_req_actor(req), body, &out, &err);
	json_decref(body);
	http_reply_result(req, st, &err, out, 201);
}

void http_on_user_update(http_req *req)
{
	http_run_id_body(req, trk_users_update, 200);
}

void http_on_user_unlock(http_req *req)
{
	http_run_id(req, trk_users_unlock);
}

/* Whether the upload's Content-Type can be a CSV file. Browsers label .csv files text/csv,
 * application/vnd.ms-excel (Windows) or nothing; a form encoding would have mangled it. */
static bool csv_media_type(const char *ct)
{
	static const char *const ok[] = {"text/csv", "text/plain", "application/csv",
	                                 "application/vnd.ms-excel", "application/octet-stream",
	                                 NULL};
	if (!ct || !*ct)
		return true;
	size_t n = strcspn(ct, "; \t");
	for (size_t i = 0; ok[i]; i++)
		if (n == strlen(ok[i]) && strncasecmp(ct, ok[i], n) == 0)
			return true;
	return false;
}

void http_on_catalogue_upload(http_req *req)
{
	if (!csv_media_type(http_req_header(req, "Content-Type"))) {
		http_reply_fail(req, HOSO_INVALID, "unsupported_media_type", "Content-Type",
		                "send the file itself as text/csv, e.g. curl --data-binary "
		                "@FILE.csv -H 'Content-Type: text/csv' (not a form)");
		return;
	}
	size_t len = 0;
	const char *data = http_req_body(req, &len);
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_catalogue_upload(TRK(req), http_req_actor(req), http_req_param(req, 0),
	                                      http_req_query(req, "name"), data, len, &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_agency_list(http_req *req)
{
	http_run_actor(req, trk_agencies_list);
}

void http_on_agency_webhook(http_req *req)
{
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_agency_webhook_update(TRK(req), http_req_actor(req),
	                                           http_req_param(req, 0), body, &out, &err);
	json_decref(body);
	http_reply_result(req, st, &err, out, 200);
}
