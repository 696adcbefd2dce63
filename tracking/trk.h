/* trk.h — hoso's use cases. Each public function runs one use case in one transaction on the
 * db handle given to trk_create(), applies the rules, and answers with JSON (jansson) or a
 * plain struct. HTTP handlers and CLI commands call these and nothing below them. */
#ifndef HOSO_TRK_H
#define HOSO_TRK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "hoso.h"
#include "trk_calendar.h"

typedef struct trk_config {
	char submission_prefix[3];   /* S10 letters of submission items, default "DH" */
	char result_prefix[3];       /* S10 letters of result items, default "DK" */
	char country[3];             /* "VN" */
	char public_base_url[256];   /* base of the QR tracking URL, no trailing slash */
	int tz_offset_minutes;       /* local time east of UTC, 420 for Vietnam */
	int token_hours;             /* bearer token lifetime */
	char class1_provinces[1024]; /* comma-separated provinces with special or class-I cities */
} trk_config;

/* Fills cfg with the defaults above. */
void trk_config_defaults(trk_config *cfg);

typedef struct trk trk;

/* Binds the use cases to an open database and a calendar (both borrowed, must outlive the
 * trk). Reads or creates the secret serial key. */
hoso_status trk_create(db *dbh, trk_calendar *cal, const trk_config *cfg, trk **out,
                       hoso_err *err);

/* Frees it; NULL is accepted. */
void trk_destroy(trk *t);

/* Sets the base of tracking URLs once the daemon knows its address (before serving). */
void trk_set_public_base_url(trk *t, const char *url);

/* The configuration in force. */
const trk_config *trk_get_config(const trk *t);

/* Who is acting: the authenticated user. */
typedef struct trk_actor {
	int64_t user_id;
	char username[64];
	char role[16];
	char agency_code[32];
	char office_code[16];
	char full_name[256];
} trk_actor;

/* ---- users and sessions (users.c, auth.c; the admin page's in trk_admin.h) ----------- */

/* Creates a user with an Argon2id password hash, and an audit row. Validates username (3-64
 * of [a-z0-9._-]), password (10-256 bytes, not a very common one), role, and that the
 * agency/office exists when given. */
hoso_status trk_user_add(trk *t, const char *username, const char *password, const char *role,
                         const char *agency_code, const char *office_code,
                         const char *full_name, hoso_err *err);

/* True when the username exists. */
bool trk_user_exists(trk *t, const char *username);

/* Checks a password and issues a bearer token (64 hex chars into token[65]); only its hash
 * is stored. HOSO_UNAUTHORIZED with one message for every kind of failure. */
hoso_status trk_login(trk *t, const char *username, const char *password, char token[65],
                      trk_actor *actor, hoso_err *err);

/* Lockout: this many wrong passwords for one username within TRK_LOGIN_WINDOW_MS lock
 * that username for TRK_LOGIN_WINDOW_MS after the last of them. */
#define TRK_LOGIN_MAX_FAILURES 5
#define TRK_LOGIN_WINDOW_MS (15 * 60 * 1000)

/* trk_login for a request from client (an address, "" when unknown), with the lockout above
 * and an audit row for every success, failure and refusal. A locked username (even with the
 * right password) gets HOSO_FORBIDDEN, code "locked_out" and *retry_after > 0 (seconds). */
hoso_status trk_login_from(trk *t, const char *username, const char *password,
                           const char *client, char token[65], trk_actor *actor,
                           int *retry_after, hoso_err *err);

/* Resolves a bearer token to its user; HOSO_UNAUTHORIZED when unknown or expired. */
hoso_status trk_authenticate(trk *t, const char *token, trk_actor *actor, hoso_err *err);

/* Revokes a token. */
hoso_status trk_logout(trk *t, const char *token, hoso_err *err);

/* The public JSON of an actor: {"username", "role", "full_name", "agency_code", "office_code"}. */
json_t *trk_actor_json(const trk_actor *a);

/* ---- audit trail (audit.c) ----------------------------------------------------------- */

/* Names who runs this process for audit rows without a logged-in user (operator commands:
 * "cli uid 1000 (ops)"); "" (the default) for the daemon. Call before other threads start. */
void trk_set_operator(const char *who);

/* Records a write the API refused (any POST answered 4xx), in its own transaction. Never
 * fails: a problem is logged. actor is NULL when nobody was logged in. */
void trk_audit_refused(trk *t, const trk_actor *actor, const char *route, unsigned status,
                       const char *code, const char *client);

/* Records one event in its own transaction (detail: a JSON object, stolen; may be NULL). */
hoso_status trk_audit_note(trk *t, int64_t user_id, const char *action, json_t *detail,
                           hoso_err *err);

/* {"entries": [...], "next": cursor|null}, newest first, for supervisors and admins.
 * limit: 1-500 (default 50); before: the cursor of the previous page. */
hoso_status trk_audit_list(trk *t, const trk_actor *actor, const char *limit,
                           const char *before, json_t **out, hoso_err *err);

/* ---- catalogue ---------------------------------------------------------------------- */

/* {"procedures": [...]} matching q by code prefix or by name ignoring diacritics and case. */
hoso_status trk_procedure_search(trk *t, const char *q, size_t limit, json_t **out,
                                 hoso_err *err);

/* ---- dossiers (dossier.c) ------------------------------------------------------------ */

/* Accepts a dossier at the counter (clerk): validates the request body, creates the dossier,
 * its item(s) with S10 numbers and their first events, in one transaction. *created is false
 * when the request repeats an earlier one with the same client_id (same answer, nothing new
 * written). */
hoso_status trk_dossier_accept(trk *t, const trk_actor *actor, const json_t *body,
                               json_t **out, bool *created, hoso_err *err);

/* One dossier with its items. Agency officers see only their agency's dossiers. */
hoso_status trk_dossier_get(trk *t, const trk_actor *actor, int64_t id, json_t **out,
                            hoso_err *err);

typedef struct trk_dossier_query {
	const char *office_code;
	const char *agency_code;
	const char *date_from;
	const char *date_to;
	const char *state;
	const char *before;    /* cursor from the previous page */
	const char *limit;
} trk_dossier_query;

/* {"dossiers": [...], "next": cursor|null}; parameters validated, naming the bad one. */
hoso_status trk_dossier_list(trk *t, const trk_actor *actor, const trk_dossier_query *q,
                             json_t **out, hoso_err *err);

/* One item: {"tracking_number", "role", "state", "dossier_id", ...}. tn may be a QR URL. */
hoso_status trk_item_get(trk *t, const trk_actor *actor, const char *tn, json_t **out,
                         hoso_err *err);

/* Everything printed about one item: the item and the rows it refers to. */
typedef struct trk_item_view {
	db_item item;
	db_dossier dossier;
	db_procedure procedure;
	db_agency agency;
	db_office office;
	char qr_url[320];
	char accepted_vn[11];  /* DD/MM/YYYY */
	char accepted_at_vn[20]; /* HH:MM DD/MM/YYYY */
	char due_vn[11];
	char clerk_name[256];
} trk_item_view;

/* Loads an item's view (heap: free() it). actor may be NULL for operator commands. */
hoso_status trk_item_view_load(trk *t, const trk_actor *actor, const char *tn,
                               trk_item_view **out, hoso_err *err);

/* The view of a dossier's first item (submission if any), for its consignment note. */
hoso_status trk_dossier_view_load(trk *t, const trk_actor *actor, int64_t id,
                                  trk_item_view **out, hoso_err *err);

/* The views of every item of a dossier (submission first, at most 2; free() each), after
 * the access check of GET /api/v1/dossiers/{id}: 404 unknown_dossier, 403 other_agency. */
hoso_status trk_dossier_views_load(trk *t, const trk_actor *actor, int64_t id,
                                   trk_item_view *out[2], size_t *n, hoso_err *err);

/* {"status": "ok", "schema_version": N} when the database answers. */
hoso_status trk_health(trk *t, json_t **out, hoso_err *err);

/* The database writer's counters since start (for /metrics). */
void trk_writer_stats(trk *t, db_writer_stats *out);

/* The item's events: {"tracking_number", "events": [...]}. */
hoso_status trk_item_events(trk *t, const trk_actor *actor, const char *tn, json_t **out,
                            hoso_err *err);

#endif
