/* trk_event_shape.h — what an event's own JSON decides before the writer is taken (its
 * shape, id, item, type and request digest), for tracking/events.c. Internal to tracking/. */
#ifndef HOSO_TRK_EVENT_SHAPE_H
#define HOSO_TRK_EVENT_SHAPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "hoso.h"
#include "trk_machine.h"

/* What an event's own JSON decides, read before the writer is taken: its id, item and
 * type, the digest that tells a retry from a reuse of its id, and whether its shape is
 * refused. Then its outcome, turned into the answer after the commit. */
typedef struct trk_event_shape {
	char path[32];               /* "events[i]", or "" for a bare event */
	char id[40];                 /* the id, once id, item and type were read */
	char input[320];             /* the item as given */
	char type_name[32];
	char digest[65];
	trk_event type;
	hoso_status st;              /* the shape's verdict, then the event's outcome */
	hoso_err err;                /* why it was refused */
	bool dup;                    /* recorded before, with the same body */
	char state[40];              /* the item's state for the answer */
} trk_event_shape;

/* Reads ev's shape into p (p->path set by the caller): p->st is HOSO_OK, or the refusal with
 * its reason in p->err. Touches no database. */
void trk_event_shape_read(const json_t *ev, trk_event_shape *p);

/* The optional device_time of ev ("2026-11-27T14:05:09+07:00", "...Z", fractions allowed;
 * or an integer of ms) into *out, 0 when absent; HOSO_INVALID naming the field otherwise. */
hoso_status trk_event_device_time(const json_t *ev, const char *path, int64_t *out,
                                  hoso_err *err);

#endif
