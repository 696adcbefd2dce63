/* notify.c — the [notify] settings, request bodies, signatures and the retry schedule of
 * the outbox worker (the SMS texts are in sms.c). Nothing here touches the network. */
#include "notify.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void notify_config_defaults(notify_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->sms_body_template, sizeof(c->sms_body_template),
	         "{\"to\": \"{phone}\", \"text\": \"{text}\", \"id\": \"{key}\"}");
	c->retry_limit_hours = 24;
	c->retry_base_ms = 30000;
	c->retry_max_ms = 3600000;
	c->connect_timeout_ms = 5000;
	c->timeout_ms = 15000;
	c->parallel = 64;
	c->poll_ms = 200;
	c->lease_slack_ms = 60000;
	c->tz_offset_minutes = 420;
}

static bool parse_ulong(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || n < min || n > max)
		return false;
	*out = n;
	return true;
}

static bool is_http_url(const char *v)
{
	return (!strncmp(v, "http://", 7) && v[7]) || (!strncmp(v, "https://", 8) && v[8]);
}

static bool is_header_line(const char *v)
{
	const char *colon = strchr(v, ':');
	return !*v || (colon && colon != v && !strpbrk(v, "\r\n"));
}

#define COPY_TO(dst) do { \
	if (strlen(value) >= sizeof(dst)) \
		return hoso_err_set(err, HOSO_INVALID, "bad_value", key, "%s is too long", key); \
	snprintf(dst, sizeof(dst), "%s", value); \
	return HOSO_OK; \
} while (0)

hoso_status notify_config_set(notify_config *c, const char *key, const char *value,
                              hoso_err *err)
{
	static const struct {
		const char *key;
		unsigned long min, max;
		size_t offset;
		bool is_uint;
	} numbers[] = {
		{"retry_limit_hours", 1, 24 * 30, offsetof(notify_config, retry_limit_hours), true},
		{"retry_base_ms", 10, 86400000, offsetof(notify_config, retry_base_ms), false},
		{"retry_max_ms", 10, 86400000, offsetof(notify_config, retry_max_ms), false},
		{"connect_timeout_ms", 10, 600000, offsetof(notify_config, connect_timeout_ms), false},
		{"timeout_ms", 10, 600000, offsetof(notify_config, timeout_ms), false},
		{"parallel", 1, 1024, offsetof(notify_config, parallel), true},
		{"poll_ms", 10, 60000, offsetof(notify_config, poll_ms), false},
		{"lease_slack_ms", 100, 3600000, offsetof(notify_config, lease_slack_ms), false},
	};
	if (!strcmp(key, "sms_url") || !strcmp(key, "portal_url")) {
		if (*value && !is_http_url(value))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "%s must start with http:// or https://", key);
		if (!strcmp(key, "sms_url"))
			COPY_TO(c->sms_url);
		COPY_TO(c->portal_url);
	}
	if (!strcmp(key, "sms_auth_header") || !strcmp(key, "portal_auth_header")) {
		if (!is_header_line(value))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "%s must be one header line, \"Name: value\"", key);
		if (!strcmp(key, "sms_auth_header"))
			COPY_TO(c->sms_auth_header);
		COPY_TO(c->portal_auth_header);
	}
	if (!strcmp(key, "sms_body_template")) {
		if (!strstr(value, "{phone}") || !strstr(value, "{text}"))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "sms_body_template must contain {phone} and {text}");
		COPY_TO(c->sms_body_template);
	}
	if (!strcmp(key, "sms_diacritics")) {
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1"))
			c->sms_diacritics = true;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0"))
			c->sms_diacritics = false;
		else
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "sms_diacritics must be true or false");
		return HOSO_OK;
	}
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		if (strcmp(key, numbers[i].key) != 0)
			continue;
		unsigned long n;
		if (!parse_ulong(value, numbers[i].min, numbers[i].max, &n))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "%s must be a whole number from %lu to %lu", key,
			                    numbers[i].min, numbers[i].max);
		char *field = (char *)c + numbers[i].offset;
		if (numbers[i].is_uint)
			*(unsigned *)(void *)field = (unsigned)n;
		else
			*(unsigned long *)(void *)field = n;
		return HOSO_OK;
	}
	return hoso_err_set(err, HOSO_INVALID, "unknown_key", key,
	                    "unknown key \"%s\" in [notify]", key);
}

void notify_format_time(int64_t ms, int tz_minutes, char out[32])
{
	char buf[64];
	time_t secs = (time_t)(ms / 1000) + (time_t)tz_minutes * 60;
	struct tm tm;
	gmtime_r(&secs, &tm);
	int off = tz_minutes < 0 ? -tz_minutes : tz_minutes;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
	         (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	         tm.tm_sec, tz_minutes < 0 ? '-' : '+', off / 60 % 100, off % 60);
	snprintf(out, 32, "%.31s", buf);
}

/* Appends s JSON-escaped (without quotes) to a growing buffer. */
static bool put_escaped(char **buf, size_t *len, size_t *cap, const char *s)
{
	json_t *js = json_string(s ? s : "");
	char *q = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
	json_decref(js);
	if (!q)
		return false;
	size_t n = strlen(q) - 2;
	if (*len + n + 1 > *cap) {
		size_t want = (*cap + n + 1) * 2;
		char *grown = realloc(*buf, want);
		if (!grown) {
			free(q);
			return false;
		}
		*buf = grown;
		*cap = want;
	}
	memcpy(*buf + *len, q + 1, n);
	*len += n;
	(*buf)[*len] = '\0';
	free(q);
	return true;
}

char *notify_sms_body(const char *body_template, const char *phone, const char *text,
                      const char *key, const char *tracking_number)
{
	static const char *const names[] = {"{phone}", "{text}", "{key}", "{tracking_number}"};
	const char *values[] = {phone, text, key, tracking_number};
	size_t cap = strlen(body_template) + 512, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	buf[0] = '\0';
	for (const char *p = body_template; *p;) {
		size_t k;
		for (k = 0; k < 4; k++)
			if (!strncmp(p, names[k], strlen(names[k])))
				break;
		if (k < 4) {
			if (!put_escaped(&buf, &len, &cap, values[k]))
				goto fail;
			p += strlen(names[k]);
			continue;
		}
		if (len + 2 > cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown)
				goto fail;
			buf = grown;
			cap *= 2;
		}
		buf[len++] = *p++;
		buf[len] = '\0';
	}
	return buf;
fail:
	free(buf);
	return NULL;
}

/* The fields every outgoing body shares. */
static json_t *common_body(const db_outbox_row *row, const json_t *payload, int tz_minutes)
{
	char when[32];
	notify_format_time(row->created_at, tz_minutes, when);
	return json_pack("{s:s, s:s, s:s}", "id", row->idem_key, "event",
	                 json_string_value(json_object_get(payload, "template")) ?
	                     json_string_value(json_object_get(payload, "template")) : "",
	                 "time", when);
}

static json_t *str_or_null(const json_t *payload, const char *key)
{
	const char *s = json_string_value(json_object_get(payload, key));
	return s && *s ? json_string(s) : json_null();
}

char *notify_webhook_body(const db_outbox_row *row, const json_t *payload, int tz_minutes)
{
	json_t *body = common_body(row, payload, tz_minutes);
	if (!body)
		return NULL;
	json_object_set_new(body, "item", json_pack("{s:o, s:o}",
		"tracking_number", str_or_null(payload, "tracking_number"),
		"state", str_or_null(payload, "state")));
	json_object_set_new(body, "dossier", json_pack("{s:O, s:o, s:o}",
		"id", json_object_get(payload, "dossier_id") ? json_object_get(payload, "dossier_id")
		                                              : json_null(),
		"agency_code", str_or_null(payload, "agency_code"),
		"portal_code", str_or_null(payload, "portal_code")));
	json_t *params = json_object_get(payload, "params");
	json_object_set_new(body, "data", json_is_object(params) ? json_deep_copy(params)
	                                                        : json_object());
	char *out = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	return out;
}

char *notify_portal_body(const db_outbox_row *row, const json_t *payload, int tz_minutes)
{
	json_int_t status = json_integer_value(
		json_object_get(json_object_get(payload, "params"), "status"));
	if (status < 1 || status > 10)
		return NULL;
	json_t *body = common_body(row, payload, tz_minutes);
	if (!body)
		return NULL;
	json_object_set_new(body, "dossier_code", json_string(row->target));
	json_object_set_new(body, "status", json_integer(status));
	json_object_set_new(body, "tracking_number", str_or_null(payload, "tracking_number"));
	json_object_set_new(body, "state", str_or_null(payload, "state"));
	char *out = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	return out;
}

void notify_signature(const char *secret, const char *body, size_t len, char out[72])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

int64_t notify_backoff(const notify_config *c, int attempts, uint32_t rnd)
{
	double delay = (double)c->retry_base_ms;
	for (int i = 1; i < attempts && delay < (double)c->retry_max_ms; i++)
		delay *= 2;
	if (delay > (double)c->retry_max_ms)
		delay = (double)c->retry_max_ms;
	/* "equal jitter": half fixed, half random, so tries of many rows spread out */
	double frac = 0.5 + 0.5 * ((double)rnd / 4294967296.0);
	int64_t ms = (int64_t)(delay * frac);
	return ms < 1 ? 1 : ms;
}

enum db_outbox_outcome notify_classify(long http_status)
{
	if (http_status >= 200 && http_status < 300)
		return DB_OUTBOX_SENT;
	if (http_status >= 400 && http_status < 500 && http_status != 408 && http_status != 429)
		return DB_OUTBOX_FAILED;
	return DB_OUTBOX_RETRY;
}
