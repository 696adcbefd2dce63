/* event_shape.c — the part of recording an event that reads only its JSON: the keys it may
 * have, its id, item and type, its request digest, its device time. Done before the writer
 * is taken (tracking/events.c), since every other request waits for the writer. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "trk_canon.h"
#include "trk_event_shape.h"
#include "trk_internal.h"
#include "trk_valid.h"

static const char *const event_keys[] = {
	"id", "item", "type", "place", "device_time", "receipt_number", "appointment_date",
	"reason", "note", "receiver_name", "relation", "authorisation_ref", "id_number",
	"papers_collected", "signature", "fee_collected_vnd", "requested_by_applicant", NULL};

/* "2026-11-27T14:05:09+07:00", "...Z", fractions allowed; or an integer of ms. */
hoso_status trk_event_device_time(const json_t *ev, const char *path, int64_t *out,
                                  hoso_err *err)
{
	char where[128];
	trk_field_path(where, sizeof(where), path, "device_time");
	const json_t *v = json_object_get(ev, "device_time");
	*out = 0;
	if (!v || json_is_null(v))
		return HOSO_OK;
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*out = json_integer_value(v);
		return HOSO_OK;
	}
	const char *s = json_string_value(v);
	int y, mo, d, h, mi, sec, n = 0;
	if (s && sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6) {
		const char *p = s + n;
		int ms = 0;
		if (*p == '.') {
			int scale = 100;
			for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
				ms += (*p - '0') * scale;
		}
		int off = 0;
		bool ok = true;
		if (*p == 'Z')
			p++;
		else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
			off = ((p[1] - '0') * 10 + (p[2] - '0')) * 60 + (p[4] - '0') * 10 + (p[5] - '0');
			off = *p == '-' ? -off : off;
			p += 6;
		} else
			ok = false;
		char date[11];
		snprintf(date, sizeof(date), "%04d-%02d-%02d", y, mo, d);
		trk_date day;
		if (ok && !*p && trk_date_parse(date, &day) && h < 24 && mi < 60 && sec < 61) {
			*out = ((int64_t)day * 86400 + h * 3600 + mi * 60 + sec - off * 60) * 1000 + ms;
			return HOSO_OK;
		}
	}
	return hoso_err_set(err, HOSO_INVALID, "invalid_time", where,
	                    "%s must be a time such as 2026-11-27T14:05:09+07:00", where);
}

/* SHA-256 of the event's canonical JSON (json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS), built
 * by trk_json_canonical without a jansson dump). */
static void event_digest(const json_t *ev, char out[65])
{
	char local[2048];
	size_t len = 0;
	char *canon = trk_json_canonical(ev, local, sizeof(local), &len);
	uint8_t h[32];
	crypto_hash_sha256(h, (const unsigned char *)(canon ? canon : ""), canon ? len : 0);
	if (canon != local)
		free(canon);
	sodium_bin2hex(out, 65, h, 32);
}

void trk_event_shape_read(const json_t *ev, trk_event_shape *p)
{
	char where[128];
	hoso_err *err = &p->err;
	hoso_err_clear(err);
	p->id[0] = '\0';
	hoso_status st;
	char id[40];
	if (!json_is_object(ev)) {
		p->st = hoso_err_set(err, HOSO_INVALID, "wrong_type", p->path, "%s must be an event object",
		                     p->path[0] ? p->path : "the body");
		return;
	}
	if ((st = trk_field_only(ev, p->path, event_keys, err)) ||
	    (st = trk_field_string(ev, p->path, "id", true, 36, id, sizeof(id), err)) ||
	    (st = trk_field_string(ev, p->path, "item", true, 300, p->input, sizeof(p->input),
	                           err)) ||
	    (st = trk_field_string(ev, p->path, "type", true, 30, p->type_name,
	                           sizeof(p->type_name), err))) {
		p->st = st;
		return;
	}
	text_copy(p->id, sizeof(p->id), id);
	if (!trk_valid_uuid(id)) {
		p->st = hoso_err_set(err, HOSO_INVALID, "invalid_uuid",
		                     trk_field_path(where, sizeof(where), p->path, "id"),
		                     "%s must be a UUID made by the device", where);
		return;
	}
	trk_field_path(where, sizeof(where), p->path, "type");
	if (!trk_event_parse(p->type_name, &p->type)) {
		p->st = hoso_err_set(err, HOSO_INVALID, "unknown_event", where,
		                     "%s \"%s\" is not an event type", where, p->type_name);
		return;
	}
	if (p->type == TRK_E_ACCEPT || p->type == TRK_E_PICKUP || p->type == TRK_E_HANDOVER) {
		p->st = hoso_err_set(err, HOSO_INVALID, "wrong_route", where,
		                     "%s events are recorded through %s", p->type_name,
		                     p->type == TRK_E_HANDOVER
		                             ? "the agency's confirmation of a manifest "
		                               "(POST /api/v1/manifests/{id}/confirm)"
		                             : "POST /api/v1/dossiers or /api/v1/pickups/{id}/accept");
		return;
	}
	event_digest(ev, p->digest);
	p->st = HOSO_OK;
}
