/* Handlers of public tracking (no login: lookups, the phone-digit check, complaints) and
 * of the supervisors' complaint lists. Thin: parse, call one use case, answer. Public
 * lookups are rate-limited per client address (429 with Retry-After); an item locked after
 * wrong phone digits answers 423 with Retry-After. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "ratelimit.h"
#include "text.h"
#include "trk_public.h"

#define APP(req) (http_req_app(req)->trk)

int http_track_admit(http_req *req)
{
	char client[64];
	struct timespec ts;
	int retry = 0;
	http_req_client(req, client);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	http_limiter_take(http_req_app(req)->track_limiter, client, now, &retry);
	return retry;
}

/* Adds Retry-After: seconds. */
static void retry_after(http_req *req, int seconds)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", seconds);
	http_reply_header(req, "Retry-After", v);
}

/* False (answered 429) when the client has used up its lookups. */
static bool admit_json(http_req *req)
{
	int retry = http_track_admit(req);
	if (retry == 0)
		return true;
	retry_after(req, retry);
	char msg[128];
	snprintf(msg, sizeof(msg), "too many lookups from your address: try again in %d seconds",
	         retry);
	http_reply_json(req, 429, json_pack("{s:{s:s, s:s}}", "error", "code", "rate_limited",
	                                    "message", msg));
	return false;
}

/* Answers a use case that may end in a lock: 423 with Retry-After. */
static void reply_locked_or(http_req *req, hoso_status st, const hoso_err *err, json_t *out,
                            int retry, unsigned ok_status)
{
	if (st != HOSO_OK && retry > 0) {
		retry_after(req, retry);
		http_reply_json(req, 423, json_pack("{s:{s:s, s:s, s:s}}", "error", "code", err->code,
		                                    "message", err->message, "field", err->field));
		return;
	}
	http_reply_result(req, st, err, out, ok_status);
}

void http_on_track_get(http_req *req)
{
	if (!admit_json(req))
		return;
	hoso_err err;
	hoso_err_clear(&err);
	char *text = NULL;
	size_t len = 0;
	hoso_status st = trk_track_lookup_text(APP(req), http_req_param(req, 0), &text, &len,
	                                       &err);
	if (st == HOSO_OK)
		http_reply_bytes(req, 200, "application/json; charset=utf-8", text, len, NULL);
	else
		http_reply_error(req, &err);
	free(text);
}

void http_on_track_unlock(http_req *req)
{
	if (!admit_json(req))
		return;
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	int retry = 0;
	hoso_status st = trk_track_unlock(APP(req), http_req_param(req, 0), body, &out, &retry,
	                                  &err);
	json_decref(body);
	reply_locked_or(req, st, &err, out, retry, 200);
}

void http_on_complaint_file(http_req *req)
{
	if (!admit_json(req))
		return;
	json_t *body = http_req_json(req);
	if (!body)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	int retry = 0;
	hoso_status st = trk_complaint_file(APP(req), http_req_param(req, 0), body, &out, &retry,
	                                    &err);
	json_decref(body);
	reply_locked_or(req, st, &err, out, retry, 201);
}

void http_on_complaint_list(http_req *req)
{
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_complaint_list(APP(req), http_req_actor(req),
	                                    http_req_query(req, "state"),
	                                    http_req_query(req, "overdue"),
	                                    http_req_query(req, "before"),
	                                    http_req_query(req, "limit"), &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_complaint_answer(http_req *req)
{
	http_run_id_body(req, trk_complaint_answer, 200);
}

/* ---- the rate limiter (ratelimit.h) ----------------------------------------------
 * Token buckets per client address for the public lookups. A fixed table of
 * buckets (no allocation per request): a client's bucket is found by hashing its address
 * and probing a few neighbouring slots; when none is free, the bucket used least recently
 * among them is taken over (its client starts again with a full bucket, which errs on the
 * side of letting people look their dossier up). The table is split into stripes, each
 * with its own mutex, so that worker threads rarely wait for each other. */

#define SLOTS 8192          /* buckets; a power of two */
#define STRIPES 64          /* mutexes; SLOTS / STRIPES slots each */
#define PROBES 4            /* neighbouring slots tried, all in one stripe */

typedef struct bucket {
	char client[48];        /* "" when free */
	double tokens;
	int64_t last_ms;        /* when tokens was last brought up to date */
} bucket;

struct http_limiter {
	double per_ms;          /* tokens added per millisecond */
	double burst;
	pthread_mutex_t locks[STRIPES];
	bucket slots[SLOTS];
};

http_limiter *http_limiter_create(unsigned per_minute, unsigned burst)
{
	if (per_minute == 0)
		return NULL;
	http_limiter *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->per_ms = per_minute / 60000.0;
	l->burst = burst ? burst : 1;
	for (size_t i = 0; i < STRIPES; i++)
		pthread_mutex_init(&l->locks[i], NULL);
	return l;
}

void http_limiter_destroy(http_limiter *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&l->locks[i]);
	free(l);
}

/* The client's bucket in its stripe (locked by the caller), taking over the least recently
 * used of the probed slots when the client has none. */
static bucket *find(http_limiter *l, const char *client, size_t first, int64_t now_ms)
{
	bucket *victim = NULL;
	for (size_t i = 0; i < PROBES; i++) {
		bucket *b = &l->slots[first + i];
		if (strcmp(b->client, client) == 0)
			return b;
		if (!victim || !b->client[0] || (victim->client[0] && b->last_ms < victim->last_ms))
			victim = b;
	}
	snprintf(victim->client, sizeof(victim->client), "%s", client);
	victim->tokens = l->burst;
	victim->last_ms = now_ms;
	return victim;
}

/* Brings the client's bucket up to date and takes a token from it when take is set. */
static bool bucket_use(http_limiter *l, const char *client, int64_t now_ms, int *retry_after,
                       bool take);

bool http_limiter_take(http_limiter *l, const char *client, int64_t now_ms, int *retry_after)
{
	return bucket_use(l, client, now_ms, retry_after, true);
}

bool http_limiter_peek(http_limiter *l, const char *client, int64_t now_ms, int *retry_after)
{
	return bucket_use(l, client, now_ms, retry_after, false);
}

static bool bucket_use(http_limiter *l, const char *client, int64_t now_ms, int *retry_after,
                       bool take)
{
	*retry_after = 0;
	if (!l)
		return true;
	if (!client)
		client = "";
	/* PROBES consecutive slots starting at a multiple of PROBES never straddle stripes */
	size_t first = (text_hash(client) % (SLOTS / PROBES)) * PROBES;
	pthread_mutex_t *lock = &l->locks[first / (SLOTS / STRIPES)];
	pthread_mutex_lock(lock);
	bucket *b = find(l, client, first, now_ms);
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * l->per_ms;
		if (b->tokens > l->burst)
			b->tokens = l->burst;
		b->last_ms = now_ms;
	}
	bool ok = b->tokens >= 1.0;
	if (ok && take)
		b->tokens -= 1.0;
	else
		*retry_after = (int)((1.0 - b->tokens) / l->per_ms / 1000.0) + 1;
	pthread_mutex_unlock(lock);
	return ok;
}
