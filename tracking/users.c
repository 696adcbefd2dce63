/* users.c — user accounts: added by an operator (`hoso user add`, the demo users) or by an
 * admin over the API, then listed, changed, deactivated and unlocked (trk_admin.h). Both
 * paths go through the same checks, so the command line and the admin page cannot drift. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_audit.h"
#include "log.h"
#include "text.h"
#include "trk_admin.h"
#include "trk_internal.h"
#include "trk_valid.h"

#define FULL_NAME_MAX 255 /* characters; the column holds 255 bytes, checked too */

static const char *const roles[] = {"clerk", "courier", "agency", "supervisor", "admin", NULL};

static bool valid_role(const char *r)
{
	for (size_t i = 0; roles[i]; i++)
		if (strcmp(r, roles[i]) == 0)
			return true;
	return false;
}

/* Clerks and couriers work from a post office: their dossiers and scans are placed there. */
static bool needs_office(const char *role)
{
	return strcmp(role, "clerk") == 0 || strcmp(role, "courier") == 0;
}

hoso_status trk_require_admin(const trk_actor *actor, hoso_err *err)
{
	if (actor && strcmp(actor->role, "admin") == 0)
		return HOSO_OK;
	return hoso_err_set(err, HOSO_FORBIDDEN, "forbidden_role", NULL,
	                    "only admins may do this");
}

/* Checks the role and what it binds the user to: an agency officer to one agency of the
 * catalogue (and nobody else to one), an office of the catalogue when one is given, and one
 * for clerks and couriers when require_office. */
static hoso_status check_bindings(trk *t, const db_user *u, bool require_office,
                                  hoso_err *err)
{
	if (!valid_role(u->role))
		return hoso_err_set(err, HOSO_INVALID, "invalid_role", "role",
		                    "role must be clerk, courier, agency, supervisor or admin");
	bool officer = strcmp(u->role, "agency") == 0;
	if (officer && !u->agency_code[0])
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "agency_code",
		                    "an agency officer must be bound to one agency: give its code");
	if (!officer && u->agency_code[0])
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "agency_code",
		                    "only agency officers are bound to an agency");
	if (u->agency_code[0]) {
		db_agency a;
		if (!trk_valid_agency_code(u->agency_code) ||
		    db_agency_get(t->db, u->agency_code, &a, NULL) != HOSO_OK)
			return hoso_err_set(err, HOSO_INVALID, "unknown_agency", "agency_code",
			                    "agency %.40s is not in the catalogue", u->agency_code);
	}
	if (require_office && needs_office(u->role) && !u->office_code[0])
		return hoso_err_set(err, HOSO_INVALID, "missing_field", "office_code",
		                    "a %s works from a post office: give its office code", u->role);
	if (u->office_code[0]) {
		db_office o;
		if (!trk_valid_office_code(u->office_code) ||
		    db_office_get(t->db, u->office_code, &o, NULL) != HOSO_OK)
			return hoso_err_set(err, HOSO_INVALID, "unknown_office", "office_code",
			                    "post office %.40s is not in the catalogue", u->office_code);
	}
	return HOSO_OK;
}

/* Hashes the password and stores u, with an audit row by actor_id (0: the operator). */
static hoso_status insert_user(trk *t, int64_t actor_id, db_user *u, const char *password,
                               hoso_err *err)
{
	hoso_status st = trk_password_hash(password, u->pw_hash, err);
	if (st != HOSO_OK)
		return st;
	u->created_at = trk_now_ms();
	if ((st = db_begin(t->db, err)) != HOSO_OK)
		return st;
	if ((st = db_user_insert(t->db, u, err)) == HOSO_OK &&
	    (st = trk_audit_write(t->db, actor_id, "user_add",
	                          json_pack("{s:s, s:I, s:s, s:s, s:s}", "username", u->username,
	                                    "new_user_id", (json_int_t)u->id, "role", u->role,
	                                    "agency_code", u->agency_code, "office_code",
	                                    u->office_code), err)) == HOSO_OK)
		st = db_commit(t->db, err);
	else
		db_rollback(t->db);
	if (st == HOSO_CONFLICT)
		return hoso_err_set(err, HOSO_CONFLICT, "user_exists", "username",
		                    "user %s already exists", u->username);
	if (st == HOSO_OK)
		log_info("user %s added with role %s", u->username, u->role);
	return st;
}

hoso_status trk_user_add(trk *t, const char *username, const char *password, const char *role,
                         const char *agency_code, const char *office_code,
                         const char *full_name, hoso_err *err)
{
	db_user u;
	memset(&u, 0, sizeof(u));
	full_name = full_name ? full_name : "";
	if (!trk_username_valid(username))
		return hoso_err_set(err, HOSO_INVALID, "invalid_username", "username",
		                    "username must be 3 to 63 characters of a-z, 0-9, '.', '_' "
		                    "or '-'");
	hoso_status st = trk_password_check(password, err);
	if (st != HOSO_OK)
		return st;
	snprintf(u.username, sizeof(u.username), "%s", username);
	snprintf(u.role, sizeof(u.role), "%s", role);
	snprintf(u.agency_code, sizeof(u.agency_code), "%s", agency_code ? agency_code : "");
	snprintf(u.office_code, sizeof(u.office_code), "%s", office_code ? office_code : "");
	if ((st = check_bindings(t, &u, false, err)) != HOSO_OK)
		return st;
	if (!text_utf8_valid(full_name, strlen(full_name)) || text_has_control(full_name) ||
	    strlen(full_name) >= sizeof(u.full_name))
		return hoso_err_set(err, HOSO_INVALID, "invalid_text", "full_name",
		                    "the full name must be UTF-8 text of at most 255 bytes");
	char *nfc = text_nfc(full_name);
	snprintf(u.full_name, sizeof(u.full_name), "%s", nfc ? nfc : full_name);
	free(nfc);
	return insert_user(t, 0, &u, password, err);
}

bool trk_user_exists(trk *t, const char *username)
{
	db_user u;
	return db_user_get_by_name(t->db, username, &u, NULL) == HOSO_OK;
}

/* ---- the admin page ------------------------------------------------------------------- */

static json_t *user_json(trk *t, const db_user *u, int64_t now)
{
	char created[32], until[32];
	trk_format_time(t, u->created_at, created);
	int64_t locked = trk_login_locked_until(t, u->username, now);
	if (locked)
		trk_format_time(t, locked, until);
	return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:b, s:b, s:s?, s:s}",
	                 "id", (json_int_t)u->id, "username", u->username, "role", u->role,
	                 "full_name", u->full_name,
	                 "office_code", u->office_code[0] ? u->office_code : NULL,
	                 "agency_code", u->agency_code[0] ? u->agency_code : NULL,
	                 "active", !u->disabled, "locked", locked != 0,
	                 "locked_until", locked ? until : NULL, "created_at", created);
}

/* *out = {"user": ...}. */
static hoso_status reply_user(trk *t, const db_user *u, json_t **out, hoso_err *err)
{
	json_t *j = user_json(t, u, trk_now_ms());
	*out = j ? json_pack("{s:o}", "user", j) : NULL;
	if (!*out)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL,
		                    "out of memory describing user %s", u->username);
	return HOSO_OK;
}

static hoso_status load_user(trk *t, int64_t id, db_user *u, hoso_err *err)
{
	hoso_status st = db_user_get(t->db, id, u, err);
	if (st == HOSO_NOT_FOUND)
		return hoso_err_set(err, HOSO_NOT_FOUND, "unknown_user", "id",
		                    "user %lld does not exist", (long long)id);
	return st;
}

hoso_status trk_users_list(trk *t, const trk_actor *actor, json_t **out, hoso_err *err)
{
	*out = NULL;
	hoso_status st = trk_require_admin(actor, err);
	if (st != HOSO_OK)
		return st;
	db_user *users = NULL;
	size_t n = 0;
	if ((st = db_user_list(t->db, &users, &n, err)) != HOSO_OK)
		return st;
	int64_t now = trk_now_ms();
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		if (json_array_append_new(list, user_json(t, &users[i], now)) != 0) {
			json_decref(list);
			list = NULL;
		}
	free(users);
	*out = list ? json_pack("{s:o}", "users", list) : NULL;
	if (!*out)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	return HOSO_OK;
}

/* The password of body, checked, or NULL when absent and !required. Kept byte for byte:
 * no trimming or normalising, or the user could not type it again. */
static hoso_status read_password(const json_t *body, bool required, const char **pw,
                                 hoso_err *err)
{
	*pw = NULL;
	json_t *v = json_object_get(body, "password");
	if (!v || json_is_null(v))
		return required ? hoso_err_set(err, HOSO_INVALID, "missing_field", "password",
		                               "password is required")
		                : HOSO_OK;
	if (!json_is_string(v))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", "password",
		                    "password must be a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return hoso_err_set(err, HOSO_INVALID, "invalid_text", "password",
		                    "password contains a NUL character");
	*pw = json_string_value(v);
	return trk_password_check(*pw, err);
}

/* An optional office or agency code; null or "" clears it (checked by check_bindings). */
static hoso_status read_code(const json_t *body, const char *key, char *buf, size_t size,
                             hoso_err *err)
{
	return trk_field_string(body, NULL, key, false, size - 1, buf, size, err);
}

static const char *const create_fields[] = {"username", "password", "role", "full_name",
                                            "office_code", "agency_code", NULL};

hoso_status trk_users_create(trk *t, const trk_actor *actor, const json_t *body,
                             json_t **out, hoso_err *err)
{
	*out = NULL;
	db_user u;
	memset(&u, 0, sizeof(u));
	const char *password = NULL;
	hoso_status st;
	if ((st = trk_require_admin(actor, err)) != HOSO_OK ||
	    (st = trk_field_only(body, NULL, create_fields, err)) != HOSO_OK ||
	    (st = trk_field_string(body, NULL, "username", true, sizeof(u.username) - 1,
	                           u.username, sizeof(u.username), err)) != HOSO_OK)
		return st;
	if (!trk_username_valid(u.username))
		return hoso_err_set(err, HOSO_INVALID, "invalid_username", "username",
		                    "username must be 3 to 63 characters of a-z, 0-9, '.', '_' "
		                    "or '-'");
	if ((st = read_password(body, true, &password, err)) != HOSO_OK ||
	    (st = trk_field_enum(body, NULL, "role", roles, NULL, u.role, sizeof(u.role), err)) !=
	            HOSO_OK ||
	    (st = trk_field_string(body, NULL, "full_name", true, FULL_NAME_MAX, u.full_name,
	                           sizeof(u.full_name), err)) != HOSO_OK ||
	    (st = read_code(body, "office_code", u.office_code, sizeof(u.office_code), err)) !=
	            HOSO_OK ||
	    (st = read_code(body, "agency_code", u.agency_code, sizeof(u.agency_code), err)) !=
	            HOSO_OK ||
	    (st = check_bindings(t, &u, true, err)) != HOSO_OK ||
	    (st = insert_user(t, actor->user_id, &u, password, err)) != HOSO_OK)
		return st;
	return reply_user(t, &u, out, err);
}

/* Applies the fields body has to u, the stored user (not the password). */
static hoso_status apply_changes(const json_t *body, db_user *u, hoso_err *err)
{
	hoso_status st;
	bool active = !u->disabled;
	if (json_object_get(body, "role") &&
	    (st = trk_field_enum(body, NULL, "role", roles, NULL, u->role, sizeof(u->role),
	                         err)) != HOSO_OK)
		return st;
	if (json_object_get(body, "full_name") &&
	    (st = trk_field_string(body, NULL, "full_name", true, FULL_NAME_MAX, u->full_name,
	                           sizeof(u->full_name), err)) != HOSO_OK)
		return st;
	if (json_object_get(body, "office_code") &&
	    (st = read_code(body, "office_code", u->office_code, sizeof(u->office_code), err)) !=
	            HOSO_OK)
		return st;
	if (json_object_get(body, "agency_code")) {
		if ((st = read_code(body, "agency_code", u->agency_code, sizeof(u->agency_code),
		                    err)) != HOSO_OK)
			return st;
	} else if (strcmp(u->role, "agency") != 0) {
		u->agency_code[0] = '\0'; /* an officer leaves the agency with the role */
	}
	if ((st = trk_field_bool(body, NULL, "active", active, &active, err)) != HOSO_OK)
		return st;
	u->disabled = !active;
	return HOSO_OK;
}

static const char *const update_fields[] = {"role", "full_name", "active", "password",
                                            "office_code", "agency_code", NULL};

/* The audit row of an update: which fields were sent (never the password itself). */
static json_t *update_detail(const json_t *body, const db_user *u, int64_t ended)
{
	json_t *fields = json_array();
	for (size_t i = 0; fields && update_fields[i]; i++)
		if (json_object_get(body, update_fields[i]))
			json_array_append_new(fields, json_string(update_fields[i]));
	return json_pack("{s:I, s:s, s:o, s:s, s:b, s:I}", "user_id", (json_int_t)u->id,
	                 "username", u->username, "fields", fields, "role", u->role, "active",
	                 !u->disabled, "sessions_ended", (json_int_t)ended);
}

/* The update inside the open transaction: reads the user, applies body (and pw_hash, the
 * new password's hash, when not NULL), checks, stores, ends sessions, audits. */
static hoso_status change_user(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                               const char *pw_hash, db_user *u, hoso_err *err)
{
	db_user old;
	hoso_status st;
	if ((st = load_user(t, id, &old, err)) != HOSO_OK)
		return st;
	*u = old;
	if ((st = apply_changes(body, u, err)) != HOSO_OK)
		return st;
	/* The acting admin is active and an admin: keeping them so means one always remains. */
	if (actor->user_id == id && u->disabled)
		return hoso_err_set(err, HOSO_INVALID, "self_lockout", "active",
		                    "you cannot deactivate your own account: another admin must");
	if (actor->user_id == id && strcmp(u->role, "admin") != 0)
		return hoso_err_set(err, HOSO_INVALID, "self_lockout", "role",
		                    "you cannot give up your own admin role: another admin must "
		                    "change it");
	bool role_changed = strcmp(u->role, old.role) != 0;
	bool require_office = role_changed || json_object_get(body, "office_code");
	if ((st = check_bindings(t, u, require_office, err)) != HOSO_OK)
		return st;
	if (pw_hash)
		snprintf(u->pw_hash, sizeof(u->pw_hash), "%s", pw_hash);
	int64_t ended = 0;
	if ((st = db_user_update(t->db, u, err)) != HOSO_OK ||
	    ((pw_hash || role_changed || u->disabled) &&
	     (st = db_tokens_delete_user(t->db, id, &ended, err)) != HOSO_OK) ||
	    (st = trk_audit_write(t->db, actor->user_id, "user_update",
	                          update_detail(body, u, ended), err)) != HOSO_OK)
		return st;
	if (ended)
		log_info("user %s changed by %s: %lld session(s) ended", u->username,
		         actor->username, (long long)ended);
	return HOSO_OK;
}

hoso_status trk_users_update(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                             json_t **out, hoso_err *err)
{
	*out = NULL;
	db_user u;
	const char *password = NULL;
	char pw_hash[sizeof(u.pw_hash)];
	hoso_status st;
	/* the slow hash is made before the transaction, which holds every other writer */
	if ((st = trk_require_admin(actor, err)) != HOSO_OK ||
	    (st = trk_field_only(body, NULL, update_fields, err)) != HOSO_OK ||
	    (st = read_password(body, false, &password, err)) != HOSO_OK ||
	    (password && (st = trk_password_hash(password, pw_hash, err)) != HOSO_OK) ||
	    (st = db_begin(t->db, err)) != HOSO_OK)
		return st;
	if ((st = change_user(t, actor, id, body, password ? pw_hash : NULL, &u, err)) !=
	    HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	if ((st = db_commit(t->db, err)) != HOSO_OK)
		return st;
	return reply_user(t, &u, out, err);
}

hoso_status trk_users_unlock(trk *t, const trk_actor *actor, int64_t id, json_t **out,
                             hoso_err *err)
{
	*out = NULL;
	db_user u;
	hoso_status st;
	if ((st = trk_require_admin(actor, err)) != HOSO_OK ||
	    (st = load_user(t, id, &u, err)) != HOSO_OK)
		return st;
	bool was_locked = trk_login_locked_until(t, u.username, trk_now_ms()) != 0;
	if ((st = db_begin(t->db, err)) != HOSO_OK)
		return st;
	if ((st = db_login_failures_clear(t->db, u.username, err)) != HOSO_OK ||
	    (st = trk_audit_write(t->db, actor->user_id, "user_unlock",
	                          json_pack("{s:I, s:s, s:b}", "user_id", (json_int_t)u.id,
	                                    "username", u.username, "was_locked", was_locked),
	                          err)) != HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	if ((st = db_commit(t->db, err)) != HOSO_OK)
		return st;
	return reply_user(t, &u, out, err);
}
