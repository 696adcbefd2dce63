/* machine.c — the item state machine (DESIGN.md §1), as one table:
 * trk_next[role][state][event] is the state the event leads to, TRK_S_NONE when illegal. */
#include "trk_machine.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

static const trk_state trk_next[TRK_ROLE_COUNT][TRK_STATE_COUNT][TRK_EVENT_COUNT] = {
	[TRK_SUBMISSION] = {
		[TRK_S_NONE] = {
			[TRK_E_ACCEPT] = TRK_S_ACCEPTED,
			[TRK_E_PICKUP] = TRK_S_ACCEPTED,
		},
		[TRK_S_ACCEPTED] = {
			[TRK_E_DISPATCH] = TRK_S_IN_TRANSIT,
		},
		[TRK_S_IN_TRANSIT] = {
			[TRK_E_HANDOVER] = TRK_S_AT_AGENCY,
		},
		[TRK_S_AT_AGENCY] = {
			[TRK_E_AGENCY_RECEIPT] = TRK_S_RECEIVED,
			[TRK_E_AGENCY_REJECT] = TRK_S_RETURNED_INCOMPLETE,
		},
		/* RECEIVED and RETURNED_INCOMPLETE are final. */
	},
	[TRK_RESULT] = {
		[TRK_S_NONE] = {
			[TRK_E_ACCEPT] = TRK_S_AWAITING_RESULT,
		},
		[TRK_S_AWAITING_RESULT] = {
			[TRK_E_COLLECT] = TRK_S_COLLECTED,
		},
		[TRK_S_COLLECTED] = {
			[TRK_E_ARRIVE] = TRK_S_AT_OFFICE,
		},
		[TRK_S_AT_OFFICE] = {
			[TRK_E_OUT] = TRK_S_OUT_FOR_DELIVERY,
			[TRK_E_HOLD] = TRK_S_HELD,            /* to be collected at the counter */
		},
		[TRK_S_OUT_FOR_DELIVERY] = {
			[TRK_E_DELIVER] = TRK_S_DELIVERED,
			[TRK_E_ATTEMPT] = TRK_S_ATTEMPT_FAILED,
		},
		[TRK_S_ATTEMPT_FAILED] = {
			[TRK_E_OUT] = TRK_S_OUT_FOR_DELIVERY,
			[TRK_E_HOLD] = TRK_S_HELD,
		},
		[TRK_S_HELD] = {
			[TRK_E_DELIVER] = TRK_S_DELIVERED,    /* collected at the counter */
			[TRK_E_RETURN] = TRK_S_RETURNED_TO_AGENCY,
		},
		/* DELIVERED and RETURNED_TO_AGENCY are final. */
	},
};

static const char *const state_names[TRK_STATE_COUNT] = {
	[TRK_S_NONE] = "",
	[TRK_S_ACCEPTED] = "ACCEPTED",
	[TRK_S_IN_TRANSIT] = "IN_TRANSIT",
	[TRK_S_AT_AGENCY] = "AT_AGENCY",
	[TRK_S_RECEIVED] = "RECEIVED",
	[TRK_S_RETURNED_INCOMPLETE] = "RETURNED_INCOMPLETE",
	[TRK_S_AWAITING_RESULT] = "AWAITING_RESULT",
	[TRK_S_COLLECTED] = "COLLECTED",
	[TRK_S_AT_OFFICE] = "AT_OFFICE",
	[TRK_S_OUT_FOR_DELIVERY] = "OUT_FOR_DELIVERY",
	[TRK_S_ATTEMPT_FAILED] = "ATTEMPT_FAILED",
	[TRK_S_HELD] = "HELD",
	[TRK_S_DELIVERED] = "DELIVERED",
	[TRK_S_RETURNED_TO_AGENCY] = "RETURNED_TO_AGENCY",
};

static const char *const event_names[TRK_EVENT_COUNT] = {
	[TRK_E_ACCEPT] = "accept",
	[TRK_E_PICKUP] = "pickup",
	[TRK_E_DISPATCH] = "dispatch",
	[TRK_E_HANDOVER] = "handover",
	[TRK_E_AGENCY_RECEIPT] = "agency_receipt",
	[TRK_E_AGENCY_REJECT] = "agency_reject",
	[TRK_E_COLLECT] = "collect",
	[TRK_E_ARRIVE] = "arrive",
	[TRK_E_OUT] = "out",
	[TRK_E_ATTEMPT] = "attempt",
	[TRK_E_HOLD] = "hold",
	[TRK_E_DELIVER] = "deliver",
	[TRK_E_RETURN] = "return",
};

static const char *const role_names[TRK_ROLE_COUNT] = {
	[TRK_SUBMISSION] = "submission",
	[TRK_RESULT] = "result",
};

const char *trk_state_name(trk_state s)
{
	return (unsigned)s < TRK_STATE_COUNT ? state_names[s] : "?";
}

const char *trk_event_name(trk_event e)
{
	return (unsigned)e < TRK_EVENT_COUNT ? event_names[e] : "?";
}

const char *trk_role_name(trk_role r)
{
	return (unsigned)r < TRK_ROLE_COUNT ? role_names[r] : "?";
}

/* Index of name in names[0..n), or -1. Empty names never match. */
static int lookup(const char *const *names, int n, const char *name)
{
	if (!name || !*name)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

bool trk_state_parse(const char *name, trk_state *out)
{
	int i = lookup(state_names, TRK_STATE_COUNT, name);
	if (i < 0)
		return false;
	*out = (trk_state)i;
	return true;
}

bool trk_event_parse(const char *name, trk_event *out)
{
	int i = lookup(event_names, TRK_EVENT_COUNT, name);
	if (i < 0)
		return false;
	*out = (trk_event)i;
	return true;
}

bool trk_role_parse(const char *name, trk_role *out)
{
	int i = lookup(role_names, TRK_ROLE_COUNT, name);
	if (i < 0)
		return false;
	*out = (trk_role)i;
	return true;
}

trk_state trk_machine_next(trk_role r, trk_state s, trk_event e)
{
	if ((unsigned)r >= TRK_ROLE_COUNT || (unsigned)s >= TRK_STATE_COUNT ||
	    (unsigned)e >= TRK_EVENT_COUNT)
		return TRK_S_NONE;
	return trk_next[r][s][e];
}

size_t trk_machine_allowed(trk_role r, trk_state s, trk_event *out, size_t max)
{
	size_t n = 0;
	for (int e = 0; e < TRK_EVENT_COUNT; e++) {
		if (trk_machine_next(r, s, (trk_event)e) == TRK_S_NONE)
			continue;
		if (out && n < max)
			out[n] = (trk_event)e;
		n++;
	}
	return n;
}

hoso_status trk_machine_step(const char *tracking_number, trk_role r, trk_state s,
                             trk_event e, trk_state *next, hoso_err *err)
{
	const char *tn = tracking_number ? tracking_number : "?";
	trk_state to = trk_machine_next(r, s, e);
	if (to != TRK_S_NONE) {
		log_info("%s: %s -> %s (%s)", tn, s == TRK_S_NONE ? "NONE" : trk_state_name(s),
		         trk_state_name(to), trk_event_name(e));
		if (next)
			*next = to;
		return HOSO_OK;
	}
	if ((unsigned)r >= TRK_ROLE_COUNT || (unsigned)s >= TRK_STATE_COUNT ||
	    (unsigned)e >= TRK_EVENT_COUNT)
		return hoso_err_set(err, HOSO_INVALID, "invalid_event", "type",
		                    "item %s: unknown role, state or event", tn);

	trk_event allowed[TRK_EVENT_COUNT];
	size_t n = trk_machine_allowed(r, s, allowed, TRK_EVENT_COUNT);
	char list[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
		                         trk_event_name(allowed[i]));
	const char *role = trk_role_name(r);
	if (s == TRK_S_NONE)
		return hoso_err_set(err, HOSO_CONFLICT, "illegal_transition", "type",
		                    "%s item %s has no event yet: event \"%s\" is not allowed; "
		                    "allowed: %s", role, tn, trk_event_name(e), list);
	bool own = r == TRK_SUBMISSION ? s <= TRK_S_RETURNED_INCOMPLETE
	                               : s >= TRK_S_AWAITING_RESULT;
	if (!own)
		return hoso_err_set(err, HOSO_CONFLICT, "illegal_transition", "type",
		                    "item %s is %s, a state a %s item never reaches: event \"%s\" "
		                    "is not allowed", tn, trk_state_name(s), role, trk_event_name(e));
	if (n == 0)
		return hoso_err_set(err, HOSO_CONFLICT, "illegal_transition", "type",
		                    "item %s is %s: event \"%s\" is not allowed; no event is "
		                    "allowed, the item is closed", tn, trk_state_name(s),
		                    trk_event_name(e));
	return hoso_err_set(err, HOSO_CONFLICT, "illegal_transition", "type",
	                    "item %s is %s: event \"%s\" is not allowed; allowed: %s", tn,
	                    trk_state_name(s), trk_event_name(e), list);
}
