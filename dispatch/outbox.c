/* outbox.c — the delivery worker (outbox.h). One thread claims due rows under a lease,
 * builds each request (notify.c, sms.c), runs up to `parallel` of them at once on one
 * libcurl multi handle with keep-alive connections, and writes the results back in
 * batches: sent, retried later with exponential backoff and jitter, or failed for good. */
#include "outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_outbox.h"
#include "http.h"
#include "log.h"

#define FLUSH_AT 256          /* results written in one transaction at most */
#define FLUSH_MS 20           /* a result waits at most about this long to be written */
#define COUNT_MS 2000         /* the metrics gauge is refreshed this often */

typedef struct transfer {
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	bool busy;
	int64_t id;
	int attempts;              /* before this try */
	int64_t window_start;
	char resp[200];            /* the start of the answer, for last_error */
	size_t resp_len;
	char errbuf[CURL_ERROR_SIZE];
} transfer;

struct outbox_worker {
	db *h;
	notify_config cfg;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	CURLM *multi;
	transfer *slots;
	size_t n_slots, busy;
	db_outbox_row *claimed;
	db_outbox_result *results;
	size_t n_results;
	int64_t first_result_at;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

hoso_status outbox_global_init(hoso_err *err)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		return hoso_err_set(err, HOSO_INTERNAL, "curl_init", NULL,
		                    "cannot initialise libcurl: %s", curl_easy_strerror(rc));
	return HOSO_OK;
}

void outbox_global_cleanup(void)
{
	curl_global_cleanup();
}

/* Writes the known results in one transaction; on failure they stay for the next try. */
static void flush(outbox_worker *w)
{
	if (!w->n_results)
		return;
	hoso_err err;
	hoso_err_clear(&err);
	if (db_outbox_finish(w->h, w->results, w->n_results, now_ms(), &err) != HOSO_OK) {
		log_warn("outbox: recording %zu deliveries: %s", w->n_results, err.message);
		if (w->n_results < FLUSH_AT * 2)
			return;            /* keep them; the rows stay leased meanwhile */
	}
	w->n_results = 0;
}

/* Records the outcome of one try of row id. */
static void result(outbox_worker *w, int64_t id, int attempts, int64_t window_start,
                   enum db_outbox_outcome outcome, const char *error)
{
	if (w->n_results == FLUSH_AT * 2)
		flush(w);
	if (w->n_results == FLUSH_AT * 2)
		return;                /* cannot write: the lease will bring the row back */
	db_outbox_result *r = &w->results[w->n_results];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->outcome = outcome;
	snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
	if (outcome == DB_OUTBOX_RETRY) {
		int64_t now = now_ms();
		r->next_attempt_at = now + notify_backoff(&w->cfg, attempts + 1, randombytes_random());
		int64_t limit = window_start + (int64_t)w->cfg.retry_limit_hours * 3600000;
		if (r->next_attempt_at > limit) {
			r->outcome = DB_OUTBOX_FAILED;
			snprintf(r->error, sizeof(r->error), "gave up after %d tries in %u h: %.400s",
			         attempts + 1, w->cfg.retry_limit_hours, error ? error : "");
		}
	}
	http_metrics_outbox_try(r->outcome == DB_OUTBOX_SENT ? 0
	                        : r->outcome == DB_OUTBOX_RETRY ? 1 : 2);
	if (r->outcome == DB_OUTBOX_FAILED)
		log_warn("outbox: row %lld failed for good: %s", (long long)id, r->error);
	if (w->n_results++ == 0)
		w->first_result_at = now_ms();
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	transfer *t = ctx;
	size_t n = size * nmemb, room = sizeof(t->resp) - 1 - t->resp_len;
	memcpy(t->resp + t->resp_len, data, n < room ? n : room);
	t->resp_len += n < room ? n : room;
	t->resp[t->resp_len] = '\0';
	return n;
}

static bool add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[1200];
	if (value)
		snprintf(line, sizeof(line), "%s: %s", name, value);
	else
		snprintf(line, sizeof(line), "%s", name);
	struct curl_slist *grown = curl_slist_append(*list, line);
	if (!grown)
		return false;
	*list = grown;
	return true;
}

/* Builds the request of a claimed row into t: URL, body and headers. On failure returns
 * false with why in `why` (a final failure: the row cannot be sent as it is). */
static bool build(outbox_worker *w, const db_outbox_row *row, transfer *t, const char **url,
                  char *why, size_t why_size)
{
	json_error_t jerr;
	json_t *payload = json_loads(row->payload, 0, &jerr);
	const char *auth = NULL;
	bool ok = false;
	if (!payload) {
		snprintf(why, why_size, "the payload is not JSON: %s", jerr.text);
		return false;
	}
	if (!strcmp(row->kind, "webhook")) {
		*url = row->webhook_url;
		if (!row->webhook_url[0]) {
			snprintf(why, why_size, "agency %s has no webhook: set one with `hoso agency "
			         "webhook set`, then `hoso outbox retry`", row->target);
			goto out;
		}
		t->body = notify_webhook_body(row, payload, w->cfg.tz_offset_minutes);
		char sig[72];
		if (t->body) {
			notify_signature(row->webhook_secret, t->body, strlen(t->body), sig);
			if (!add_header(&t->headers, "X-Hoso-Signature", sig))
				goto no_memory;
		}
	} else if (!strcmp(row->kind, "portal")) {
		*url = w->cfg.portal_url;
		auth = w->cfg.portal_auth_header;
		if (!w->cfg.portal_url[0]) {
			snprintf(why, why_size, "no portal endpoint: set portal_url in [notify]");
			goto out;
		}
		if (!(t->body = notify_portal_body(row, payload, w->cfg.tz_offset_minutes))) {
			snprintf(why, why_size, "the payload has no portal status 1-10");
			goto out;
		}
	} else {
		*url = w->cfg.sms_url;
		auth = w->cfg.sms_auth_header;
		if (!w->cfg.sms_url[0]) {
			snprintf(why, why_size, "no SMS gateway: set sms_url in [notify]");
			goto out;
		}
		db_agency agency;
		db_office office;
		const char *code = json_string_value(json_object_get(
			json_object_get(payload, "params"), "agency_code"));
		if (!code)
			code = json_string_value(json_object_get(payload, "agency_code"));
		const char *ocode = json_string_value(json_object_get(
			json_object_get(payload, "params"), "office"));
		notify_places places = {
			code && db_agency_get(w->h, code, &agency, NULL) == HOSO_OK ? agency.name : NULL,
			ocode && db_office_get(w->h, ocode, &office, NULL) == HOSO_OK ? office.name : NULL,
		};
		char text[1024];
		hoso_err err;
		hoso_err_clear(&err);
		if (notify_sms_text(payload, &places, w->cfg.sms_diacritics, text, sizeof(text),
		                    &err) != HOSO_OK) {
			snprintf(why, why_size, "%s", err.message);
			goto out;
		}
		t->body = notify_sms_body(w->cfg.sms_body_template, row->target, text, row->idem_key,
		                          json_string_value(json_object_get(payload,
		                                                            "tracking_number")));
	}
	if (!t->body)
		goto no_memory;
	char attempt[16];
	snprintf(attempt, sizeof(attempt), "%d", row->attempts + 1);
	if (!add_header(&t->headers, "Content-Type", "application/json") ||
	    !add_header(&t->headers, "Idempotency-Key", row->idem_key) ||
	    !add_header(&t->headers, "X-Hoso-Event",
	                json_string_value(json_object_get(payload, "template"))) ||
	    !add_header(&t->headers, "X-Hoso-Attempt", attempt) ||
	    !add_header(&t->headers, "Expect:", NULL) ||
	    (auth && *auth && !add_header(&t->headers, auth, NULL)))
		goto no_memory;
	ok = true;
	goto out;
no_memory:
	snprintf(why, why_size, "out of memory");
out:
	json_decref(payload);
	return ok;
}

static void release(transfer *t)
{
	curl_slist_free_all(t->headers);
	t->headers = NULL;
	free(t->body);
	t->body = NULL;
	t->busy = false;
}

/* Starts the try of one claimed row on a free slot, or records why it cannot be made. */
static void start(outbox_worker *w, const db_outbox_row *row)
{
	transfer *t = NULL;
	for (size_t i = 0; i < w->n_slots && !t; i++)
		if (!w->slots[i].busy)
			t = &w->slots[i];
	if (!t)
		return;                /* cannot happen: claims never exceed free slots */
	const char *url = NULL;
	char why[400];
	t->resp_len = 0;
	t->resp[0] = t->errbuf[0] = '\0';
	if (!build(w, row, t, &url, why, sizeof(why))) {
		release(t);
		result(w, row->id, row->attempts, row->window_start,
		       strcmp(why, "out of memory") ? DB_OUTBOX_FAILED : DB_OUTBOX_RETRY, why);
		return;
	}
	CURL *e = t->easy;
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(t->body));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)w->cfg.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)w->cfg.timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "hoso-outbox/1");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	t->id = row->id;
	t->attempts = row->attempts;
	t->window_start = row->window_start;
	t->busy = true;
	if (curl_multi_add_handle(w->multi, e) != CURLM_OK) {
		release(t);
		result(w, row->id, row->attempts, row->window_start, DB_OUTBOX_RETRY,
		       "libcurl refused the transfer");
		return;
	}
	w->busy++;
}

/* Judges the finished transfers. */
static void reap(outbox_worker *w)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(w->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		transfer *t = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		CURLcode rc = msg->data.result;
		curl_multi_remove_handle(w->multi, msg->easy_handle);
		if (!t)
			continue;
		char why[480];
		enum db_outbox_outcome outcome;
		if (rc != CURLE_OK) {
			outcome = DB_OUTBOX_RETRY;
			snprintf(why, sizeof(why), "%s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
		} else {
			long status = 0;
			curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
			outcome = notify_classify(status);
			snprintf(why, sizeof(why), "HTTP %ld: %.200s", status, t->resp);
			for (char *p = why; *p; p++)
				if ((unsigned char)*p < 0x20)
					*p = ' ';
		}
		result(w, t->id, t->attempts, t->window_start, outcome,
		       outcome == DB_OUTBOX_SENT ? "" : why);
		release(t);
		w->busy--;
	}
}

/* Claims as many due rows as there are free slots and starts them. Returns how many. */
static size_t claim(outbox_worker *w)
{
	size_t want = w->n_slots - w->busy, n = 0;
	if (want == 0)
		return 0;
	hoso_err err;
	hoso_err_clear(&err);
	int64_t now = now_ms();
	int64_t lease = now + (int64_t)w->cfg.timeout_ms + (int64_t)w->cfg.lease_slack_ms;
	if (db_outbox_claim(w->h, now, lease, want, w->claimed, &n, &err) != HOSO_OK) {
		log_warn("outbox: claiming rows: %s", err.message);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		start(w, &w->claimed[i]);
	return n;
}

static void *run(void *arg)
{
	outbox_worker *w = arg;
	int64_t next_claim = 0, next_count = 0;
	while (!atomic_load(&w->stop)) {
		int64_t now = now_ms();
		/* claim when a quarter of the slots are free, or the pipe is empty */
		if (now >= next_claim && (w->busy == 0 || w->n_slots - w->busy >= w->n_slots / 4)) {
			size_t free_slots = w->n_slots - w->busy;
			size_t got = claim(w);
			next_claim = got < free_slots ? now + (int64_t)w->cfg.poll_ms : now;
		}
		int running = 0;
		curl_multi_perform(w->multi, &running);
		reap(w);
		now = now_ms();
		if (w->n_results >= FLUSH_AT || (w->n_results && (w->busy == 0 ||
		                                 now - w->first_result_at >= FLUSH_MS)))
			flush(w);
		if (now >= next_count) {
			int64_t counts[3];
			if (db_outbox_counts(w->h, counts, NULL) == HOSO_OK)
				http_metrics_outbox_rows(counts);
			next_count = now + COUNT_MS;
		}
		int64_t wait = w->busy ? FLUSH_MS : next_claim - now;
		if (w->n_results && wait > FLUSH_MS)
			wait = FLUSH_MS;
		if (wait > 0 && !(w->busy == 0 && next_claim <= now))
			curl_multi_poll(w->multi, NULL, 0, (int)(wait > 1000 ? 1000 : wait), NULL);
	}
	flush(w);
	return NULL;
}

static void destroy(outbox_worker *w)
{
	for (size_t i = 0; w->slots && i < w->n_slots; i++) {
		transfer *t = &w->slots[i];
		if (t->busy && w->multi)
			curl_multi_remove_handle(w->multi, t->easy);
		release(t);
		curl_easy_cleanup(t->easy);
	}
	if (w->multi)
		curl_multi_cleanup(w->multi);
	free(w->slots);
	free(w->claimed);
	free(w->results);
	free(w);
}

hoso_status outbox_start(db *h, const notify_config *cfg, outbox_worker **out, hoso_err *err)
{
	*out = NULL;
	int64_t released = 0;
	hoso_status st = db_outbox_release_claims(h, &released, err);
	if (st != HOSO_OK)
		return st;
	if (released)
		log_info("outbox: %lld notifications were in flight when hoso last stopped; "
		         "they will be sent again", (long long)released);
	outbox_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "outbox: out of memory");
	w->h = h;
	w->cfg = *cfg;
	w->n_slots = cfg->parallel ? cfg->parallel : 1;
	atomic_init(&w->stop, false);
	w->slots = calloc(w->n_slots, sizeof(*w->slots));
	w->claimed = calloc(w->n_slots, sizeof(*w->claimed));
	w->results = calloc(FLUSH_AT * 2, sizeof(*w->results));
	w->multi = curl_multi_init();
	if (!w->slots || !w->claimed || !w->results || !w->multi)
		goto no_memory;
	for (size_t i = 0; i < w->n_slots; i++)
		if (!(w->slots[i].easy = curl_easy_init()))
			goto no_memory;
	curl_multi_setopt(w->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)w->n_slots);
	curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)w->n_slots);
	int prc = pthread_create(&w->thread, NULL, run, w);
	if (prc != 0) {
		destroy(w);
		return hoso_err_set(err, HOSO_INTERNAL, "thread", NULL,
		                    "outbox: cannot start the worker thread: %s", strerror(prc));
	}
	w->started = true;
	*out = w;
	return HOSO_OK;
no_memory:
	destroy(w);
	return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "outbox: out of memory");
}

void outbox_stop(outbox_worker *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, true);
	if (w->started) {
		curl_multi_wakeup(w->multi);
		pthread_join(w->thread, NULL);
	}
	destroy(w);
}
