/* db_stats.h — the reads behind the supervisors' statistics and the quarterly report
 * (Circular 17/2017 Art 13). Every function only reads: outside a use case it runs on one of
 * the read-only connections, so a statistics page never waits for, nor blocks, the writer.
 * Same rules as db.h: times in ms since the epoch (UTC), dates "YYYY-MM-DD" (local).
 * Windows of times are half-open, [from_ms, to_ms). An agency argument of NULL or "" means
 * every agency; otherwise only the dossiers of that agency are read. Rows are malloc'd
 * arrays (free()); *n is their number. */
#ifndef HOSO_DB_STATS_H
#define HOSO_DB_STATS_H

#include "db.h"

/* Items by (office in charge, agency, state): those in an open state, and those in a
 * finished state whose last event (items.updated_at) falls in the window. The office is the
 * item's progress office_code (the office in charge now), else its dossier's accepting
 * office. */
typedef struct db_stats_state_row {
	char office_code[16];
	char agency_code[32];
	char state[24];
	int64_t count;             /* items counted in this state (see above) */
	int64_t count_in_window;   /* of those, items whose last event is in the window */
} db_stats_state_row;

/* The states db_stats_item_states takes: at most DB_STATS_OPEN open ones and
 * DB_STATS_FINISHED finished ones (the state machine in tracking/ decides which). */
#define DB_STATS_OPEN 12
#define DB_STATS_FINISHED 4

/* Counts items by office, agency and state (see db_stats_state_row). open and finished are
 * NULL-terminated lists of state names; an item in neither is not counted. Reads only the
 * open items and the finished ones of the window (index items_state_time). */
hoso_status db_stats_item_states(db *h, const char *agency, int64_t from_ms, int64_t to_ms,
                                 const char *const *open, const char *const *finished,
                                 db_stats_state_row **out, size_t *n, hoso_err *err);

/* Items with a pending deadline, by office in charge and agency: next deadline before
 * `today` (overdue) and from `today` to `soon_to` inclusive (due soon). */
typedef struct db_stats_due_row {
	char office_code[16];
	char agency_code[32];
	int64_t overdue;
	int64_t due_soon;
} db_stats_due_row;

/* Counts overdue and due-soon items (the predicate of db_progress_due). */
hoso_status db_stats_due(db *h, const char *agency, const char *today, const char *soon_to,
                         db_stats_due_row **out, size_t *n, hoso_err *err);

/* Dossiers accepted, by acceptance date, office, agency and procedure, with their amounts. */
typedef struct db_stats_accept_row {
	char date[11];
	char office_code[16];
	char agency_code[32];
	char procedure_code[32];
	int64_t dossiers;
	int64_t postage_vnd;       /* sum of postage on the consignment notes */
	int64_t fee_vnd;           /* sum of agency fees collected at the counter */
} db_stats_accept_row;

/* Groups the dossiers accepted from date_from to date_to (inclusive). */
hoso_status db_stats_accepted(db *h, const char *agency, const char *date_from,
                              const char *date_to, db_stats_accept_row **out, size_t *n,
                              hoso_err *err);

/* One delivered result item. */
typedef struct db_stats_delivery {
	char tracking_number[16];
	char office_code[16];      /* office in charge when delivered */
	char agency_code[32];
	char procedure_code[32];
	char route_class[16];
	int64_t delivered_at;      /* the deliver event (items.updated_at: DELIVERED is final) */
	int64_t collected_at;      /* the first collect event, 0 when none */
	int64_t fee_collected_vnd; /* fee collected on delivery (the event's data) */
} db_stats_delivery;

/* Result items delivered in the window, oldest first. */
hoso_status db_stats_deliveries(db *h, const char *agency, int64_t from_ms, int64_t to_ms,
                                db_stats_delivery **out, size_t *n, hoso_err *err);

/* The milestones of one dossier's journey; 0 for a milestone not reached (or not part of
 * its service form). */
typedef struct db_stats_journey {
	int64_t dossier_id;
	int64_t accepted_at;       /* acceptance at the counter or the door */
	int64_t filed_at;          /* the agency confirmed the handover of the submission item */
	int64_t result_ready_at;   /* the agency marked the result ready */
	int64_t delivered_at;      /* the result item was delivered */
} db_stats_journey;

/* Dossiers with at least one of filed_at, result_ready_at, delivered_at in the window. */
hoso_status db_stats_journeys(db *h, const char *agency, int64_t from_ms, int64_t to_ms,
                              db_stats_journey **out, size_t *n, hoso_err *err);

/* One complaint, with the dossier's procedure. */
typedef struct db_stats_complaint {
	char procedure_code[32];
	char agency_code[32];
	int64_t created_at;
	char due_date[11];
	bool answered;
	int64_t answered_at;       /* 0 while open */
} db_stats_complaint;

/* Complaints filed in the window. */
hoso_status db_stats_complaints(db *h, int64_t from_ms, int64_t to_ms,
                                db_stats_complaint **out, size_t *n, hoso_err *err);

/* Handover lines found missing or damaged, by procedure and agency. */
typedef struct db_stats_loss_row {
	char procedure_code[32];
	char agency_code[32];
	int64_t missing;
	int64_t damaged;
} db_stats_loss_row;

/* Counts the lines reported missing or damaged on manifests confirmed in the window. */
hoso_status db_stats_losses(db *h, int64_t from_ms, int64_t to_ms, db_stats_loss_row **out,
                            size_t *n, hoso_err *err);

#endif
