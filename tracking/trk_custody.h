/* trk_custody.h — the custody chain's use cases: courier and agency events, handover
 * manifests, results, home pickups, and the lists supervisors read. Each call runs in one
 * transaction and answers JSON; refusals name the field and say why. */
#ifndef HOSO_TRK_CUSTODY_H
#define HOSO_TRK_CUSTODY_H

#include <jansson.h>

#include "db_custody.h"
#include "trk.h"

#define TRK_EVENTS_MAX_BATCH 500

/* Records a batch of events (`{"events": [...]}`) or one event (a bare event object). Each
 * event is recorded or refused on its own: {"results": [{"id", "status": "recorded" |
 * "duplicate" | "refused", "state", "error"}]}. HOSO_TOO_LARGE over 500 events. For a bare
 * event *single_status is the outcome of that event (so the caller can answer 409, 403 ...);
 * for a batch it is HOSO_OK. */
hoso_status trk_events_record(trk *t, const trk_actor *actor, const json_t *body, json_t **out,
                              hoso_status *single_status, hoso_err *err);

/* Creates a handover manifest (courier or clerk): {"agency_code", "items": [tn...],
 * "client_id"?}. Items must be submission items of that agency, ACCEPTED or IN_TRANSIT, and
 * on no other open manifest; accepted ones are dispatched (the courier takes them). */
hoso_status trk_manifest_create(trk *t, const trk_actor *actor, const json_t *body,
                                json_t **out, bool *created, hoso_err *err);

/* One manifest with its lines. */
hoso_status trk_manifest_get(trk *t, const trk_actor *actor, int64_t id, json_t **out,
                             hoso_err *err);

/* Manifests, newest first (agency officers: their own agency's). */
hoso_status trk_manifest_list(trk *t, const trk_actor *actor, const char *state,
                              const char *agency, const char *office, const char *before,
                              const char *limit, json_t **out, hoso_err *err);

/* The agency officer confirms a manifest: {"received": "all" | [tn...], "missing":
 * [{"item", "reason": "missing" | "damaged", "note"}], "fees_received_vnd"}. Every line
 * must be accounted for. Received items move to AT_AGENCY; the confirmation time is their
 * legal filing time. */
hoso_status trk_manifest_confirm(trk *t, const trk_actor *actor, int64_t id,
                                 const json_t *body, json_t **out, hoso_err *err);

/* What the handover record prints. lines is malloc'd with the view (free both with
 * trk_manifest_view_free). */
typedef struct trk_manifest_line_view {
	db_manifest_item line;
	char applicant_name[256];
	char procedure_code[32];
	char procedure_name[1024];
} trk_manifest_line_view;

typedef struct trk_manifest_view {
	db_manifest manifest;
	char ref[32];
	char url[320];
	char created_at_vn[20];
	char confirmed_at_vn[20];
	db_office office;
	db_agency agency;
	char courier_name[256];
	char officer_name[256];
	trk_manifest_line_view *lines;
	size_t n_lines;
} trk_manifest_view;

hoso_status trk_manifest_view_load(trk *t, const trk_actor *actor, int64_t id,
                                   trk_manifest_view **out, hoso_err *err);
void trk_manifest_view_free(trk_manifest_view *v);

/* The agency marks a dossier's result ready: {"fee_due_vnd"?, "note"?}. Creates the result
 * item, or activates the one planned at acceptance. */
hoso_status trk_result_ready(trk *t, const trk_actor *actor, int64_t dossier_id,
                             const json_t *body, json_t **out, hoso_err *err);

/* What a proof of delivery prints; the signature (if any) is malloc'd. */
typedef struct trk_delivery_view {
	trk_item_view item;
	db_event event;                 /* the deliver event */
	char delivered_at_vn[20];
	char receiver_name[256];
	char relation[32];              /* applicant | proxy */
	char authorisation_ref[64];
	char id_last4[8];
	char papers_collected[512];
	int64_t fee_collected_vnd;
	char chain_code[9];
	char courier_name[256];
	unsigned char *signature;
	size_t signature_len;
} trk_delivery_view;

/* Loads the delivery of a DELIVERED item; HOSO_CONFLICT when it is not delivered. */
hoso_status trk_delivery_view_load(trk *t, const trk_actor *actor, const char *tn,
                                   trk_delivery_view **out, hoso_err *err);
void trk_delivery_view_free(trk_delivery_view *v);

/* Items close to or past a deadline: due = "overdue" | "today" | "soon" (within 2 working
 * days), optionally for one office or agency. */
hoso_status trk_items_due(trk *t, const trk_actor *actor, const char *due, const char *office,
                          const char *agency, const char *limit, json_t **out, hoso_err *err);

/* Manifest lines reported missing or damaged. */
hoso_status trk_discrepancies(trk *t, const trk_actor *actor, const char *office,
                              const char *agency, json_t **out, hoso_err *err);

/* Agency fees collected at the counter and not yet paid over. */
hoso_status trk_fees_unpaid(trk *t, const trk_actor *actor, const char *office,
                            const char *agency, json_t **out, hoso_err *err);

/* ---- home pickups (pickup.c) -------------------------------------------------------- */

/* Records a pickup request (clerk, agency officer): {"applicant": {"name", "phone"},
 * "address", "procedure_code", "window_from", "window_to", "notes"?, "office_code"?,
 * "courier"?, "client_id"?}. The same client_id with the same body answers the first pickup
 * (*created false) and writes nothing; with another body it is refused (HOSO_CONFLICT). */
hoso_status trk_pickup_create(trk *t, const trk_actor *actor, const json_t *body, json_t **out,
                              bool *created, hoso_err *err);

/* The active couriers a pickup can be given to: {"couriers": [{"username", "full_name",
 * "office_code"}]}; a clerk's own office only (all when the clerk has none). */
hoso_status trk_courier_list(trk *t, const trk_actor *actor, json_t **out, hoso_err *err);

/* Assigns a pickup to a courier (clerk): {"courier": "username"}. */
hoso_status trk_pickup_assign(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                              json_t **out, hoso_err *err);

/* Pickups: a courier sees those assigned to them; others their office's (or all for
 * supervisors), filtered by state. */
hoso_status trk_pickup_list(trk *t, const trk_actor *actor, const char *state, json_t **out,
                            hoso_err *err);

/* At the door: the courier checks the documents as the clerk would and the dossier is
 * accepted with a `pickup` event. body is the same as POST /api/v1/dossiers. */
hoso_status trk_pickup_accept(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                              json_t **out, bool *created, hoso_err *err);

/* A failed pickup, with its reason: {"reason"}. */
hoso_status trk_pickup_fail(trk *t, const trk_actor *actor, int64_t id, const json_t *body,
                            json_t **out, hoso_err *err);

#endif
