/* lbl_report.h — the quarterly report on the service of carrying dossiers and returning
 * results (Circular 17/2017/TT-BTTTT Art 13) as a PDF. Plain data in, PDF bytes out, like
 * lbl.h: labels/ knows neither the database nor the rules that made the figures. */
#ifndef HOSO_LBL_REPORT_H
#define HOSO_LBL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso.h"
#include "lbl.h"

/* The figures of one line (a procedure of an agency) or of the total. */
typedef struct lbl_report_line {
	const char *agency_code;
	const char *agency_name;
	const char *procedure_code;
	const char *procedure_name;
	int64_t dossiers_accepted;
	int64_t results_delivered;
	int64_t results_on_time;
	int64_t postage_vnd;
	int64_t fees_vnd;             /* collected on the agencies' behalf */
	int64_t complaints_received;
	int64_t complaints_answered;
	int64_t complaints_late;      /* answered after their due date */
	int64_t lost;
	int64_t damaged;
} lbl_report_line;

typedef struct lbl_report {
	int year;
	int quarter;                  /* 1-4 */
	const char *period;           /* "01/10/2026 – 31/12/2026" */
	const char *generated_at;     /* "HH:MM DD/MM/YYYY" */
	bool complete;                /* false: the quarter is still running (printed as such) */
	const lbl_report_line *lines;
	size_t n_lines;
	lbl_report_line total;        /* its names are ignored */
	const char *not_recorded;     /* printed for the figures that are not recorded */
} lbl_report;

/* Renders the report, A4 landscape: the list per procedure (continued over pages), a
 * summary of every figure Art 13.1.c names, and places to sign. */
hoso_status lbl_render_report(lbl_ctx *ctx, const lbl_report *r, lbl_buf *out, hoso_err *err);

#endif
