/* The public tracking page (/t/{number}, the QR on every label opens it) and its search box
 * (/t): server-rendered HTML that reads without JavaScript, Vietnamese by default and
 * English with ?lang=en; the data comes from one use case (trk_track_lookup). Every value
 * is HTML-escaped. Its CSS and JavaScript come from /static/ (static_files.c); scripts run
 * only from there (Content-Security-Policy without 'unsafe-inline'). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "trk_public.h"

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

typedef struct page {
	char *p;
	size_t len, cap;
	bool oom;
	bool en;
} page;

static void put_n(page *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 8192;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *grown = realloc(b->p, cap);
		if (!grown) {
			b->oom = true;
			return;
		}
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void put(page *b, const char *s)
{
	put_n(b, s, strlen(s));
}

/* Text as HTML (element content and quoted attribute values alike). */
static void esc(page *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': put(b, "&amp;"); break;
		case '<': put(b, "&lt;"); break;
		case '>': put(b, "&gt;"); break;
		case '"': put(b, "&quot;"); break;
		case '\'': put(b, "&#39;"); break;
		default: put_n(b, s, 1);
		}
	}
}

/* The Vietnamese or the English text. */
static const char *tr(const page *b, const char *vi, const char *en)
{
	return b->en ? en : vi;
}

/* The label of a {"vi", "en"} object in the page's language. */
static const char *lbl(const page *b, const json_t *o)
{
	const char *s = json_string_value(json_object_get(o, b->en ? "en" : "vi"));
	return s ? s : "";
}

/* "YYYY-MM-DD" as DD/MM/YYYY; "2026-11-27T14:05:09+07:00" as "14:05 27/11/2026". */
static void put_date(page *b, const char *iso)
{
	char out[32];
	if (!iso || strlen(iso) < 10) {
		esc(b, iso);
		return;
	}
	if (strlen(iso) >= 16 && iso[10] == 'T')
		snprintf(out, sizeof(out), "%.5s %.2s/%.2s/%.4s", iso + 11, iso + 8, iso + 5, iso);
	else
		snprintf(out, sizeof(out), "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	esc(b, out);
}

static void head(page *b, const char *title, const char *self_path, const char *query)
{
	put(b, "<!doctype html>\n<html lang=\"");
	put(b, b->en ? "en" : "vi");
	put(b, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	       "content=\"width=device-width, initial-scale=1\"><title>");
	esc(b, title);
	put(b, "</title><link rel=\"icon\" href=\"/static/favicon.svg\">"
	       "<link rel=\"stylesheet\" href=\"/static/track.css\">"
	       "<script src=\"/static/track.js\" defer></script></head>\n<body><header>"
	       "<a class=\"home\" href=\"/t");
	put(b, b->en ? "?lang=en" : "");
	put(b, "\">");
	put(b, tr(b, "Tra cứu hồ sơ qua bưu điện", "Track a dossier sent by post"));
	put(b, "</a> <a class=\"lang\" href=\"");
	esc(b, self_path);
	put(b, b->en ? "" : "?lang=en");
	put(b, "\" hreflang=\"");
	put(b, b->en ? "vi\">Tiếng Việt" : "en\">English");
	put(b, "</a></header>\n<main>\n<form class=\"search\" method=\"get\" action=\"/t\">"
	       "<label for=\"q\">");
	put(b, tr(b, "Số hiệu bưu gửi hoặc mã hồ sơ", "Tracking number or dossier code"));
	put(b, "</label><div class=\"row\"><input id=\"q\" name=\"q\" required maxlength=\"40\" "
	       "autocomplete=\"off\" autocapitalize=\"characters\" placeholder=\"DH123456785VN\" "
	       "value=\"");
	esc(b, query);
	put(b, "\">");
	if (b->en)
		put(b, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
	put(b, "<button type=\"submit\">");
	put(b, tr(b, "Tra cứu", "Track"));
	put(b, "</button></div><p class=\"hint\" id=\"q-hint\" role=\"status\"></p></form>\n");
}

static void foot(page *b)
{
	put(b, "</main>\n<footer>");
	put(b, tr(b, "Tra cứu miễn phí. Thông tin cá nhân được che; nhập 4 số cuối điện thoại "
	             "để xem chi tiết.",
	          "Tracking is free. Personal details are hidden; enter the last 4 digits of the "
	          "phone number to see them."));
	put(b, "</footer>\n</body></html>\n");
}

static void deadline(page *b, const json_t *d, const char *key, const char *vi,
                     const char *en)
{
	const char *v = json_string_value(json_object_get(d, key));
	if (!v)
		return;
	put(b, "<dt>");
	put(b, tr(b, vi, en));
	put(b, "</dt><dd>");
	put_date(b, v);
	put(b, "</dd>");
}

static void item(page *b, const json_t *it)
{
	const char *tn = json_string_value(json_object_get(it, "tracking_number"));
	bool result = strcmp(json_string_value(json_object_get(it, "role")), "result") == 0;
	put(b, "<section class=\"item\" data-tn=\"");
	esc(b, tn);
	put(b, "\"><p class=\"role\"><span class=\"tn\">");
	esc(b, tn);
	put(b, "</span> · ");
	put(b, result ? tr(b, "Kết quả trả về", "Result to the applicant")
	              : tr(b, "Hồ sơ gửi đến cơ quan", "Dossier to the agency"));
	put(b, "</p>\n<h1 class=\"state\">");
	esc(b, lbl(b, json_object_get(it, "state_label")));
	put(b, "</h1>\n");
	const json_t *next = json_object_get(it, "next_step");
	if (json_is_object(next)) {
		put(b, "<div class=\"next\"><h2>");
		put(b, tr(b, "Bước tiếp theo", "Next step"));
		put(b, "</h2><p>");
		esc(b, lbl(b, next));
		const char *date = json_string_value(json_object_get(next, "date"));
		if (date) {
			put(b, ": <strong>");
			put_date(b, date);
			put(b, "</strong>");
		}
		put(b, "</p></div>\n");
	}
	const json_t *d = json_object_get(it, "deadlines");
	put(b, "<dl class=\"deadlines\">");
	deadline(b, d, "due_date", "Hạn chuyển phát", "Due by");
	deadline(b, d, "appointment_date", "Ngày hẹn trả kết quả", "Result appointment");
	deadline(b, d, "next_attempt_date", "Ngày phát lại", "Next delivery attempt");
	deadline(b, d, "hold_until", "Lưu tại bưu cục đến", "Held at the office until");
	put(b, "</dl>\n<h2>");
	put(b, tr(b, "Hành trình", "Timeline"));
	put(b, "</h2><ol class=\"timeline\">");
	const json_t *tl = json_object_get(it, "timeline");
	for (size_t i = json_array_size(tl); i-- > 0;) {
		const json_t *e = json_array_get(tl, i);
		put(b, i + 1 == json_array_size(tl) ? "<li class=\"now\"><time>" : "<li><time>");
		put_date(b, json_string_value(json_object_get(e, "time")));
		put(b, "</time> <strong>");
		esc(b, lbl(b, json_object_get(e, "event_label")));
		put(b, "</strong> <span class=\"st\">");
		esc(b, lbl(b, json_object_get(e, "state_label")));
		put(b, "</span><br><span class=\"place\">");
		const char *place = json_string_value(json_object_get(e, "place_name"));
		esc(b, place ? place : json_string_value(json_object_get(e, "place")));
		put(b, "</span></li>");
	}
	put(b, "</ol>\n<div class=\"contact\"><h2>");
	put(b, tr(b, "Bưu cục liên hệ", "Post office to contact"));
	put(b, "</h2><p>");
	const json_t *c = json_object_get(it, "contact");
	esc(b, json_string_value(json_object_get(c, "name")));
	const char *addr = json_string_value(json_object_get(c, "address"));
	const char *phone = json_string_value(json_object_get(c, "phone"));
	if (addr) {
		put(b, "<br>");
		esc(b, addr);
	}
	if (phone) {
		put(b, "<br><a href=\"tel:");
		esc(b, phone);
		put(b, "\">");
		esc(b, phone);
		put(b, "</a>");
	}
	put(b, "</p></div>\n<div class=\"unlock\" data-tn=\"");
	esc(b, tn);
	put(b, "\"><noscript><p>");
	put(b, tr(b, "Bật JavaScript để xem chi tiết (với 4 số cuối điện thoại) hoặc gửi khiếu "
	             "nại; hoặc liên hệ bưu cục ở trên.",
	          "Turn JavaScript on to see the details (with the last 4 digits of the phone) "
	          "or to file a complaint; or contact the post office above."));
	put(b, "</p></noscript></div></section>\n");
}

static void reply_page(http_req *req, page *b, unsigned status)
{
	if (b->oom) {
		free(b->p);
		http_reply_fail(req, HOSO_INTERNAL, NULL, NULL, "out of memory");
		return;
	}
	http_reply_header(req, "Content-Security-Policy", CSP);
	http_reply_header(req, "Referrer-Policy", "no-referrer");
	http_reply_bytes(req, status, "text/html; charset=utf-8", b->p, b->len, NULL);
	free(b->p);
}

/* The page of a number (a tracking number or a portal dossier code). */
static void render(http_req *req, page *b, const char *query)
{
	char self[400] = "/t/";
	size_t o = 3;
	for (const char *q = query; q && *q && o + 4 < sizeof(self); q++) {
		unsigned char ch = (unsigned char)*q;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '.' || ch == '-' || ch == '_')
			self[o++] = (char)ch;
		else
			o += (size_t)snprintf(self + o, sizeof(self) - o, "%%%02X", ch);
	}
	self[o] = '\0';
	int retry = http_track_admit(req);
	if (retry) {
		char v[16];
		snprintf(v, sizeof(v), "%d", retry);
		http_reply_header(req, "Retry-After", v);
		head(b, tr(b, "Quá nhiều lượt tra cứu", "Too many lookups"), self, query);
		put(b, "<p class=\"error\">");
		put(b, tr(b, "Quá nhiều lượt tra cứu từ địa chỉ của bạn. Vui lòng thử lại sau ít "
		             "phút.", "Too many lookups from your address. Please try again in a "
		             "few minutes."));
		put(b, "</p>");
		foot(b);
		reply_page(req, b, 429);
		return;
	}
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_track_lookup(http_req_app(req)->trk, query, &out, &err);
	if (st != HOSO_OK && st != HOSO_NOT_FOUND) {
		http_reply_error(req, &err);
		return;
	}
	head(b, st == HOSO_OK ? query : tr(b, "Không tìm thấy", "Not found"), self, query);
	if (st == HOSO_NOT_FOUND) {
		put(b, "<div class=\"error\"><h1>");
		put(b, tr(b, "Không tìm thấy", "Not found"));
		put(b, "</h1><p>");
		put(b, tr(b, "Không có bưu gửi hay hồ sơ nào mang số ", "No item or dossier has "
		             "the number "));
		put(b, "<strong>");
		esc(b, query);
		put(b, "</strong>. ");
		put(b, tr(b, "Số hiệu bưu gửi gồm 13 ký tự: 2 chữ cái, 8 chữ số, 1 số kiểm tra và "
		             "VN (ví dụ DH123456785VN), in dưới mã vạch trên phiếu gửi. Mã hồ sơ trên "
		             "Cổng dịch vụ công có dạng 000.00.12.H21-261127-0042. Hãy kiểm tra lại "
		             "từng ký tự, hoặc liên hệ bưu cục nơi bạn gửi hồ sơ.",
		          "A tracking number has 13 characters: 2 letters, 8 digits, a check digit "
		          "and VN (for example DH123456785VN), printed under the barcode of your "
		          "receipt. A portal dossier code looks like 000.00.12.H21-261127-0042. "
		          "Check each character, or contact the post office where you sent the "
		          "dossier."));
		put(b, "</p></div>\n");
		foot(b);
		reply_page(req, b, 404);
		return;
	}
	const json_t *items = json_object_get(out, "items");
	if (items)
		for (size_t i = 0; i < json_array_size(items); i++)
			item(b, json_array_get(items, i));
	else
		item(b, out);
	json_decref(out);
	foot(b);
	reply_page(req, b, 200);
}

static bool english(http_req *req)
{
	const char *lang = http_req_query(req, "lang");
	return lang && strcmp(lang, "en") == 0;
}

void http_on_track_page(http_req *req)
{
	page b = {.en = english(req)};
	render(req, &b, http_req_param(req, 0));
}

void http_on_track_search(http_req *req)
{
	page b = {.en = english(req)};
	const char *q = http_req_query(req, "q");
	if (q && *q) {
		render(req, &b, q);
		return;
	}
	head(&b, tr(&b, "Tra cứu hồ sơ", "Track a dossier"), "/t", "");
	put(&b, "<p class=\"intro\">");
	put(&b, tr(&b, "Nhập số hiệu bưu gửi in trên phiếu gửi, hoặc quét mã QR trên nhãn.",
	           "Enter the tracking number printed on your receipt, or scan the QR code on "
	           "the label."));
	put(&b, "</p>\n");
	foot(&b);
	reply_page(req, &b, 200);
}
