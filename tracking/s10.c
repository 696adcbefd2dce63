/* s10.c — UPU S10 tracking numbers: two service letters, an 8-digit serial, a check digit
 * (weights 8 6 4 2 3 5 9 7, 11 - sum mod 11, 10 -> 0, 11 -> 5) and the country code. */
#include "trk_s10.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define S10_FIELD_DEFAULT "tracking_number"
#define S10_MAX_INPUT 512   /* a scanned URL longer than this is not ours */

static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int trk_s10_check_digit(uint32_t serial)
{
	static const int weights[8] = {8, 6, 4, 2, 3, 5, 9, 7};
	int sum = 0;
	for (int i = 7; i >= 0; i--) {
		sum += (int)(serial % 10) * weights[i];
		serial /= 10;
	}
	int c = 11 - sum % 11;
	if (c == 10)
		return 0;
	if (c == 11)
		return 5;
	return c;
}

/* The serial of the 8 digits at s (already checked to be digits). */
static uint32_t serial_of(const char *s)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v * 10 + (uint32_t)(s[i] - '0');
	return v;
}

bool trk_s10_valid(const char *s)
{
	if (!s || strlen(s) != TRK_S10_LEN)
		return false;
	if (!is_upper(s[0]) || !is_upper(s[1]) || !is_upper(s[11]) || !is_upper(s[12]))
		return false;
	for (int i = 2; i < 11; i++)
		if (!is_digit(s[i]))
			return false;
	return trk_s10_check_digit(serial_of(s + 2)) == s[10] - '0';
}

hoso_status trk_s10_format(const char *prefix, uint32_t serial, const char *country,
                           char out[TRK_S10_LEN + 1], hoso_err *err)
{
	if (!prefix || strlen(prefix) != 2 || !is_upper(prefix[0]) || !is_upper(prefix[1]))
		return hoso_err_set(err, HOSO_INVALID, "invalid_prefix", "prefix",
		                    "the service prefix must be two upper-case letters A-Z");
	if (!country || strlen(country) != 2 || !is_upper(country[0]) || !is_upper(country[1]))
		return hoso_err_set(err, HOSO_INVALID, "invalid_country", "country",
		                    "the country code must be two upper-case letters A-Z");
	if (serial >= 100000000u)
		return hoso_err_set(err, HOSO_INVALID, "invalid_serial", "serial",
		                    "the serial %lu has more than 8 digits", (unsigned long)serial);
	out[0] = prefix[0];
	out[1] = prefix[1];
	uint32_t v = serial;
	for (int i = 9; i >= 2; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[10] = (char)('0' + trk_s10_check_digit(serial));
	out[11] = country[0];
	out[12] = country[1];
	out[13] = '\0';
	return HOSO_OK;
}

/* Narrows [*b, *e) to the tracking number inside a URL ".../t/<tn>[/][?query][#frag]". */
static void strip_url(const char **b, const char **e)
{
	const char *last = NULL;
	for (const char *p = *b; p + 3 <= *e; p++)
		if (p[0] == '/' && p[1] == 't' && p[2] == '/')
			last = p;
	if (!last)
		return;
	const char *s = last + 3, *end = s;
	while (end < *e && *end != '?' && *end != '#')
		end++;
	if (end > s && end[-1] == '/')
		end--;
	*b = s;
	*e = end;
}

/* Describes a character for an error message: printable ASCII as 'c', else its byte. */
static void describe(char c, char *buf, size_t size)
{
	unsigned char u = (unsigned char)c;
	if (u > 0x20 && u < 0x7F)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02X", u);
}

hoso_status trk_s10_parse(const char *input, const char *field, char out[TRK_S10_LEN + 1],
                          hoso_err *err)
{
	if (!field)
		field = S10_FIELD_DEFAULT;
	if (!input)
		input = "";
	size_t len = strnlen(input, S10_MAX_INPUT + 1);
	if (len > S10_MAX_INPUT)
		return hoso_err_set(err, HOSO_INVALID, "invalid_tracking_number", field,
		                    "tracking number is too long (more than %d characters)",
		                    S10_MAX_INPUT);
	const char *b = input, *e = input + len;
	while (b < e && is_space(*b))
		b++;
	while (e > b && is_space(e[-1]))
		e--;
	strip_url(&b, &e);
	size_t n = (size_t)(e - b);
	/* A non-ASCII character (a Vietnamese letter typed by mistake, a look-alike digit):
	 * name it, counting characters rather than bytes. */
	for (size_t i = 0, chars = 0; i < n; i++) {
		unsigned char u = (unsigned char)b[i];
		if ((u & 0xC0) != 0x80)
			chars++;
		if (u < 0x80)
			continue;
		size_t k = 1;
		while (k < 4 && i + k < n && ((unsigned char)b[i + k] & 0xC0) == 0x80)
			k++;
		char what[16];
		if (u >= 0xC2 && k >= 2 && k <= 4)
			snprintf(what, sizeof(what), "'%.*s'", (int)k, b + i);
		else
			describe(b[i], what, sizeof(what));
		return hoso_err_set(err, HOSO_INVALID, "invalid_tracking_number", field,
		                    "character %zu of the tracking number is %s: only letters A-Z "
		                    "and digits are allowed (format: 2 letters, 9 digits, 2 letters)",
		                    chars, what);
	}
	if (n == 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_tracking_number", field,
		                    "tracking number is empty");
	if (n != TRK_S10_LEN)
		return hoso_err_set(err, HOSO_INVALID, "invalid_tracking_number", field,
		                    "a tracking number has 13 characters (2 letters, 9 digits, "
		                    "2 letters, e.g. DH123456785VN); got %zu", n);
	char tn[TRK_S10_LEN + 1];
	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		tn[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	tn[TRK_S10_LEN] = '\0';
	char what[16];
	for (int i = 0; i < TRK_S10_LEN; i++) {
		bool letter = i < 2 || i > 10;
		if (letter ? is_upper(tn[i]) : is_digit(tn[i]))
			continue;
		describe(tn[i], what, sizeof(what));
		return hoso_err_set(err, HOSO_INVALID, "invalid_tracking_number", field,
		                    "character %d of a tracking number must be a %s, not %s "
		                    "(format: 2 letters, 9 digits, 2 letters)",
		                    i + 1, letter ? "letter A-Z" : "digit", what);
	}
	int want = trk_s10_check_digit(serial_of(tn + 2));
	if (want != tn[10] - '0')
		return hoso_err_set(err, HOSO_INVALID, "invalid_check_digit", field,
		                    "%s is not a valid tracking number: its check digit should be "
		                    "%d, not %c (mistyped digit?)", tn, want, tn[10]);
	memcpy(out, tn, sizeof(tn));
	return HOSO_OK;
}
