/* trk_internal.h — what the use-case files of tracking/ share; not for other modules. */
#ifndef HOSO_TRK_INTERNAL_H
#define HOSO_TRK_INTERNAL_H

#include "trk.h"
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
};

/* Prepares the dummy password hash used when a login names an unknown user. */
void trk_auth_init_dummy(trk *t);

/* Wall-clock time in ms since the epoch. */
int64_t trk_now_ms(void);

/* A fresh random (version 4) UUID into out[37]. */
void trk_uuid_v4(char out[37]);

/* A UUID derived from a name (SHA-256 based, version 8 layout) into out[37]: the same
 * inputs always give the same id, so a retried request maps to the same event ids. */
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

/* JSON of an item as the API shows it. */
json_t *trk_item_json(const trk *t, const db_item *it, const db_dossier *d);

/* JSON of a dossier with its items. */
json_t *trk_dossier_json(const trk *t, const db_dossier *d, const db_item *items, size_t n);

#endif
