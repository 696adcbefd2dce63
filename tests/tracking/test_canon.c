/* test_canon.c — the hand-written canonical JSON of tracking/chain.c against jansson:
 * trk_json_canonical must give json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) byte for byte,
 * and trk_chain_canonical the bytes of the original jansson implementation (kept below as
 * the reference) on many random events: Unicode, quotes, backslashes, control characters,
 * nested data, reals, repeated keys, bytes that are not UTF-8, fields filled to the brim. */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db.h"
#include "text.h"
#include "trk_canon.h"
#include "trk_chain.h"
#include "trk_internal.h"

/* ---- the reference: chain.c's canonical form as it was written with jansson ----------- */

static json_t *ref_field_string(const char *s, size_t size)
{
	size_t len = strnlen(s, size);
	if (text_utf8_valid(s, len))
		return json_stringn(s, len);
	static const char hex[] = "0123456789abcdef";
	char *buf = malloc(len * 2 + 1);
	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = hex[(unsigned char)s[i] >> 4];
		buf[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	buf[2 * len] = '\0';
	json_t *j = json_pack("{s:s}", "hex", buf);
	free(buf);
	return j;
}

static bool ref_put(json_t *obj, const char *key, json_t *value)
{
	return value && json_object_set_new(obj, key, value) == 0;
}

#define RSTR(f) ref_field_string((f), sizeof(f))

static char *ref_canonical(const db_event *ev)
{
	json_t *obj = json_object();
	const char *dtext = ev->data[0] ? ev->data : "{}";
	size_t dlen = strnlen(dtext, sizeof(ev->data));
	json_t *data = json_loadb(dtext, dlen, JSON_REJECT_DUPLICATES, NULL);
	if (!data)
		data = ref_field_string(dtext, dlen);
	bool ok = ref_put(obj, "id", RSTR(ev->id)) &&
	          ref_put(obj, "item", RSTR(ev->tracking_number)) &&
	          ref_put(obj, "type", RSTR(ev->type)) &&
	          ref_put(obj, "from_state", RSTR(ev->state_from)) &&
	          ref_put(obj, "to_state", RSTR(ev->state_to)) &&
	          ref_put(obj, "user_id", json_integer(ev->user_id)) &&
	          ref_put(obj, "username", RSTR(ev->username)) &&
	          ref_put(obj, "place", RSTR(ev->place)) &&
	          ref_put(obj, "from", RSTR(ev->from_party)) &&
	          ref_put(obj, "to", RSTR(ev->to_party)) &&
	          ref_put(obj, "server_time", json_integer(ev->server_time)) &&
	          ref_put(obj, "device_time", json_integer(ev->device_time)) &&
	          ref_put(obj, "data", data) &&
	          ref_put(obj, "request_digest", RSTR(ev->request_digest));
	char *out = ok ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(obj);
	return out;
}

/* ---- random values ------------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static const char *const pieces[] = {
	"a", "b", "id", "note", "reason", "Hồ sơ", "Nguyễn Thị Lan", "đủ", "\"", "\\", "/", "\\\"",
	"\n", "\r", "\t", "\b", "\f", "\x01", "\x1f", "\x7f", "\x0b", " ", "{", "}", "[", "]",
	":", ",", "\xe2\x80\xa8", "\xf0\x9f\x93\xa6", "\xef\xbf\xbf", "\xc2\x80", "€", "\\u0000",
	"null", "true", "1", "-", "e", "0", "data", "data2", "ab", "abc", "",
};

/* A random UTF-8 string (no NUL) of up to max pieces into buf. */
static void rnd_text(char *buf, size_t size, int max)
{
	size_t n = 0;
	buf[0] = '\0';
	int k = (int)rnd((uint32_t)max + 1);
	for (int i = 0; i < k; i++) {
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
		size_t l = strlen(p);
		if (n + l + 1 > size)
			break;
		memcpy(buf + n, p, l + 1);
		n += l;
	}
	/* Now and then a random control or ASCII byte. */
	if (rnd(4) == 0 && n + 2 < size) {
		buf[n++] = (char)(1 + rnd(127));
		buf[n] = '\0';
	}
}

static json_t *rnd_json(int depth, bool reals)
{
	char text[128];
	switch (rnd(depth > 3 ? 6 : 8)) {
	case 0: return json_null();
	case 1: return rnd(2) ? json_true() : json_false();
	case 2: {
		static const json_int_t edges[] = {0, -1, 1, 9, 10, -10, 1234567890123LL,
		                                    INT64_MAX, INT64_MIN, 999999999999999999LL};
		return json_integer(rnd(2) ? edges[rnd(10)] : (json_int_t)rnd(1000000) - 500000);
	}
	case 3:
		if (reals)
			return json_real(rnd(2) ? 0.5 : (double)rnd(100000) / 7.0);
		__attribute__((fallthrough));
	case 4:
	case 5:
		rnd_text(text, sizeof(text), 6);
		return json_string(text);
	case 6: {
		json_t *a = json_array();
		for (int i = (int)rnd(5); i > 0; i--)
			json_array_append_new(a, rnd_json(depth + 1, reals));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int i = (int)rnd(7); i > 0; i--) {
			rnd_text(text, 24, 3);
			json_object_set_new(o, text, rnd_json(depth + 1, reals));
		}
		return o;
	}
	}
}

static void fill_text(char *f, size_t size)
{
	rnd_text(f, size, (int)rnd(12));
	if (rnd(10) == 0) { /* to the brim */
		memset(f, 'x', size - 1);
		f[size - 1] = '\0';
		if (size > 4 && rnd(2))
			memcpy(f + size - 4, "\xe1\xbb\x93", 3); /* ồ at the end */
	}
	if (rnd(15) == 0 && size > 3) /* not UTF-8 */
		f[rnd((uint32_t)strlen(f) + 1)] = (char)(0x80 | rnd(128)), f[size - 1] = '\0';
}

static void rnd_event(db_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	fill_text(ev->id, sizeof(ev->id));
	fill_text(ev->tracking_number, sizeof(ev->tracking_number));
	fill_text(ev->type, sizeof(ev->type));
	fill_text(ev->state_from, sizeof(ev->state_from));
	fill_text(ev->state_to, sizeof(ev->state_to));
	fill_text(ev->username, sizeof(ev->username));
	fill_text(ev->place, sizeof(ev->place));
	fill_text(ev->from_party, sizeof(ev->from_party));
	fill_text(ev->to_party, sizeof(ev->to_party));
	fill_text(ev->request_digest, sizeof(ev->request_digest));
	ev->user_id = rnd(3) ? (int64_t)rnd(100000) : -(int64_t)rnd(5) - (rnd(2) ? INT64_MAX - 5 : 0);
	ev->server_time = rnd(5) ? 1735700000000LL + rnd(1000000) : INT64_MIN;
	ev->device_time = rnd(3) ? 0 : 1735700000000LL - rnd(1000000);
	json_t *d = rnd_json(1, rnd(4) == 0);
	char *text = NULL;
	switch (rnd(9)) {
	case 0: text = json_dumps(d, JSON_INDENT(1)); break;          /* spaces, keys unsorted */
	case 1: text = json_dumps(d, JSON_COMPACT); break;           /* keys in any order */
	case 2: text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII); break;
	case 3: text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_ESCAPE_SLASH); break;
	case 4: { /* hand-made oddities */
		static const char *const odd[] = {
			"{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2}", "\"abc\"", "abc", "{not json", "[]",
			"{}", "{\"a\":-0}", "{\"a\":01}", "{\"a\":1.0}", "{\"a\":1e5}", "{\"a\":\"\\u0041\"}",
			"{\"a\":\"\\u001f\"}", "{\"a\":\"\\u001F\"}", "{\"a\":\"\\u000A\"}",
			"{\"a\":\"\\u0000\"}", "{\"a\":\"\\/\"}", "{\"a\":\"\\ud83d\\udce6\"}",
			"{\"a\":12345678901234567890}", "{\"a\":123456789012345678}", "{\"a\":true} ",
			"{\"a\":tru}", "{\"\":1,\"a\":2}", "{\"a\":1,\"ab\":2,\"b\":3}",
			"{\"ab\":1,\"a\":2}", "{\"a\\n\":1}", "{\"a\":\"\x7f\"}", "{\"a\":\"\xc3\x28\"}",
			"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":{\"b\":1}}", "{\"a\":[1,2]}", "{\"a\":null}",
			"{\"a\":false,\"b\":\"x\"}", "{\"a\":\"\"}", "{\"a\":\"\\\"\\\\\\b\\f\\n\\r\\t\"}",
			"{\"a\":", "{", "}", "{\"a\":1,}", "{,}", "{\"a\"1}", " {}", "{\"a\":-}",
			"{\"a\":-12}", "{\"a\":9223372036854775807}", "{\"a\":\"\\u00e9\"}",
		};
		text = strdup(odd[rnd(sizeof(odd) / sizeof(odd[0]))]);
		break;
	}
	default: text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS); break;
	}
	json_decref(d);
	if (text)
		snprintf(ev->data, sizeof(ev->data), "%s", text);
	free(text);
	if (rnd(20) == 0)
		ev->data[0] = '\0';
}

static void test_values(void)
{
	int mismatches = 0, digests = 0;
	for (int i = 0; i < 20000; i++) {
		json_t *v = rnd(3) ? json_object() : json_array();
		for (int k = (int)rnd(8); k > 0; k--) {
			json_t *x = rnd_json(1, rnd(5) == 0);
			if (json_is_object(v)) {
				char key[32];
				rnd_text(key, sizeof(key), 3);
				json_object_set_new(v, key, x);
			} else {
				json_array_append_new(v, x);
			}
		}
		char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		char buf[64];
		size_t len = 0;
		char *got = trk_json_canonical(v, buf, sizeof(buf), &len);
		if (!want || !got || strcmp(want, got) != 0 || len != strlen(want)) {
			if (mismatches++ < 5)
				fprintf(stderr, "value mismatch:\n want %s\n got  %s\n", want ? want : "(null)",
				        got ? got : "(null)");
		}
		/* The digest of a request body (acceptances, pickups) is still the SHA-256 of
		 * jansson's dump, as the digests stored by earlier versions were. */
		if (want && json_is_object(v)) {
			uint8_t h[crypto_hash_sha256_BYTES];
			char hex[65], digest[65];
			crypto_hash_sha256(h, (const unsigned char *)want, strlen(want));
			sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
			trk_body_digest(v, digest);
			digests++;
			if (strcmp(hex, digest) != 0 && mismatches++ < 5)
				fprintf(stderr, "digest mismatch for %s\n", want);
		}
		free(want);
		if (got != buf)
			free(got);
		json_decref(v);
	}
	CHECK_INT(mismatches, 0);
	CHECK(digests > 5000);

	/* What json_dumps refuses: a scalar at the top, a string that is not UTF-8. */
	json_t *s = json_string("x");
	CHECK(trk_json_canonical(s, NULL, 0, NULL) == NULL);
	json_decref(s);
	json_t *o = json_object();
	json_object_set_new(o, "k", json_stringn_nocheck("bad\xff", 4));
	CHECK(json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) == NULL);
	CHECK(trk_json_canonical(o, NULL, 0, NULL) == NULL);
	json_decref(o);
	/* Keys that are prefixes of each other, and bytes above 0x7F, sort as jansson does. */
	o = json_pack("{s:i, s:i, s:i, s:i, s:i}", "ab", 1, "a", 2, "b", 3, "\xc3\xa9", 4, "", 5);
	char *got = trk_json_canonical(o, NULL, 0, NULL);
	CHECK_STR(got, "{\"\":5,\"a\":2,\"ab\":1,\"b\":3,\"\xc3\xa9\":4}");
	free(got);
	json_decref(o);
}

static void test_events(void)
{
	int mismatches = 0, fast = 0;
	db_event *ev = malloc(sizeof(*ev));
	for (int i = 0; i < 30000; i++) {
		rnd_event(ev);
		char *want = ref_canonical(ev);
		char *got = trk_chain_canonical(ev);
		if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0)) {
			if (mismatches++ < 5)
				fprintf(stderr, "event mismatch (data %s):\n want %s\n got  %s\n", ev->data,
				        want ? want : "(null)", got ? got : "(null)");
		}
		/* The hash covers exactly those bytes. */
		uint8_t h[32];
		CHECK(trk_chain_hash(h, ev, h) == (want != NULL));
		fast += want && ev->data[0] == '{';
		free(want);
		free(got);
	}
	free(ev);
	CHECK_INT(mismatches, 0);
	CHECK(fast > 1000);
}

int main(void)
{
	test_values();
	test_events();
	return check_done();
}
