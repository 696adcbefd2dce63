/* Security plumbing of the HTTP layer: failed logins per client address, the audit trail's
 * route, the audit of refused writes, and `hoso routes` (the role table, for tests and
 * reviews). Thin: the rules live in tracking/auth.c and tracking/audit.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "handlers.h"
#include "ratelimit.h"

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Answers 429 with Retry-After: seconds. */
static void reply_429(http_req *req, int seconds, const char *code, const char *message)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", seconds);
	http_reply_header(req, "Retry-After", v);
	http_reply_json(req, 429, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
	                                    message));
}

bool http_login_admit(http_req *req)
{
	char client[64];
	int retry = 0;
	http_req_client(req, client);
	if (http_limiter_peek(http_req_app(req)->login_limiter, client, mono_ms(), &retry))
		return true;
	char msg[160];
	snprintf(msg, sizeof(msg), "too many failed logins from your address: try again in %d "
	         "seconds", retry);
	reply_429(req, retry, "rate_limited", msg);
	return false;
}

void http_login_failed(http_req *req, const hoso_err *err, int retry_after)
{
	if (strcmp(err->code, "locked_out") == 0) {
		reply_429(req, retry_after > 0 ? retry_after : 1, err->code, err->message);
		return;
	}
	if (strcmp(err->code, "bad_credentials") == 0) {
		char client[64];
		int retry = 0;
		http_req_client(req, client);
		http_limiter_take(http_req_app(req)->login_limiter, client, mono_ms(), &retry);
	}
	http_reply_error(req, err);
}

void http_audit_refused(http_req *req, const char *route, unsigned status, const char *code)
{
	/* wrong passwords and locked usernames are audited by the login use case itself */
	if (route && strcmp(route, "login") == 0 &&
	    (status == 401 || (code && strcmp(code, "locked_out") == 0)))
		return;
	char client[64];
	http_req_client(req, client);
	trk_audit_refused(http_req_app(req)->trk, http_req_actor(req), route ? route : "none",
	                  status, code ? code : "", client);
}

void http_on_audit_list(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_audit_list(http_req_app(req)->trk, http_req_actor(req),
	                                http_req_query(req, "limit"), http_req_query(req, "before"),
	                                &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

static const char routes_usage[] =
	"Usage: hoso routes [--help]\n"
	"\n"
	"Prints the daemon's route table, one route a line: METHOD PATTERN ROLES, where ROLES\n"
	"is \"public\" (no login) or the roles allowed, comma-separated (clerk, courier, agency,\n"
	"supervisor, admin). {} stands for one path segment. For tests and security reviews.\n";

int cmd_routes(int argc, char **argv)
{
	static const char *const names[] = {"clerk", "courier", "agency", "supervisor", "admin"};
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(routes_usage, stdout);
		return 0;
	}
	if (argc != 1) {
		fputs(routes_usage, stderr);
		return 2;
	}
	for (size_t i = 0; i < http_route_count; i++) {
		const http_route *r = &http_routes[i];
		char roles[64] = "public";
		size_t len = 0;
		for (unsigned b = 0; b < 5; b++)
			if (r->roles & (1u << b))
				len += (size_t)snprintf(roles + len, sizeof(roles) - len, "%s%s",
				                        len ? "," : "", names[b]);
		printf("%s %s %s\n", r->method, r->pattern, roles);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
