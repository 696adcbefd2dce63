/* hoso.h — status codes and the error value every module returns. */
#ifndef HOSO_H
#define HOSO_H

#include <stdarg.h>
#include <stdbool.h>

/* Outcome of a domain or storage call. dispatch/ maps each to one HTTP status. */
typedef enum hoso_status {
	HOSO_OK = 0,
	HOSO_INVALID,      /* bad input: 400 */
	HOSO_UNAUTHORIZED, /* no or bad credentials: 401 */
	HOSO_FORBIDDEN,    /* authenticated but not allowed: 403 */
	HOSO_NOT_FOUND,    /* 404 */
	HOSO_CONFLICT,     /* illegal transition, duplicate with other body: 409 */
	HOSO_TOO_LARGE,    /* 413 */
	HOSO_UNAVAILABLE,  /* disk full, read-only, busy: 503 */
	HOSO_INTERNAL,     /* a bug or an I/O failure: 500 */
} hoso_status;

/* An error a person can act on: which field, what is wrong. */
typedef struct hoso_err {
	hoso_status status;
	char code[32];     /* machine code, e.g. "invalid_phone" */
	char field[96];    /* JSON path of the offending field, "" if none */
	char message[384]; /* human sentence */
	unsigned line;     /* line of an uploaded file at fault (1-based), 0 if none */
} hoso_err;

/* Resets err to HOSO_OK with empty strings; NULL is accepted. */
void hoso_err_clear(hoso_err *err);

/* Fills err (may be NULL; line is reset to 0) and returns status, so callers can
 * `return hoso_err_set(...)`. */
hoso_status hoso_err_set(hoso_err *err, hoso_status status, const char *code,
                         const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Name of a status ("invalid", "not_found" ...), for logs and default error codes. */
const char *hoso_status_name(hoso_status status);

#endif
