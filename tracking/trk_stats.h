/* trk_stats.h — the supervisors' statistics (today's figures, figures per day, time spent
 * on each leg of a dossier's journey) and the quarterly report of Circular 17/2017 Art 13.
 * Everything here only reads, on the read-only connections: no writer lock is taken. An
 * agency officer gets the figures of their own agency only. Dates are local dates of the
 * deployment (trk_config.tz_offset_minutes); working days come from the calendar. */
#ifndef HOSO_TRK_STATS_H
#define HOSO_TRK_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trk.h"

#define TRK_STATS_DAYS_DEFAULT 30
#define TRK_STATS_DAYS_MAX 366

/* What the report prints for a figure hoso does not record (compensation ...). */
#define TRK_NOT_RECORDED "not recorded by hoso"
#define TRK_NOT_RECORDED_VI "hoso không ghi nhận"

/* {"date", "states": {STATE: n ...}, "accepted_today", "delivered_today", "overdue",
 * "due_soon", "offices": [...], "agencies": [...]} (docs/API.md). Roles agency, supervisor,
 * admin. */
hoso_status trk_stats_today(trk *t, const trk_actor *actor, json_t **out, hoso_err *err);

/* {"from", "to", "days": [{"date", "accepted", "delivered", "on_time", "late"}]}, one entry
 * per calendar day, oldest first. days: "1".."366" (NULL: 30); 400 naming "days" otherwise. */
hoso_status trk_stats_daily(trk *t, const trk_actor *actor, const char *days, json_t **out,
                            hoso_err *err);

/* {"from", "to", "legs": [{"leg", "count", "median_hours", "p90_hours"}]} over the legs that
 * ended in the last `days` days (as trk_stats_daily); null hours when count is 0. */
hoso_status trk_stats_transit(trk *t, const trk_actor *actor, const char *days, json_t **out,
                              hoso_err *err);

/* The p-quantile (0 <= p <= 1) of n > 0 values sorted ascending, interpolating linearly
 * between the two nearest ranks (the median of 1, 2, 3, 4 is 2.5). */
double trk_stats_quantile(const double *sorted, size_t n, double p);

/* True when a result delivered at delivered_at was on time: by the return leg's J + n,
 * n working days (by route class) after the local date it was collected at the agency, as
 * events.c sets the due date at collect. False when it was never collected. */
bool trk_stats_on_time(const trk *t, int64_t collected_at, int64_t delivered_at,
                       const char *route_class);

/* ---- the quarterly report (stats_report.c) ------------------------------------------ */

/* One line of the list (danh mục): a procedure of an agency. */
typedef struct trk_report_line {
	char agency_code[32];
	char agency_name[256];
	char procedure_code[32];
	char procedure_name[1024];
	int64_t dossiers_accepted;        /* accepted in the quarter (sản lượng) */
	int64_t results_delivered;        /* results delivered in the quarter */
	int64_t results_on_time;          /* of those, on time (trk_stats_on_time) */
	int64_t postage_vnd;              /* postage of the dossiers accepted (doanh thu) */
	int64_t fee_counter_vnd;          /* agency fees collected at the counter */
	int64_t fee_delivery_vnd;         /* agency fees collected on delivery */
	int64_t complaints_received;      /* filed in the quarter */
	int64_t complaints_answered;      /* of those, answered (by the time of the report) */
	int64_t complaints_answered_late; /* of those answered, after their due date */
	int64_t complaints_open;          /* of those filed, still open */
	int64_t lost;                     /* handover lines confirmed missing in the quarter */
	int64_t damaged;                  /* handover lines confirmed damaged in the quarter */
} trk_report_line;

typedef struct trk_report {
	int year, quarter;
	char from[11], to[11];            /* first and last day, "YYYY-MM-DD" */
	char from_vn[11], to_vn[11];      /* the same, "DD/MM/YYYY" */
	char generated_at[32];            /* ISO 8601 with offset */
	char generated_at_vn[20];         /* "HH:MM DD/MM/YYYY" */
	bool complete;                    /* false while the quarter is still running */
	trk_report_line *lines;           /* by agency code, then procedure code */
	size_t n_lines;
	trk_report_line total;            /* sums; its names are empty */
} trk_report;

/* Builds the report of quarter (1-4) of year for supervisors and admins. year: 4 digits;
 * quarter: "1".."4"; a quarter that has not begun is refused. 400 naming the field. */
hoso_status trk_report_quarterly(trk *t, const trk_actor *actor, const char *year,
                                 const char *quarter, trk_report **out, hoso_err *err);

/* Frees a report; NULL is accepted. */
void trk_report_free(trk_report *r);

/* The report as JSON (docs/API.md); figures not recorded are null, named in "not_recorded". */
json_t *trk_report_json(const trk_report *r);

/* The report as CSV: UTF-8 with a BOM, one header row of Vietnamese column names, a line per
 * procedure and a total line, CRLF line ends. malloc'd, *len bytes; NULL on out of memory. */
char *trk_report_csv(const trk_report *r, size_t *len);

#endif
