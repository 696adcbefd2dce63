/* import.c — the catalogue importer (see trk_import.h): the column rules of each catalogue
 * and one transaction per file (csv.c reads the files and records). */
#include "trk_import.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

#include "import_internal.h"
#include "trk_internal.h"
#include "trk_valid.h"

static const column office_cols[] = {
	TXT(db_office, code, true, C_OFFICE),
	TXT(db_office, name, true, C_TEXT),
	TXT(db_office, address, false, C_TEXT),
	TXT(db_office, district, false, C_TEXT),
	TXT(db_office, province, false, C_TEXT),
	TXT(db_office, phone, false, C_TEXT),
};

static const column agency_cols[] = {
	TXT(db_agency, code, true, C_AGENCY),
	TXT(db_agency, name, true, C_TEXT),
	TXT(db_agency, desk_name, false, C_TEXT),
	TXT(db_agency, address, false, C_TEXT),
	TXT(db_agency, district, false, C_TEXT),
	TXT(db_agency, province, false, C_TEXT),
	TXT(db_agency, phone, false, C_TEXT),
};

static const column procedure_cols[] = {
	TXT(db_procedure, code, true, C_PROCEDURE),
	TXT(db_procedure, name, true, C_TEXT),
	TXT(db_procedure, agency_code, true, C_AGENCY_REF),
	NUM(db_procedure, fee_vnd, false, C_MONEY),
	NUM(db_procedure, days, true, C_DAYS),
	TXT(db_procedure, components, false, C_COMPONENTS),
};

static const catalogue catalogues[] = {
	{"offices", office_cols, sizeof(office_cols) / sizeof(column),
	 "code,name,address,district,province,phone"},
	{"agencies", agency_cols, sizeof(agency_cols) / sizeof(column),
	 "code,name,desk_name,address,district,province,phone"},
	{"procedures", procedure_cols, sizeof(procedure_cols) / sizeof(column),
	 "code,name,agency_code,fee_vnd,days,components"},
};


/* ---- values ------------------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* Trims ASCII blanks in place; returns the start. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Field i of the current record, validated and normalised: *out is malloc'd NFC text
 * (caller frees), trimmed, free of control characters. */
static hoso_status clean_field(imp *im, size_t i, char **out)
{
	*out = NULL;
	const char *raw = im->rec + im->field_off[i];
	size_t len = im->field_len[i];
	if (memchr(raw, '\0', len))
		return trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)i, "contains a NUL byte");
	if (!text_utf8_valid(raw, len))
		return trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)i,
		            "is not valid UTF-8; save the file as UTF-8");
	char *nfc = text_nfc(raw);
	if (!nfc)
		return trk_imp_fail(im, HOSO_INTERNAL, im->rec_line, (long)i, "out of memory");
	char *t = trim(nfc);
	if (text_has_control(t) || strpbrk(t, "\t\r\n")) {
		free(nfc);
		return trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)i,
		            "contains a control character (a line break, tab or other invisible "
		            "character); remove it");
	}
	memmove(nfc, t, strlen(t) + 1);
	*out = nfc;
	return HOSO_OK;
}

/* Parses "[?]name[@original|@copy];..." into a compact JSON array in out[size]. */
static hoso_status parse_components(imp *im, size_t i, char *s, char *out, size_t size)
{
	char ex[48];
	hoso_status st = HOSO_OK;
	json_t *arr = json_array();
	if (!arr)
		return trk_imp_fail(im, HOSO_INTERNAL, im->rec_line, (long)i, "out of memory");
	size_t n = 0;
	for (char *save = NULL, *e = strtok_r(s, ";", &save); e; e = strtok_r(NULL, ";", &save)) {
		e = trim(e);
		if (!*e)
			continue; /* empty entry, e.g. a trailing ';' */
		n++;
		bool required = true;
		if (*e == '?') {
			required = false;
			e = trim(e + 1);
		}
		const char *form = "any";
		char *at = strrchr(e, '@');
		if (at) {
			*at = '\0';
			char *f = trim(at + 1);
			if (strcasecmp(f, "original") == 0) {
				form = "original";
			} else if (strcasecmp(f, "copy") == 0) {
				form = "copy";
			} else {
				st = trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)i,
				          "entry %zu: unknown form \"@%s\"; write @original or @copy", n,
				          trk_imp_excerpt(f, ex));
				goto free_arr;
			}
		}
		e = trim(e);
		if (!*e) {
			st = trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)i,
			          "entry %zu has no document name", n);
			goto free_arr;
		}
		json_t *o = json_pack("{s:s, s:b, s:s}", "name", e, "required", required,
		                      "form", form);
		if (!o || json_array_append_new(arr, o) != 0) {
			st = trk_imp_fail(im, HOSO_INTERNAL, im->rec_line, (long)i, "out of memory");
			goto free_arr;
		}
	}
	char *js = json_dumps(arr, JSON_COMPACT);
	if (!js) {
		st = trk_imp_fail(im, HOSO_INTERNAL, im->rec_line, (long)i, "out of memory");
		goto free_arr;
	}
	size_t jlen = strlen(js);
	if (jlen >= size)
		st = trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)i,
		          "the list is too long: %zu bytes once stored, the limit is %zu; shorten "
		          "the document names", jlen, size - 1);
	else
		memcpy(out, js, jlen + 1);
	free(js);
free_arr:
	json_decref(arr);
	return st;
}

/* Whole number of 0..max with only digits; -1 when malformed, -2 when negative, -3 above
 * max. */
static int64_t parse_count(const char *s, int64_t max)
{
	if (*s == '-' && s[1])
		return digits(s + 1, strlen(s + 1)) ? -2 : -1;
	size_t n = strlen(s);
	if (n == 0 || !digits(s, n))
		return -1;
	if (n > 15)
		return -3;
	int64_t v = strtoll(s, NULL, 10);
	return v > max ? -3 : v;
}

/* Checks value v (clean, non-empty) of header position i and stores it in the row. */
static hoso_status store(imp *im, size_t i, char *v)
{
	const column *c = &im->kind->cols[im->col_at[i]];
	char *dst = (char *)&im->row + c->offset;
	char ex[48];
	size_t len = strlen(v);
	long col = (long)i;
	unsigned line = im->rec_line;

	if (c->size && c->type != C_COMPONENTS && len >= c->size)
		return trk_imp_fail(im, HOSO_INVALID, line, col, "is too long: %zu bytes, the limit is %zu "
		            "bytes of UTF-8", len, c->size - 1);
	switch (c->type) {
	case C_TEXT:
		break;
	case C_OFFICE:
		if (!trk_valid_office_code(v))
			return trk_imp_fail(im, HOSO_INVALID, line, col, "\"%s\" is not a post office code: "
			            "write 5 or 6 digits, e.g. 600000", trk_imp_excerpt(v, ex));
		break;
	case C_AGENCY:
	case C_AGENCY_REF:
		if (!trk_valid_agency_code(v))
			return trk_imp_fail(im, HOSO_INVALID, line, col, "\"%s\" is not an agency code: write "
			            "it like 000.00.00.H21", trk_imp_excerpt(v, ex));
		if (c->type == C_AGENCY_REF) {
			db_agency a;
			hoso_err e;
			hoso_status st = db_agency_get(im->db, v, &a, &e);
			if (st == HOSO_NOT_FOUND)
				return trk_imp_fail(im, HOSO_INVALID, line, col, "agency %s is not in the "
				            "catalogue; import the agencies first", v);
			if (st != HOSO_OK)
				return trk_imp_fail(im, st, line, col, "%s", e.message);
		}
		break;
	case C_PROCEDURE:
		if (!trk_valid_procedure_code(v))
			return trk_imp_fail(im, HOSO_INVALID, line, col, "\"%s\" is not a procedure code: "
			            "write it like 1.001776 or 2.002621.H56", trk_imp_excerpt(v, ex));
		break;
	case C_MONEY:
	case C_DAYS: {
		bool money = c->type == C_MONEY;
		int64_t n = parse_count(v, money ? INT64_C(999999999999999) : 365);
		if (n == -2)
			return trk_imp_fail(im, HOSO_INVALID, line, col, "%s must not be negative", v);
		if (n == -1)
			return trk_imp_fail(im, HOSO_INVALID, line, col, "\"%s\" is not a whole number; write "
			            "digits only, without separators or units", trk_imp_excerpt(v, ex));
		if (n == -3)
			return trk_imp_fail(im, HOSO_INVALID, line, col, "%s is too large; %s", v,
			            money ? "write the fee in dong" : "the most is 365 working days");
		if (money)
			memcpy(dst, &n, sizeof(int64_t));
		else
			memcpy(dst, &(int){(int)n}, sizeof(int));
		return HOSO_OK;
	}
	case C_COMPONENTS:
		return parse_components(im, i, v, dst, c->size);
	}
	memcpy(dst, v, len + 1);
	return HOSO_OK;
}

/* Slot of code in a table of cap (a power of 2) slots: its own, or the empty one to take. */
static size_t seen_slot(const seen_code *tab, size_t cap, const char *code)
{
	size_t j = text_hash(code) & (cap - 1);
	while (tab[j].code[0] && strcmp(tab[j].code, code) != 0)
		j = (j + 1) & (cap - 1);
	return j;
}

/* Remembers a code (validated, so short); fails when it was seen before in this file. */
static hoso_status remember(imp *im, const char *code, long col)
{
	if (im->seen_n * 2 >= im->seen_cap) {
		size_t ncap = im->seen_cap ? im->seen_cap * 2 : 1024;
		seen_code *tab = calloc(ncap, sizeof(*tab));
		if (!tab)
			return trk_imp_fail(im, HOSO_INTERNAL, im->rec_line, col, "out of memory");
		for (size_t k = 0; k < im->seen_cap; k++)
			if (im->seen[k].code[0])
				tab[seen_slot(tab, ncap, im->seen[k].code)] = im->seen[k];
		free(im->seen);
		im->seen = tab;
		im->seen_cap = ncap;
	}
	seen_code *slot = &im->seen[seen_slot(im->seen, im->seen_cap, code)];
	if (slot->code[0])
		return trk_imp_fail(im, HOSO_INVALID, im->rec_line, col, "%s appears twice in this file "
		            "(first on line %u)", code, slot->line);
	text_copy(slot->code, sizeof(slot->code), code);
	slot->line = im->rec_line;
	im->seen_n++;
	return HOSO_OK;
}

/* ---- header and rows ---------------------------------------------------------------- */

static hoso_status read_header(imp *im)
{
	bool got;
	hoso_status st = trk_imp_next_record(im, &got);
	if (st != HOSO_OK)
		return st;
	if (!got)
		return trk_imp_fail(im, HOSO_INVALID, 1, -1, "the file is empty; the first line must be the "
		            "header, e.g. %s", im->kind->list);
	const catalogue *k = im->kind;
	size_t matched = 0;
	bool have[MAX_FIELDS] = {false};
	long unknown = -1;
	char name[64];
	for (size_t i = 0; i < im->nfields; i++) {
		text_copy(name, sizeof(name), im->rec + im->field_off[i]);
		char *n = trim(name);
		for (char *q = n; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
		size_t c = 0;
		while (c < k->ncols && strcmp(n, k->cols[c].name) != 0)
			c++;
		if (c == k->ncols) {
			if (unknown < 0)
				unknown = (long)i;
			continue;
		}
		if (have[c])
			return trk_imp_header_fail(im, k->cols[c].name, "appears twice in the header");
		have[c] = true;
		im->col_at[i] = c;
		if (c == 0) /* code is column 0 of every catalogue */
			im->code_pos = i;
		matched++;
	}
	if (matched == 0)
		return trk_imp_fail(im, HOSO_INVALID, im->rec_line, -1, "the first line is not a header; it "
		            "must name the columns, e.g. %s", k->list);
	if (unknown >= 0) {
		const char *raw = im->rec + im->field_off[unknown];
		bool printable = text_utf8_valid(raw, strlen(raw)) && !text_has_control(raw);
		text_copy(name, sizeof(name), printable ? raw : "?");
		return trk_imp_header_fail(im, trim(name), "unknown column; the columns of %s are %s",
		                   k->name, k->list);
	}
	for (size_t c = 0; c < k->ncols; c++)
		if (k->cols[c].required && !have[c])
			return trk_imp_header_fail(im, k->cols[c].name, "missing from the header (the columns "
			                   "of %s are %s)", k->name, k->list);
	im->ncols = im->nfields;
	return HOSO_OK;
}

/* Cleans field i and stores it (an empty value clears an optional column). */
static hoso_status take_field(imp *im, size_t i)
{
	const column *c = &im->kind->cols[im->col_at[i]];
	char *v;
	hoso_status st = clean_field(im, i, &v);
	if (st != HOSO_OK)
		return st;
	if (*v) {
		st = store(im, i, v);
	} else if (c->required) {
		st = trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)i, "is empty");
	} else {
		char *dst = (char *)&im->row + c->offset;
		if (c->type == C_MONEY)
			memset(dst, 0, sizeof(int64_t));
		else if (c->type == C_DAYS)
			memset(dst, 0, sizeof(int));
		else
			memcpy(dst, c->type == C_COMPONENTS ? "[]" : "", c->type == C_COMPONENTS ? 3 : 1);
	}
	free(v);
	return st;
}

/* Loads the stored row of the code in the row buffer, so that columns the file leaves out
 * keep their values; a new code starts from an empty row. */
static hoso_status load_existing(imp *im, bool *added)
{
	char code[32];
	hoso_err e;
	hoso_status st;
	text_copy(code, sizeof(code), (const char *)&im->row + im->kind->cols[0].offset);
	if (im->kind->cols == office_cols)
		st = db_office_get(im->db, code, &im->row.office, &e);
	else if (im->kind->cols == agency_cols)
		st = db_agency_get(im->db, code, &im->row.agency, &e);
	else
		st = db_procedure_get(im->db, code, &im->row.procedure, &e);
	*added = st == HOSO_NOT_FOUND;
	if (st == HOSO_NOT_FOUND) {
		memset(&im->row, 0, sizeof(im->row));
		memcpy((char *)&im->row + im->kind->cols[0].offset, code, strlen(code) + 1);
		return HOSO_OK;
	}
	return st == HOSO_OK ? st : trk_imp_fail(im, st, im->rec_line, -1, "%s", e.message);
}

/* Validates the current record, merges it into the stored row and saves it. */
static hoso_status import_row(imp *im, bool *added)
{
	if (im->nfields < im->ncols)
		return trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)im->nfields, "missing: the header "
		            "has %zu columns but this record only %zu", im->ncols, im->nfields);
	if (im->nfields > im->ncols)
		return trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)im->ncols, "extra field: the "
		            "header has %zu columns but this record %zu", im->ncols, im->nfields);
	memset(&im->row, 0, sizeof(im->row));
	hoso_status st = take_field(im, im->code_pos);
	if (st != HOSO_OK)
		return st;
	const char *code = (const char *)&im->row + im->kind->cols[0].offset;
	if ((st = remember(im, code, (long)im->code_pos)) != HOSO_OK ||
	    (st = load_existing(im, added)) != HOSO_OK)
		return st;
	for (size_t i = 0; i < im->nfields; i++)
		if (i != im->code_pos && (st = take_field(im, i)) != HOSO_OK)
			return st;
	if (!*added && (im->flags & TRK_IMPORT_KEEP_EXISTING))
		return HOSO_OK;

	hoso_err e;
	if (im->kind->cols == office_cols) {
		st = db_office_upsert(im->db, &im->row.office, &e);
	} else if (im->kind->cols == agency_cols) {
		st = db_agency_upsert(im->db, &im->row.agency, &e);
	} else {
		/* The search key holds the agency's name too, so that "so tu phap" finds the
		 * procedures of Sở Tư pháp. */
		db_procedure *p = &im->row.procedure;
		db_agency *a = malloc(sizeof(*a));
		if (!a)
			return trk_imp_fail(im, HOSO_INTERNAL, im->rec_line, -1, "out of memory");
		char key[sizeof(p->name) + sizeof(a->name) + 4];
		if (db_agency_get(im->db, p->agency_code, a, NULL) == HOSO_OK)
			snprintf(key, sizeof(key), "%s | %s", p->name, a->name);
		else
			snprintf(key, sizeof(key), "%s", p->name);
		free(a);
		char *fold = text_fold(key);
		if (!fold)
			return trk_imp_fail(im, HOSO_INTERNAL, im->rec_line, -1, "out of memory");
		text_copy(p->name_fold, sizeof(p->name_fold), fold);
		free(fold);
		st = db_procedure_upsert(im->db, p, &e);
	}
	if (st != HOSO_OK)
		return trk_imp_fail(im, st, im->rec_line, -1, "%s", e.message);
	return HOSO_OK;
}

/* ---- entry points ------------------------------------------------------------------- */

hoso_status trk_import_csv_buffer(db *h, const char *kind_name, const char *name,
                                  const char *data, size_t len, size_t *rows_out,
                                  hoso_err *err)
{
	return trk_import_csv_buffer_ex(h, kind_name, name, data, len, 0, rows_out, err);
}

/* The import itself; user_id names who imports in the audit row (0: the operator). */
static hoso_status import_buffer(db *h, int64_t user_id, const char *kind_name,
                                 const char *name, const char *data, size_t len,
                                 unsigned flags, size_t *rows_out, hoso_err *err)
{
	if (rows_out)
		*rows_out = 0;
	const catalogue *k = NULL;
	for (size_t i = 0; i < sizeof(catalogues) / sizeof(catalogues[0]); i++)
		if (kind_name && strcmp(kind_name, catalogues[i].name) == 0)
			k = &catalogues[i];
	if (!k)
		return hoso_err_set(err, HOSO_INVALID, "invalid_kind", "kind", "unknown catalogue "
		                    "\"%s\": use offices, agencies or procedures",
		                    kind_name ? kind_name : "(none)");
	if (len > TRK_IMPORT_MAX_FILE)
		return hoso_err_set(err, HOSO_TOO_LARGE, "too_large", NULL, "%s: the file is %zu "
		                    "bytes, the limit is %u MiB; split it into smaller files", name,
		                    len, TRK_IMPORT_MAX_FILE / (1024 * 1024));
	imp *im = calloc(1, sizeof(*im));
	if (!im)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "%s: out of memory", name);
	im->db = h;
	im->kind = k;
	im->name = name;
	im->err = err;
	im->flags = flags;
	im->p = data;
	im->end = data + len;
	im->line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		im->p += 3;

	size_t rows = 0;
	hoso_status st = read_header(im);
	if (st != HOSO_OK)
		goto free_imp;
	if ((st = db_begin(h, err)) != HOSO_OK)
		goto free_imp;
	for (;;) {
		bool got;
		if ((st = trk_imp_next_record(im, &got)) != HOSO_OK || !got)
			break;
		bool added = false;
		if ((st = import_row(im, &added)) != HOSO_OK)
			break;
		if (added || !(im->flags & TRK_IMPORT_KEEP_EXISTING))
			rows++;
	}
	if (st != HOSO_OK) {
		db_rollback(h);
		goto free_imp;
	}
	if ((st = trk_audit_write(h, user_id, "catalogue_import",
	                          json_pack("{s:s, s:s, s:I}", "file",
	                                    text_utf8_valid(name, strlen(name)) ? name
	                                                                        : "(not UTF-8)",
	                                    "kind", k->name, "rows", (json_int_t)rows),
	                          err)) != HOSO_OK) {
		db_rollback(h);
		goto free_imp;
	}
	if ((st = db_commit(h, err)) == HOSO_OK && rows_out)
		*rows_out = rows;
free_imp:
	free(im->seen);
	free(im);
	return st;
}

hoso_status trk_import_csv_buffer_ex(db *h, const char *kind_name, const char *name,
                                     const char *data, size_t len, unsigned flags,
                                     size_t *rows_out, hoso_err *err)
{
	return import_buffer(h, 0, kind_name, name, data, len, flags, rows_out, err);
}

hoso_status trk_import_csv_buffer_by(db *h, int64_t user_id, const char *kind_name,
                                     const char *name, const char *data, size_t len,
                                     size_t *rows_out, hoso_err *err)
{
	return import_buffer(h, user_id, kind_name, name, data, len, 0, rows_out, err);
}
