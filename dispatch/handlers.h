/* handlers.h — the handlers of routes.c's table that live in other files. */
#ifndef HOSO_HANDLERS_H
#define HOSO_HANDLERS_H

#include "http.h"

/* routes_custody.c */
void http_on_events(http_req *req);
void http_on_manifest_create(http_req *req);
void http_on_manifest_list(http_req *req);
void http_on_manifest_get(http_req *req);
void http_on_manifest_confirm(http_req *req);
void http_on_manifest_pdf(http_req *req);
void http_on_result_ready(http_req *req);
void http_on_item_pod(http_req *req);
void http_on_items_due(http_req *req);
void http_on_discrepancies(http_req *req);
void http_on_fees_unpaid(http_req *req);
void http_on_pickup_create(http_req *req);
void http_on_pickup_list(http_req *req);
void http_on_pickup_assign(http_req *req);
void http_on_pickup_accept(http_req *req);
void http_on_pickup_fail(http_req *req);

/* Parses the first {} segment as a positive id; on failure replies 400 and returns false. */
bool http_param_id(http_req *req, const char *field, int64_t *id);

/* Answers st: the JSON with ok_status, or the error. */
void http_reply_result(http_req *req, hoso_status st, const hoso_err *err, json_t *out,
                       unsigned ok_status);

#endif
