/* sms.c — the Vietnamese text messages of the outbox, fitted to one SMS: 160 GSM-7
 * characters without diacritics, or 70 UCS-2 characters with them. A text is a template
 * with the tracking number {tn}, a date {date}, an attempt number {n}, a place name {place}
 * and an optional detail {opt}. To fit, the place is abbreviated first, then the detail
 * dropped, then a shorter wording tried, then the place cut: the tracking number and the
 * date always stay. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

typedef struct sms_template {
	const char *name;
	const char *text;   /* the full wording */
	const char *brief;  /* a shorter one, when the full does not fit */
} sms_template;

static const sms_template templates[] = {
	{"accepted",
	 "Bưu điện đã nhận hồ sơ {tn} gửi {place}. Hạn chuyển đến cơ quan: {date}.",
	 "Bưu điện đã nhận HS {tn}, hạn chuyển {date}. {place}"},
	{"filed_at_agency",
	 "Hồ sơ {tn} đã được nộp tại {place} lúc {date}.",
	 "HS {tn} đã nộp lúc {date} tại {place}"},
	{"agency_receipt",
	 "{place} đã tiếp nhận hồ sơ {tn}. Hẹn trả kết quả ngày {date}.{opt}",
	 "HS {tn} hẹn trả KQ {date}. {place}"},
	{"agency_reject",
	 "Hồ sơ {tn} chưa được {place} tiếp nhận; bưu điện sẽ chuyển trả lại bạn.{opt}",
	 "HS {tn} bị trả lại.{opt} {place}"},
	{"result_ready",
	 "Kết quả hồ sơ {tn} đã có tại {place}. Bưu điện sẽ phát đến địa chỉ của bạn.{opt}",
	 "KQ HS {tn} đã có, bưu điện sẽ phát tới bạn.{opt}"},
	{"out_for_delivery",
	 "Bưu tá đang phát kết quả hồ sơ {tn} đến địa chỉ của bạn hôm nay. Vui lòng mang CCCD.",
	 "Bưu tá đang phát KQ HS {tn} cho bạn hôm nay."},
	{"attempt_failed",
	 "Phát kết quả hồ sơ {tn} không thành công (lần {n}). Bưu tá sẽ phát lại ngày {date}.",
	 "Phát KQ HS {tn} chưa được, phát lại ngày {date}."},
	{"attempt_failed_last",
	 "Phát kết quả hồ sơ {tn} không thành công lần {n}. Bưu tá phát lại lần cuối ngày {date}, "
	 "sau đó kết quả được giữ tại bưu cục.",
	 "Phát KQ HS {tn} lần {n} không được, phát lần cuối {date}."},
	{"held",
	 "Kết quả hồ sơ {tn} đang được giữ tại {place} đến hết ngày {date}. Khi nhận vui lòng "
	 "mang CCCD.",
	 "KQ HS {tn} giữ tại {place} đến {date}, mang CCCD."},
	{"delivered",
	 "Kết quả hồ sơ {tn} đã được phát thành công. Cảm ơn bạn đã dùng dịch vụ của Bưu điện.",
	 "KQ HS {tn} đã phát thành công. Cảm ơn bạn."},
};

/* Longest first, so that "Ủy ban nhân dân tỉnh" wins over its parts. */
static const char *const abbreviations[][2] = {
	{"Trung tâm Phục vụ hành chính công", "TTPVHCC"},
	{"Bộ phận tiếp nhận và trả kết quả", "BPTN&TKQ"},
	{"Văn phòng đăng ký đất đai", "VPĐKĐĐ"},
	{"Ủy ban nhân dân", "UBND"}, {"Uỷ ban nhân dân", "UBND"}, {"UỶ BAN NHÂN DÂN", "UBND"},
	{"Bộ phận Một cửa", "BPMC"}, {"Bộ phận một cửa", "BPMC"},
	{"Chi nhánh", "CN"}, {"Bưu điện", "BĐ"}, {"Bưu cục", "BC"}, {"Công an", "CA"},
	{"thành phố ", "TP "}, {"Thành phố ", "TP "}, {"thị xã ", "TX "}, {"Thị xã ", "TX "},
	{"thị trấn ", "TT "}, {"huyện ", "H. "}, {"Huyện ", "H. "}, {"phường ", "P. "},
	{"quận ", "Q. "}, {"tỉnh ", ""}, {"Tỉnh ", ""},
};

size_t notify_sms_limit(bool diacritics)
{
	return diacritics ? 70 : 160;
}

size_t notify_sms_length(const char *text, bool diacritics)
{
	if (diacritics)
		return text_utf8_length(text);
	size_t n = 0;
	for (const char *p = text; *p; p++)
		n += strchr("^{}\\[~]|", *p) ? 2 : 1;  /* GSM-7 extension table: escape + char */
	return n;
}

/* Replaces every `from` in s (malloc'd) by `to`; returns the new malloc'd string. */
static char *replace_all(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), count = 0;
	for (const char *p = strstr(s, from); p; p = strstr(p + fl, from))
		count++;
	if (!count)
		return s;
	char *out = malloc(strlen(s) + count * tl + 1);
	if (!out)
		return s;
	char *o = out;
	const char *p = s, *q;
	while ((q = strstr(p, from))) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	strcpy(o, p);
	free(s);
	return out;
}

static char *abbreviate(const char *place)
{
	char *s = strdup(place);
	for (size_t i = 0; s && i < sizeof(abbreviations) / sizeof(abbreviations[0]); i++)
		s = replace_all(s, abbreviations[i][0], abbreviations[i][1]);
	return s;
}

/* Fills the template; without diacritics the result is stripped to ASCII. malloc'd. */
static char *render(const char *tmpl, const char *tn, const char *date, const char *n,
                    const char *place, const char *opt, bool diacritics)
{
	char *s = strdup(tmpl);
	s = s ? replace_all(s, "{tn}", tn) : NULL;
	s = s ? replace_all(s, "{date}", date) : NULL;
	s = s ? replace_all(s, "{n}", n) : NULL;
	s = s ? replace_all(s, "{place}", place) : NULL;
	s = s ? replace_all(s, "{opt}", opt) : NULL;
	if (s && !diacritics) {
		char *ascii = text_strip_marks(s);
		free(s);
		s = ascii;
	}
	if (s) {                                  /* "... . " when the place went away */
		size_t len = strlen(s);
		while (len && (s[len - 1] == ' '))
			s[--len] = '\0';
	}
	return s;
}

/* Cuts place to at most `chars` code points at a word boundary, without trailing
 * punctuation. */
static void cut_place(char *place, size_t chars)
{
	size_t cps = 0, i = 0, last_space = 0;
	for (; place[i]; i++) {
		if (((unsigned char)place[i] & 0xC0) == 0x80)
			continue;
		if (cps == chars)
			break;
		if (place[i] == ' ')
			last_space = i;
		cps++;
	}
	if (!place[i])
		return;
	size_t end = last_space ? last_space : i;
	while (end && strchr(" -,;:(", place[end - 1]))
		end--;
	place[chars > 0 ? end : 0] = '\0';
}

static const sms_template *find_template(const char *name)
{
	for (size_t i = 0; name && i < sizeof(templates) / sizeof(templates[0]); i++)
		if (!strcmp(templates[i].name, name))
			return &templates[i];
	return NULL;
}

/* "2026-11-28T09:12:40+07:00" -> "09:12 28/11/2026"; other text as it is. */
static void vn_time(const char *iso, char out[32])
{
	int y, mo, d, h, mi;
	if (iso && sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) == 5)
		snprintf(out, 32, "%02d:%02d %02d/%02d/%04d", h % 100, mi % 100, d % 100, mo % 100,
		         y % 10000);
	else
		snprintf(out, 32, "%s", iso ? iso : "");
}

static const char *param(const json_t *params, const char *key)
{
	const char *s = json_string_value(json_object_get(params, key));
	return s ? s : "";
}

hoso_status notify_sms_text(const json_t *payload, const notify_places *places,
                            bool diacritics, char *out, size_t size, hoso_err *err)
{
	const char *name = json_string_value(json_object_get(payload, "template"));
	const sms_template *t = find_template(name);
	if (!t)
		return hoso_err_set(err, HOSO_NOT_FOUND, "no_sms_template", "template",
		                    "there is no SMS text for \"%s\"", name ? name : "(none)");
	const json_t *params = json_object_get(payload, "params");
	const char *tn = param(payload, "tracking_number");
	char date[32] = "", n[24] = "", opt[320] = "";
	const char *place = places && places->agency_name ? places->agency_name : "";
	if (!strcmp(t->name, "filed_at_agency"))
		vn_time(param(params, "filed_at"), date);
	else if (!strcmp(t->name, "held")) {
		snprintf(date, sizeof(date), "%s", param(params, "until"));
		place = places && places->office_name && *places->office_name ? places->office_name
		        : param(params, "office");
	} else if (!strcmp(t->name, "agency_receipt")) {
		snprintf(date, sizeof(date), "%s", param(params, "appointment_date"));
		if (*param(params, "receipt_number"))
			snprintf(opt, sizeof(opt), " Số biên nhận: %.200s.", param(params, "receipt_number"));
	} else if (!strcmp(t->name, "agency_reject")) {
		if (*param(params, "reason"))
			snprintf(opt, sizeof(opt), " Lý do: %.280s", param(params, "reason"));
	} else if (!strcmp(t->name, "result_ready")) {
		json_int_t fee = json_integer_value(json_object_get(params, "fee_due_vnd"));
		if (fee > 0)
			snprintf(opt, sizeof(opt), " Phí thu khi nhận: %lld đồng.", (long long)fee);
	} else {
		snprintf(date, sizeof(date), "%s", param(params, "next_date"));
		if (!*date)
			snprintf(date, sizeof(date), "%s", param(params, "due_date"));
	}
	json_int_t attempt = json_integer_value(json_object_get(params, "attempt"));
	snprintf(n, sizeof(n), "%lld", (long long)(attempt > 0 ? attempt : 1));

	size_t limit = notify_sms_limit(diacritics);
	char *full = strdup(place), *abbr = abbreviate(place), *s = NULL;
	if (!full || !abbr)
		goto no_memory;
	/* the ladder: each step gives up a little more, never the number or the date */
	const char *steps[][3] = {
		{t->text, full, opt}, {t->text, abbr, opt}, {t->text, abbr, ""},
		{t->brief, abbr, opt}, {t->brief, abbr, ""},
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		free(s);
		s = render(steps[i][0], tn, date, n, steps[i][1], steps[i][2], diacritics);
		if (!s)
			goto no_memory;
		if (notify_sms_length(s, diacritics) <= limit)
			goto done;
	}
	/* cut the abbreviated place until the brief wording fits */
	for (size_t chars = text_utf8_length(abbr); chars-- > 0;) {
		cut_place(abbr, chars);
		free(s);
		s = render(t->brief, tn, date, n, abbr, "", diacritics);
		if (!s)
			goto no_memory;
		if (notify_sms_length(s, diacritics) <= limit)
			goto done;
	}
	/* only the fixed words are left: cut them (never happens with the texts above) */
	for (size_t len = strlen(s); len && notify_sms_length(s, diacritics) > limit;) {
		while (len && ((unsigned char)s[len - 1] & 0xC0) == 0x80)
			len--;
		s[len ? --len : 0] = '\0';
	}
done:
	text_copy(out, size, s);
	free(s);
	free(full);
	free(abbr);
	return HOSO_OK;
no_memory:
	free(s);
	free(full);
	free(abbr);
	return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "SMS text: out of memory");
}
