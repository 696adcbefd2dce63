/* custody_internal.h — what custody.c, manifests.c and pickups.c share: the numbering of
 * their cached statements inside the ST_CUSTODY_FIRST_..ST_CUSTODY_LAST_ range of
 * db_internal.h (finalized by db_close like every other slot), and small helpers.
 * Not for use outside db/. */
#ifndef HOSO_DB_CUSTODY_INTERNAL_H
#define HOSO_DB_CUSTODY_INTERNAL_H

#include <stddef.h>

#include "db_custody.h"
#include "db_internal.h"

/* Filter combinations each get their own cached variant: one bit per filter in use. */
enum {
	CS_DUE_VARIANTS = 4,       /* office, agency */
	CS_MANIFEST_VARIANTS = 8,  /* agency, office, state */
	CS_DISCREP_VARIANTS = 4,   /* office, agency */
	CS_FEES_VARIANTS = 4,      /* office, agency */
	CS_PICKUP_VARIANTS = 8,    /* office, courier, state */
};

enum db_custody_slot {
	CS_PROGRESS_GET = ST_CUSTODY_FIRST_,
	CS_PROGRESS_PUT,
	CS_PROGRESS_DUE,
	CS_ATTACHMENT_PUT = CS_PROGRESS_DUE + CS_DUE_VARIANTS,
	CS_ATTACHMENT_GET,
	CS_MANIFEST_INSERT,
	CS_MANIFEST_UPDATE,
	CS_MANIFEST_GET,
	CS_MANIFEST_ITEM_INSERT,
	CS_MANIFEST_ITEM_UPDATE,
	CS_MANIFEST_ITEMS,
	CS_MANIFEST_LIST,
	CS_DISCREPANCIES = CS_MANIFEST_LIST + CS_MANIFEST_VARIANTS,
	CS_FEES_UNPAID = CS_DISCREPANCIES + CS_DISCREP_VARIANTS,
	CS_PICKUP_INSERT = CS_FEES_UNPAID + CS_FEES_VARIANTS,
	CS_PICKUP_UPDATE,
	CS_PICKUP_GET,
	CS_PICKUP_BY_CLIENT,
	CS_PICKUP_LIST,
	CS_END_ = CS_PICKUP_LIST + CS_PICKUP_VARIANTS,
};

_Static_assert(CS_END_ <= ST_CUSTODY_LAST_ + 1,
               "db_internal.h reserves too few statement slots for db_custody.h");

/* The cached statement of slot (a db_custody_slot, plus a variant number). */
db_st *db_custody_stmt(db *h, int slot, const char *sql, hoso_err *err);

/* limit 0 means 50; limits above 1000 are cut to 1000 (as db_dossier_list). */
size_t db_custody_limit(size_t limit);

/* Makes room for row number `count` (0-based) in a malloc'd array of *cap rows of elem
 * bytes, doubling it up to limit rows. Returns the array, perhaps moved, or NULL when out
 * of memory (rows is then still the caller's to free). */
void *db_custody_room(void *rows, size_t *cap, size_t count, size_t elem, size_t limit);

/* "<what>: out of memory" as HOSO_INTERNAL. */
hoso_status db_custody_no_memory(hoso_err *err, const char *what);

/* True when s is one of the NULL-terminated set. */
bool db_custody_one_of(const char *s, const char *const *set);

/* True when a write failed on a foreign key: a row it refers to does not exist. */
bool db_custody_fk_failed(db *h, hoso_status status);

#endif
