/* db_audit.h — the audit trail (who changed what, and every refused write) and the record of
 * failed logins behind the lockout. Same rules as db.h: writes inside db_begin()/db_commit(),
 * times in ms since the epoch. */
#ifndef HOSO_DB_AUDIT_H
#define HOSO_DB_AUDIT_H

#include "db.h"

/* One audit row; detail is a JSON object as text. */
typedef struct db_audit_row {
	int64_t id;
	int64_t at;
	int64_t user_id;            /* 0: no logged-in user (operator command, anonymous call) */
	char username[64];          /* of user_id, "" when 0 or unknown */
	char action[48];
	char detail[2048];
} db_audit_row;

/* Appends an audit row (detail_json: a JSON object, "{}" when NULL). */
hoso_status db_audit_add(db *h, int64_t at, int64_t user_id, const char *action,
                         const char *detail_json, hoso_err *err);

/* Audit rows with id < before_id (0: from the newest), newest first, at most limit.
 * *out is malloc'd (free()). */
hoso_status db_audit_list(db *h, int64_t before_id, size_t limit, db_audit_row **out,
                          size_t *n, hoso_err *err);

/* Records one failed login for username from client at `at`, and forgets failures older
 * than forget_before (of every username). */
hoso_status db_login_failure_add(db *h, const char *username, const char *client, int64_t at,
                                 int64_t forget_before, hoso_err *err);

/* The time of the n-th newest failure (n >= 1) of username at or after since, or 0 when
 * there are fewer than n. */
hoso_status db_login_failure_nth(db *h, const char *username, int64_t since, unsigned n,
                                 int64_t *at, hoso_err *err);

/* Forgets username's failures (after a successful login). */
hoso_status db_login_failures_clear(db *h, const char *username, hoso_err *err);

#endif
