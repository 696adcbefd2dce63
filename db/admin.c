/* admin.c — the admin page's reads of agencies and their webhooks (db_admin.h), and the row
 * collector of lists (db_internal.h). The secret column is never selected: what is not read
 * cannot leak into an answer. */
#include "db_admin.h"
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

/* Statement slots of this file (ST_ADMIN_FIRST_ on). */
enum {
	AD_AGENCY_LIST = ST_ADMIN_FIRST_,
	AD_AGENCY_ENTRY,
	AD_WEBHOOK_DELETE,
};

static db_st *stmt(db *h, int slot, const char *sql, hoso_err *err)
{
	return db_stmt(h, (enum db_stmt_id)slot, sql, err);
}

#define ENTRY_SELECT \
	"SELECT " DB_AGENCY_COLS_A ", w.agency_code IS NOT NULL, COALESCE(w.url, ''), " \
	"COALESCE(length(w.secret), 0) > 0, COALESCE(w.updated_at, 0) " \
	"FROM agencies a LEFT JOIN agency_webhooks w ON w.agency_code = a.code "

static void read_entry(db_st *st, db_agency_entry *e)
{
	memset(e, 0, sizeof(*e));
	db_agency_read_row(st, &e->agency);
	e->has_webhook = db_col_int(st, 7) != 0;
	db_col_text(st, 8, e->webhook_url, sizeof(e->webhook_url));
	e->has_secret = db_col_int(st, 9) != 0;
	e->webhook_updated_at = db_col_int64(st, 10);
}

hoso_status db_collect(db *h, db_st *st, size_t elem,
                       void (*read)(db_st *st, void *row), void **rows, size_t *n,
                       const char *what, hoso_err *err)
{
	size_t cap = 0;
	unsigned char *all = NULL;
	*rows = NULL;
	*n = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			unsigned char *grown = realloc(all, ncap * elem);
			if (!grown) {
				free(all);
				*n = 0;
				return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL,
				                    "%s: out of memory", what);
			}
			all = grown;
			cap = ncap;
		}
		read(st, all + (*n)++ * elem);
	}
	if (rc != DB_DONE) {
		free(all);
		*n = 0;
		return db_fail(h, rc, what, err);
	}
	*rows = all;
	return HOSO_OK;
}

static void read_entry_row(db_st *st, void *row)
{
	read_entry(st, row);
}

hoso_status db_agency_list(db *h, db_agency_entry **out, size_t *n, hoso_err *err)
{
	void *rows = NULL;
	*n = 0;
	db_read_lock(h);
	db_st *st = stmt(h, AD_AGENCY_LIST, ENTRY_SELECT "ORDER BY a.code", err);
	hoso_status status = st ? db_collect(h, st, sizeof(db_agency_entry), read_entry_row,
	                                     &rows, n, "listing agencies", err)
	                        : db_prep_failed(err);
	db_stmt_done(st);
	db_read_unlock(h);
	*out = rows;
	return status;
}

hoso_status db_agency_entry_get(db *h, const char *code, db_agency_entry *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = stmt(h, AD_AGENCY_ENTRY, ENTRY_SELECT "WHERE a.code = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, code);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_entry(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_agency", "agency_code",
		                      "agency %s is not in the catalogue", code);
	else
		status = db_fail(h, rc, "reading an agency", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_agency_webhook_delete(db *h, const char *agency_code, bool *removed,
                                     hoso_err *err)
{
	hoso_status status;
	*removed = false;
	db_lock(h);
	db_st *st = stmt(h, AD_WEBHOOK_DELETE,
		"DELETE FROM agency_webhooks WHERE agency_code = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, agency_code);
	status = db_step_done(h, st, "removing an agency webhook", err);
	if (status == HOSO_OK)
		*removed = db_changes(h) > 0;
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}
