/* events.c — the append-only event log of items, and the outbox of notifications. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_COLS \
	"seq, id, tracking_number, type, state_from, state_to, user_id, username, place, " \
	"from_party, to_party, server_time, device_time, data, request_digest, prev_hash, hash"

static void read_event(db_st *st, db_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = db_col_int64(st, 0);
	db_col_text(st, 1, ev->id, sizeof(ev->id));
	db_col_text(st, 2, ev->tracking_number, sizeof(ev->tracking_number));
	db_col_text(st, 3, ev->type, sizeof(ev->type));
	db_col_text(st, 4, ev->state_from, sizeof(ev->state_from));
	db_col_text(st, 5, ev->state_to, sizeof(ev->state_to));
	ev->user_id = db_col_int64(st, 6);
	db_col_text(st, 7, ev->username, sizeof(ev->username));
	db_col_text(st, 8, ev->place, sizeof(ev->place));
	db_col_text(st, 9, ev->from_party, sizeof(ev->from_party));
	db_col_text(st, 10, ev->to_party, sizeof(ev->to_party));
	ev->server_time = db_col_int64(st, 11);
	ev->device_time = db_col_int64(st, 12);
	db_col_text(st, 13, ev->data, sizeof(ev->data));
	db_col_text(st, 14, ev->request_digest, sizeof(ev->request_digest));
	db_col_hash(st, 15, ev->prev_hash);
	db_col_hash(st, 16, ev->hash);
}

hoso_status db_event_insert(db *h, db_event *ev, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_EVENT_INSERT,
		"INSERT INTO events (id, tracking_number, type, state_from, state_to, user_id, "
		"username, place, from_party, to_party, server_time, device_time, data, "
		"request_digest, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13, ?14, ?15, ?16) RETURNING seq", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, ev->id);
	db_bind_text(st, 2, ev->tracking_number);
	db_bind_text(st, 3, ev->type);
	db_bind_text(st, 4, ev->state_from);
	db_bind_text(st, 5, ev->state_to);
	db_bind_int64(st, 6, ev->user_id);
	db_bind_text(st, 7, ev->username);
	db_bind_text(st, 8, ev->place);
	db_bind_text(st, 9, ev->from_party);
	db_bind_text(st, 10, ev->to_party);
	db_bind_int64(st, 11, ev->server_time);
	db_bind_int64(st, 12, ev->device_time);
	db_bind_text(st, 13, ev->data[0] ? ev->data : "{}");
	db_bind_text(st, 14, ev->request_digest);
	db_bind_blob(st, 15, ev->prev_hash, 32);
	db_bind_blob(st, 16, ev->hash, 32);
	status = db_step_id(h, st, "recording an event", &ev->seq, err);
	if (status == HOSO_CONFLICT)
		hoso_err_set(err, HOSO_CONFLICT, "duplicate_event", "id",
		             "event %s is already recorded", ev->id);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_event_find(db *h, const char *id, db_event *out, bool *found, hoso_err *err)
{
	hoso_status status = HOSO_OK;
	*found = false;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_EVENT_GET,
		"SELECT " EVENT_COLS " FROM events WHERE id = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		read_event(st, out);
		*found = true;
	} else if (rc != DB_DONE) {
		status = db_fail(h, rc, "reading an event", err);
	}
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_event_get(db *h, const char *id, db_event *out, hoso_err *err)
{
	bool found;
	hoso_status status = db_event_find(h, id, out, &found, err);
	if (status == HOSO_OK && !found)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_event", NULL,
		                      "event %s has not been recorded", id);
	return status;
}

hoso_status db_events_of_item(db *h, const char *tracking_number, db_event **out, size_t *n,
                              hoso_err *err)
{
	*out = NULL;
	*n = 0;
	hoso_status status = HOSO_OK;
	size_t cap = 4, count = 0;
	db_event *rows = calloc(cap, sizeof(*rows));
	if (!rows)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
		                    "reading events: out of memory");
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_EVENTS_OF_ITEM,
		"SELECT " EVENT_COLS " FROM events WHERE tracking_number = ?1 ORDER BY seq", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, tracking_number);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (count == cap) {
			db_event *grown = realloc(rows, cap * 2 * sizeof(*rows));
			if (!grown) {
				status = hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
				                      "reading events: out of memory");
				goto reset;
			}
			rows = grown;
			cap *= 2;
		}
		read_event(st, &rows[count++]);
	}
	if (rc != DB_DONE)
		status = db_fail(h, rc, "reading events", err);
reset:
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

/* The walk reads one snapshot: fn's reads (db_item_get ...) go to the walk's connection
 * (the thread is marked as its owner), and the handle is held throughout. On SQLite one
 * statement runs to the end; on PostgreSQL, where one result would hold every event of a
 * nation in memory, pages of WALK_PAGE events follow the index inside one REPEATABLE READ
 * transaction. Not for a handle whose writers are open (the daemon's): commands only. */
#define WALK_PAGE 4096

static hoso_status walk(db *h, db_st *st, bool paged, bool (*fn)(const db_event *, void *),
                        void *ctx, db_event *ev, hoso_err *err)
{
	char last_tn[sizeof(ev->tracking_number)] = "";
	int64_t last_seq = 0;
	for (;;) {
		if (paged) {
			db_bind_text(st, 1, last_tn);
			db_bind_int64(st, 2, last_seq);
		}
		int rc, rows = 0;
		while ((rc = db_step(st)) == DB_ROW) {
			read_event(st, ev);
			rows++;
			if (!fn(ev, ctx))
				return HOSO_OK;
		}
		if (rc != DB_DONE)
			return db_fail(h, rc, "reading events", err);
		if (!paged || rows < WALK_PAGE)
			return HOSO_OK;
		snprintf(last_tn, sizeof(last_tn), "%s", ev->tracking_number);
		last_seq = ev->seq;
		db_stmt_done(st);
	}
}

hoso_status db_events_each(db *h, bool (*fn)(const db_event *ev, void *ctx), void *ctx,
                           hoso_err *err)
{
	hoso_status status = HOSO_OK;
	db_event *ev = malloc(sizeof(*ev));
	if (!ev)
		return hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
		                    "reading events: out of memory");
	db_lock(h);
	if (h->in_txn || h->group_open) {
		status = hoso_err_set(err, HOSO_INTERNAL, "db_error", NULL,
		                      "reading events: writes are open on this handle (a bug in the "
		                      "caller: the walk is for commands)");
		goto unlock;
	}
	bool pg = db_is_pg(h);
	int rc;
	if (pg && (rc = db_exec(h, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")) != DB_OK) {
		status = db_fail(h, rc, "reading events", err);
		goto unlock;
	}
	db_txn_owner(h);
	db_st *st = db_st_prepare(h, pg ? "SELECT " EVENT_COLS " FROM events WHERE "
	                                  "(tracking_number, seq) > (?1, ?2) "
	                                  "ORDER BY tracking_number, seq LIMIT 4096"
	                                : "SELECT " EVENT_COLS " FROM events "
	                                  "ORDER BY tracking_number, seq", err);
	_Static_assert(WALK_PAGE == 4096, "the LIMIT above");
	status = st ? walk(h, st, pg, fn, ctx, ev, err) : db_prep_failed(err);
	db_st_free(st);
	db_txn_owner(NULL);
	if (pg)
		db_exec(h, "COMMIT"); /* a read: nothing to keep */
unlock:
	db_unlock(h);
	free(ev);
	return status;
}

/* ---- outbox ------------------------------------------------------------------------- */

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (s && strcmp(s, *set) == 0)
			return true;
	return false;
}

hoso_status db_outbox_insert(db *h, const char *kind, const char *target,
                             const char *payload_json, int64_t created_at, hoso_err *err)
{
	static const char *const kinds[] = {"sms", "webhook", "portal", NULL};
	if (!one_of(kind, kinds))
		return hoso_err_set(err, HOSO_INVALID, "invalid_kind", "kind",
		                    "unknown outbox kind \"%s\": use sms, webhook or portal",
		                    kind ? kind : "(null)");
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_OUTBOX_INSERT,
		"INSERT INTO outbox (kind, target, payload, next_attempt_at, created_at, idem_key) "
		"VALUES (?1, ?2, ?3, ?4, ?4, lower(hex(randomblob(16))))", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, target ? target : "");
	db_bind_text(st, 3, payload_json ? payload_json : "{}");
	db_bind_int64(st, 4, created_at);
	status = db_step_done(h, st, "queueing a notification", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_outbox_count(db *h, const char *state, int64_t *count, hoso_err *err)
{
	static const char *const states[] = {"pending", "sent", "failed", NULL};
	*count = 0;
	if (!one_of(state, states))
		return hoso_err_set(err, HOSO_INVALID, "invalid_state", "state",
		                    "unknown outbox state \"%s\": use pending, sent or failed",
		                    state ? state : "(null)");
	hoso_status status = HOSO_OK;
	db_lock(h);
	db_st *st = db_stmt(h, ST_OUTBOX_COUNT,
		"SELECT count(*) FROM outbox WHERE state = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, state);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*count = db_col_int64(st, 0);
	else
		status = db_fail(h, rc, "counting notifications", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}
