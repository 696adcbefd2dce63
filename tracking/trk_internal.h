/* trk_internal.h — what the use-case files of tracking/ share; not for other modules. */
#ifndef HOSO_TRK_INTERNAL_H
#define HOSO_TRK_INTERNAL_H

#include "trk.h"
#include "db_custody.h"
#include "trk_chain.h"
#include "trk_machine.h"
#include "trk_perm.h"

struct trk {
	db *db;                 /* borrowed */
	trk_calendar *cal;      /* borrowed */
	trk_config cfg;
	trk_perm *perm_sub;     /* owned: serial permutation of submission numbers */
	trk_perm *perm_res;     /* owned: the result prefix's own, so that the two numbers
	                         * of one dossier do not share a serial */
	char dummy_hash[160];   /* verified against for unknown users, to even out timing */
	struct trk_comp_cache *comps; /* owned: procedures' component lists, parsed once */
};

/* Prepares the dummy password hash used when a login names an unknown user. */
void trk_auth_init_dummy(trk *t);

/* Whether u can be a username: 3 to 63 characters of a-z, 0-9, '.', '_' or '-'. */
bool trk_username_valid(const char *u);

/* The password rules for every way a password is set: 10 to 256 bytes of UTF-8, not one of
 * the most common passwords. HOSO_INVALID naming "password" otherwise. */
hoso_status trk_password_check(const char *password, hoso_err *err);

/* Hashes a checked password with Argon2id into out (crypto_pwhash_str format). */
hoso_status trk_password_hash(const char *password, char out[160], hoso_err *err);

/* When the login lockout of username ends (ms since the epoch), 0 when it is not locked. */
int64_t trk_login_locked_until(trk *t, const char *username, int64_t now);

/* HOSO_OK when the actor is an admin, else HOSO_FORBIDDEN (for use cases of the admin page). */
hoso_status trk_require_admin(const trk_actor *actor, hoso_err *err);

/* Appends an audit row in the open transaction (detail stolen, may be NULL); adds the
 * operator (trk_set_operator) when user_id is 0. */
hoso_status trk_audit_write(db *h, int64_t user_id, const char *action, json_t *detail,
                            hoso_err *err);

/* Wall-clock time in ms since the epoch. */
int64_t trk_now_ms(void);

/* A fresh time-ordered UUID (version 7: 48 bits of Unix ms, then 74 random bits) into
 * out[37]. Ids made one after another sort together, so each lands on the same leaf of the
 * events' id index instead of a random one (one WAL page less per event written). */
void trk_uuid_v7(char out[37]);

/* SHA-256 (hex) of a request body in canonical form (compact, sorted keys): tells a true
 * repeat of an idempotent request from a reuse of its client_id for another body. */
void trk_body_digest(const json_t *body, char out[65]);

/* A UUID derived from a name (SHA-256 based, version 8 layout) into out[37]: the same
 * inputs always give the same id, so a retried request maps to the same event ids. When
 * base is a version 7 UUID its 48-bit time comes first, so the derived id sorts beside it. */
void trk_uuid_derived(const char *base, const char *suffix, char out[37]);

/* Allocates the next tracking number for an S10 prefix inside the open transaction. */
hoso_status trk_next_tracking_number(trk *t, const char *prefix, char out[16], hoso_err *err);

/* Appends an event to an item inside the open transaction: checks the transition with the
 * state machine, links it into the custody chain, stores it and moves the item. ev must have
 * id, type, user, place, parties, times and data set; its states and hashes are filled here. */
hoso_status trk_record_event(trk *t, db_item *item, db_event *ev, hoso_err *err);

/* Formats ms since the epoch as local ISO 8601 with offset ("2026-11-27T14:05:09+07:00"). */
void trk_format_time(const trk *t, int64_t ms, char out[32]);

/* Whether an agency officer (or anyone else) may see a dossier. */
bool trk_actor_sees_dossier(const trk_actor *a, const db_dossier *d);

/* Checks that data is a well-formed PNG (signature, header first, CRCs, image data, end)
 * of at most 4000 pixels a side; HOSO_INVALID naming field otherwise. */
hoso_status trk_png_check(const unsigned char *data, size_t len, const char *field,
                          hoso_err *err);

/* Runs inside an acceptance's transaction once the dossier and items are written. */
typedef hoso_status (*trk_accept_hook)(trk *t, const db_dossier *d, void *ctx, hoso_err *err);

/* trk_dossier_accept with the submission item's first event named event_type ("accept" at
 * the counter, "pickup" at the applicant's door) and an optional hook. */
hoso_status trk_dossier_accept_as(trk *t, const trk_actor *actor, const json_t *body,
                                  const char *event_type, trk_accept_hook hook, void *hook_ctx,
                                  json_t **out, bool *created, hoso_err *err);

/* Today's local date. */
trk_date trk_today(const trk *t);

/* n of J + n for a route class (district 1, province 2, city1 3, other 4). */
int trk_route_days(const char *route_class);

/* Loads an item's progress, or starts one from the item and its dossier. */
hoso_status trk_progress_load(trk *t, const db_item *it, const db_dossier *d, db_progress *p,
                              hoso_err *err);

/* Saves an item's progress with the item's current state. */
hoso_status trk_progress_save(trk *t, const db_item *it, db_progress *p, hoso_err *err);

/* Queues a notification in the open transaction: kind "sms" (target: the applicant's phone),
 * "webhook" (target: the agency code) or "portal" (target: the portal dossier code). The
 * payload names a template and its params (stolen); the outbox worker renders and sends it. */
hoso_status trk_notify(trk *t, const char *kind, const char *target, const char *template_name,
                       const db_item *it, const db_dossier *d, json_t *params, hoso_err *err);

/* A manifest's printed reference, "BB-2026-000123". */
void trk_manifest_ref(const trk *t, const db_manifest *m, char out[32]);

/* Loads a manifest (and its lines when lines is not NULL), checking an agency officer's
 * agency. */
hoso_status trk_manifest_load(trk *t, const trk_actor *a, int64_t id, db_manifest *m,
                              db_manifest_item **lines, size_t *n, hoso_err *err);

/* Formats ms as "HH:MM DD/MM/YYYY" in local time. */
void trk_format_time_vn(const trk *t, int64_t ms, char out[20]);

/* "YYYY-MM-DD" to "DD/MM/YYYY" ("" when empty or malformed). */
void trk_date_vn(const char *iso, char out[11]);

/* JSON of an item's progress: deadlines, filing time, attempts, who holds it. */
json_t *trk_progress_json(const trk *t, const db_progress *p);

/* JSON of an item as the API shows it. */
json_t *trk_item_json(const trk *t, const db_item *it, const db_dossier *d);

/* JSON of a dossier with its items. */
json_t *trk_dossier_json(const trk *t, const db_dossier *d, const db_item *items, size_t n);

#endif
