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
/* GET /api/v1/couriers: the couriers a clerk may give a pickup to. */
void http_on_courier_list(http_req *req);
void http_on_pickup_assign(http_req *req);
void http_on_pickup_accept(http_req *req);
void http_on_pickup_fail(http_req *req);

/* outbox_admin.c */
void http_on_outbox_list(http_req *req);
void http_on_outbox_retry(http_req *req);

/* routes_track.c: public tracking and complaints */
void http_on_track_get(http_req *req);
void http_on_track_unlock(http_req *req);
void http_on_complaint_file(http_req *req);
void http_on_complaint_list(http_req *req);
void http_on_complaint_answer(http_req *req);
/* Takes one public lookup for the client's address: 0 when allowed, otherwise the seconds
 * after which to retry (the caller answers 429 with Retry-After). */
int http_track_admit(http_req *req);

/* page_track.c: the public tracking page, its search box and its static files */
void http_on_track_page(http_req *req);
void http_on_track_search(http_req *req);
void http_on_static(http_req *req);

/* page_desk.c: the staff pages, each for its roles */
void http_on_desk_root(http_req *req);
void http_on_desk_page(http_req *req);

/* security.c: failed logins per client address, the audit trail */
/* False (answered 429) when the client address has used up its failed logins. */
bool http_login_admit(http_req *req);
/* Answers a failed login: 429 when the username is locked; counts wrong passwords against
 * the client address. */
void http_login_failed(http_req *req, const hoso_err *err, int retry_after);
/* Audits a refused write (called once the answer is queued; never fails the request). */
void http_audit_refused(http_req *req, const char *route, unsigned status, const char *code);
void http_on_audit_list(http_req *req);

/* routes_stats.c: the supervisors' statistics and the quarterly report */
void http_on_stats_today(http_req *req);
void http_on_stats_daily(http_req *req);
void http_on_stats_transit(http_req *req);
void http_on_report_quarterly(http_req *req);

/* routes_admin.c: the admin page's users, catalogue uploads, agencies and webhooks */
void http_on_user_list(http_req *req);
void http_on_user_create(http_req *req);
void http_on_user_update(http_req *req);
void http_on_user_unlock(http_req *req);
void http_on_catalogue_upload(http_req *req);
void http_on_agency_list(http_req *req);
void http_on_agency_webhook(http_req *req);
/* Body limit of catalogue uploads: a national procedure catalogue is a few MB of CSV. */
#define HTTP_CATALOGUE_MAX_BODY ((size_t)8 * 1024 * 1024)

/* Parses the first {} segment as a positive id; on failure replies 400 and returns false. */
bool http_param_id(http_req *req, const char *field, int64_t *id);

/* A read of the actor's view of a collection, without parameters. */
typedef hoso_status (*http_actor_case)(trk *t, const trk_actor *actor, json_t **out,
                                       hoso_err *err);
/* Runs fn for the request's actor and answers 200 with its JSON, or its error. */
void http_run_actor(http_req *req, http_actor_case fn);

/* A read or action on one resource named by its id, without a body. */
typedef hoso_status (*http_id_case)(trk *t, const trk_actor *actor, int64_t id, json_t **out,
                                    hoso_err *err);
/* Parses the first {} segment as the id (400 on failure), runs fn, answers 200 or its error. */
void http_run_id(http_req *req, http_id_case fn);

/* A use case on one resource named by its id, with a JSON body. */
typedef hoso_status (*http_id_body_case)(trk *t, const trk_actor *actor, int64_t id,
                                         const json_t *body, json_t **out, hoso_err *err);
/* Parses the first {} segment as the id and the body as a JSON object (each answering 400 on
 * failure), runs fn, and answers its JSON with ok_status or its error. */
void http_run_id_body(http_req *req, http_id_body_case fn, unsigned ok_status);

/* Answers st: the JSON with ok_status, or the error. */
void http_reply_result(http_req *req, hoso_status st, const hoso_err *err, json_t *out,
                       unsigned ok_status);

#endif
