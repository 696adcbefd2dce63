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

/* A JSON string of a fixed-size field. Bytes that are not UTF-8 cannot go into a jansson
 * string; such a field becomes {"hex": "<its bytes in hex>"}, an object, which no valid
 * field can be confused with, so the canonical form stays deterministic and injective. */
static json_t *field_string(const char *s, size_t size)
{
	size_t len = strnlen(s, size);
	if (text_utf8_valid(s, len))
		return json_stringn(s, len);
	static const char hex[] = "0123456789abcdef";
	char *buf = malloc(len * 2 + 1);
	if (!buf)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = hex[(unsigned char)s[i] >> 4];
		buf[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	buf[2 * len] = '\0';
	json_t *j = json_pack("{s:s}", "hex", buf);
	free(buf);
	return j;
}

/* Sets obj[key] = value, taking the reference; false (and nothing leaked) when value is NULL
 * or the set fails. */
static bool put(json_t *obj, const char *key, json_t *value)
{
	return value && json_object_set_new(obj, key, value) == 0;
}

#define STR(f) field_string((f), sizeof(f))

char *trk_chain_canonical(const db_event *ev)
{
	json_t *obj = json_object();
	if (!obj)
		return NULL;
	/* An empty data field is stored as "{}" (db_event_insert), so it hashes as "{}" too. */
	const char *dtext = ev->data[0] ? ev->data : "{}";
	size_t dlen = strnlen(dtext, sizeof(ev->data));
	/* Objects and arrays only (no JSON_DECODE_ANY): a bare JSON string in data must not
	 * look the same as unparsable data embedded as a string. */
	json_t *data = json_loadb(dtext, dlen, JSON_REJECT_DUPLICATES, NULL);
	if (!data)
		data = field_string(dtext, dlen);
	bool ok = put(obj, "id", STR(ev->id)) &&
	          put(obj, "item", STR(ev->tracking_number)) &&
	          put(obj, "type", STR(ev->type)) &&
	          put(obj, "from_state", STR(ev->state_from)) &&
	          put(obj, "to_state", STR(ev->state_to)) &&
	          put(obj, "user_id", json_integer(ev->user_id)) &&
	          put(obj, "username", STR(ev->username)) &&
	          put(obj, "place", STR(ev->place)) &&
	          put(obj, "from", STR(ev->from_party)) &&
	          put(obj, "to", STR(ev->to_party)) &&
	          put(obj, "server_time", json_integer(ev->server_time)) &&
	          put(obj, "device_time", json_integer(ev->device_time)) &&
	          put(obj, "data", data) &&
	          put(obj, "request_digest", STR(ev->request_digest));
	char *out = ok ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(obj);
	return out;
}

bool trk_chain_hash(const uint8_t prev[32], const db_event *ev, uint8_t out[32])
{
	char *canon = trk_chain_canonical(ev);
	if (!canon)
		return false;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, prev, 32);
	crypto_hash_sha256_update(&st, (const unsigned char *)canon, strlen(canon));
	crypto_hash_sha256_final(&st, out);
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

/* ---- verify --------------------------------------------------------------------------- */

struct verify_ctx {
	db *db;
	trk_verify_report *report;
	void (*on_break)(const char *tn, int64_t seq, const char *why, void *ctx);
	void *user;
	char tn[sizeof(((db_event *)0)->tracking_number)];  /* item being walked, "" before */
	uint8_t prev[32];      /* stored hash of its last event seen */
	int64_t prev_seq;      /* seq of that event, 0 before the first */
	bool broken;           /* a break of this item was reported */
	hoso_status status;    /* a storage failure stops the walk */
	hoso_err *err;
};

static void report_break(struct verify_ctx *c, int64_t seq, const char *why)
{
	if (c->broken)
		return;
	c->broken = true;
	c->report->broken++;
	if (c->on_break)
		c->on_break(c->tn, seq, why, c->user);
}

/* Compares the item row's head with the last event walked. */
static bool finish_item(struct verify_ctx *c)
{
	if (!c->tn[0])
		return true;
	db_item it;
	hoso_err e;
	hoso_err_clear(&e);
	hoso_status st = db_item_get(c->db, c->tn, &it, &e);
	char why[256];
	if (st == HOSO_NOT_FOUND) {
		snprintf(why, sizeof(why), "events exist but the item has no row");
		report_break(c, c->prev_seq, why);
	} else if (st != HOSO_OK) {
		c->status = st;
		if (c->err)
			*c->err = e;
		return false;
	} else if (it.last_seq != c->prev_seq || memcmp(it.last_hash, c->prev, 32) != 0) {
		char hex[65];
		trk_hex32(it.last_hash, hex);
		snprintf(why, sizeof(why), "item head points to event %lld (hash %.16s...), but "
		         "its chain ends at event %lld", (long long)it.last_seq, hex,
		         (long long)c->prev_seq);
		report_break(c, it.last_seq, why);
	}
	return true;
}

static bool verify_event(const db_event *ev, void *ctx)
{
	struct verify_ctx *c = ctx;
	size_t tlen = strnlen(ev->tracking_number, sizeof(ev->tracking_number));
	if (!c->tn[0] || strlen(c->tn) != tlen || memcmp(c->tn, ev->tracking_number, tlen) != 0) {
		if (!finish_item(c))
			return false;
		memcpy(c->tn, ev->tracking_number, tlen);
		c->tn[tlen] = '\0';
		memset(c->prev, 0, sizeof(c->prev));
		c->prev_seq = 0;
		c->broken = false;
		c->report->items++;
	}
	c->report->events++;
	char why[256];
	if (memcmp(ev->prev_hash, c->prev, 32) != 0) {
		if (c->prev_seq == 0)
			snprintf(why, sizeof(why), "event %lld: first event of the item, but its "
			         "prev_hash is not zero", (long long)ev->seq);
		else
			snprintf(why, sizeof(why), "event %lld: prev_hash does not link to event %lld",
			         (long long)ev->seq, (long long)c->prev_seq);
		report_break(c, ev->seq, why);
	}
	uint8_t h[32];
	if (!trk_chain_hash(ev->prev_hash, ev, h)) {
		c->status = hoso_err_set(c->err, HOSO_INTERNAL, "out_of_memory", NULL,
		                         "out of memory hashing event %lld", (long long)ev->seq);
		return false;
	}
	if (memcmp(h, ev->hash, 32) != 0) {
		snprintf(why, sizeof(why), "event %lld: stored hash does not match its content",
		         (long long)ev->seq);
		report_break(c, ev->seq, why);
	}
	memcpy(c->prev, ev->hash, 32);
	c->prev_seq = ev->seq;
	return true;
}

hoso_status trk_chain_verify(db *handle, trk_verify_report *report,
                             void (*on_break)(const char *tn, int64_t seq, const char *why,
                                              void *ctx),
                             void *ctx, hoso_err *err)
{
	trk_verify_report local;
	if (!report)
		report = &local;
	memset(report, 0, sizeof(*report));
	if (sodium_init() < 0)
		return hoso_err_set(err, HOSO_INTERNAL, "crypto_init", NULL,
		                    "libsodium could not be initialised");
	struct verify_ctx c = {
		.db = handle, .report = report, .on_break = on_break, .user = ctx,
		.status = HOSO_OK, .err = err,
	};
	hoso_status st = db_events_each(handle, verify_event, &c, err);
	if (st != HOSO_OK)
		return st;
	if (c.status != HOSO_OK)
		return c.status;
	if (!finish_item(&c))
		return c.status;
	return HOSO_OK;
}
