/* complaints.c — applicants' complaints (Circular 17/2017 Art 8): filing, the answer, and
 * the supervisors' lists. */
#include "db_internal.h"
#include "db_public.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Statement slots after public.c's (ST_PUBLIC_FIRST_ + 6 on). The list has one cached
 * variant per combination of filters: state, due_before, tracking_number. */
enum {
	CP_INSERT = ST_PUBLIC_FIRST_ + 6,
	CP_NUMBER,
	CP_GET,
	CP_ANSWER,
	CP_LIST,
	CP_LIST_VARIANTS = 8,
	CP_END_ = CP_LIST + CP_LIST_VARIANTS,
};

_Static_assert(CP_END_ <= ST_PUBLIC_LAST_ + 1,
               "db_internal.h reserves too few statement slots for db_public.h");

#define COMPLAINT_COLS \
	"id, number, tracking_number, dossier_id, office_code, agency_code, text, " \
	"contact_phone, state, inter_province, created_at, due_date, answer, answered_by, " \
	"answered_by_name, answered_at"

static db_st *stmt(db *h, int slot, const char *sql, hoso_err *err)
{
	return db_stmt(h, (enum db_stmt_id)slot, sql, err);
}

static void read_complaint(db_st *st, db_complaint *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_col_int64(st, 0);
	db_col_text(st, 1, c->number, sizeof(c->number));
	db_col_text(st, 2, c->tracking_number, sizeof(c->tracking_number));
	c->dossier_id = db_col_int64(st, 3);
	db_col_text(st, 4, c->office_code, sizeof(c->office_code));
	db_col_text(st, 5, c->agency_code, sizeof(c->agency_code));
	db_col_text(st, 6, c->text, sizeof(c->text));
	db_col_text(st, 7, c->contact_phone, sizeof(c->contact_phone));
	db_col_text(st, 8, c->state, sizeof(c->state));
	c->inter_province = db_col_int(st, 9) != 0;
	c->created_at = db_col_int64(st, 10);
	db_col_text(st, 11, c->due_date, sizeof(c->due_date));
	db_col_text(st, 12, c->answer, sizeof(c->answer));
	c->answered_by = db_col_int64(st, 13);
	db_col_text(st, 14, c->answered_by_name, sizeof(c->answered_by_name));
	c->answered_at = db_col_int64(st, 15);
}

hoso_status db_complaint_insert(db *h, db_complaint *c, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	/* a unique placeholder number until the id is known */
	char temp[24];
	snprintf(temp, sizeof(temp), "tmp-%lld", (long long)c->created_at % 1000000000000LL);
	db_st *st = stmt(h, CP_INSERT,
		"INSERT INTO complaints (number, tracking_number, dossier_id, office_code, "
		"agency_code, text, contact_phone, state, inter_province, created_at, due_date) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8, ?9, ?10) RETURNING id", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, c->number[0] ? c->number : temp);
	db_bind_text(st, 2, c->tracking_number);
	db_bind_int64(st, 3, c->dossier_id);
	db_bind_text(st, 4, c->office_code);
	db_bind_text(st, 5, c->agency_code);
	db_bind_text(st, 6, c->text);
	db_bind_text(st, 7, c->contact_phone);
	db_bind_int64(st, 8, c->inter_province ? 1 : 0);
	db_bind_int64(st, 9, c->created_at);
	db_bind_text(st, 10, c->due_date);
	status = db_step_id(h, st, "filing a complaint", &c->id, err);
	db_stmt_done(st);
	if (status != HOSO_OK)
		goto unlock;
	snprintf(c->state, sizeof(c->state), "open");
	if (c->number[0])
		goto unlock;
	/* the year of filing in Vietnam (UTC+7) */
	time_t secs = (time_t)(c->created_at / 1000) + 7 * 3600;
	struct tm tm;
	gmtime_r(&secs, &tm);
	snprintf(c->number, sizeof(c->number), "KN-%04d-%06lld", tm.tm_year + 1900,
	         (long long)c->id);
	st = stmt(h, CP_NUMBER, "UPDATE complaints SET number = ?1 WHERE id = ?2", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, c->number);
	db_bind_int64(st, 2, c->id);
	status = db_step_done(h, st, "numbering a complaint", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_complaint_get(db *h, int64_t id, db_complaint *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = stmt(h, CP_GET,
		"SELECT " COMPLAINT_COLS " FROM complaints WHERE id = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_complaint(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_complaint", "id",
		                      "no complaint has id %lld", (long long)id);
	else
		status = db_fail(h, rc, "reading a complaint", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_complaint_answer(db *h, int64_t id, const char *answer, int64_t by,
                                const char *by_name, int64_t at, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = stmt(h, CP_ANSWER,
		"UPDATE complaints SET state = 'answered', answer = ?2, answered_by = ?3, "
		"answered_by_name = ?4, answered_at = ?5 WHERE id = ?1 AND state = 'open'", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, answer);
	db_bind_int64(st, 3, by);
	db_bind_text(st, 4, by_name);
	db_bind_int64(st, 5, at);
	status = db_step_done(h, st, "answering a complaint", err);
	db_stmt_done(st);
	if (status == HOSO_OK && db_changes(h) == 0)
		status = hoso_err_set(err, HOSO_CONFLICT, "already_answered", "id",
		                      "complaint %lld is unknown or already answered", (long long)id);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_complaint_list(db *h, const db_complaint_filter *f, db_complaint **out,
                              size_t *n, hoso_err *err)
{
	static const char *const conds[] = {" AND state = ?1", " AND due_date < ?2",
	                                    " AND tracking_number = ?3"};
	hoso_status status = HOSO_OK;
	size_t limit = f->limit == 0 ? 50 : f->limit > 1000 ? 1000 : f->limit, cap = 0;
	unsigned mask = (f->state ? 1u : 0) | (f->due_before ? 2u : 0) |
	                (f->tracking_number ? 4u : 0);
	char sql[512];
	int len = snprintf(sql, sizeof(sql), "SELECT " COMPLAINT_COLS " FROM complaints "
	                   "WHERE (?4 = 0 OR id < ?4)");
	for (unsigned i = 0; i < 3; i++)
		if (mask & (1u << i))
			len += snprintf(sql + len, sizeof(sql) - (size_t)len, "%s", conds[i]);
	snprintf(sql + len, sizeof(sql) - (size_t)len, " ORDER BY id DESC LIMIT ?5");
	*out = NULL;
	*n = 0;
	db_read_lock(h);
	db_st *st = stmt(h, CP_LIST + (int)mask, sql, err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, f->state);
	db_bind_text(st, 2, f->due_before);
	db_bind_text(st, 3, f->tracking_number);
	db_bind_int64(st, 4, f->before_id);
	db_bind_int64(st, 5, limit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			db_complaint *grown = realloc(*out, ncap * sizeof(*grown));
			if (!grown) {
				status = hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
				                      "listing complaints: out of memory");
				break;
			}
			*out = grown;
			cap = ncap;
		}
		read_complaint(st, &(*out)[(*n)++]);
	}
	if (status == HOSO_OK && rc != DB_DONE)
		status = db_fail(h, rc, "listing complaints", err);
	db_stmt_done(st);
	if (status != HOSO_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
unlock:
	db_read_unlock(h);
	return status;
}
