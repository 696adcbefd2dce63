/* outbox.c — delivering the outbox: leases, results of tries, the operator's lists and
 * re-queues, and agencies' webhook settings (db_outbox.h). */
#include "db_outbox.h"
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum outbox_slot {
	OS_RELEASE = ST_OUTBOX_FIRST_,
	OS_CLAIM_SELECT,
	OS_CLAIM_LEASE,
	OS_FINISH_SENT,
	OS_FINISH_RETRY,
	OS_FINISH_FAILED,
	OS_LIST_PENDING,
	OS_LIST_SENT,
	OS_LIST_FAILED,
	OS_GET,
	OS_REQUEUE,
	OS_REQUEUE_ALL,
	OS_COUNTS,
	OS_WEBHOOK_SET,
	OS_WEBHOOK_GET,
	OS_LAST_
};
_Static_assert(OS_LAST_ <= ST_OUTBOX_LAST_ + 1, "db_internal.h reserves too few slots");

#define ROW_COLS \
	"o.id, o.kind, o.target, o.payload, o.state, o.attempts, o.next_attempt_at, " \
	"o.created_at, coalesce(o.sent_at, 0), o.window_start, o.last_error, o.idem_key"

/* The cached statement of one of this file's slots. */
static db_st *ostmt(db *h, int slot, const char *sql, hoso_err *err)
{
	return db_stmt(h, (enum db_stmt_id)slot, sql, err);
}

static void read_row(db_st *st, db_outbox_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = db_col_int64(st, 0);
	db_col_text(st, 1, r->kind, sizeof(r->kind));
	db_col_text(st, 2, r->target, sizeof(r->target));
	db_col_text(st, 3, r->payload, sizeof(r->payload));
	db_col_text(st, 4, r->state, sizeof(r->state));
	r->attempts = db_col_int(st, 5);
	r->next_attempt_at = db_col_int64(st, 6);
	r->created_at = db_col_int64(st, 7);
	r->sent_at = db_col_int64(st, 8);
	r->window_start = db_col_int64(st, 9);
	if (!r->window_start)
		r->window_start = r->created_at;
	db_col_text(st, 10, r->last_error, sizeof(r->last_error));
	db_col_text(st, 11, r->idem_key, sizeof(r->idem_key));
	if (!r->idem_key[0])         /* written by another tool without one: still stable */
		snprintf(r->idem_key, sizeof(r->idem_key), "row-%lld", (long long)r->id);
}

static hoso_status no_memory(hoso_err *err, const char *what)
{
	return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "%s: out of memory", what);
}

hoso_status db_outbox_release_claims(db *h, int64_t *released, hoso_err *err)
{
	if (db_is_pg(h)) {
		/* Other daemons share the table and their leases are live: a row this daemon held
		 * when it died comes back when its lease ends (the send timeout plus a minute). */
		if (released)
			*released = 0;
		return HOSO_OK;
	}
	hoso_status status = db_begin(h, err);
	if (status != HOSO_OK)
		return status;
	db_st *st = ostmt(h, OS_RELEASE,
		"UPDATE outbox SET claimed_until = 0 WHERE state = 'pending' AND claimed_until <> 0",
		err);
	if (!st) {
		status = db_prep_failed(err);
		goto rollback;
	}
	status = db_step_done(h, st, "releasing outbox leases", err);
	db_stmt_done(st);
	if (status != HOSO_OK)
		goto rollback;
	if (released)
		*released = db_changes(h);
	return db_commit(h, err);
rollback:
	db_rollback(h);
	return status;
}

hoso_status db_outbox_claim(db *h, int64_t now, int64_t lease_until, size_t max,
                            db_outbox_row *rows, size_t *n, hoso_err *err)
{
	*n = 0;
	hoso_status status = db_begin(h, err);
	if (status != HOSO_OK)
		return status;
	db_st *sel = ostmt(h, OS_CLAIM_SELECT,
		"SELECT " ROW_COLS ", coalesce(w.url, ''), coalesce(w.secret, '') FROM outbox o "
		"LEFT JOIN agency_webhooks w ON o.kind = 'webhook' AND w.agency_code = o.target "
		"WHERE o.state = 'pending' AND o.next_attempt_at <= ?1 AND o.claimed_until <= ?1 "
		"ORDER BY o.next_attempt_at, o.id LIMIT ?2", err);
	db_st *lease = sel ? ostmt(h, OS_CLAIM_LEASE,
		"UPDATE outbox SET claimed_until = ?2 WHERE id = ?1", err) : NULL;
	if (!sel || !lease) {
		status = db_prep_failed(err);
		db_stmt_done(sel);
		goto rollback;
	}
	db_bind_int64(sel, 1, now);
	db_bind_int64(sel, 2, max);
	int rc;
	size_t count = 0;
	while (count < max && (rc = db_step(sel)) == DB_ROW) {
		db_outbox_row *r = &rows[count++];
		read_row(sel, r);
		db_col_text(sel, 12, r->webhook_url, sizeof(r->webhook_url));
		db_col_text(sel, 13, r->webhook_secret, sizeof(r->webhook_secret));
	}
	if (count < max && rc != DB_DONE) {
		status = db_fail(h, rc, "claiming notifications", err);
		db_stmt_done(sel);
		goto rollback;
	}
	db_stmt_done(sel);
	for (size_t i = 0; i < count; i++) {
		db_bind_int64(lease, 1, rows[i].id);
		db_bind_int64(lease, 2, lease_until);
		status = db_step_done(h, lease, "leasing a notification", err);
		db_stmt_done(lease);
		if (status != HOSO_OK)
			goto rollback;
	}
	if ((status = db_commit(h, err)) != HOSO_OK)
		return status;
	*n = count;
	return HOSO_OK;
rollback:
	db_rollback(h);
	return status;
}

hoso_status db_outbox_finish(db *h, const db_outbox_result *res, size_t n, int64_t now,
                             hoso_err *err)
{
	if (n == 0)
		return HOSO_OK;
	hoso_status status = db_begin(h, err);
	if (status != HOSO_OK)
		return status;
	db_st *sent = ostmt(h, OS_FINISH_SENT,
		"UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?2, "
		"last_error = '', claimed_until = 0 WHERE id = ?1 AND state = 'pending'", err);
	db_st *retry = sent ? ostmt(h, OS_FINISH_RETRY,
		"UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3, "
		"claimed_until = 0 WHERE id = ?1 AND state = 'pending'", err) : NULL;
	db_st *failed = retry ? ostmt(h, OS_FINISH_FAILED,
		"UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?3, "
		"claimed_until = 0 WHERE id = ?1 AND state = 'pending' AND ?2 = ?2", err) : NULL;
	if (!failed) {
		status = db_prep_failed(err);
		goto rollback;
	}
	for (size_t i = 0; i < n; i++) {
		const db_outbox_result *r = &res[i];
		db_st *st = r->outcome == DB_OUTBOX_SENT ? sent
		                   : r->outcome == DB_OUTBOX_RETRY ? retry : failed;
		db_bind_int64(st, 1, r->id);
		db_bind_int64(st, 2, r->outcome == DB_OUTBOX_RETRY ? r->next_attempt_at : now);
		if (st != sent)
			db_bind_text(st, 3, r->error);
		status = db_step_done(h, st, "recording a delivery", err);
		db_stmt_done(st);
		if (status != HOSO_OK)
			goto rollback;
	}
	return db_commit(h, err);
rollback:
	db_rollback(h);
	return status;
}

static int state_index(const char *state)
{
	static const char *const states[] = {"pending", "sent", "failed"};
	for (int i = 0; i < 3; i++)
		if (state && strcmp(state, states[i]) == 0)
			return i;
	return -1;
}

hoso_status db_outbox_list(db *h, const char *state, int64_t before_id, size_t limit,
                           db_outbox_row **out, size_t *n, hoso_err *err)
{
	*out = NULL;
	*n = 0;
	int si = state_index(state);
	if (si < 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_state", "state",
		                    "unknown outbox state \"%s\": use pending, sent or failed",
		                    state ? state : "(null)");
	if (limit == 0)
		return HOSO_OK;
	db_outbox_row *rows = calloc(limit, sizeof(*rows));
	if (!rows)
		return no_memory(err, "listing notifications");
	hoso_status status = HOSO_OK;
	size_t count = 0;
	db_read_lock(h);
	db_st *st = ostmt(h, OS_LIST_PENDING + si,
		"SELECT " ROW_COLS " FROM outbox o WHERE o.state = ?1 AND o.id < ?2 "
		"ORDER BY o.id DESC LIMIT ?3", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, state);
	db_bind_int64(st, 2, before_id > 0 ? before_id : INT64_MAX);
	db_bind_int64(st, 3, limit);
	int rc;
	while (count < limit && (rc = db_step(st)) == DB_ROW)
		read_row(st, &rows[count++]);
	if (count < limit && rc != DB_DONE)
		status = db_fail(h, rc, "listing notifications", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	if (status != HOSO_OK) {
		free(rows);
		return status;
	}
	*out = rows;
	*n = count;
	return HOSO_OK;
}

hoso_status db_outbox_get(db *h, int64_t id, db_outbox_row *out, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = ostmt(h, OS_GET, "SELECT " ROW_COLS " FROM outbox o WHERE o.id = ?1",
	                           err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		read_row(st, out);
	else if (rc == DB_DONE)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_notification", "id",
		                      "there is no outbox row %lld", (long long)id);
	else
		status = db_fail(h, rc, "reading a notification", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_outbox_requeue(db *h, int64_t id, int64_t now, hoso_err *err)
{
	db_outbox_row row;
	hoso_status status;
	db_lock(h);
	if ((status = db_outbox_get(h, id, &row, err)) != HOSO_OK)
		goto unlock;
	if (strcmp(row.state, "failed") != 0) {
		status = hoso_err_set(err, HOSO_CONFLICT, "not_failed", "id",
		                      "outbox row %lld is %s, not failed: only failed rows are sent "
		                      "again", (long long)id, row.state);
		goto unlock;
	}
	db_st *st = ostmt(h, OS_REQUEUE,
		"UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, "
		"window_start = ?2, claimed_until = 0 WHERE id = ?1 AND state = 'failed'", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	status = db_step_done(h, st, "re-queueing a notification", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_outbox_requeue_failed(db *h, int64_t now, int64_t *count, hoso_err *err)
{
	*count = 0;
	hoso_status status;
	db_lock(h);
	db_st *st = ostmt(h, OS_REQUEUE_ALL,
		"UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?1, "
		"window_start = ?1, claimed_until = 0 WHERE state = 'failed'", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, now);
	status = db_step_done(h, st, "re-queueing notifications", err);
	if (status == HOSO_OK)
		*count = db_changes(h);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_outbox_counts(db *h, int64_t counts[3], hoso_err *err)
{
	counts[0] = counts[1] = counts[2] = 0;
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = ostmt(h, OS_COUNTS,
		"SELECT state, count(*) FROM outbox GROUP BY state", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int si = state_index(db_col_str(st, 0));
		if (si >= 0)
			counts[si] = db_col_int64(st, 1);
	}
	if (rc != DB_DONE)
		status = db_fail(h, rc, "counting notifications", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_agency_webhook_set(db *h, const char *agency_code, const char *url,
                                  const char *secret, int64_t now, hoso_err *err)
{
	db_agency a;
	hoso_status status;
	db_lock(h);
	if ((status = db_agency_get(h, agency_code, &a, err)) != HOSO_OK)
		goto unlock;
	db_st *st = ostmt(h, OS_WEBHOOK_SET,
		"INSERT INTO agency_webhooks (agency_code, url, secret, updated_at) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (agency_code) DO UPDATE SET url = excluded.url, "
		"secret = excluded.secret, updated_at = excluded.updated_at", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, agency_code);
	db_bind_text(st, 2, url);
	db_bind_text(st, 3, secret);
	db_bind_int64(st, 4, now);
	status = db_step_done(h, st, "saving an agency webhook", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_agency_webhook_get(db *h, const char *agency_code, char *url, size_t url_size,
                                  char *secret, size_t secret_size, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_read_lock(h);
	db_st *st = ostmt(h, OS_WEBHOOK_GET,
		"SELECT url, secret FROM agency_webhooks WHERE agency_code = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, agency_code);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		db_col_text(st, 0, url, url_size);
		db_col_text(st, 1, secret, secret_size);
	} else if (rc == DB_DONE) {
		status = hoso_err_set(err, HOSO_NOT_FOUND, "no_webhook", "agency_code",
		                      "agency %s has no webhook", agency_code);
	} else {
		status = db_fail(h, rc, "reading an agency webhook", err);
	}
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}
