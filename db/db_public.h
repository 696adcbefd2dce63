/* db_public.h — storage for what the public sees and files: one item's tracking view read in
 * two statements (the public lookups are the busiest reads of the daemon), the lock on the
 * phone-digit check, and applicants' complaints. Same rules as db.h: writes inside
 * db_begin()/db_commit(), times in ms since the epoch, dates "YYYY-MM-DD". */
#ifndef HOSO_DB_PUBLIC_H
#define HOSO_DB_PUBLIC_H

#include "db_custody.h"

/* One event of a public timeline, with the name of its place from the catalogue. */
typedef struct db_track_event {
	char type[24];
	char state_to[24];
	char place[32];
	char place_name[256];       /* office or agency name, "" when not in the catalogue */
	int64_t server_time;
	char reason[64];            /* an attempt's reason code, "" otherwise */
	char receiver_name[256];    /* a delivery's receiver (shown only after the digit check) */
	char relation[32];          /* applicant | proxy, for deliveries */
} db_track_event;

/* An item with what its tracking page shows: dossier fields, progress, the office in
 * charge (progress office, else the accepting office) and the agency. */
typedef struct db_track_item {
	db_item item;
	int64_t dossier_id;
	char procedure_code[32];
	char procedure_name[1024];
	char agency_code[32];
	char agency_name[256];
	char office_code[16];       /* the office to contact */
	char office_name[256];
	char office_address[512];
	char office_phone[32];
	char portal_code[64];
	char route_class[16];
	char accepted_date[11];
	char dossier_due_date[11];
	char applicant_name[256];
	char applicant_phone[32];
	char applicant_id_number[32];
	char applicant_address[512];
	bool has_progress;
	char due_date[11];          /* from the item's progress */
	char appointment_date[11];
	char next_attempt_date[11];
	char hold_until[11];
	db_track_event *events;     /* malloc'd, in order; free with db_track_item_free */
	size_t n_events;
} db_track_item;

/* Loads an item's tracking view in one read; HOSO_NOT_FOUND when the number is unknown.
 * with_events false leaves events NULL. */
hoso_status db_track_item_get(db *h, const char *tracking_number, bool with_events,
                              db_track_item *out, hoso_err *err);

/* Frees the events of a view (the struct itself is the caller's). NULL is accepted. */
void db_track_item_free(db_track_item *v);

/* Tracking numbers of the items of the dossier with a portal code, submission first (at
 * most 2); *n is 0 when no dossier has it. */
hoso_status db_track_portal_items(db *h, const char *portal_code, char out[2][16], size_t *n,
                                  hoso_err *err);

/* ---- lock on the phone-digit check ----------------------------------------------- */

typedef struct db_lockout {
	char tracking_number[16];
	int failures;               /* wrong tries since the last lock or success */
	int64_t locked_until;       /* ms; 0 when not locked */
	int64_t updated_at;
} db_lockout;

/* Loads the row of a key; a zeroed row (failures 0) when there is none. */
hoso_status db_lockout_get(db *h, const char *tracking_number, db_lockout *out,
                           hoso_err *err);

/* Inserts or replaces a row. */
hoso_status db_lockout_put(db *h, const db_lockout *l, hoso_err *err);

/* Deletes a row (a right answer); HOSO_OK when there was none. */
hoso_status db_lockout_clear(db *h, const char *tracking_number, hoso_err *err);

/* ---- complaints ------------------------------------------------------------------ */

typedef struct db_complaint {
	int64_t id;
	char number[24];            /* "KN-2026-000123" */
	char tracking_number[16];
	int64_t dossier_id;
	char office_code[16];
	char agency_code[32];
	char text[8192];
	char contact_phone[32];
	char state[12];             /* open | answered */
	bool inter_province;
	int64_t created_at;
	char due_date[11];          /* the answer is due by this date */
	char answer[8192];
	int64_t answered_by;
	char answered_by_name[64];
	int64_t answered_at;
} db_complaint;

/* Inserts a complaint; sets c->id and, when c->number is empty, numbers it
 * "KN-<year of created_at, UTC+7>-<id, 6 digits>". */
hoso_status db_complaint_insert(db *h, db_complaint *c, hoso_err *err);

/* Loads one complaint; HOSO_NOT_FOUND when absent. */
hoso_status db_complaint_get(db *h, int64_t id, db_complaint *out, hoso_err *err);

/* Records the answer of an open complaint; HOSO_CONFLICT when it was already answered. */
hoso_status db_complaint_answer(db *h, int64_t id, const char *answer, int64_t by,
                                const char *by_name, int64_t at, hoso_err *err);

typedef struct db_complaint_filter {
	const char *state;          /* open | answered | NULL = any */
	const char *due_before;     /* due_date < this date (overdue lists), NULL = any */
	const char *tracking_number;/* one item's complaints, NULL = any */
	int64_t before_id;          /* keyset pagination (id < before_id), 0 = first page */
	size_t limit;               /* 0 means 50, at most 1000 */
} db_complaint_filter;

/* Complaints matching f, newest first. *out malloc'd (free()). */
hoso_status db_complaint_list(db *h, const db_complaint_filter *f, db_complaint **out,
                              size_t *n, hoso_err *err);

#endif
