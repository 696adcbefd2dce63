/* chain.c — the custody chain. Each event's hash is SHA-256(prev || canonical(event)), where
 * prev is the hash of the item's previous event (32 zero bytes for its first event) and
 * canonical(event) is compact JSON with sorted keys (jansson JSON_COMPACT | JSON_SORT_KEYS,
 * UTF-8 kept as is) of:
 *   id, item, type, from_state, to_state, user_id, username, place, from, to,
 *   server_time, device_time, data, request_digest
 * `data` is embedded as parsed JSON when it is an object or array; otherwise (it does not
 * parse, repeats a key, or is a scalar) its text is embedded as a JSON string, so that its
 * exact bytes are still covered by the hash; an empty data counts as "{}". Non-UTF-8 bytes:
 * see field_string.
 * Changing this layout breaks every stored chain: treat it as a file format. */
#include "trk_chain.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "trk_canon.h"

/* ---- canonical bytes without building jansson values ---------------------------------
 * The bytes are those jansson's json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) gives (jansson
 * 2.14 dump.c): strings escape '"', '\\' and control characters (\b \f \n \r \t, others as
 * \u00XX in upper-case hex), everything else (including DEL and non-ASCII) is copied; keys
 * are sorted by bytes, a shorter key first when one is a prefix of the other; integers
 * print as %lld. tests/tracking/test_canon.c compares both on many values. */

typedef struct cbuf {
	char *p;
	size_t len, cap;
	bool heap;    /* p was malloc'd (else it is the caller's buffer) */
	bool failed;  /* out of memory, or a value jansson would refuse to dump */
} cbuf;

static void cb_init(cbuf *b, char *buf, size_t size)
{
	b->p = buf;
	b->len = 0;
	b->cap = size;
	b->heap = false;
	b->failed = false;
}

static bool cb_room(cbuf *b, size_t n)
{
	if (b->failed)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *grown = b->heap ? realloc(b->p, cap) : malloc(cap);
	if (!grown) {
		b->failed = true;
		return false;
	}
	if (!b->heap && b->len)
		memcpy(grown, b->p, b->len);
	b->p = grown;
	b->cap = cap;
	b->heap = true;
	return true;
}

static void cb_put(cbuf *b, const char *s, size_t n)
{
	if (cb_room(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	}
}

#define CB_LIT(b, s) cb_put((b), (s), sizeof(s) - 1)

static void cb_int(cbuf *b, long long v)
{
	char num[24];
	char *e = num + sizeof(num), *q = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--q = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--q = '-';
	cb_put(b, q, (size_t)(e - q));
}

/* Which bytes a JSON string must escape: 0 none, else the letter after '\\' ('u': \u00XX). */
static const char escape_of[256] = {
	['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	[0] = 'u', [1] = 'u', [2] = 'u', [3] = 'u', [4] = 'u', [5] = 'u', [6] = 'u', [7] = 'u',
	[11] = 'u', [14] = 'u', [15] = 'u', [16] = 'u', [17] = 'u', [18] = 'u', [19] = 'u',
	[20] = 'u', [21] = 'u', [22] = 'u', [23] = 'u', [24] = 'u', [25] = 'u', [26] = 'u',
	[27] = 'u', [28] = 'u', [29] = 'u', [30] = 'u', [31] = 'u', ['"'] = '"', ['\\'] = '\\',
};

/* s[0..len) as a JSON string; false (and b failed) when it is not UTF-8, which jansson
 * refuses to dump. */
static bool cb_string(cbuf *b, const char *s, size_t len)
{
	if (!text_utf8_valid(s, len)) {
		b->failed = true;
		return false;
	}
	/* Worst case 6 bytes per input byte, plus the quotes. */
	if (!cb_room(b, len * 6 + 2))
		return false;
	static const char hex[] = "0123456789ABCDEF";
	char *o = b->p + b->len;
	*o++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		char e = escape_of[ch];
		if (!e) {
			*o++ = (char)ch;
		} else if (e != 'u') {
			*o++ = '\\';
			*o++ = e;
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hex[ch >> 4];
			o[5] = hex[ch & 15];
			o += 6;
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
	return true;
}

struct key_len {
	const char *key;
	size_t len;
};

static int compare_keys(const void *a, const void *b)
{
	const struct key_len *k1 = a, *k2 = b;
	size_t n = k1->len < k2->len ? k1->len : k2->len;
	int r = memcmp(k1->key, k2->key, n);
	if (r)
		return r;
	return k1->len < k2->len ? -1 : k1->len > k2->len;
}

static void cb_json(cbuf *b, const json_t *v, int depth);

static void cb_object(cbuf *b, const json_t *v, int depth)
{
	size_t n = json_object_size(v);
	if (n == 0) {
		CB_LIT(b, "{}");
		return;
	}
	struct key_len local[16], *keys = n <= 16 ? local : malloc(n * sizeof(*keys));
	if (!keys) {
		b->failed = true;
		return;
	}
	json_t *obj; /* jansson's iterator wants a mutable pointer; nothing is changed */
	memcpy(&obj, &v, sizeof(obj));
	size_t i = 0;
	for (void *it = json_object_iter(obj); it && i < n; it = json_object_iter_next(obj, it), i++) {
		keys[i].key = json_object_iter_key(it);
		keys[i].len = json_object_iter_key_len(it);
	}
	n = i;
	/* Insertion sort: objects here hold a handful of keys. */
	for (i = 1; i < n; i++) {
		struct key_len k = keys[i];
		size_t j = i;
		for (; j > 0 && compare_keys(&keys[j - 1], &k) > 0; j--)
			keys[j] = keys[j - 1];
		keys[j] = k;
	}
	CB_LIT(b, "{");
	for (i = 0; i < n && !b->failed; i++) {
		if (i)
			CB_LIT(b, ",");
		cb_string(b, keys[i].key, keys[i].len);
		CB_LIT(b, ":");
		cb_json(b, json_object_getn(v, keys[i].key, keys[i].len), depth + 1);
	}
	CB_LIT(b, "}");
	if (keys != local)
		free(keys);
}

static void cb_json(cbuf *b, const json_t *v, int depth)
{
	if (b->failed)
		return;
	if (!v || depth > 2048) { /* jansson's own limit is on parsing; stay bounded */
		b->failed = true;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_NULL: CB_LIT(b, "null"); break;
	case JSON_TRUE: CB_LIT(b, "true"); break;
	case JSON_FALSE: CB_LIT(b, "false"); break;
	case JSON_INTEGER: cb_int(b, (long long)json_integer_value(v)); break;
	case JSON_STRING: cb_string(b, json_string_value(v), json_string_length(v)); break;
	case JSON_ARRAY:
		CB_LIT(b, "[");
		for (size_t i = 0; i < json_array_size(v) && !b->failed; i++) {
			if (i)
				CB_LIT(b, ",");
			cb_json(b, json_array_get(v, i), depth + 1);
		}
		CB_LIT(b, "]");
		break;
	case JSON_OBJECT: cb_object(b, v, depth); break;
	default:
		/* Reals (jansson's own double formatting): the caller falls back to json_dumps. */
		b->failed = true;
		break;
	}
}

/* Finishes a buffer: the caller's buf, a malloc'd copy, or NULL. */
static char *cb_finish(cbuf *b, char *buf, size_t *len)
{
	if (b->failed) {
		if (b->heap)
			free(b->p);
		return NULL;
	}
	if (len)
		*len = b->len;
	return b->p == buf ? buf : b->p;
}

char *trk_json_canonical(const json_t *json, char *buf, size_t size, size_t *len)
{
	if (!json_is_object(json) && !json_is_array(json))
		return NULL; /* as json_dumps without JSON_ENCODE_ANY */
	cbuf b;
	cb_init(&b, buf, size);
	cb_json(&b, json, 0);
	if (b.failed) {
		if (b.heap)
			free(b.p);
		/* Something only jansson prints (a real): let it. */
		char *s = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
		if (s && len)
			*len = strlen(s);
		return s;
	}
	return cb_finish(&b, buf, len);
}

/* A JSON string of a fixed-size field. Bytes that are not UTF-8 cannot go into a jansson
 * string; such a field becomes {"hex": "<its bytes in hex>"}, an object, which no valid
 * field can be confused with, so the canonical form stays deterministic and injective. */
static void field_string(cbuf *b, const char *s, size_t size)
{
	size_t len = strnlen(s, size);
	if (text_utf8_valid(s, len)) {
		cb_string(b, s, len);
		return;
	}
	static const char hex[] = "0123456789abcdef";
	CB_LIT(b, "{\"hex\":\"");
	if (!cb_room(b, len * 2))
		return;
	char *o = b->p + b->len;
	for (size_t i = 0; i < len; i++) {
		*o++ = hex[(unsigned char)s[i] >> 4];
		*o++ = hex[(unsigned char)s[i] & 15];
	}
	b->len += len * 2;
	b->p[b->len] = '\0';
	CB_LIT(b, "\"}");
}

/* Length of a JSON string token at s[0..len) (s[0] is '"') when jansson would parse it and
 * print it back byte for byte: no escape but those it prints, UTF-8 throughout, no NUL;
 * with keys true, no escape at all (so that the raw bytes are the key's and sort as such).
 * 0 otherwise. */
static size_t plain_string(const char *s, size_t len, bool key)
{
	size_t i = 1;
	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"')
			return i + 1;
		if (ch < 0x20)
			return 0;
		if (ch == '\\') {
			if (key || i + 1 >= len)
				return 0;
			unsigned char e = (unsigned char)s[i + 1];
			if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
			    e == 't') {
				i += 2;
				continue;
			}
			/* \u00XX, upper-case, for a control character without a short form. */
			if (e != 'u' || i + 5 >= len || s[i + 2] != '0' || s[i + 3] != '0')
				return 0;
			static const char hex[] = "0123456789ABCDEF";
			const char *h1 = memchr(hex, s[i + 4], 2), *h2 = memchr(hex, s[i + 5], 16);
			if (!h1 || !h2 || !s[i + 4] || !s[i + 5])
				return 0;
			unsigned cp = (unsigned)((h1 - hex) * 16 + (h2 - hex));
			if (cp == 0 || escape_of[cp] != 'u')
				return 0;
			i += 6;
			continue;
		}
		if (ch < 0x80) {
			i++;
			continue;
		}
		size_t n = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
		if (i + n > len || !text_utf8_valid(s + i, n))
			return 0;
		i += n;
	}
	return 0;
}

/* Length of an integer token jansson prints back the same: -?(0|[1-9][0-9]{0,17}), not -0. */
static size_t plain_int(const char *s, size_t len)
{
	size_t i = s[0] == '-' ? 1 : 0;
	if (i >= len || s[i] < '0' || s[i] > '9')
		return 0;
	if (s[i] == '0')
		return i == 0 && (len == 1 || s[1] < '0' || s[1] > '9') ? 1 : 0;
	size_t start = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i - start > 18 || (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')))
		return 0;
	return i;
}

/* True when data is a flat object already in the form json_dumps(json_loadb(data),
 * JSON_COMPACT | JSON_SORT_KEYS) gives (the form the events use store): its keys strictly
 * increasing (no repeats), values strings, integers, true, false or null. Anything else
 * (nesting, reals, spaces, other escapes) is left to jansson. */
static bool data_is_canonical(const char *s, size_t len)
{
	if (len < 2 || s[0] != '{' || s[len - 1] != '}')
		return false;
	if (len == 2)
		return true;
	size_t i = 1;
	const char *prev = NULL;
	size_t prev_len = 0;
	for (;;) {
		if (s[i] != '"')
			return false;
		size_t k = plain_string(s + i, len - i, true);
		if (!k)
			return false;
		struct key_len a = {prev, prev_len}, c = {s + i + 1, k - 2};
		if (prev && compare_keys(&a, &c) >= 0)
			return false;
		prev = c.key;
		prev_len = c.len;
		i += k;
		if (i >= len || s[i] != ':')
			return false;
		i++;
		size_t v;
		if (s[i] == '"')
			v = plain_string(s + i, len - i, false);
		else if (len - i >= 4 && !memcmp(s + i, "true", 4))
			v = 4;
		else if (len - i >= 5 && !memcmp(s + i, "false", 5))
			v = 5;
		else if (len - i >= 4 && !memcmp(s + i, "null", 4))
			v = 4;
		else
			v = plain_int(s + i, len - i);
		if (!v)
			return false;
		i += v;
		if (i == len - 1)
			return true;
		if (s[i] != ',')
			return false;
		i++;
	}
}

/* The event's data as embedded in the canonical form (see the top of this file). */
static void data_value(cbuf *b, const char *dtext, size_t dlen)
{
	if (data_is_canonical(dtext, dlen)) {
		cb_put(b, dtext, dlen);
		return;
	}
	/* Objects and arrays only (no JSON_DECODE_ANY): a bare JSON string in data must not
	 * look the same as unparsable data embedded as a string. */
	json_t *data = json_loadb(dtext, dlen, JSON_REJECT_DUPLICATES, NULL);
	if (!data) {
		field_string(b, dtext, dlen);
		return;
	}
	char local[1024];
	size_t n = 0;
	char *s = trk_json_canonical(data, local, sizeof(local), &n);
	json_decref(data);
	if (!s) {
		b->failed = true;
		return;
	}
	cb_put(b, s, n);
	if (s != local)
		free(s);
}

#define STR(f) field_string(&b, (f), sizeof(f))

/* Builds the canonical bytes into buf (size bytes) or, when they do not fit, a malloc'd
 * buffer; NULL on failure. */
static char *canonical_build(const db_event *ev, char *buf, size_t size, size_t *len)
{
	cbuf b;
	cb_init(&b, buf, size);
	/* An empty data field is stored as "{}" (db_event_insert), so it hashes as "{}" too. */
	const char *dtext = ev->data[0] ? ev->data : "{}";
	size_t dlen = strnlen(dtext, sizeof(ev->data));
	/* Keys in sorted order: data, device_time, from, from_state, id, item, place,
	 * request_digest, server_time, to, to_state, type, user_id, username. */
	CB_LIT(&b, "{\"data\":");
	data_value(&b, dtext, dlen);
	CB_LIT(&b, ",\"device_time\":");
	cb_int(&b, ev->device_time);
	CB_LIT(&b, ",\"from\":");
	STR(ev->from_party);
	CB_LIT(&b, ",\"from_state\":");
	STR(ev->state_from);
	CB_LIT(&b, ",\"id\":");
	STR(ev->id);
	CB_LIT(&b, ",\"item\":");
	STR(ev->tracking_number);
	CB_LIT(&b, ",\"place\":");
	STR(ev->place);
	CB_LIT(&b, ",\"request_digest\":");
	STR(ev->request_digest);
	CB_LIT(&b, ",\"server_time\":");
	cb_int(&b, ev->server_time);
	CB_LIT(&b, ",\"to\":");
	STR(ev->to_party);
	CB_LIT(&b, ",\"to_state\":");
	STR(ev->state_to);
	CB_LIT(&b, ",\"type\":");
	STR(ev->type);
	CB_LIT(&b, ",\"user_id\":");
	cb_int(&b, ev->user_id);
	CB_LIT(&b, ",\"username\":");
	STR(ev->username);
	CB_LIT(&b, "}");
	return cb_finish(&b, buf, len);
}

char *trk_chain_canonical(const db_event *ev)
{
	char *c = canonical_build(ev, NULL, 0, NULL);
	return c;
}

bool trk_chain_hash(const uint8_t prev[32], const db_event *ev, uint8_t out[32])
{
	char local[4096];
	size_t len = 0;
	char *canon = canonical_build(ev, local, sizeof(local), &len);
	if (!canon)
		return false;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, prev, 32);
	crypto_hash_sha256_update(&st, (const unsigned char *)canon, len);
	crypto_hash_sha256_final(&st, out);
	if (canon != local)
		free(canon);
	return true;
}

void trk_chain_short_code(const uint8_t hash[32], char out[9])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";   /* Crockford */
	uint64_t v = 0;
	for (int i = 0; i < 5; i++)
		v = (v << 8) | hash[i];
	for (int i = 7; i >= 0; i--) {
		out[i] = alphabet[v & 31];
		v >>= 5;
	}
	out[8] = '\0';
}

void trk_hex32(const uint8_t in[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[64] = '\0';
}
