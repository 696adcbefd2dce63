#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level max_level = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level)
{
	max_level = level;
}

void log_write(enum log_level level, const char *file, int line, int errnum,
               const char *fmt, ...)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	if (level > max_level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;

	char errbuf[128] = "";
	if (errnum)
		snprintf(errbuf, sizeof(errbuf), ": %s", strerror(errnum));
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s.%03ldZ %-5s [%s:%d] %s%s\n", when, ts.tv_nsec / 1000000L,
	        names[level], base, line, msg, errbuf);
	pthread_mutex_unlock(&log_lock);
}
