/* The libmicrohttpd server: request life cycle, routing, authentication, replies. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "handlers.h"
#include "log.h"

#define MAX_PARAMS 4
#define MAX_EXTRA_HEADERS 6

/* A connection waiting for a request's headers. MHD's connection timeout counts idle time
 * only, so a client sending a header byte a second would hold its connection for ever
 * (slowloris); the reaper thread shuts down one whose headers take longer than the timeout. */
typedef struct http_conn {
	struct http_conn *prev, *next;
	MHD_socket fd;
	struct timespec since;  /* when the connection, or its current request, began */
	bool in_request;        /* headers are in: MHD's own (idle) timeout applies */
	bool cut;
} http_conn;

struct http_server {
	struct MHD_Daemon *mhd;
	pthread_mutex_t conns_lock;
	http_conn conns;        /* list head */
	unsigned header_timeout; /* seconds */
	pthread_t reaper;
	bool reaper_running;
	atomic_bool reaper_stop;
	http_app *app;
	uint16_t port;
	atomic_uint in_flight; /* requests begun and not yet answered in full (or dropped) */
	atomic_bool stopping;  /* answers say Connection: close */
};

/* How long a stop waits for the requests in flight to be answered. */
#define STOP_DRAIN_SECONDS 10

struct http_req {
	struct MHD_Connection *conn;
	http_server *srv;
	http_app *app;
	const http_route *route;
	char method[16];
	char *body;
	size_t body_len;
	bool too_large;
	size_t max_body;          /* of the route the request is for */
	bool have_actor;
	trk_actor actor;
	char *params[MAX_PARAMS];
	size_t n_params;
	struct timespec start;
	/* the reply, built by a handler and queued after it returns */
	struct MHD_Response *response;
	unsigned status;
	char *extra[MAX_EXTRA_HEADERS][2];
	size_t n_extra;
	bool queued;
	char token[80];
	bool token_from_cookie;   /* the session came in the cookie: writes need the CSRF token */
	char err_code[40];        /* the error answer's code, for the audit of refused writes */
};

unsigned http_status_of(hoso_status st)
{
	switch (st) {
	case HOSO_OK: return 200;
	case HOSO_INVALID: return 400;
	case HOSO_UNAUTHORIZED: return 401;
	case HOSO_FORBIDDEN: return 403;
	case HOSO_NOT_FOUND: return 404;
	case HOSO_CONFLICT: return 409;
	case HOSO_TOO_LARGE: return 413;
	case HOSO_UNAVAILABLE: return 503;
	case HOSO_INTERNAL: return 500;
	}
	return 500;
}

http_app *http_req_app(http_req *req) { return req->app; }

const trk_actor *http_req_actor(http_req *req)
{
	return req->have_actor ? &req->actor : NULL;
}

const char *http_req_param(http_req *req, size_t n)
{
	return n < req->n_params ? req->params[n] : NULL;
}

const char *http_req_query(http_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_req_header(http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_token(http_req *req)
{
	const char *auth = http_req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	req->token_from_cookie = false;
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		snprintf(req->token, sizeof(req->token), "%s", auth + 7);
		return req->token;
	}
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
	                                                 "hoso_session");
	if (cookie) {
		snprintf(req->token, sizeof(req->token), "%s", cookie);
		req->token_from_cookie = true;
		return req->token;
	}
	return NULL;
}

bool http_req_cookie_session(const http_req *req)
{
	return req->token_from_cookie;
}

/* The canonical text of an IP address (trimmed of spaces), or false when s is not one. */
static bool canon_ip(const char *s, size_t len, char out[64])
{
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	char buf[64];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	unsigned char bin[16];
	if (inet_pton(AF_INET, buf, bin) == 1)
		return inet_ntop(AF_INET, bin, out, 64) != NULL;
	if (inet_pton(AF_INET6, buf, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, 64) != NULL;
	return false;
}

/* Whether addr (canonical) is one of the comma-separated list. */
static bool in_list(const char *list, const char *addr)
{
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char c[64];
		if (canon_ip(p, len, c) && !strcmp(c, addr))
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

bool http_proxy_list_valid(const char *list, char *bad, size_t size)
{
	int n = 0;
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char c[64];
		if (!canon_ip(p, len, c) || ++n > 16) {
			snprintf(bad, size, "%.*s", (int)(len < 60 ? len : 60), p);
			return false;
		}
		p = comma ? comma + 1 : NULL;
	}
	return true;
}

void http_req_client(http_req *req, char out[64])
{
	out[0] = '\0';
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
		          64);
	const char *proxies = req->app->trusted_proxies;
	if (!proxies || !*proxies || !in_list(proxies, out))
		return;
	/* From a trusted proxy: the client is the nearest address in X-Forwarded-For that is
	 * not one of our proxies (the ones further left are the client's to forge). */
	const char *xff = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	                                              "X-Forwarded-For");
	if (!xff)
		xff = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Real-IP");
	size_t end = xff ? strlen(xff) : 0;
	while (end > 0) {
		size_t start = end;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		char c[64];
		if (!canon_ip(xff + start, end - start, c))
			return; /* garbage from the proxy's side: keep the proxy's address */
		snprintf(out, 64, "%s", c);
		if (!in_list(proxies, c))
			return;
		end = start > 0 ? start - 1 : 0;
	}
}

static bool has_extra(const http_req *req, const char *name)
{
	for (size_t i = 0; i < req->n_extra; i++)
		if (strcasecmp(req->extra[i][0], name) == 0)
			return true;
	return false;
}

static void set_response(http_req *req, unsigned status, struct MHD_Response *resp,
                         const char *content_type)
{
	if (!resp) {
		log_error("out of memory building a response");
		return;
	}
	if (req->response)
		MHD_destroy_response(req->response);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	/* Answers carry personal data: never stored, unless the handler chose otherwise (the
	 * pages' static files revalidate instead). */
	if (!has_extra(req, MHD_HTTP_HEADER_CACHE_CONTROL))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (!has_extra(req, "X-Content-Type-Options"))
		MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < req->n_extra; i++)
		MHD_add_response_header(resp, req->extra[i][0], req->extra[i][1]);
	req->response = resp;
	req->status = status;
}

void http_reply_header(http_req *req, const char *name, const char *value)
{
	if (req->n_extra >= MAX_EXTRA_HEADERS)
		return;
	req->extra[req->n_extra][0] = strdup(name);
	req->extra[req->n_extra][1] = strdup(value);
	req->n_extra++;
	if (req->response)
		MHD_add_response_header(req->response, name, value);
}

void http_reply_bytes(http_req *req, unsigned status, const char *content_type,
                      const void *data, size_t len, const char *filename)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);
	if (r && filename) {
		char disp[160];
		snprintf(disp, sizeof(disp), "inline; filename=\"%s\"", filename);
		MHD_add_response_header(r, "Content-Disposition", disp);
	}
	set_response(req, status, r, content_type);
}

void http_reply_json(http_req *req, unsigned status, json_t *body)
{
	if (status >= 400) {
		const char *code = json_string_value(json_object_get(json_object_get(body, "error"),
		                                                     "code"));
		snprintf(req->err_code, sizeof(req->err_code), "%s", code ? code : "");
	}
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of "
		                          "memory\"}}";
		http_reply_bytes(req, 500, "application/json", oom, sizeof(oom) - 1, NULL);
		return;
	}
	size_t len = strlen(text);
	text[len] = '\0';
	struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r)
		free(text);
	set_response(req, status, r, "application/json; charset=utf-8");
}

static json_t *error_json(hoso_status st, const char *code, const char *field,
                          const char *message)
{
	return json_pack("{s:{s:s, s:s, s:s?}}", "error", "code",
	                 code ? code : hoso_status_name(st), "message", message, "field",
	                 (field && *field) ? field : NULL);
}

void http_reply_fail(http_req *req, hoso_status st, const char *code, const char *field,
                     const char *message)
{
	http_reply_json(req, http_status_of(st), error_json(st, code, field, message));
}

void http_reply_error(http_req *req, const hoso_err *err)
{
	hoso_status st = err->status == HOSO_OK ? HOSO_INTERNAL : err->status;
	if (st == HOSO_INTERNAL)
		log_error("%s %s: %s", req->method, req->route ? req->route->name : "?",
		          err->message);
	json_t *e = error_json(st, err->code[0] ? err->code : NULL, err->field,
	                       err->message[0] ? err->message : "internal error");
	if (e && err->line) /* where in an uploaded file */
		json_object_set_new(json_object_get(e, "error"), "line",
		                    json_integer((json_int_t)err->line));
	http_reply_json(req, http_status_of(st), e);
}

const char *http_req_body(http_req *req, size_t *len)
{
	*len = req->body_len;
	return req->body;
}

json_t *http_req_json(http_req *req)
{
	json_error_t jerr;
	if (!req->body || req->body_len == 0) {
		http_reply_fail(req, HOSO_INVALID, "empty_body", NULL,
		                "the request needs a JSON body");
		return NULL;
	}
	json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		char msg[300];
		bool utf8 = strstr(jerr.text, "decode") || strstr(jerr.text, "UTF-8");
		snprintf(msg, sizeof(msg), "%s at line %d, column %d: %s",
		         utf8 ? "the body is not valid UTF-8" : "the body is not valid JSON",
		         jerr.line, jerr.column, jerr.text);
		http_reply_fail(req, HOSO_INVALID, utf8 ? "invalid_utf8" : "invalid_json", NULL, msg);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_reply_fail(req, HOSO_INVALID, "wrong_type", NULL,
		                "the body must be a JSON object");
		return NULL;
	}
	return j;
}

/* Matches path against a pattern; fills req->params with the {} segments (req NULL: only
 * tells whether it matches). */
static bool match(const char *pattern, const char *path, http_req *req)
{
	size_t n = 0;
	char *caps[MAX_PARAMS];
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '}') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			if (len == 0 || n >= MAX_PARAMS)
				goto no_match;
			caps[n++] = req ? strndup(s, len) : NULL;
			s += len;
			p += 2;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			goto no_match;
		}
	}
	if (*p || *s)
		goto no_match;
	if (req) {
		for (size_t i = 0; i < n; i++)
			req->params[i] = caps[i];
		req->n_params = n;
	}
	return true;
no_match:
	for (size_t i = 0; i < n; i++)
		free(caps[i]);
	return false;
}

unsigned http_role_bit(const char *role)
{
	static const char *const names[] = {"clerk", "courier", "agency", "supervisor", "admin"};
	for (unsigned i = 0; i < 5; i++)
		if (strcmp(role, names[i]) == 0)
			return 1u << i;
	return 0;
}

void http_csrf_token(const char *token, char out[HTTP_CSRF_LEN + 1])
{
	/* Derived, not stored: any daemon on the same database can check it, and a page that
	 * cannot read the HttpOnly cookie gets it from /api/v1/me. Knowing it does not reveal
	 * the session token (one-way), and a cross-site page can read neither. */
	unsigned char h[HTTP_CSRF_LEN / 2];
	static const char ctx[] = "hoso-csrf-v1:";
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)ctx, sizeof(ctx) - 1);
	crypto_generichash_update(&st, (const unsigned char *)token, strlen(token));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, HTTP_CSRF_LEN + 1, h, sizeof(h));
}

/* Bearer tokens are never sent by a browser on its own, so only cookie sessions need the
 * check, and reads change nothing. */
static bool csrf_ok(http_req *req)
{
	if (!req->token_from_cookie || strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0)
		return true;
	const char *sent = http_req_header(req, "X-CSRF-Token");
	char want[HTTP_CSRF_LEN + 1];
	http_csrf_token(req->token, want);
	return sent && strlen(sent) == HTTP_CSRF_LEN &&
	       sodium_memcmp(sent, want, HTTP_CSRF_LEN) == 0;
}

/* The body limit of the route that method and url go to: some take more than the rest. */
static size_t body_limit(const http_app *app, const char *method, const char *url)
{
	for (size_t i = 0; i < http_route_count; i++) {
		const http_route *r = &http_routes[i];
		if (strcmp(r->method, method) == 0 && match(r->pattern, url, NULL))
			return r->max_body > app->max_body ? r->max_body : app->max_body;
	}
	return app->max_body;
}

static void route_request(http_req *req, const char *url)
{
	bool path_known = false;
	for (size_t i = 0; i < http_route_count; i++) {
		const http_route *r = &http_routes[i];
		if (!match(r->pattern, url, req))
			continue;
		if (strcmp(r->method, req->method) != 0) {
			for (size_t k = 0; k < req->n_params; k++)
				free(req->params[k]);
			req->n_params = 0;
			path_known = true;
			continue;
		}
		req->route = r;
		if (r->roles != HTTP_PUBLIC) {
			hoso_err err;
			hoso_err_clear(&err);
			if (trk_authenticate(req->app->trk, http_req_token(req), &req->actor, &err)) {
				http_reply_error(req, &err);
				return;
			}
			req->have_actor = true;
			if (!csrf_ok(req)) {
				http_reply_fail(req, HOSO_FORBIDDEN, "csrf", "X-CSRF-Token",
				                "a write with the session cookie needs the X-CSRF-Token "
				                "header from GET /api/v1/me");
				return;
			}
			if (!(r->roles & http_role_bit(req->actor.role))) {
				char msg[160];
				snprintf(msg, sizeof(msg), "role %s may not use %s %s", req->actor.role,
				         r->method, r->pattern);
				http_reply_fail(req, HOSO_FORBIDDEN, "forbidden_role", NULL, msg);
				return;
			}
		}
		r->handler(req);
		return;
	}
	if (path_known)
		http_reply_fail(req, HOSO_INVALID, "method_not_allowed", NULL,
		                "this path does not take that method");
	else
		http_reply_fail(req, HOSO_NOT_FOUND, "no_route", NULL, "no such page or API route");
	if (path_known)
		req->status = 405;
}

static enum MHD_Result queue(http_req *req)
{
	if (!req->response)
		http_reply_fail(req, HOSO_INTERNAL, NULL, NULL, "the handler gave no answer");
	req->queued = true;
	if (atomic_load(&req->srv->stopping) &&
	    !MHD_get_response_header(req->response, MHD_HTTP_HEADER_CONNECTION))
		MHD_add_response_header(req->response, MHD_HTTP_HEADER_CONNECTION, "close");
	return MHD_queue_response(req->conn, req->status, req->response);
}

static double since_secs(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Headers of a request are in (true), or its answer is done and the next may come (false). */
static void conn_mark(http_server *srv, struct MHD_Connection *conn, bool in_request)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	http_conn *c = ci ? ci->socket_context : NULL;
	if (!c)
		return;
	pthread_mutex_lock(&srv->conns_lock);
	c->in_request = in_request;
	clock_gettime(CLOCK_MONOTONIC, &c->since);
	pthread_mutex_unlock(&srv->conns_lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	http_server *srv = cls;
	http_conn *c = *socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = ci ? calloc(1, sizeof(*c)) : NULL;
		if (!c)
			return;
		c->fd = ci->connect_fd;
		clock_gettime(CLOCK_MONOTONIC, &c->since);
		pthread_mutex_lock(&srv->conns_lock);
		c->next = srv->conns.next;
		c->prev = &srv->conns;
		srv->conns.next->prev = c;
		srv->conns.next = c;
		pthread_mutex_unlock(&srv->conns_lock);
		*socket_context = c;
	} else if (c) {
		/* MHD closes the socket after this: the reaper cannot shut down a reused fd. */
		pthread_mutex_lock(&srv->conns_lock);
		c->prev->next = c->next;
		c->next->prev = c->prev;
		pthread_mutex_unlock(&srv->conns_lock);
		free(c);
		*socket_context = NULL;
	}
}

static void *reaper_main(void *arg)
{
	http_server *srv = arg;
	while (!atomic_load(&srv->reaper_stop)) {
		nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
		pthread_mutex_lock(&srv->conns_lock);
		for (http_conn *c = srv->conns.next; c != &srv->conns; c = c->next)
			if (!c->in_request && !c->cut &&
			    since_secs(&c->since) > (double)srv->header_timeout) {
				shutdown(c->fd, SHUT_RDWR); /* MHD sees the end and closes it */
				c->cut = true;
			}
		pthread_mutex_unlock(&srv->conns_lock);
	}
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
	http_server *srv = cls;
	http_app *app = srv->app;
	http_req *req = *con_cls;
	if (!req) {
		/* First call: headers only. Answer later, so that keep-alive survives. */
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		atomic_fetch_add(&srv->in_flight, 1); /* until on_completed */
		req->conn = conn;
		req->srv = srv;
		req->app = app;
		clock_gettime(CLOCK_MONOTONIC, &req->start);
		snprintf(req->method, sizeof(req->method), "%s", method);
		*con_cls = req;
		conn_mark(srv, conn, true);
		/* Counted in in_flight first, then the flag checked (stop does the reverse, both
		 * seq_cst): either the stop waits for this request, or the request sees the stop
		 * and does nothing. Without it a request read just as the stop found in_flight at
		 * 0 could commit and lose its answer to MHD_stop_daemon. */
		if (atomic_load(&srv->stopping)) {
			http_reply_fail(req, HOSO_UNAVAILABLE, "shutting_down", NULL,
			                "the server is stopping: send the request again");
			http_reply_header(req, "Retry-After", "1");
			http_reply_header(req, MHD_HTTP_HEADER_CONNECTION, "close");
			return queue(req);
		}
		req->max_body = body_limit(app, method, url);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > req->max_body) {
			/* Refuse before reading: the body is never taken in. */
			char msg[96];
			snprintf(msg, sizeof(msg), "the body is larger than %zu bytes", req->max_body);
			http_reply_fail(req, HOSO_TOO_LARGE, "body_too_large", NULL, msg);
			http_reply_header(req, MHD_HTTP_HEADER_CONNECTION, "close");
			return queue(req);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!req->too_large && !req->queued) {
			if (req->body_len + *upload_size > req->max_body) {
				req->too_large = true;
				free(req->body);
				req->body = NULL;
				req->body_len = 0;
			} else {
				char *nb = realloc(req->body, req->body_len + *upload_size + 1);
				if (!nb)
					return MHD_NO;
				memcpy(nb + req->body_len, upload, *upload_size);
				req->body = nb;
				req->body_len += *upload_size;
				req->body[req->body_len] = '\0';
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (req->queued)
		return MHD_YES;
	if (req->too_large) {
		char msg[96];
		snprintf(msg, sizeof(msg), "the body is larger than %zu bytes", req->max_body);
		http_reply_fail(req, HOSO_TOO_LARGE, "body_too_large", NULL, msg);
		http_reply_header(req, MHD_HTTP_HEADER_CONNECTION, "close");
		return queue(req);
	}
	(void)version;
	route_request(req, url);
	return queue(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	http_server *srv = cls;
	(void)conn;
	(void)toe;
	conn_mark(srv, conn, false); /* a keep-alive connection waits for its next request */
	http_req *req = *con_cls;
	if (!req)
		return;
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	double secs = (double)(end.tv_sec - req->start.tv_sec) +
	              (double)(end.tv_nsec - req->start.tv_nsec) / 1e9;
	if (req->queued)
		http_metrics_observe(req->route ? req->route->name : "other", req->method,
		                     req->status, secs);
	/* the answer is out: audit a refused write in a transaction of its own */
	if (req->queued && req->status >= 400 && req->status < 500 &&
	    strcmp(req->method, "POST") == 0)
		http_audit_refused(req, req->route ? req->route->name : NULL, req->status,
		                   req->err_code);
	if (req->response)
		MHD_destroy_response(req->response);
	for (size_t i = 0; i < req->n_params; i++)
		free(req->params[i]);
	for (size_t i = 0; i < req->n_extra; i++) {
		free(req->extra[i][0]);
		free(req->extra[i][1]);
	}
	free(req->body);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("microhttpd: %s", msg);
}

hoso_status http_server_start(http_app *app, const char *host, uint16_t port, unsigned threads,
                              http_server **out, hoso_err *err)
{
	*out = NULL;
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return hoso_err_set(err, HOSO_INVALID, "bad_listen", "listen",
		                    "listen address \"%s\" is not an IPv4 address", host);
	http_server *s = calloc(1, sizeof(*s));
	if (!s)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	s->app = app;
	s->conns.next = s->conns.prev = &s->conns;
	pthread_mutex_init(&s->conns_lock, NULL);
	s->header_timeout = app->connection_timeout ? app->connection_timeout : 30u;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	s->mhd = MHD_start_daemon(
		flags, port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 2,
		MHD_OPTION_CONNECTION_TIMEOUT,
		app->connection_timeout ? app->connection_timeout : 30u, /* slowloris */
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)2000, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		app->per_ip_connections ? app->per_ip_connections : 256u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
		on_connection, s, MHD_OPTION_EXTERNAL_LOGGER,
		on_mhd_log, NULL, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
	if (!s->mhd) {
		pthread_mutex_destroy(&s->conns_lock);
		free(s);
		return hoso_err_set(err, HOSO_UNAVAILABLE, "listen_failed", "listen",
		                    "cannot listen on %s:%u (in use, or not permitted)", host,
		                    (unsigned)port);
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	s->reaper_running = pthread_create(&s->reaper, NULL, reaper_main, s) == 0;
	if (!s->reaper_running)
		log_warn("no reaper thread: slow clients are cut only when idle");
	*out = s;
	return HOSO_OK;
}

uint16_t http_server_port(const http_server *s)
{
	return s->port;
}

void http_server_stop(http_server *s)
{
	if (!s)
		return;
	/* Stop accepting first. Then let the workers send every answer already begun:
	 * MHD_stop_daemon closes connections whatever their state, so a request whose use case
	 * had committed could lose its answer (the client would retry what was done). Answers
	 * from now on close their connection, so keep-alive clients go away; a client that
	 * stalls mid-request is given STOP_DRAIN_SECONDS. */
	atomic_store(&s->stopping, true);
	MHD_socket fd = MHD_quiesce_daemon(s->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	for (unsigned i = 0; i < STOP_DRAIN_SECONDS * 200 && atomic_load(&s->in_flight) > 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
	if (atomic_load(&s->in_flight) > 0)
		log_warn("stopping with %u request(s) unanswered after %d s",
		         atomic_load(&s->in_flight), STOP_DRAIN_SECONDS);
	MHD_stop_daemon(s->mhd);
	atomic_store(&s->reaper_stop, true);
	if (s->reaper_running)
		pthread_join(s->reaper, NULL);
	pthread_mutex_destroy(&s->conns_lock);
	free(s);
}
