/* Passwords (Argon2id), logins with their lockout, and bearer tokens (stored as SHA-256
 * only). Accounts are made and changed in users.c. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_audit.h"
#include "log.h"
#include "text.h"
#include "trk_internal.h"

/* Argon2id at 19 MiB and 2 passes (OWASP's minimum for Argon2id): a login costs tens of
 * milliseconds, and the daemon's memory stays small when several log in at once. */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024u * 1024u)
#define PW_MIN 10
#define PW_MAX 256

/* Passwords too common to accept whatever their length (compared ignoring ASCII case). */
static const char *const common_passwords[] = {
	"password123", "password1234", "password12345", "passw0rd123", "1234567890",
	"12345678910", "0123456789", "0987654321", "1111111111", "0000000000", "1234512345",
	"123456789a", "a123456789", "abc1234567", "abcd123456", "qwertyuiop", "qwerty1234",
	"qwerty123456", "1q2w3e4r5t", "1qaz2wsx3edc", "asdfghjkl1", "iloveyou12", "matkhau123",
	"matkhau1234", "matkhau@123", "matkhaumoi", "anhyeuem123", "admin12345", "admin@1234",
	"administrator", "welcome123", "letmein123", "changeme123", "hoso123456", "vnpost123",
	"buudien123", "123456789@", "12345678@abc", NULL,
};

static bool common_password(const char *pw)
{
	for (size_t i = 0; common_passwords[i]; i++)
		if (strcasecmp(pw, common_passwords[i]) == 0)
			return true;
	return false;
}

bool trk_username_valid(const char *u)
{
	size_t n = strlen(u);
	if (n < 3 || n > 63)
		return false;
	for (const char *p = u; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return false;
	return true;
}

hoso_status trk_password_check(const char *password, hoso_err *err)
{
	size_t pwlen = strlen(password);
	if (pwlen < PW_MIN || pwlen > PW_MAX || !text_utf8_valid(password, pwlen))
		return hoso_err_set(err, HOSO_INVALID, "weak_password", "password",
		                    "password must be %d to %d bytes of UTF-8 text", PW_MIN, PW_MAX);
	if (common_password(password))
		return hoso_err_set(err, HOSO_INVALID, "common_password", "password",
		                    "this password is one of the most common ones and is guessed "
		                    "first: choose another");
	return HOSO_OK;
}

hoso_status trk_password_hash(const char *password, char out[160], hoso_err *err)
{
	if (crypto_pwhash_str_alg(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL,
		                    "not enough memory to hash the password");
	return HOSO_OK;
}

static void actor_from_user(const db_user *u, trk_actor *a)
{
	memset(a, 0, sizeof(*a));
	a->user_id = u->id;
	snprintf(a->username, sizeof(a->username), "%s", u->username);
	snprintf(a->role, sizeof(a->role), "%s", u->role);
	snprintf(a->agency_code, sizeof(a->agency_code), "%s", u->agency_code);
	snprintf(a->office_code, sizeof(a->office_code), "%s", u->office_code);
	snprintf(a->full_name, sizeof(a->full_name), "%s", u->full_name);
}

void trk_auth_init_dummy(trk *t)
{
	uint8_t pw[16];
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str_alg(t->dummy_hash, (const char *)pw, sizeof(pw), PW_OPSLIMIT,
	                          PW_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
		t->dummy_hash[0] = '\0';
}

static bool token_hash(const char *token, uint8_t out[32])
{
	if (!token || strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
		return false;
	crypto_hash_sha256(out, (const unsigned char *)token, 64);
	return true;
}

/* The key failures are counted under: the username when it could exist, else one shared
 * key (such names never log in, and their text may not be fit to store). */
static const char *lock_key(const char *username)
{
	return username && trk_username_valid(username) ? username : "(invalid)";
}

/* Audits a login outcome in the open transaction. */
static hoso_status audit_login(trk *t, int64_t user_id, const char *action, const char *key,
                               const char *client, json_int_t n, hoso_err *err)
{
	json_t *d = json_pack("{s:s, s:s}", "username", key, "client", client);
	if (d && n > 0)
		json_object_set_new(d, "failures", json_integer(n));
	return trk_audit_write(t->db, user_id, action, d, err);
}

int64_t trk_login_locked_until(trk *t, const char *username, int64_t now)
{
	int64_t nth = 0;
	if (db_login_failure_nth(t->db, lock_key(username), now - TRK_LOGIN_WINDOW_MS,
	                         TRK_LOGIN_MAX_FAILURES, &nth, NULL) != HOSO_OK || nth == 0 ||
	    nth + TRK_LOGIN_WINDOW_MS <= now)
		return 0;
	return nth + TRK_LOGIN_WINDOW_MS;
}

/* Seconds the username stays locked (0: not locked). */
static int locked_for(trk *t, const char *username, int64_t now)
{
	int64_t until = trk_login_locked_until(t, username, now);
	return until ? (int)((until - now + 999) / 1000) : 0;
}

/* Records a wrong password (and the lockout it may start) in one transaction. */
static void record_failure(trk *t, const db_user *u, const char *key, const char *client,
                           int64_t now)
{
	hoso_err err;
	hoso_err_clear(&err);
	int64_t uid = u ? u->id : 0, nth = 0;
	hoso_status st = db_begin(t->db, &err);
	if (st != HOSO_OK)
		goto fail;
	if ((st = db_login_failure_add(t->db, key, client, now, now - TRK_LOGIN_WINDOW_MS,
	                               &err)) == HOSO_OK &&
	    (st = audit_login(t, uid, "login_failed", key, client, 0, &err)) == HOSO_OK &&
	    (st = db_login_failure_nth(t->db, key, now - TRK_LOGIN_WINDOW_MS,
	                               TRK_LOGIN_MAX_FAILURES, &nth, &err)) == HOSO_OK &&
	    nth != 0) {
		log_warn("login: username \"%s\" locked for %d minutes after %d failures", key,
		         TRK_LOGIN_WINDOW_MS / 60000, TRK_LOGIN_MAX_FAILURES);
		st = audit_login(t, uid, "login_lockout", key, client, TRK_LOGIN_MAX_FAILURES,
		                 &err);
	}
	if (st != HOSO_OK) {
		db_rollback(t->db);
		goto fail;
	}
	if ((st = db_commit(t->db, &err)) == HOSO_OK)
		return;
fail:
	log_error("login: cannot record a failed login: %s", err.message);
}

hoso_status trk_login_from(trk *t, const char *username, const char *password,
                           const char *client, char token[65], trk_actor *actor,
                           int *retry_after, hoso_err *err)
{
	db_user u;
	int64_t now = trk_now_ms();
	const char *key = lock_key(username);
	client = client && text_utf8_valid(client, strlen(client)) ? client : "";
	*retry_after = locked_for(t, username, now);
	if (*retry_after > 0) {
		hoso_err aerr;
		if (trk_audit_note(t, 0, "login_locked",
		                   json_pack("{s:s, s:s, s:i}", "username", key, "client", client,
		                             "retry_after", *retry_after), &aerr) != HOSO_OK)
			log_error("login: cannot audit a locked login: %s", aerr.message);
		return hoso_err_set(err, HOSO_FORBIDDEN, "locked_out", "username",
		                    "too many wrong passwords for this username: it is locked for "
		                    "%d more seconds (%d minutes after %d failures)", *retry_after,
		                    TRK_LOGIN_WINDOW_MS / 60000, TRK_LOGIN_MAX_FAILURES);
	}
	hoso_err why;
	hoso_err_clear(&why);
	hoso_status got = username ? db_user_get_by_name(t->db, username, &u, &why) : HOSO_NOT_FOUND;
	if (got != HOSO_OK && got != HOSO_NOT_FOUND) {
		if (err)
			*err = why; /* the database, not the password: nothing is counted against it */
		return got;
	}
	bool found = got == HOSO_OK;
	size_t pwlen = password ? strlen(password) : 0;
	bool ok;
	if (found && !u.disabled && pwlen <= PW_MAX) {
		ok = crypto_pwhash_str_verify(u.pw_hash, password, pwlen) == 0;
	} else {
		/* Spend the same time on unknown users, so timing does not tell who exists. */
		if (crypto_pwhash_str_verify(t->dummy_hash, "x", 1) == 0)
			log_error("the dummy password hash matched");
		ok = false;
	}
	if (!ok) {
		log_warn("login refused for \"%.64s\"", key);
		record_failure(t, found ? &u : NULL, key, client, now);
		return hoso_err_set(err, HOSO_UNAUTHORIZED, "bad_credentials", NULL,
		                    "wrong username or password");
	}
	uint8_t raw[32], hash[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, 65, raw, sizeof(raw));
	token_hash(token, hash);
	hoso_status st = db_begin(t->db, err);
	if (st != HOSO_OK)
		return st;
	if ((st = db_token_insert(t->db, hash, u.id, now,
	                          now + (int64_t)t->cfg.token_hours * 3600 * 1000, err)) !=
	            HOSO_OK ||
	    (st = db_login_failures_clear(t->db, key, err)) != HOSO_OK ||
	    (st = audit_login(t, u.id, "login", key, client, 0, err)) != HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	if ((st = db_commit(t->db, err)) != HOSO_OK)
		return st;
	actor_from_user(&u, actor);
	return HOSO_OK;
}

hoso_status trk_login(trk *t, const char *username, const char *password, char token[65],
                      trk_actor *actor, hoso_err *err)
{
	int retry = 0;
	return trk_login_from(t, username, password, "", token, actor, &retry, err);
}

hoso_status trk_authenticate(trk *t, const char *token, trk_actor *actor, hoso_err *err)
{
	uint8_t hash[32];
	db_user u;
	hoso_err why;
	hoso_err_clear(&why);
	hoso_status st = token_hash(token, hash)
	                     ? db_token_lookup(t->db, hash, trk_now_ms(), &u, &why)
	                     : HOSO_NOT_FOUND;
	/* A database that cannot answer is not a wrong token: 503 keeps the session (and the
	 * desk's page) alive until it is back, where 401 would send everyone to sign in. */
	if (st != HOSO_OK && st != HOSO_NOT_FOUND) {
		if (err)
			*err = why;
		return st;
	}
	if (st != HOSO_OK || u.disabled)
		return hoso_err_set(err, HOSO_UNAUTHORIZED, "unauthenticated", NULL,
		                    "log in first: the token is missing, unknown or expired");
	actor_from_user(&u, actor);
	return HOSO_OK;
}

hoso_status trk_logout(trk *t, const char *token, hoso_err *err)
{
	uint8_t hash[32];
	if (!token_hash(token, hash))
		return HOSO_OK;
	hoso_status st = db_begin(t->db, err);
	if (st != HOSO_OK)
		return st;
	if ((st = db_token_delete(t->db, hash, err)) != HOSO_OK) {
		db_rollback(t->db);
		return st;
	}
	return db_commit(t->db, err);
}

json_t *trk_actor_json(const trk_actor *a)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "username", a->username, "role", a->role,
	                 "full_name", a->full_name, "agency_code",
	                 a->agency_code[0] ? a->agency_code : NULL, "office_code",
	                 a->office_code[0] ? a->office_code : NULL);
}
