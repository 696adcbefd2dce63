/* notify.h — what the outbox worker sends, built without any network: the [notify]
 * settings, Vietnamese SMS texts fitted to one message, the JSON bodies of webhooks, portal
 * updates and SMS gateway requests, the HMAC signature, the retry schedule and how an answer
 * is judged. The worker (outbox.h) does the sending. */
#ifndef HOSO_NOTIFY_H
#define HOSO_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db_outbox.h"
#include "hoso.h"

typedef struct notify_config {
	char sms_url[1024];           /* "" = no gateway: SMS rows fail with that reason */
	char sms_auth_header[512];    /* a whole header line, "Authorization: Bearer ..." */
	char sms_body_template[2048]; /* JSON with {phone} {text} {key} {tracking_number} */
	bool sms_diacritics;          /* true: UCS-2, 70 characters; false: GSM-7, 160 */
	char portal_url[1024];
	char portal_auth_header[512];
	unsigned retry_limit_hours;   /* give up this long after the first try (24) */
	unsigned long retry_base_ms;  /* first retry after about this long (30000) */
	unsigned long retry_max_ms;   /* no gap between tries longer than this (3600000) */
	unsigned long connect_timeout_ms; /* 5000 */
	unsigned long timeout_ms;     /* whole request (15000) */
	unsigned parallel;            /* requests in flight at most (64) */
	unsigned long poll_ms;        /* how often the outbox is read when idle (200) */
	unsigned long lease_slack_ms; /* a claim outlives timeout_ms by this much (60000): then
	                               * a row a dead worker held is due again, for any daemon */
	int tz_offset_minutes;        /* for the times in messages (from [tracking]) */
} notify_config;

/* Fills c with the defaults above. */
void notify_config_defaults(notify_config *c);

/* Applies one key of [notify]; HOSO_INVALID naming the key when unknown or malformed. */
hoso_status notify_config_set(notify_config *c, const char *key, const char *value,
                              hoso_err *err);

/* Names the SMS texts use in place of codes; NULL or "" when unknown. */
typedef struct notify_places {
	const char *agency_name;
	const char *office_name;
} notify_places;

/* The most characters one message holds: 70 with diacritics (UCS-2), 160 without (GSM-7). */
size_t notify_sms_limit(bool diacritics);

/* Length of text as the network counts it: code points (UCS-2), or GSM-7 septets
 * (characters of the extension table count two). */
size_t notify_sms_length(const char *text, bool diacritics);

/* Writes the Vietnamese SMS for an outbox payload (trk_notify's JSON) into out, fitted to
 * one message: place names are abbreviated, then optional details dropped, then the place
 * cut; the tracking number and dates are always kept. Without diacritics the text is
 * ASCII. HOSO_NOT_FOUND when the template has no SMS text. */
hoso_status notify_sms_text(const json_t *payload, const notify_places *places,
                            bool diacritics, char *out, size_t size, hoso_err *err);

/* The SMS gateway's request body: template with {phone}, {text}, {key} and
 * {tracking_number} replaced by their JSON-escaped values. malloc'd; NULL on no memory. */
char *notify_sms_body(const char *body_template, const char *phone, const char *text,
                      const char *key, const char *tracking_number);

/* The body of an agency webhook (event, item, dossier, time, id), malloc'd compact JSON. */
char *notify_webhook_body(const db_outbox_row *row, const json_t *payload, int tz_minutes);

/* The body of a portal status update (dossier code and portal status 1-10), malloc'd.
 * NULL when the payload carries no valid status. */
char *notify_portal_body(const db_outbox_row *row, const json_t *payload, int tz_minutes);

/* "sha256=" + hex HMAC-SHA256(secret, body) into out. */
void notify_signature(const char *secret, const char *body, size_t len, char out[72]);

/* When to try again after `attempts` failed tries (1 = the first failed), in ms from now:
 * base * 2^(attempts-1), capped, with jitter (from rnd) in [50%, 100%]. */
int64_t notify_backoff(const notify_config *c, int attempts, uint32_t rnd);

/* How an answer is judged: 2xx sent; 4xx except 408 and 429 a final failure; anything
 * else (5xx, 3xx, no answer: http_status 0) tried again. */
enum db_outbox_outcome notify_classify(long http_status);

/* ISO 8601 local time with offset for ms since the epoch. */
void notify_format_time(int64_t ms, int tz_minutes, char out[32]);

#endif
