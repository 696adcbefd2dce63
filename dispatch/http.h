/* http.h — the daemon's HTTP layer on libmicrohttpd: requests in, JSON or bytes out.
 * Nothing outside dispatch/ includes microhttpd.h. */
#ifndef HOSO_HTTP_H
#define HOSO_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso.h"
#include "trk.h"

struct lbl_ctx;
struct http_limiter;

typedef struct http_server http_server;
typedef struct http_req http_req;

/* What a handler may use; shared by every request (all members are thread-safe). */
typedef struct http_app {
	trk *trk;
	struct lbl_ctx *labels;
	size_t max_body;          /* bytes; larger bodies get 413 without being read whole */
	bool secure_cookies;      /* add Secure to the session cookie (served over TLS) */
	struct http_limiter *track_limiter; /* public lookups per client address (NULL: off) */
	struct http_limiter *login_limiter; /* failed logins per client address (NULL: off) */
	const char *www_dir;      /* the public pages' CSS and JavaScript (dispatch/www) */
	unsigned connection_timeout; /* seconds before an idle or stalled connection is closed
	                               (0: 30) */
	unsigned per_ip_connections; /* connections one client address may hold (0: 256) */
	const char *trusted_proxies; /* proxies whose X-Forwarded-For is believed ("" none) */
} http_app;

/* Whether list is "" or up to 16 IP addresses separated by commas; else the first bad entry
 * goes to bad. */
bool http_proxy_list_valid(const char *list, char *bad, size_t size);

/* Roles allowed on a route, as a bit set; HTTP_PUBLIC needs no login. */
enum {
	HTTP_PUBLIC = 0,
	HTTP_CLERK = 1 << 0,
	HTTP_COURIER = 1 << 1,
	HTTP_AGENCY = 1 << 2,
	HTTP_SUPERVISOR = 1 << 3,
	HTTP_ADMIN = 1 << 4,
	HTTP_STAFF = 0x1f,
};

/* The HTTP_* bit of a role name ("clerk" ...), 0 for an unknown one. */
unsigned http_role_bit(const char *role);

typedef void (*http_handler)(http_req *req);

typedef struct http_route {
	const char *method;
	const char *pattern;      /* "/api/v1/items/{}/label.pdf": {} captures one segment */
	const char *name;         /* for metrics and logs */
	unsigned roles;
	http_handler handler;
	size_t max_body;          /* bytes this route takes when above the app's max_body (0: none) */
} http_route;

/* The route table (routes.c). */
extern const http_route http_routes[];
extern const size_t http_route_count;

/* Starts serving on host:port (port 0 picks a free one) with `threads` worker threads.
 * The app is borrowed. */
hoso_status http_server_start(http_app *app, const char *host, uint16_t port, unsigned threads,
                              http_server **out, hoso_err *err);

/* The port actually bound. */
uint16_t http_server_port(const http_server *s);

/* Stops accepting, lets requests in flight finish, frees; NULL is accepted. */
void http_server_stop(http_server *s);

/* ---- for handlers -------------------------------------------------------------------- */

http_app *http_req_app(http_req *req);
const trk_actor *http_req_actor(http_req *req);   /* NULL on public routes */
/* The n-th {} segment of the matched pattern, URL-decoded. */
const char *http_req_param(http_req *req, size_t n);
/* A query-string argument, or NULL. */
const char *http_req_query(http_req *req, const char *key);
/* A request header, or NULL. */
const char *http_req_header(http_req *req, const char *name);
/* The bearer token the request carried (header or cookie), or NULL. */
const char *http_req_token(http_req *req);
/* True when the request's session came in the cookie rather than an Authorization header. */
bool http_req_cookie_session(const http_req *req);
#define HTTP_CSRF_LEN 32
/* The CSRF token of a session token: writes authenticated by the cookie must send it in the
 * X-CSRF-Token header. */
void http_csrf_token(const char *token, char out[HTTP_CSRF_LEN + 1]);
/* The client's IP address as text into out ("" when unknown). */
void http_req_client(http_req *req, char out[64]);

/* The raw body (NULL when there is none) and its length in *len; not NUL-terminated for
 * the handler's purposes (it may hold NUL bytes). */
const char *http_req_body(http_req *req, size_t *len);
/* Parses the body as a JSON object; on failure replies 400 itself and returns NULL. */
json_t *http_req_json(http_req *req);

/* Replies with JSON (steals the reference). */
void http_reply_json(http_req *req, unsigned status, json_t *body);
/* Replies {"error": {...}} with the status that err->status maps to (and "line" when
 * err->line is set). */
void http_reply_error(http_req *req, const hoso_err *err);
/* Replies with a short error built here. */
void http_reply_fail(http_req *req, hoso_status st, const char *code, const char *field,
                     const char *message);
/* Replies with bytes (copied). */
void http_reply_bytes(http_req *req, unsigned status, const char *content_type,
                      const void *data, size_t len, const char *filename);
/* Adds a header to the reply about to be sent. */
void http_reply_header(http_req *req, const char *name, const char *value);

/* HTTP status of a domain status. */
unsigned http_status_of(hoso_status st);

/* ---- metrics (metrics.c) ------------------------------------------------------------- */

/* Counts one finished request. */
void http_metrics_observe(const char *route, const char *method, unsigned status,
                          double seconds);
/* Counts one accepted dossier. */
void http_metrics_acceptance(void);
/* Sets the outbox gauge: rows pending, sent, failed (the outbox worker counts them). */
void http_metrics_outbox_rows(const int64_t counts[3]);
/* Counts one delivery try by outcome: 0 sent, 1 to be retried, 2 failed for good. */
void http_metrics_outbox_try(int outcome);
/* Prometheus text exposition, malloc'd. */
char *http_metrics_render(const db_writer_stats *writer);

#endif
