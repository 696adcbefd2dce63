/* users.c — accounts and hashed bearer tokens. */
#include "db_internal.h"

#include <string.h>

#define USER_COLS \
	"u.id, u.username, u.role, u.agency_code, u.office_code, u.full_name, u.pw_hash, " \
	"u.created_at, u.disabled"

static void read_user(db_st *st, db_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = db_col_int64(st, 0);
	db_col_text(st, 1, u->username, sizeof(u->username));
	db_col_text(st, 2, u->role, sizeof(u->role));
	db_col_text(st, 3, u->agency_code, sizeof(u->agency_code));
	db_col_text(st, 4, u->office_code, sizeof(u->office_code));
	db_col_text(st, 5, u->full_name, sizeof(u->full_name));
	db_col_text(st, 6, u->pw_hash, sizeof(u->pw_hash));
	u->created_at = db_col_int64(st, 7);
	u->disabled = db_col_int(st, 8) != 0;
}

/* Steps a statement expected to yield at most one user row. */
static hoso_status fetch_user(db *h, db_st *st, db_user *out, const char *what,
                              const char *not_found, hoso_err *err)
{
	int rc = db_step(st);
	if (rc == DB_ROW) {
		read_user(st, out);
		return HOSO_OK;
	}
	if (rc == DB_DONE)
		return hoso_err_set(err, HOSO_NOT_FOUND, "not_found", NULL, "%s", not_found);
	return db_fail(h, rc, what, err);
}

hoso_status db_user_insert(db *h, db_user *u, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_USER_INSERT,
		"INSERT INTO users (username, role, agency_code, office_code, full_name, pw_hash, "
		"created_at, disabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, u->username);
	db_bind_text(st, 2, u->role);
	db_bind_text(st, 3, u->agency_code);
	db_bind_text(st, 4, u->office_code);
	db_bind_text(st, 5, u->full_name);
	db_bind_text(st, 6, u->pw_hash);
	db_bind_int64(st, 7, u->created_at);
	db_bind_int64(st, 8, u->disabled ? 1 : 0);
	status = db_step_id(h, st, "adding a user", &u->id, err);
	if (status == HOSO_CONFLICT)
		hoso_err_set(err, HOSO_CONFLICT, "user_exists", "username",
		             "user %s already exists", u->username);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* Updates role, bindings, full name, password hash and the disabled flag. */
hoso_status db_user_update(db *h, const db_user *u, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_USER_UPDATE,
		"UPDATE users SET role = ?2, agency_code = ?3, office_code = ?4, full_name = ?5, "
		"pw_hash = ?6, disabled = ?7 WHERE username = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, u->username);
	db_bind_text(st, 2, u->role);
	db_bind_text(st, 3, u->agency_code);
	db_bind_text(st, 4, u->office_code);
	db_bind_text(st, 5, u->full_name);
	db_bind_text(st, 6, u->pw_hash);
	db_bind_int64(st, 7, u->disabled ? 1 : 0);
	status = db_step_done(h, st, "updating a user", err);
	if (status == HOSO_OK && db_changes(h) == 0)
		status = hoso_err_set(err, HOSO_NOT_FOUND, "unknown_user", "username",
		                      "user %s does not exist", u->username);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

hoso_status db_user_get_by_name(db *h, const char *username, db_user *out, hoso_err *err)
{
	hoso_status status;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_USER_GET_BY_NAME,
		"SELECT " USER_COLS " FROM users u WHERE u.username = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_text(st, 1, username);
	status = fetch_user(h, st, out, "reading a user", "no such user", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_user_get(db *h, int64_t id, db_user *out, hoso_err *err)
{
	hoso_status status;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_USER_GET,
		"SELECT " USER_COLS " FROM users u WHERE u.id = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, id);
	status = fetch_user(h, st, out, "reading a user", "no such user", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_token_insert(db *h, const uint8_t hash[32], int64_t user_id,
                            int64_t created_at, int64_t expires_at, hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_TOKEN_INSERT,
		"INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
		err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_blob(st, 1, hash, 32);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, created_at);
	db_bind_int64(st, 4, expires_at);
	status = db_step_done(h, st, "saving a token", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

/* A disabled user's tokens are treated as unknown. */
hoso_status db_token_lookup(db *h, const uint8_t hash[32], int64_t now, db_user *out,
                            hoso_err *err)
{
	hoso_status status;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_TOKEN_LOOKUP,
		"SELECT " USER_COLS " FROM tokens t JOIN users u ON u.id = t.user_id "
		"WHERE t.hash = ?1 AND t.expires_at > ?2 AND u.disabled = 0", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_blob(st, 1, hash, 32);
	db_bind_int64(st, 2, now);
	status = fetch_user(h, st, out, "checking a token", "unknown or expired token", err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

hoso_status db_token_delete(db *h, const uint8_t hash[32], hoso_err *err)
{
	hoso_status status;
	db_lock(h);
	db_st *st = db_stmt(h, ST_TOKEN_DELETE, "DELETE FROM tokens WHERE hash = ?1", err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_blob(st, 1, hash, 32);
	status = db_step_done(h, st, "deleting a token", err);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}

static void read_user_row(db_st *st, void *row)
{
	read_user(st, row);
}

hoso_status db_user_list(db *h, db_user **out, size_t *n, hoso_err *err)
{
	void *rows = NULL;
	*n = 0;
	db_read_lock(h);
	db_st *st = db_stmt(h, ST_USER_LIST,
		"SELECT " USER_COLS " FROM users u ORDER BY u.id", err);
	hoso_status status = st ? db_collect(h, st, sizeof(db_user), read_user_row, &rows, n,
	                                     "listing users", err)
	                        : db_prep_failed(err);
	db_stmt_done(st);
	db_read_unlock(h);
	*out = rows;
	return status;
}

hoso_status db_courier_list(db *h, const char *office_code, db_user **out, size_t *n,
                            hoso_err *err)
{
	void *rows = NULL;
	*n = 0;
	db_read_lock(h);
	/* ?1 = '' lists every office's couriers (a clerk without an office, a supervisor). */
	db_st *st = db_stmt(h, ST_COURIER_LIST,
		"SELECT " USER_COLS " FROM users u WHERE u.role = 'courier' AND u.disabled = 0 "
		"AND (?1 = '' OR u.office_code = ?1) ORDER BY u.office_code, u.full_name, u.username",
		err);
	if (st)
		db_bind_text(st, 1, office_code ? office_code : "");
	hoso_status status = st ? db_collect(h, st, sizeof(db_user), read_user_row, &rows, n,
	                                     "listing couriers", err)
	                        : db_prep_failed(err);
	db_stmt_done(st);
	db_read_unlock(h);
	*out = rows;
	return status;
}

hoso_status db_tokens_delete_user(db *h, int64_t user_id, int64_t *count, hoso_err *err)
{
	hoso_status status;
	if (count)
		*count = 0;
	db_lock(h);
	db_st *st = db_stmt(h, ST_TOKEN_DELETE_USER, "DELETE FROM tokens WHERE user_id = ?1",
	                           err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	db_bind_int64(st, 1, user_id);
	status = db_step_done(h, st, "ending a user's sessions", err);
	if (status == HOSO_OK && count)
		*count = db_changes(h);
	db_stmt_done(st);
unlock:
	db_unlock(h);
	return status;
}
