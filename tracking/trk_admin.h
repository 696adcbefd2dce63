/* trk_admin.h — the admin page's use cases: user accounts and roles, catalogue uploads, and
 * agencies with their webhooks. Each checks that the actor may do it, validates the request
 * (errors name the field), runs in one transaction and writes an audit row with the actor. */
#ifndef HOSO_TRK_ADMIN_H
#define HOSO_TRK_ADMIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "trk.h"

/* ---- users (users.c) ------------------------------------------------------------------ */

/* {"users": [user...]} ordered by id, where a user is {"id", "username", "role",
 * "full_name", "office_code"|null, "agency_code"|null, "active", "locked",
 * "locked_until"|null, "created_at"}; "locked" is the login lockout. Admins only. */
hoso_status trk_users_list(trk *t, const trk_actor *actor, json_t **out, hoso_err *err);

/* Creates a user from {"username", "password", "role", "full_name", "office_code"?,
 * "agency_code"?} with the rules of trk_user_add, and an office for clerks and couriers;
 * *out is {"user": {...}}. HOSO_CONFLICT naming "username" when the name is taken. */
hoso_status trk_users_create(trk *t, const trk_actor *actor, const json_t *body,
                             json_t **out, hoso_err *err);

/* Changes any of {"role", "full_name", "active", "password", "office_code",
 * "agency_code"} of user id; *out is {"user": {...}}. Deactivating, a new password or a new
 * role ends the user's sessions. Admins may not deactivate or demote themselves. */
hoso_status trk_users_update(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                             json_t **out, hoso_err *err);

/* Lifts the login lockout of user id's username; *out is {"user": {...}}. */
hoso_status trk_users_unlock(trk *t, const trk_actor *actor, int64_t id, json_t **out,
                             hoso_err *err);

/* ---- catalogue and agencies (catalogue_admin.c) --------------------------------------- */

/* Imports an uploaded CSV (data[0..len)) into catalogue kind (offices, agencies or
 * procedures), whole or not at all; name (NULL: "KIND.csv") is the file's name in messages.
 * *out is {"kind", "file", "rows"}. A bad file fails with code "invalid_csv", err->line and
 * err->field (the column) set where they are known. Admins only. */
hoso_status trk_catalogue_upload(trk *t, const trk_actor *actor, const char *kind,
                                 const char *name, const char *data, size_t len,
                                 json_t **out, hoso_err *err);

/* {"agencies": [{"code", "name", "desk_name", "address", "district", "province", "phone",
 * "webhook": {"url", "has_secret", "updated_at"}|null}]} ordered by code. The webhook is
 * shown to admins and supervisors only, and its secret never. */
hoso_status trk_agencies_list(trk *t, const trk_actor *actor, json_t **out, hoso_err *err);

/* Sets an agency's webhook from {"url", "secret"} (the secret may be left out to keep the
 * stored one), or removes it with {"url": null}; *out is {"agency": {...}} as listed.
 * HOSO_NOT_FOUND when the agency is not in the catalogue. Admins only. */
hoso_status trk_agency_webhook_update(trk *t, const trk_actor *actor, const char *code,
                                      const json_t *body, json_t **out, hoso_err *err);

#endif
