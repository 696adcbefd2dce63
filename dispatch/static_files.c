/* /static/NAME: the pages' JavaScript, CSS and icons from the www directory (flat names,
 * a few known types, nothing else). Revalidated with an ETag on every use, and gzip'd for
 * browsers that take it: the courier's phone on a slow line loads a third of the bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "handlers.h"
#include "http.h"

#define STATIC_MAX (512 * 1024)

static const char *type_of(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".webmanifest", "application/manifest+json"},
	};
	const char *dot = name ? strrchr(name, '.') : NULL;
	size_t stem = dot ? (size_t)(dot - name) : 0;
	if (stem == 0 || stem > 40 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != stem)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* True when Accept-Encoding lists gzip without refusing it (q=0). Codings are case-blind
 * in HTTP, but browsers send "gzip": another spelling just gets the plain bytes. */
static bool takes_gzip(const char *accept)
{
	for (const char *p = accept; p && (p = strstr(p, "gzip")) != NULL; p += 4) {
		bool starts = p == accept || p[-1] == ' ' || p[-1] == ',';
		const char *q = p + 4;
		while (*q == ' ')
			q++;
		if (!starts || (*q && *q != ',' && *q != ';'))
			continue;
		if (*q == ';') {
			const char *v = strchr(q, '=');
			if (v && strtod(v + 1, NULL) == 0.0)
				return false;
		}
		return true;
	}
	return false;
}

/* in[0..n) as a gzip member into a malloc'd *out; false on failure (then send it plain). */
static bool gzip_bytes(const char *in, size_t n, char **out, size_t *out_n)
{
	z_stream z = {0};
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	size_t cap = deflateBound(&z, (uLong)n);
	char *buf = malloc(cap);
	bool ok = false;
	if (buf) {
		z.next_in = (Bytef *)(uintptr_t)in;
		z.avail_in = (uInt)n;
		z.next_out = (Bytef *)buf;
		z.avail_out = (uInt)cap;
		ok = deflate(&z, Z_FINISH) == Z_STREAM_END;
	}
	deflateEnd(&z);
	if (!ok) {
		free(buf);
		return false;
	}
	*out = buf;
	*out_n = cap - z.avail_out;
	return true;
}

void http_on_static(http_req *req)
{
	const char *name = http_req_param(req, 0);
	const char *type = type_of(name);
	char path[1200];
	struct stat sb;
	if (type)
		snprintf(path, sizeof(path), "%s/%s", http_req_app(req)->www_dir, name);
	if (!type || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > STATIC_MAX) {
		http_reply_fail(req, HOSO_NOT_FOUND, "no_route", NULL, "no such file");
		return;
	}
	/* Each encoding is its own representation with its own tag: a cache must not answer a
	 * gzip'd 304 to a browser that asked for the plain bytes. */
	bool gz = sb.st_size >= 1024 && takes_gzip(http_req_header(req, "Accept-Encoding"));
	char etag[64];
	snprintf(etag, sizeof(etag), "\"%llx-%llx", (unsigned long long)sb.st_size,
	         (unsigned long long)sb.st_mtime);
	size_t plain_len = strlen(etag);
	snprintf(etag + plain_len, sizeof(etag) - plain_len, "%s\"", gz ? "-gz" : "");
	http_reply_header(req, "Vary", "Accept-Encoding");
	/* Revalidated on every use so a new release is picked up at once; an unchanged file
	 * costs a slow line only a 304. */
	http_reply_header(req, "Cache-Control", "no-cache");
	/* The courier's service worker lives here but must control /desk/courier: the browser
	 * allows a scope above the script's own folder only when its answer says so. */
	if (strcmp(name, "courier-sw.js") == 0)
		http_reply_header(req, "Service-Worker-Allowed", "/desk/courier");
	const char *inm = http_req_header(req, "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		http_reply_header(req, "ETag", etag);
		http_reply_bytes(req, 304, type, "", 0, NULL);
		return;
	}
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc((size_t)sb.st_size + 1) : NULL;
	size_t n = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
	if (f)
		fclose(f);
	if (!buf) {
		http_reply_fail(req, HOSO_NOT_FOUND, "no_route", NULL, "no such file");
		return;
	}
	char *z = NULL;
	size_t zn = 0;
	if (gz && gzip_bytes(buf, n, &z, &zn)) {
		http_reply_header(req, "ETag", etag);
		http_reply_header(req, "Content-Encoding", "gzip");
		http_reply_bytes(req, 200, type, z, zn, NULL);
	} else {
		/* not compressed after all (out of memory): the tag names the plain bytes */
		snprintf(etag + plain_len, sizeof(etag) - plain_len, "\"");
		http_reply_header(req, "ETag", etag);
		http_reply_bytes(req, 200, type, buf, n, NULL);
	}
	free(z);
	free(buf);
}
