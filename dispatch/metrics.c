/* Prometheus counters kept in memory: requests by route, method and status, their latency,
 * and acceptances. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define MAX_SERIES 256

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
#define N_BOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct series {
	const char *route;      /* static strings from the route table */
	char method[8];
	unsigned status;
	unsigned long long count;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series series[MAX_SERIES];
static size_t n_series;
static unsigned long long buckets[N_BOUNDS + 1];
static double latency_sum;
static unsigned long long latency_count;
static unsigned long long acceptances;
static bool outbox_known;                   /* the worker has counted the outbox once */
static long long outbox_rows[3];            /* pending, sent, failed */
static unsigned long long outbox_tries[3];  /* sent, retry, failed */

void http_metrics_observe(const char *route, const char *method, unsigned status,
                          double seconds)
{
	pthread_mutex_lock(&lock);
	size_t i;
	for (i = 0; i < n_series; i++)
		if (series[i].route == route && series[i].status == status &&
		    strcmp(series[i].method, method) == 0)
			break;
	if (i == n_series && n_series < MAX_SERIES) {
		series[i].route = route;
		snprintf(series[i].method, sizeof(series[i].method), "%s", method);
		series[i].status = status;
		n_series++;
	}
	if (i < n_series)
		series[i].count++;
	size_t b = 0;
	while (b < N_BOUNDS && seconds > bounds[b])
		b++;
	buckets[b]++;
	latency_sum += seconds;
	latency_count++;
	pthread_mutex_unlock(&lock);
}

void http_metrics_acceptance(void)
{
	pthread_mutex_lock(&lock);
	acceptances++;
	pthread_mutex_unlock(&lock);
}

void http_metrics_outbox_rows(const int64_t counts[3])
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < 3; i++)
		outbox_rows[i] = counts[i];
	outbox_known = true;
	pthread_mutex_unlock(&lock);
}

void http_metrics_outbox_try(int outcome)
{
	if (outcome < 0 || outcome > 2)
		return;
	pthread_mutex_lock(&lock);
	outbox_tries[outcome]++;
	pthread_mutex_unlock(&lock);
}

/* Appends to a growing buffer; on allocation failure the text is cut short. */
static void put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	if (!*buf)
		return;
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return;
		}
		char *nb = realloc(*buf, *cap * 2);
		if (!nb)
			return;
		*buf = nb;
		*cap *= 2;
	}
}

char *http_metrics_render(const db_writer_stats *writer)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	buf[0] = '\0';
	pthread_mutex_lock(&lock);
	put(&buf, &len, &cap,
	    "# HELP hoso_http_requests_total HTTP requests answered, by route and status.\n"
	    "# TYPE hoso_http_requests_total counter\n");
	for (size_t i = 0; i < n_series; i++)
		put(&buf, &len, &cap,
		    "hoso_http_requests_total{route=\"%s\",method=\"%s\",status=\"%u\"} %llu\n",
		    series[i].route, series[i].method, series[i].status, series[i].count);
	put(&buf, &len, &cap,
	    "# HELP hoso_http_request_duration_seconds Time from request to answer.\n"
	    "# TYPE hoso_http_request_duration_seconds histogram\n");
	unsigned long long cum = 0;
	for (size_t b = 0; b < N_BOUNDS; b++) {
		cum += buckets[b];
		put(&buf, &len, &cap, "hoso_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
		    bounds[b], cum);
	}
	cum += buckets[N_BOUNDS];
	put(&buf, &len, &cap,
	    "hoso_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "hoso_http_request_duration_seconds_sum %.6f\n"
	    "hoso_http_request_duration_seconds_count %llu\n",
	    cum, latency_sum, latency_count);
	put(&buf, &len, &cap,
	    "# HELP hoso_dossiers_accepted_total Dossiers accepted since start.\n"
	    "# TYPE hoso_dossiers_accepted_total counter\n"
	    "hoso_dossiers_accepted_total %llu\n",
	    acceptances);
	put(&buf, &len, &cap,
	    "# HELP hoso_db_use_cases_total Write use cases run by the database writer.\n"
	    "# TYPE hoso_db_use_cases_total counter\n"
	    "hoso_db_use_cases_total %llu\n"
	    "# HELP hoso_db_commits_total Transactions committed for them (group commit).\n"
	    "# TYPE hoso_db_commits_total counter\n"
	    "hoso_db_commits_total %llu\n"
	    "# HELP hoso_db_wal_flushes_total fdatasync calls of the write-ahead log (SQLite).\n"
	    "# TYPE hoso_db_wal_flushes_total counter\n"
	    "hoso_db_wal_flushes_total %llu\n"
	    "# HELP hoso_db_checkpoints_total Background checkpoints of the write-ahead log.\n"
	    "# TYPE hoso_db_checkpoints_total counter\n"
	    "hoso_db_checkpoints_total %llu\n"
	    "# HELP hoso_db_checkpoint_frames_total WAL frames copied into the database file.\n"
	    "# TYPE hoso_db_checkpoint_frames_total counter\n"
	    "hoso_db_checkpoint_frames_total{by=\"thread\"} %llu\n"
	    "hoso_db_checkpoint_frames_total{by=\"writer\"} %llu\n"
	    "# HELP hoso_db_writer_busy_seconds_total Time the single writer was held.\n"
	    "# TYPE hoso_db_writer_busy_seconds_total counter\n"
	    "hoso_db_writer_busy_seconds_total %.6f\n"
	    "# HELP hoso_db_writer_cpu_seconds_total CPU time its holders used meanwhile.\n"
	    "# TYPE hoso_db_writer_cpu_seconds_total counter\n"
	    "hoso_db_writer_cpu_seconds_total %.6f\n",
	    (unsigned long long)writer->use_cases, (unsigned long long)writer->groups,
	    (unsigned long long)writer->flushes, (unsigned long long)writer->checkpoints,
	    (unsigned long long)writer->ckpt_frames_thread,
	    (unsigned long long)writer->ckpt_frames_writer,
	    (double)writer->busy_ns / 1e9, (double)writer->busy_cpu_ns / 1e9);
	if (outbox_known)
		put(&buf, &len, &cap,
		    "# HELP hoso_outbox_rows Notifications in the outbox, by state.\n"
		    "# TYPE hoso_outbox_rows gauge\n"
		    "hoso_outbox_rows{state=\"pending\"} %lld\n"
		    "hoso_outbox_rows{state=\"sent\"} %lld\n"
		    "hoso_outbox_rows{state=\"failed\"} %lld\n"
		    "# HELP hoso_outbox_tries_total Delivery tries since start, by outcome.\n"
		    "# TYPE hoso_outbox_tries_total counter\n"
		    "hoso_outbox_tries_total{outcome=\"sent\"} %llu\n"
		    "hoso_outbox_tries_total{outcome=\"retry\"} %llu\n"
		    "hoso_outbox_tries_total{outcome=\"failed\"} %llu\n",
		    outbox_rows[0], outbox_rows[1], outbox_rows[2], outbox_tries[0],
		    outbox_tries[1], outbox_tries[2]);
	pthread_mutex_unlock(&lock);
	return buf;
}
