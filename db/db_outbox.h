/* db_outbox.h — the outbox of notifications (rows are queued by db_outbox_insert() in the
 * transaction of the event that causes them) as the delivery worker and operators see it:
 * claiming due rows under a lease, recording each try, listing and re-queueing final
 * failures; and each agency's webhook settings. Times are ms since the epoch. */
#ifndef HOSO_DB_OUTBOX_H
#define HOSO_DB_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

typedef struct db_outbox_row {
	int64_t id;
	char kind[12];              /* sms | webhook | portal */
	char target[64];            /* phone, agency code or portal dossier code */
	char payload[4096];         /* JSON written by trk_notify() */
	char state[12];             /* pending | sent | failed */
	int attempts;               /* tries made so far */
	int64_t next_attempt_at;
	int64_t created_at;
	int64_t sent_at;            /* 0 until sent */
	int64_t window_start;       /* start of the retry window: created_at, or the re-queue */
	char last_error[512];
	char idem_key[40];          /* stable per row: the Idempotency-Key of every try */
	/* filled by db_outbox_claim() for webhook rows; "" when the agency has none */
	char webhook_url[1024];
	char webhook_secret[256];
} db_outbox_row;

enum db_outbox_outcome { DB_OUTBOX_SENT, DB_OUTBOX_RETRY, DB_OUTBOX_FAILED };

/* The result of one try, for db_outbox_finish(). */
typedef struct db_outbox_result {
	int64_t id;
	enum db_outbox_outcome outcome;
	int64_t next_attempt_at;    /* DB_OUTBOX_RETRY only */
	char error[512];            /* why the try failed ("" when sent) */
} db_outbox_result;

/* Clears every lease (at start-up, when no worker can be running on the file): rows a
 * killed worker had claimed become due again. *released counts them (may be NULL). On
 * PostgreSQL, shared by other daemons, it does nothing: leases there run out by time. */
hoso_status db_outbox_release_claims(db *h, int64_t *released, hoso_err *err);

/* Claims up to max pending rows due at `now` and not leased, oldest first, leasing them
 * until lease_until, in one transaction. rows is the caller's array of max entries. */
hoso_status db_outbox_claim(db *h, int64_t now, int64_t lease_until, size_t max,
                            db_outbox_row *rows, size_t *n, hoso_err *err);

/* Records the results of n tries in one durable transaction (attempts + 1 each; leases
 * cleared): sent, due again at next_attempt_at, or failed for good. */
hoso_status db_outbox_finish(db *h, const db_outbox_result *res, size_t n, int64_t now,
                             hoso_err *err);

/* Rows in state ("pending", "sent" or "failed"), newest first, with id < before_id when
 * before_id > 0. *out is malloc'd (free()). */
hoso_status db_outbox_list(db *h, const char *state, int64_t before_id, size_t limit,
                           db_outbox_row **out, size_t *n, hoso_err *err);

/* Loads one row; HOSO_NOT_FOUND when absent. */
hoso_status db_outbox_get(db *h, int64_t id, db_outbox_row *out, hoso_err *err);

/* Sends a failed row again: pending, due now, attempts 0, a new retry window. HOSO_NOT_FOUND
 * when absent, HOSO_CONFLICT when the row is not failed. */
hoso_status db_outbox_requeue(db *h, int64_t id, int64_t now, hoso_err *err);

/* Re-queues every failed row; *count tells how many. */
hoso_status db_outbox_requeue_failed(db *h, int64_t now, int64_t *count, hoso_err *err);

/* Rows by state: counts[0] pending, [1] sent, [2] failed. Reads a committed snapshot. */
hoso_status db_outbox_counts(db *h, int64_t counts[3], hoso_err *err);

/* Sets (inserts or replaces) an agency's webhook. HOSO_NOT_FOUND when the agency is not in
 * the catalogue. Call inside a transaction. */
hoso_status db_agency_webhook_set(db *h, const char *agency_code, const char *url,
                                  const char *secret, int64_t now, hoso_err *err);

/* Loads an agency's webhook URL and secret; HOSO_NOT_FOUND when none is set. */
hoso_status db_agency_webhook_get(db *h, const char *agency_code, char *url, size_t url_size,
                                  char *secret, size_t secret_size, hoso_err *err);

#endif
