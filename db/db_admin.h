/* db_admin.h — what the admin page reads and writes beyond db.h: the agencies with a summary
 * of their webhook settings (never the secret), and the removal of a webhook. Same rules as
 * db.h: writes inside db_begin()/db_commit(), times in ms since the epoch. */
#ifndef HOSO_DB_ADMIN_H
#define HOSO_DB_ADMIN_H

#include "db.h"

/* One agency as the admin page lists it. */
typedef struct db_agency_entry {
	db_agency agency;
	bool has_webhook;
	char webhook_url[1024];     /* "" when none */
	bool has_secret;            /* the secret is stored and not empty; it is never read here */
	int64_t webhook_updated_at; /* 0 when none */
} db_agency_entry;

/* Every agency, ordered by code. *out is malloc'd (free()). */
hoso_status db_agency_list(db *h, db_agency_entry **out, size_t *n, hoso_err *err);

/* One agency with its webhook summary; HOSO_NOT_FOUND when the agency is not in the
 * catalogue. */
hoso_status db_agency_entry_get(db *h, const char *code, db_agency_entry *out, hoso_err *err);

/* Removes an agency's webhook; *removed tells whether one was set. */
hoso_status db_agency_webhook_delete(db *h, const char *agency_code, bool *removed,
                                     hoso_err *err);

#endif
