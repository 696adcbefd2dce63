#include "trk_valid.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "DDD.DD.DD.LDD" at s, exactly 13 characters. */
static bool agency_code_at(const char *s)
{
	return all_digits(s, 3) && s[3] == '.' && all_digits(s + 4, 2) && s[6] == '.' &&
	       all_digits(s + 7, 2) && s[9] == '.' && isupper((unsigned char)s[10]) &&
	       all_digits(s + 11, 2);
}

bool trk_valid_agency_code(const char *s)
{
	return s && strlen(s) == 13 && agency_code_at(s);
}

bool trk_valid_procedure_code(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n != 8 && n != 12)
		return false;
	if (!isdigit((unsigned char)s[0]) || s[1] != '.' || !all_digits(s + 2, 6))
		return false;
	if (n == 12)
		return s[8] == '.' && isupper((unsigned char)s[9]) && all_digits(s + 10, 2);
	return true;
}

bool trk_valid_office_code(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	return (n == 5 || n == 6) && all_digits(s, n);
}

bool trk_valid_portal_code(const char *s)
{
	/* 000.00.06.H56-231027-0361: agency code, YYMMDD, daily sequence. */
	if (!s || strlen(s) != 25)
		return false;
	if (!agency_code_at(s) || s[13] != '-' || !all_digits(s + 14, 6) || s[20] != '-' ||
	    !all_digits(s + 21, 4))
		return false;
	int mm = (s[16] - '0') * 10 + (s[17] - '0');
	int dd = (s[18] - '0') * 10 + (s[19] - '0');
	return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

bool trk_valid_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

bool trk_valid_cccd(const char *s)
{
	if (!s || strlen(s) != 12 || !all_digits(s, 12))
		return false;
	int province = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	return province >= 1 && province <= 96;
}

bool trk_valid_tax_code(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n == 10)
		return all_digits(s, 10);
	return n == 14 && all_digits(s, 10) && s[10] == '-' && all_digits(s + 11, 3);
}

bool trk_valid_email(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	if (n < 5 || n > 120 || !at || at == s || strchr(at + 1, '@'))
		return false;
	const char *dot = strrchr(at, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"')
			return false;
	return true;
}

bool trk_phone_normalize(const char *in, char out[16])
{
	char digits[32];
	size_t n = 0;
	if (!in)
		return false;
	const char *p = in;
	while (*p == ' ')
		p++;
	bool plus = false;
	if (*p == '+') {
		plus = true;
		p++;
	}
	for (; *p; p++) {
		if (*p == ' ' || *p == '.' || *p == '-' || *p == '(' || *p == ')')
			continue;
		if (!isdigit((unsigned char)*p) || n >= sizeof(digits) - 1)
			return false;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	const char *d = digits;
	char local[32];
	if (plus || (n >= 11 && strncmp(digits, "84", 2) == 0 && digits[2] != '0')) {
		if (strncmp(digits, "84", 2) != 0)
			return false;
		snprintf(local, sizeof(local), "0%s", digits + 2);
		d = local;
	}
	size_t len = strlen(d);
	if (d[0] != '0')
		return false;
	bool mobile = len == 10 && strchr("35789", d[1]) != NULL;
	bool landline = len == 11 && d[1] == '2';
	if (!mobile && !landline)
		return false;
	memcpy(out, d, len + 1);
	return true;
}

/* Appends at most the n bytes of s that fit in buf[*at .. size-1]; keeps it terminated. */
static void path_put(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
	if (*at + n >= size)
		n = size - 1 - *at;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
}

/* Every field read builds its path before it knows whether it will need it for an error:
 * plain copies, not snprintf, which was 4 % of the instructions of an event. */
const char *trk_field_path(char *buf, size_t size, const char *path, const char *key)
{
	size_t at = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (path && *path) {
		path_put(buf, size, &at, path, strlen(path));
		path_put(buf, size, &at, ".", 1);
	}
	path_put(buf, size, &at, key, strlen(key));
	return buf;
}

hoso_status trk_field_only(const json_t *obj, const char *path, const char *const *allowed,
                           hoso_err *err)
{
	const char *key;
	json_t *value;
	char where[128];
	union { const json_t *c; json_t *m; } any = {.c = obj};
	json_object_foreach(any.m, key, value) {
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				ok = true;
		if (!ok)
			return hoso_err_set(err, HOSO_INVALID, "unknown_field",
			                    trk_field_path(where, sizeof(where), path, key),
			                    "unknown field \"%.60s\"", key);
	}
	return HOSO_OK;
}

hoso_status trk_field_string(const json_t *obj, const char *path, const char *key,
                             bool required, size_t max_chars, char *buf, size_t size,
                             hoso_err *err)
{
	char where[128];
	trk_field_path(where, sizeof(where), path, key);
	buf[0] = '\0';
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return hoso_err_set(err, HOSO_INVALID, "missing_field", where,
			                    "%s is required", where);
		return HOSO_OK;
	}
	if (!json_is_string(v))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", where, "%s must be a string",
		                    where);
	const char *raw = json_string_value(v);
	size_t raw_len = json_string_length(v);
	if (strlen(raw) != raw_len)
		return hoso_err_set(err, HOSO_INVALID, "invalid_text", where,
		                    "%s contains a NUL character", where);
	if (!text_utf8_valid(raw, raw_len))
		return hoso_err_set(err, HOSO_INVALID, "invalid_utf8", where,
		                    "%s is not valid UTF-8", where);
	if (text_has_control(raw))
		return hoso_err_set(err, HOSO_INVALID, "invalid_text", where,
		                    "%s contains a control character", where);
	char *nfc = text_nfc(raw);
	if (!nfc)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", where, "out of memory");
	char *start = nfc;
	while (*start == ' ' || *start == '\t')
		start++;
	char *end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	hoso_status st = HOSO_OK;
	size_t chars = text_utf8_length(start);
	if (required && chars == 0)
		st = hoso_err_set(err, HOSO_INVALID, "missing_field", where, "%s must not be empty",
		                  where);
	else if (chars > max_chars || (size_t)(end - start) >= size)
		st = hoso_err_set(err, HOSO_INVALID, "too_long", where,
		                  "%s is too long: at most %zu characters", where, max_chars);
	else
		memcpy(buf, start, (size_t)(end - start) + 1);
	free(nfc);
	return st;
}

hoso_status trk_field_int(const json_t *obj, const char *path, const char *key, bool required,
                          int64_t min, int64_t max, int64_t dflt, int64_t *out, hoso_err *err)
{
	char where[128];
	trk_field_path(where, sizeof(where), path, key);
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return hoso_err_set(err, HOSO_INVALID, "missing_field", where,
			                    "%s is required", where);
		*out = dflt;
		return HOSO_OK;
	}
	if (!json_is_integer(v))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", where,
		                    "%s must be a whole number", where);
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return hoso_err_set(err, HOSO_INVALID, "out_of_range", where,
		                    "%s must be between %lld and %lld", where, (long long)min,
		                    (long long)max);
	*out = n;
	return HOSO_OK;
}

hoso_status trk_field_bool(const json_t *obj, const char *path, const char *key, bool dflt,
                           bool *out, hoso_err *err)
{
	char where[128];
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		*out = dflt;
		return HOSO_OK;
	}
	if (!json_is_boolean(v))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type",
		                    trk_field_path(where, sizeof(where), path, key),
		                    "%s must be true or false", where);
	*out = json_is_true(v);
	return HOSO_OK;
}

hoso_status trk_field_enum(const json_t *obj, const char *path, const char *key,
                           const char *const *allowed, const char *dflt, char *buf,
                           size_t size, hoso_err *err)
{
	char where[128];
	trk_field_path(where, sizeof(where), path, key);
	json_t *v = json_object_get(obj, key);
	if ((!v || json_is_null(v)) && dflt) {
		snprintf(buf, size, "%s", dflt);
		return HOSO_OK;
	}
	char list[256] = "";
	for (size_t i = 0; allowed[i]; i++) {
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s\"%s\"", i ? ", " : "", allowed[i]);
	}
	if (!v || json_is_null(v))
		return hoso_err_set(err, HOSO_INVALID, "missing_field", where,
		                    "%s is required: one of %s", where, list);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		for (size_t i = 0; allowed[i]; i++) {
			if (strcmp(s, allowed[i]) == 0) {
				snprintf(buf, size, "%s", s);
				return HOSO_OK;
			}
		}
	}
	return hoso_err_set(err, HOSO_INVALID, "invalid_value", where, "%s must be one of %s",
	                    where, list);
}
