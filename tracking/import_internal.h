/* import_internal.h — what the catalogue importer's files share (import.c: the column
 * rules and the transaction; csv.c: the RFC 4180 reader and the error messages). */
#ifndef HOSO_IMPORT_INTERNAL_H
#define HOSO_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "trk_import.h"

#define MAX_FIELDS 16

/* ---- the catalogues' columns -------------------------------------------------------- */

enum ctype {
	C_TEXT,        /* free text */
	C_OFFICE,      /* post office code: 5-6 digits */
	C_AGENCY,      /* agency code 000.00.00.H21 */
	C_AGENCY_REF,  /* agency code that must be in the catalogue */
	C_PROCEDURE,   /* procedure code 1.001776 or 2.002621.H56 */
	C_MONEY,       /* whole dong >= 0, into int64_t */
	C_DAYS,        /* 0-365, into int */
	C_COMPONENTS,  /* component list, stored as JSON */
};

typedef struct column {
	const char *name;
	enum ctype type;
	bool required;     /* the header must have it and the value must not be empty */
	size_t offset;     /* into the row */
	size_t size;       /* of the destination buffer (text) */
} column;

#define TXT(st, f, req, t) {#f, t, req, offsetof(st, f), sizeof(((st *)0)->f)}
#define NUM(st, f, req, t) {#f, t, req, offsetof(st, f), 0}
typedef struct catalogue {
	const char *name;
	const column *cols;
	size_t ncols;
	const char *list; /* for messages */
} catalogue;
/* ---- the import's state ------------------------------------------------------------- */

typedef struct seen_code {
	char code[16];     /* "" = empty slot; codes are at most 13 bytes once validated */
	unsigned line;
} seen_code;

typedef struct imp {
	db *db;
	const catalogue *kind;
	const char *name;
	hoso_err *err;
	unsigned flags;                 /* TRK_IMPORT_* */
	/* reader */
	const char *p, *end;
	unsigned line;                  /* physical line the reader is on */
	unsigned rec_line;              /* where the current record starts */
	char rec[TRK_IMPORT_MAX_RECORD + MAX_FIELDS + 1];
	size_t rec_len;
	size_t field_off[MAX_FIELDS], field_len[MAX_FIELDS], nfields;
	/* header: catalogue column of each position */
	size_t col_at[MAX_FIELDS], ncols;
	size_t code_pos;                /* header position of the code column */
	/* codes seen in this file */
	seen_code *seen;
	size_t seen_cap, seen_n;
	union {
		db_office office;
		db_agency agency;
		db_procedure procedure;
	} row;
} imp;


/* Fails the import: "NAME:LINE: column "COL": message". col < 0: no column; col beyond the
 * header: the column's number. */
hoso_status trk_imp_fail(imp *im, hoso_status status, unsigned line, long col, const char *fmt,
                         ...) __attribute__((format(printf, 5, 6)));

/* Fails on the header: "NAME:LINE: column "COL": message", field COL. */
hoso_status trk_imp_header_fail(imp *im, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A short, printable excerpt of an already validated value, for messages. */
const char *trk_imp_excerpt(const char *s, char buf[48]);

/* Reads the next record into rec/field_*. *got false at the end of the data. Blank lines
 * between records are skipped. */
hoso_status trk_imp_next_record(imp *im, bool *got);

#endif
