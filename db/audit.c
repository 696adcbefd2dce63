/* audit.c — the audit trail and the failed-login record (db_audit.h). */
#include "db_audit.h"
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

/* Statement slots of this file (ST_AUDIT_FIRST_ on). */
enum {
	AU_ADD = ST_AUDIT_FIRST_,
	AU_LIST,
	LF_ADD,
	LF_FORGET,
	LF_NTH,
	LF_CLEAR,
};

static db_st *stmt(db *h, int slot, const char *sql, hoso_err *err)
{
	return db_stmt(h, (enum db_stmt_id)slot, sql, err);
}

hoso_status db_audit_add(db *h, int64_t at, int64_t user_id, const char *action,
                         const char *detail_json, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = stmt(h, AU_ADD,
		"INSERT INTO audit (at, user_id, action, detail) VALUES (?1, ?2, ?3, ?4)", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, at);
	db_bind_int64(st, 2, user_id);
	db_bind_text(st, 3, action);
	db_bind_text(st, 4, detail_json ? detail_json : "{}");
	status = db_step_done(h, st, "writing an audit row", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_audit_list(db *h, int64_t before_id, size_t limit, db_audit_row **out,
                          size_t *n, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	*out = NULL;
	*n = 0;
	db_audit_row *rows = calloc(limit ? limit : 1, sizeof(*rows));
	if (!rows)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	db_read_lock(h);
	db_st *st = stmt(h, AU_LIST,
		"SELECT a.id, a.at, a.user_id, COALESCE(u.username, ''), a.action, a.detail "
		"FROM audit a LEFT JOIN users u ON u.id = a.user_id "
		"WHERE ?1 = 0 OR a.id < ?1 ORDER BY a.id DESC LIMIT ?2", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, before_id);
	db_bind_int64(st, 2, limit);
	int rc;
	while ((rc = db_step(st)) == DB_ROW && *n < limit) {
		db_audit_row *r = &rows[(*n)++];
		r->id = db_col_int64(st, 0);
		r->at = db_col_int64(st, 1);
		r->user_id = db_col_int64(st, 2);
		db_col_text(st, 3, r->username, sizeof(r->username));
		db_col_text(st, 4, r->action, sizeof(r->action));
		db_col_text(st, 5, r->detail, sizeof(r->detail));
	}
	if (rc != DB_DONE && rc != DB_ROW)
		status = db_fail(h, rc, "listing the audit trail", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	if (status != HOSO_OK) {
		free(rows);
		*n = 0;
		return status;
	}
	*out = rows;
	return HOSO_OK;
}

hoso_status db_login_failure_add(db *h, const char *username, const char *client, int64_t at,
                                 int64_t forget_before, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = stmt(h, LF_FORGET, "DELETE FROM login_failures WHERE at < ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, forget_before);
	status = db_step_done(h, st, "forgetting old failed logins", err);
	db_stmt_done(st);
	if (status != HOSO_OK)
		goto unlock;
	st = stmt(h, LF_ADD,
		"INSERT INTO login_failures (username, client, at) VALUES (?1, ?2, ?3)", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, username);
	db_bind_text(st, 2, client ? client : "");
	db_bind_int64(st, 3, at);
	status = db_step_done(h, st, "recording a failed login", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_login_failure_nth(db *h, const char *username, int64_t since, unsigned n,
                                 int64_t *at, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	*at = 0;
	db_read_lock(h);
	db_st *st = stmt(h, LF_NTH,
		"SELECT at FROM login_failures WHERE username = ?1 AND at >= ?2 "
		"ORDER BY at DESC LIMIT 1 OFFSET ?3", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, username);
	db_bind_int64(st, 2, since);
	db_bind_int64(st, 3, n ? n - 1 : 0);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*at = db_col_int64(st, 0);
	else if (rc != DB_DONE)
		status = db_fail(h, rc, "counting failed logins", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_login_failures_clear(db *h, const char *username, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = stmt(h, LF_CLEAR, "DELETE FROM login_failures WHERE username = ?1",
	                        err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, username);
	status = db_step_done(h, st, "clearing failed logins", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}
