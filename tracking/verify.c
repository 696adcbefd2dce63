/* verify.c — `hoso verify`: recomputes every custody chain and names each broken item. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trk_chain.h"

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
