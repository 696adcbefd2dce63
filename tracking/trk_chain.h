/* trk_chain.h — the custody chain: each event's hash is SHA-256(previous hash of the same
 * item || canonical bytes of the event). */
#ifndef HOSO_TRK_CHAIN_H
#define HOSO_TRK_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "hoso.h"

/* Canonical bytes of an event: compact JSON with sorted keys of every recorded field except
 * seq and the hashes. Returns a malloc'd NUL-terminated string; NULL on out of memory. */
char *trk_chain_canonical(const db_event *ev);

/* hash = SHA-256(prev || canonical(ev)). Returns false on out of memory. */
bool trk_chain_hash(const uint8_t prev[32], const db_event *ev, uint8_t out[32]);

/* A short code for receipts and proofs: the first 5 bytes of the hash in Crockford base32
 * (8 characters) into out[9]. */
void trk_chain_short_code(const uint8_t hash[32], char out[9]);

/* Lower-case hex of 32 bytes into out[65]. */
void trk_hex32(const uint8_t in[32], char out[65]);

/* Outcome of trk_chain_verify. */
typedef struct trk_verify_report {
	size_t items;         /* chains checked */
	size_t events;        /* events checked */
	size_t broken;        /* chains with at least one break */
} trk_verify_report;

/* Recomputes every chain in the database; calls on_break(tracking_number, seq, reason, ctx)
 * once per broken item (ctx may be NULL). Also checks each item's stored head. */
hoso_status trk_chain_verify(db *db, trk_verify_report *report,
                             void (*on_break)(const char *tn, int64_t seq, const char *why,
                                              void *ctx),
                             void *ctx, hoso_err *err);

#endif
