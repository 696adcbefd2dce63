/* event_shape.c — the part of recording an event that reads only its JSON: the keys it may
 * have, its id, item and type, its request digest, its device time. Done before the writer
 * is taken (tracking/events.c), since every other request waits for the writer. */
#include <stdio.h>
#include <string.h>

#include "text.h"
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

/* The shape's verdict, in the order record_one gave it before it was split off. */
static hoso_status read_shape(const json_t *ev, trk_event_shape *p, hoso_err *err)
{
	char where[128], id[40];
	hoso_status st;
	if (!json_is_object(ev))
		return hoso_err_set(err, HOSO_INVALID, "wrong_type", p->path,
		                    "%s must be an event object", p->path[0] ? p->path : "the body");
	if ((st = trk_field_only(ev, p->path, event_keys, err)) ||
	    (st = trk_field_string(ev, p->path, "id", true, 36, id, sizeof(id), err)) ||
	    (st = trk_field_string(ev, p->path, "item", true, 300, p->input, sizeof(p->input),
	                           err)) ||
	    (st = trk_field_string(ev, p->path, "type", true, 30, p->type_name,
	                           sizeof(p->type_name), err)))
		return st;
	text_copy(p->id, sizeof(p->id), id);
	if (!trk_valid_uuid(id))
		return hoso_err_set(err, HOSO_INVALID, "invalid_uuid",
		                    trk_field_path(where, sizeof(where), p->path, "id"),
		                    "%s must be a UUID made by the device", where);
	trk_field_path(where, sizeof(where), p->path, "type");
	if (!trk_event_parse(p->type_name, &p->type))
		return hoso_err_set(err, HOSO_INVALID, "unknown_event", where,
		                    "%s \"%s\" is not an event type", where, p->type_name);
	if (p->type == TRK_E_ACCEPT || p->type == TRK_E_PICKUP || p->type == TRK_E_HANDOVER)
		return hoso_err_set(err, HOSO_INVALID, "wrong_route", where,
		                    "%s events are recorded through %s", p->type_name,
		                    p->type == TRK_E_HANDOVER
		                            ? "the agency's confirmation of a manifest "
		                              "(POST /api/v1/manifests/{id}/confirm)"
		                            : "POST /api/v1/dossiers or /api/v1/pickups/{id}/accept");
	/* The same digest as a request body's: SHA-256 of the canonical JSON. */
	trk_body_digest(ev, p->digest);
	return HOSO_OK;
}

void trk_event_shape_read(const json_t *ev, trk_event_shape *p)
{
	hoso_err_clear(&p->err);
	p->id[0] = '\0';
	p->st = read_shape(ev, p, &p->err);
}
