/* The staff web desk: /desk/NAME serves dispatch/www/desk/NAME.html to the roles that may
 * use it. The pages are static; they get every datum from the JSON API, whose routes check
 * role and agency again, so this gate only keeps a user from pages that would fail anyway
 * (and a role test can hold both to the same table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "http.h"

/* Scripts and styles only from the daemon itself, no inline script: escaping mistakes
 * cannot run code. blob: and data: images are the signature canvas and camera frames. */
#define DESK_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
                 "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; " \
                 "worker-src 'self'; manifest-src 'self'; form-action 'self'; " \
                 "base-uri 'none'; frame-ancestors 'none'"

typedef struct desk_page {
	const char *name;
	unsigned roles;   /* HTTP_PUBLIC: no login needed */
} desk_page;

/* One row per page. The role tests read the same mapping from docs/API.md. */
static const desk_page pages[] = {
	{"login", HTTP_PUBLIC},
	{"home", HTTP_STAFF},
	{"counter", HTTP_CLERK},
	{"courier", HTTP_COURIER},
	{"agency", HTTP_AGENCY},
	{"supervisor", HTTP_SUPERVISOR},
	{"admin", HTTP_ADMIN},
};

static const desk_page *find_page(const char *name)
{
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(pages[i].name, name) == 0)
			return &pages[i];
	return NULL;
}

static void security_headers(http_req *req)
{
	http_reply_header(req, "Content-Security-Policy", DESK_CSP);
	http_reply_header(req, "Referrer-Policy", "no-referrer");
	http_reply_header(req, "Cache-Control", "no-store");
	http_reply_header(req, "Permissions-Policy", "camera=(self), microphone=(), geolocation=()");
}

static void redirect(http_req *req, const char *where)
{
	http_reply_header(req, "Location", where);
	http_reply_header(req, "Cache-Control", "no-store");
	static const char body[] = "See other\n";
	http_reply_bytes(req, 303, "text/plain; charset=utf-8", body, sizeof(body) - 1, NULL);
}

/* The small HTML page shown to a signed-in user on a page of another role. */
static void refuse(http_req *req, const char *role)
{
	char html[1024];
	int n = snprintf(html, sizeof(html),
	                 "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
	                 "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	                 "<title>Không có quyền</title><link rel=\"icon\" href=\"/static/favicon.svg\">"
	                 "<link rel=\"stylesheet\" "
	                 "href=\"/static/desk.css\"></head><body><main class=\"narrow\">"
	                 "<h1>Không có quyền truy cập</h1><p>Trang này không dành cho vai trò "
	                 "<b>%s</b>. (This page is not for the %s role.)</p>"
	                 "<p><a href=\"/desk/home\">Về trang chính / Home</a></p></main>"
	                 "</body></html>\n",
	                 role, role);
	security_headers(req);
	http_reply_bytes(req, 403, "text/html; charset=utf-8", html, (size_t)n, NULL);
}

static void serve_file(http_req *req, const char *name)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/desk/%s.html", http_req_app(req)->www_dir, name);
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(256 * 1024) : NULL;
	size_t n = buf ? fread(buf, 1, 256 * 1024, f) : 0;
	if (f)
		fclose(f);
	if (!buf) {
		http_reply_fail(req, HOSO_NOT_FOUND, "no_route", NULL, "no such page");
		return;
	}
	security_headers(req);
	http_reply_bytes(req, 200, "text/html; charset=utf-8", buf, n, NULL);
	free(buf);
}

void http_on_desk_root(http_req *req)
{
	redirect(req, "/desk/home");
}

void http_on_desk_page(http_req *req)
{
	const char *name = http_req_param(req, 0);
	const desk_page *p = name ? find_page(name) : NULL;
	if (!p) {
		http_reply_fail(req, HOSO_NOT_FOUND, "no_route", NULL, "no such page");
		return;
	}
	if (p->roles == HTTP_PUBLIC) {
		serve_file(req, p->name);
		return;
	}
	trk_actor actor;
	hoso_err err;
	hoso_err_clear(&err);
	const char *token = http_req_token(req);
	if (!token || trk_authenticate(http_req_app(req)->trk, token, &actor, &err) != HOSO_OK) {
		char where[96];
		snprintf(where, sizeof(where), "/desk/login?next=%s", p->name);
		redirect(req, where);
		return;
	}
	if (!(p->roles & http_role_bit(actor.role))) {
		refuse(req, actor.role);
		return;
	}
	serve_file(req, p->name);
}
