/* ratelimit.h — a token bucket per client address, in memory, for the public lookups
 * (implemented in routes_track.c, beside the handlers that use it):
 * `rate` tokens a minute, at most `burst` saved up. Thread-safe. */
#ifndef HOSO_RATELIMIT_H
#define HOSO_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct http_limiter http_limiter;

/* A limiter of per_minute tokens a minute per client, holding at most burst; per_minute 0
 * turns limiting off. NULL on out of memory. */
http_limiter *http_limiter_create(unsigned per_minute, unsigned burst);

/* Frees it; NULL is accepted. */
void http_limiter_destroy(http_limiter *l);

/* Takes one token for client (an address as text) at now_ms. True when allowed; otherwise
 * false with *retry_after the whole seconds until the next token. A NULL limiter allows. */
bool http_limiter_take(http_limiter *l, const char *client, int64_t now_ms, int *retry_after);

/* Like http_limiter_take, but only tells whether a token is there, taking none. */
bool http_limiter_peek(http_limiter *l, const char *client, int64_t now_ms, int *retry_after);

#endif
