/* What the custody events have established for each item (deadlines, filing time, who holds
 * it), and the notifications they queue. Shared by events, manifests, results and pickups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "trk_canon.h"
#include "trk_internal.h"

trk_date trk_today(const trk *t)
{
	return trk_date_of_ms(trk_now_ms(), t->cfg.tz_offset_minutes);
}

int trk_route_days(const char *route_class)
{
	if (strcmp(route_class, "district") == 0)
		return 1;
	if (strcmp(route_class, "province") == 0)
		return 2;
	if (strcmp(route_class, "city1") == 0)
		return 3;
	return 4;
}

hoso_status trk_progress_load(trk *t, const db_item *it, const db_dossier *d, db_progress *p,
                              hoso_err *err)
{
	hoso_status st = db_progress_get(t->db, it->tracking_number, p, err);
	if (st != HOSO_NOT_FOUND)
		return st;
	hoso_err_clear(err);
	memset(p, 0, sizeof(*p));
	text_copy(p->tracking_number, sizeof(p->tracking_number), it->tracking_number);
	text_copy(p->office_code, sizeof(p->office_code), d->office_code);
	text_copy(p->agency_code, sizeof(p->agency_code), d->agency_code);
	text_copy(p->state, sizeof(p->state), it->state);
	if (strcmp(it->role, "submission") == 0) {
		text_copy(p->due_date, sizeof(p->due_date), d->due_date);
		snprintf(p->custodian, sizeof(p->custodian), "office:%s", d->office_code);
	} else {
		snprintf(p->custodian, sizeof(p->custodian), "agency:%s", d->agency_code);
	}
	return HOSO_OK;
}

hoso_status trk_progress_save(trk *t, const db_item *it, db_progress *p, hoso_err *err)
{
	text_copy(p->state, sizeof(p->state), it->state);
	return db_progress_put(t->db, p, err);
}

hoso_status trk_notify(trk *t, const char *kind, const char *target, const char *template_name,
                       const db_item *it, const db_dossier *d, json_t *params, hoso_err *err)
{
	if (!target || !*target) {
		json_decref(params);
		return HOSO_OK;
	}
	json_t *msg = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "template", template_name,
	                        "tracking_number", it->tracking_number, "state", it->state,
	                        "dossier_id", (json_int_t)d->id, "agency_code", d->agency_code,
	                        "portal_code", d->portal_code,
	                        "params", params ? params : json_object());
	/* The bytes of json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS), at a fraction of its cost:
	 * this runs under the writer's lock. */
	char local[2048];
	char *payload = msg ? trk_json_canonical(msg, local, sizeof(local), NULL) : NULL;
	json_decref(msg);
	if (!payload)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	hoso_status st = db_outbox_insert(t->db, kind, target, payload, trk_now_ms(), err);
	if (payload != local)
		free(payload);
	return st;
}

void trk_date_vn(const char *iso, char out[11])
{
	trk_date d;
	if (iso && trk_date_parse(iso, &d))
		trk_date_format_vn(d, out);
	else
		out[0] = '\0';
}
