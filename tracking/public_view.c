/* public_view.c — how an item looks to the public: masking of names and phones, the state
 * and event labels in Vietnamese and English, the next step and its date, and the JSON of
 * the tracking view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "public_internal.h"
#include "text.h"

/* ---- masking ----------------------------------------------------------------------- */

/* Bytes of the UTF-8 sequence starting with lead byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void trk_mask_name(const char *name, char *out, size_t size)
{
	if (size == 0)
		return;
	out[0] = '\0';
	/* stored names are NFC already; combining marks (U+0300-U+036F) call for it */
	bool decomposed = name && (strchr(name, '\xcc') || strchr(name, '\xcd'));
	char *nfc = decomposed ? text_nfc(name) : NULL;
	const char *s = nfc ? nfc : (name ? name : "");
	size_t o = 0;
	while (*s) {
		while (is_space(*s))
			s++;
		if (!*s)
			break;
		const char *w = s;
		while (*s && !is_space(*s))
			s++;
		const char *end = s;
		const char *rest = end;
		while (*rest && is_space(*rest))
			rest++;
		bool last = *rest == '\0';
		size_t first = utf8_len((unsigned char)*w);
		if (first > (size_t)(end - w))
			first = (size_t)(end - w);
		size_t need = (o ? 1 : 0) + first;
		if (o + need + 1 > size)
			break;
		if (o)
			out[o++] = ' ';
		memcpy(out + o, w, first);
		o += first;
		if (!last) {
			for (const char *p = w + first; p < end; p += utf8_len((unsigned char)*p)) {
				if (o + 2 > size)
					break;
				out[o++] = '*';
			}
		}
		out[o] = '\0';
	}
	free(nfc);
}

void trk_mask_phone(const char *phone, char *out, size_t size)
{
	if (size == 0)
		return;
	size_t digits = 0, o = 0;
	for (const char *p = phone ? phone : ""; *p; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
	size_t seen = 0;
	for (const char *p = phone ? phone : ""; *p && o + 1 < size; p++) {
		if (*p < '0' || *p > '9')
			continue;
		out[o++] = seen + 3 >= digits ? *p : '*';
		seen++;
	}
	out[o] = '\0';
}

/* ---- labels ------------------------------------------------------------------------ */

typedef struct state_text {
	const char *state, *vi, *en, *next_vi, *next_en, *date; /* date: which deadline */
	bool final;
} state_text;

static const state_text states[] = {
	{"ACCEPTED", "Đã tiếp nhận", "Accepted at the post office",
	 "Chuyển hồ sơ đến cơ quan giải quyết", "The post carries the dossier to the agency",
	 "due_date", false},
	{"IN_TRANSIT", "Đang chuyển đến cơ quan", "On its way to the agency",
	 "Bàn giao hồ sơ cho cơ quan", "Handover to the agency", "due_date", false},
	{"AT_AGENCY", "Đã bàn giao cho cơ quan", "Handed over to the agency",
	 "Cơ quan tiếp nhận và hẹn ngày trả kết quả",
	 "The agency registers it and sets the date of the result", NULL, false},
	{"RECEIVED", "Cơ quan đã tiếp nhận hồ sơ", "Registered by the agency",
	 "Cơ quan trả kết quả", "The agency issues the result", "appointment_date", true},
	{"RETURNED_INCOMPLETE", "Hồ sơ chưa đầy đủ, được trả lại",
	 "Returned: the dossier is incomplete", "Liên hệ bưu cục để bổ sung hồ sơ",
	 "Contact the post office to complete the dossier", NULL, true},
	{"AWAITING_RESULT", "Đang chờ kết quả", "Waiting for the result",
	 "Bưu điện nhận kết quả tại cơ quan", "The post collects the result from the agency",
	 "appointment_date", false},
	{"COLLECTED", "Bưu điện đã nhận kết quả", "Result collected from the agency",
	 "Chuyển kết quả về bưu cục phát", "The result goes to the delivery office", "due_date",
	 false},
	{"AT_OFFICE", "Kết quả đã đến bưu cục phát", "Result at the delivery office",
	 "Phát kết quả đến địa chỉ người nhận", "Delivery to your address", "due_date", false},
	{"OUT_FOR_DELIVERY", "Đang phát kết quả", "Out for delivery",
	 "Bưu tá đang đến, vui lòng giữ điện thoại", "The postman is on the way: keep your phone "
	 "at hand", "due_date", false},
	{"ATTEMPT_FAILED", "Phát không thành công", "Delivery attempt failed",
	 "Phát lại", "Next delivery attempt", "next_attempt_date", false},
	{"HELD", "Đang lưu tại bưu cục", "Held at the post office",
	 "Đến bưu cục nhận kết quả, hạn cuối", "Collect the result at the post office by",
	 "hold_until", false},
	{"DELIVERED", "Đã phát thành công", "Delivered", NULL, NULL, NULL, true},
	{"RETURNED_TO_AGENCY", "Đã trả lại cơ quan", "Returned to the agency",
	 "Liên hệ cơ quan để nhận kết quả", "Contact the agency for the result", NULL, true},
};

static const struct { const char *type, *vi, *en; } events[] = {
	{"accept", "Tiếp nhận", "Accepted"},
	{"pickup", "Nhận hồ sơ tại nhà", "Picked up at the applicant's address"},
	{"dispatch", "Chuyển đi", "Dispatched"},
	{"handover", "Bàn giao cho cơ quan", "Handed over to the agency"},
	{"agency_receipt", "Cơ quan tiếp nhận, hẹn trả kết quả", "Registered by the agency"},
	{"agency_reject", "Cơ quan trả lại hồ sơ", "Refused by the agency"},
	{"collect", "Nhận kết quả tại cơ quan", "Result collected"},
	{"arrive", "Đến bưu cục phát", "Arrived at the delivery office"},
	{"out", "Đang đi phát", "Out for delivery"},
	{"attempt", "Phát không thành công", "Delivery attempt failed"},
	{"hold", "Lưu tại bưu cục", "Held at the post office"},
	{"deliver", "Đã phát", "Delivered"},
	{"return", "Trả lại cơ quan", "Returned to the agency"},
};

static const state_text *state_of(const char *name)
{
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(states[i].state, name) == 0)
			return &states[i];
	return NULL;
}

/* ---- the JSON text ---------------------------------------------------------------- */

void trk_buf_put_n(trk_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 2048;
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

void trk_buf_put(trk_buf *b, const char *s)
{
	trk_buf_put_n(b, s, strlen(s));
}

void trk_buf_json_str(trk_buf *b, const char *s)
{
	if (!s) {
		trk_buf_put_n(b, "null", 4);
		return;
	}
	trk_buf_put_n(b, "\"", 1);
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		trk_buf_put_n(b, run, (size_t)(s - run));
		char esc[8];
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		trk_buf_put(b, esc);
		run = s + 1;
	}
	trk_buf_put_n(b, run, (size_t)(s - run));
	trk_buf_put_n(b, "\"", 1);
}

/* ,"key": */
static void key(trk_buf *b, const char *k, bool first)
{
	if (!first)
		trk_buf_put_n(b, ",", 1);
	trk_buf_json_str(b, k);
	trk_buf_put_n(b, ":", 1);
}

static void str_field(trk_buf *b, const char *k, const char *v, bool first)
{
	key(b, k, first);
	trk_buf_json_str(b, v);
}

static void label(trk_buf *b, const char *k, const char *vi, const char *en)
{
	key(b, k, false);
	trk_buf_put_n(b, "{\"vi\":", 6);
	trk_buf_json_str(b, vi);
	trk_buf_put_n(b, ",\"en\":", 6);
	trk_buf_json_str(b, en);
	trk_buf_put_n(b, "}", 1);
}

static void state_label(trk_buf *b, const char *k, const char *state)
{
	const state_text *s = state_of(state);
	label(b, k, s ? s->vi : state, s ? s->en : state);
}

static void event_label(trk_buf *b, const char *type)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strcmp(events[i].type, type) == 0) {
			label(b, "event_label", events[i].vi, events[i].en);
			return;
		}
	label(b, "event_label", type, type);
}

static const char *or_null(const char *s)
{
	return s && s[0] ? s : NULL;
}

/* The next step and its date, null when the item's journey is over. */
static void next_step(trk_buf *b, const db_track_item *v)
{
	const state_text *s = state_of(v->item.state);
	key(b, "next_step", false);
	if (!s || !s->next_vi) {
		trk_buf_put_n(b, "null", 4);
		return;
	}
	const char *date = NULL;
	if (s->date && strcmp(s->date, "due_date") == 0)
		date = v->due_date[0] ? v->due_date : v->dossier_due_date;
	else if (s->date && strcmp(s->date, "appointment_date") == 0)
		date = v->appointment_date;
	else if (s->date && strcmp(s->date, "next_attempt_date") == 0)
		date = v->next_attempt_date;
	else if (s->date && strcmp(s->date, "hold_until") == 0)
		date = v->hold_until;
	trk_buf_put_n(b, "{", 1);
	str_field(b, "vi", s->next_vi, true);
	str_field(b, "en", s->next_en, false);
	str_field(b, "date", or_null(date), false);
	trk_buf_put_n(b, "}", 1);
}

static void timeline(trk *t, trk_buf *b, const db_track_item *v)
{
	key(b, "timeline", false);
	trk_buf_put_n(b, "[", 1);
	for (size_t i = 0; i < v->n_events; i++) {
		const db_track_event *e = &v->events[i];
		char when[32];
		trk_format_time(t, e->server_time, when);
		trk_buf_put_n(b, i ? ",{" : "{", i ? 2 : 1);
		str_field(b, "event", e->type, true);
		event_label(b, e->type);
		str_field(b, "state", e->state_to, false);
		state_label(b, "state_label", e->state_to);
		str_field(b, "place", e->place, false);
		str_field(b, "place_name", or_null(e->place_name), false);
		str_field(b, "time", when, false);
		str_field(b, "reason", or_null(e->reason), false);
		trk_buf_put_n(b, "}", 1);
	}
	trk_buf_put_n(b, "]", 1);
}

/* What only the applicant sees (after the phone-digit check). */
static void details(trk *t, trk_buf *b, const db_track_item *v)
{
	key(b, "procedure", false);
	trk_buf_put_n(b, "{", 1);
	str_field(b, "code", v->procedure_code, true);
	str_field(b, "name", or_null(v->procedure_name), false);
	trk_buf_put_n(b, "}", 1);
	str_field(b, "portal_code", or_null(v->portal_code), false);
	for (size_t i = v->n_events; i-- > 0;) {
		const db_track_event *e = &v->events[i];
		if (strcmp(e->type, "deliver") != 0)
			continue;
		char when[32];
		trk_format_time(t, e->server_time, when);
		key(b, "receiver", false);
		trk_buf_put_n(b, "{", 1);
		str_field(b, "name", e->receiver_name, true);
		str_field(b, "relation", or_null(e->relation), false);
		str_field(b, "time", when, false);
		trk_buf_put_n(b, "}", 1);
		break;
	}
	json_t *c = trk_public_item_complaints(t, v->item.tracking_number);
	char *text = c ? json_dumps(c, JSON_COMPACT) : NULL;
	json_decref(c);
	key(b, "complaints", false);
	trk_buf_put(b, text ? text : "[]");
	free(text);
}

void trk_public_item_write(trk *t, const db_track_item *v, bool clear, trk_buf *b)
{
	char name[768], phone[40];
	const state_text *s = state_of(v->item.state);
	if (clear) {
		snprintf(name, sizeof(name), "%s", v->applicant_name);
		snprintf(phone, sizeof(phone), "%s", v->applicant_phone);
	} else {
		trk_mask_name(v->applicant_name, name, sizeof(name));
		trk_mask_phone(v->applicant_phone, phone, sizeof(phone));
	}
	const char *due = v->due_date[0] ? v->due_date : v->dossier_due_date;
	trk_buf_put_n(b, "{", 1);
	str_field(b, "tracking_number", v->item.tracking_number, true);
	str_field(b, "role", v->item.role, false);
	str_field(b, "state", v->item.state, false);
	state_label(b, "state_label", v->item.state);
	key(b, "final", false);
	trk_buf_put(b, s && s->final ? "true" : "false");
	next_step(b, v);
	key(b, "deadlines", false);
	trk_buf_put_n(b, "{", 1);
	str_field(b, "due_date", or_null(due), true);
	str_field(b, "appointment_date", or_null(v->appointment_date), false);
	str_field(b, "next_attempt_date", or_null(v->next_attempt_date), false);
	str_field(b, "hold_until", or_null(v->hold_until), false);
	trk_buf_put_n(b, "}", 1);
	key(b, "agency", false);
	trk_buf_put_n(b, "{", 1);
	str_field(b, "code", v->agency_code, true);
	str_field(b, "name", or_null(v->agency_name), false);
	trk_buf_put_n(b, "}", 1);
	key(b, "contact", false);
	trk_buf_put_n(b, "{", 1);
	str_field(b, "office_code", v->office_code, true);
	str_field(b, "name", or_null(v->office_name), false);
	str_field(b, "address", or_null(v->office_address), false);
	str_field(b, "phone", or_null(v->office_phone), false);
	trk_buf_put_n(b, "}", 1);
	key(b, "applicant", false);
	trk_buf_put_n(b, "{", 1);
	str_field(b, "name", name, true);
	str_field(b, "phone", phone, false);
	if (clear)
		str_field(b, "address", v->applicant_address, false);
	trk_buf_put_n(b, "}", 1);
	timeline(t, b, v);
	key(b, "details", false);
	trk_buf_put(b, clear ? "true" : "false");
	if (clear)
		details(t, b, v);
	trk_buf_put_n(b, "}", 1);
}
