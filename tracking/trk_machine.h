/* trk_machine.h — the item state machine: one table of (role, state, event) -> state.
 * This is the only place that decides which transition is legal. */
#ifndef HOSO_TRK_MACHINE_H
#define HOSO_TRK_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso.h"

typedef enum trk_role { TRK_SUBMISSION = 0, TRK_RESULT, TRK_ROLE_COUNT } trk_role;

typedef enum trk_state {
	TRK_S_NONE = 0,            /* before the first event */
	TRK_S_ACCEPTED,
	TRK_S_IN_TRANSIT,
	TRK_S_AT_AGENCY,
	TRK_S_RECEIVED,
	TRK_S_RETURNED_INCOMPLETE,
	TRK_S_AWAITING_RESULT,
	TRK_S_COLLECTED,
	TRK_S_AT_OFFICE,
	TRK_S_OUT_FOR_DELIVERY,
	TRK_S_ATTEMPT_FAILED,
	TRK_S_HELD,
	TRK_S_DELIVERED,
	TRK_S_RETURNED_TO_AGENCY,
	TRK_STATE_COUNT
} trk_state;

typedef enum trk_event {
	TRK_E_ACCEPT = 0,   /* counter acceptance (submission) or registration (result) */
	TRK_E_PICKUP,       /* accepted at the applicant's address */
	TRK_E_DISPATCH,
	TRK_E_HANDOVER,
	TRK_E_AGENCY_RECEIPT,
	TRK_E_AGENCY_REJECT,
	TRK_E_COLLECT,
	TRK_E_ARRIVE,
	TRK_E_OUT,
	TRK_E_ATTEMPT,
	TRK_E_HOLD,
	TRK_E_DELIVER,
	TRK_E_RETURN,       /* back to the agency after the hold period */
	TRK_EVENT_COUNT
} trk_event;

/* Upper-case state name ("ACCEPTED"); "" for TRK_S_NONE. */
const char *trk_state_name(trk_state s);
/* Lower-case event name ("agency_receipt"). */
const char *trk_event_name(trk_event e);
/* "submission" | "result". */
const char *trk_role_name(trk_role r);

/* Name lookups; false when unknown. */
bool trk_state_parse(const char *name, trk_state *out);
bool trk_event_parse(const char *name, trk_event *out);
bool trk_role_parse(const char *name, trk_role *out);

/* The state that event e leads to from s, or TRK_S_NONE when the transition is illegal. */
trk_state trk_machine_next(trk_role r, trk_state s, trk_event e);

/* Writes the events allowed from s into out (at most max); returns how many there are. */
size_t trk_machine_allowed(trk_role r, trk_state s, trk_event *out, size_t max);

/* The single entry point for a transition: checks legality, logs "TN: OLD -> NEW (event)",
 * and returns the new state in *next. HOSO_CONFLICT with a message naming the current state
 * and the allowed events when illegal (err->code "illegal_transition"). */
hoso_status trk_machine_step(const char *tracking_number, trk_role r, trk_state s,
                             trk_event e, trk_state *next, hoso_err *err);

#endif
