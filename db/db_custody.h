/* db_custody.h — storage for the custody chain's side records: each item's progress
 * (deadlines, filing time, attempts), handover manifests, home pickups and attachments
 * (signature images). Same rules as db.h: call inside db_begin()/db_commit() for writes,
 * times in ms since the epoch, dates "YYYY-MM-DD". */
#ifndef HOSO_DB_CUSTODY_H
#define HOSO_DB_CUSTODY_H

#include "db.h"

/* What the events of an item have established so far; one row per item, kept in the same
 * transaction as the event that changes it. */
typedef struct db_progress {
	char tracking_number[16];
	char office_code[16];       /* office in charge of the item now */
	char agency_code[32];       /* the dossier's agency */
	char state[24];             /* copy of items.state, for due lists */
	char due_date[11];          /* J + n of the current leg, "" when none */
	int64_t filed_at;           /* legal filing time (agency confirmed the handover), 0 if not */
	char receipt_number[64];    /* the agency's receipt number */
	char appointment_date[11];  /* the agency's appointment date for the result */
	int attempts;               /* failed delivery attempts */
	char next_attempt_date[11]; /* earliest date of the next delivery attempt */
	char hold_until[11];        /* last day held at the office before return to the agency */
	char custodian[96];         /* who holds it: "office:600000", "courier:tvdung", "agency:..." */
	int64_t manifest_id;        /* open manifest listing it, 0 when none */
	int64_t fee_due_vnd;        /* agency fee still to collect on delivery */
	int64_t result_ready_at;    /* when the agency marked the result ready (result items) */
} db_progress;

/* Loads an item's progress; HOSO_NOT_FOUND when no row yet. */
hoso_status db_progress_get(db *db, const char *tracking_number, db_progress *out,
                            hoso_err *err);

/* Inserts or replaces an item's progress. */
hoso_status db_progress_put(db *db, const db_progress *p, hoso_err *err);

/* Saves p over before, the row as db_progress_get or db_event_context_get read it in this
 * transaction: the same row as db_progress_put(p) gives, written more cheaply when the
 * office, agency and deadlines did not change. */
hoso_status db_progress_update(db *db, const db_progress *before, const db_progress *p,
                               hoso_err *err);

/* What recording an event on an item reads, in one query: the item (as db_item_get), the
 * fields of its dossier an event uses (id, procedure_code, agency_code, office_code, service,
 * applicant_phone, portal_code, route_class, accepted_at, accepted_date, due_date; the
 * others are left empty or 0), and its progress (*has_progress false when it has no row
 * yet, *progress then untouched). HOSO_NOT_FOUND "unknown_item" when the item does not
 * exist, "unknown_dossier" when its dossier does not. */
hoso_status db_event_context_get(db *db, const char *tracking_number, db_item *item,
                                 db_dossier *dossier, db_progress *progress,
                                 bool *has_progress, hoso_err *err);

typedef struct db_due_filter {
	const char *office_code;    /* NULL = any */
	const char *agency_code;
	const char *date_from;      /* deadline >= (NULL = no lower bound) */
	const char *date_to;        /* deadline <= */
	size_t limit;
} db_due_filter;

/* Items not in a final state (DELIVERED, RECEIVED, RETURNED_TO_AGENCY, RETURNED_INCOMPLETE)
 * whose nearest deadline (due_date, appointment_date for RECEIVED excluded, next_attempt_date,
 * hold_until) falls in the filter's range, earliest first. *out malloc'd (free()). */
hoso_status db_progress_due(db *db, const db_due_filter *f, db_progress **out, size_t *n,
                            hoso_err *err);

/* ---- manifests (biên bản giao nhận) ------------------------------------------------ */

typedef struct db_manifest {
	int64_t id;
	char agency_code[32];
	char office_code[16];
	int64_t created_by;
	char created_by_name[64];
	int64_t created_at;
	char state[16];             /* open | confirmed | partial */
	int64_t confirmed_by;
	char confirmed_by_name[64];
	int64_t confirmed_at;       /* the legal filing time of every received item */
	int64_t total_fee_vnd;      /* fees listed on it */
	int64_t fees_received_vnd;  /* what the agency confirmed receiving */
	int item_count;             /* lines on it (read only; lists show it without the lines) */
} db_manifest;

typedef struct db_manifest_item {
	int64_t manifest_id;
	int position;               /* 1-based order on the record */
	char tracking_number[16];
	int64_t dossier_id;
	int64_t fee_vnd;
	int documents;
	char status[16];            /* pending | received | missing | damaged */
	char note[256];
} db_manifest_item;

/* Inserts a manifest; sets m->id. */
hoso_status db_manifest_insert(db *db, db_manifest *m, hoso_err *err);
/* Updates state, confirmation and fees of a manifest (by id). */
hoso_status db_manifest_update(db *db, const db_manifest *m, hoso_err *err);
hoso_status db_manifest_get(db *db, int64_t id, db_manifest *out, hoso_err *err);

/* Adds a line; HOSO_CONFLICT when the item is already on this manifest. */
hoso_status db_manifest_item_insert(db *db, const db_manifest_item *it, hoso_err *err);
/* Updates status and note of a line (by manifest_id and tracking_number). */
hoso_status db_manifest_item_update(db *db, const db_manifest_item *it, hoso_err *err);
/* Lines of a manifest by position. *out malloc'd (free()). */
hoso_status db_manifest_items(db *db, int64_t manifest_id, db_manifest_item **out, size_t *n,
                              hoso_err *err);

typedef struct db_manifest_filter {
	const char *agency_code;    /* NULL = any */
	const char *office_code;
	const char *state;
	int64_t before_id;          /* keyset pagination, 0 = first page */
	size_t limit;
} db_manifest_filter;

/* Manifests matching f, newest first. *out malloc'd (free()). */
hoso_status db_manifest_list(db *db, const db_manifest_filter *f, db_manifest **out,
                             size_t *n, hoso_err *err);

/* Lines reported missing or damaged at confirmation, newest manifest first, optionally for
 * one office or agency. *out malloc'd (free()). */
hoso_status db_manifest_discrepancies(db *db, const char *office_code, const char *agency_code,
                                      size_t limit, db_manifest_item **out, size_t *n,
                                      hoso_err *err);

/* Dossiers with fee_vnd > 0 whose submission item has not been received on a confirmed
 * manifest (the fee collected at the counter is not yet paid over to the agency), oldest
 * first. *out malloc'd (free()). */
hoso_status db_fees_unpaid(db *db, const char *office_code, const char *agency_code,
                           size_t limit, db_dossier **out, size_t *n, hoso_err *err);

/* ---- home pickups ------------------------------------------------------------------ */

typedef struct db_pickup {
	int64_t id;
	char state[16];             /* requested | assigned | done | failed | cancelled */
	char source[16];            /* counter | agency | portal */
	char applicant_name[256];
	char applicant_phone[32];
	char address[512];
	char procedure_code[32];
	char window_from[32];       /* local ISO time "2026-11-28T08:00" */
	char window_to[32];
	char notes[512];
	char office_code[16];
	int64_t assigned_to;        /* courier user id, 0 when not assigned */
	char assigned_name[64];
	int64_t created_by;
	int64_t created_at;
	int64_t updated_at;
	int64_t dossier_id;         /* set when the pickup ended in an acceptance */
	char failure_reason[256];
	char client_id[40];         /* the client's UUID for the request ("" when none sent) */
	char request_digest[65];    /* SHA-256 (hex) of the request body that created it */
} db_pickup;

/* Inserts a pickup request; sets p->id. */
hoso_status db_pickup_insert(db *db, db_pickup *p, hoso_err *err);
/* Replaces the mutable fields (state, assignment, dossier, failure, updated_at) by id. */
hoso_status db_pickup_update(db *db, const db_pickup *p, hoso_err *err);
hoso_status db_pickup_get(db *db, int64_t id, db_pickup *out, hoso_err *err);
/* The pickup created with this client_id; HOSO_NOT_FOUND when none was. */
hoso_status db_pickup_get_by_client(db *db, const char *client_id, db_pickup *out,
                                    hoso_err *err);

typedef struct db_pickup_filter {
	const char *office_code;    /* NULL = any */
	int64_t assigned_to;        /* 0 = any */
	const char *state;          /* NULL = any */
	size_t limit;
} db_pickup_filter;

/* Pickups matching f, by window_from then id. *out malloc'd (free()). */
hoso_status db_pickup_list(db *db, const db_pickup_filter *f, db_pickup **out, size_t *n,
                           hoso_err *err);

/* ---- attachments ------------------------------------------------------------------- */

/* Stores bytes attached to an event (kind "signature"); HOSO_CONFLICT if the event has one. */
hoso_status db_attachment_put(db *db, const char *event_id, const char *kind,
                              const unsigned char *data, size_t len, hoso_err *err);

/* Loads an event's attachment into *data (malloc'd); HOSO_NOT_FOUND when none. */
hoso_status db_attachment_get(db *db, const char *event_id, char kind[16],
                              unsigned char **data, size_t *len, hoso_err *err);

/* ---- savepoints inside a use case -------------------------------------------------- */

/* Opens a named savepoint inside the open transaction (a batch of events: each event in its
 * own savepoint, so a refused one leaves the others). name: [a-z_]{1,31}. */
hoso_status db_savepoint(db *db, const char *name, hoso_err *err);
/* Keeps what was done since the savepoint. */
hoso_status db_savepoint_release(db *db, const char *name, hoso_err *err);
/* Undoes what was done since the savepoint, and closes it. */
void db_savepoint_rollback(db *db, const char *name);

#endif
