/* trk_components.h — a procedure's document components (Decision 45/2016 Art 7: the papers
 * a dossier of it must hold), parsed from the catalogue's JSON once and shared by every
 * request that checks a dossier against them, until the catalogue changes. Internal to
 * tracking/. */
#ifndef HOSO_TRK_COMPONENTS_H
#define HOSO_TRK_COMPONENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "hoso.h"

/* A list holds at most this many components; the catalogue's further ones are left out. */
#define TRK_COMPONENTS_MAX 256

typedef struct trk_component {
	char *name; /* as the catalogue spells it */
	char *fold; /* text_fold(name): how a paper handed in is matched to it */
	bool required;
	bool original;    /* the original must be handed in, not a copy */
} trk_component;

typedef struct trk_components trk_components; /* read-only once made; reference counted */
typedef struct trk_comp_cache trk_comp_cache; /* the parsed lists of recent procedures */

/* An empty cache; NULL when out of memory. */
trk_comp_cache *trk_comp_cache_create(void);
/* Drops the cache's references (lists still held by callers live until released). */
void trk_comp_cache_destroy(trk_comp_cache *c);

/* The components of p as parsed from p->components, from the cache when the same text was
 * parsed before; release with trk_components_release. HOSO_INTERNAL naming procedure_code
 * when the catalogue's JSON is unreadable. Thread-safe. */
hoso_status trk_components_get(trk_comp_cache *c, const db_procedure *p,
                               trk_components **out, hoso_err *err);
/* Gives a list back; NULL is accepted. */
void trk_components_release(trk_components *list);
/* The number of components and the i-th one (i < count). */
size_t trk_components_count(const trk_components *list);
const trk_component *trk_components_at(const trk_components *list, size_t i);

#endif
