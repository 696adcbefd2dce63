/* pcache.c — SQLite's own page cache, with one scan it makes at every commit taken out.
 *
 * When a b-tree page splits, SQLite sorts the new pages by moving one of them for a moment
 * to a page number no database uses (the page after the one holding the lock byte at
 * 1 GiB: 524,289 with 2 KiB pages) and back. The default cache (pcache1) remembers that
 * number as the largest it has held, and the COMMIT that follows asks it to drop every
 * page past the end of the database: as the remembered number is far past that end, it
 * walks its whole hash table to find nothing. With the writer's 16 MiB cache that is 8,192
 * buckets at every commit that split a page: 8 % of the daemon's CPU under single events,
 * all of it under the writer's lock (perf; gdb showed the number and the walk).
 *
 * This wrapper passes every call to pcache1, and keeps its own bound of the page numbers
 * present: the largest one a page was created at or moved to, not counting moves to that
 * spare number, whose pages it counts instead until they move out again. A truncation
 * that no page present can reach is answered without asking pcache1; any other goes to it.
 * Installed once, before SQLite starts, for every connection of the process. */
#include "db_internal.h"

#include <stdatomic.h>
#include <stdlib.h>

/* SQLite's PENDING_BYTE: the first byte past 1 GiB. The page after the one holding it is
 * the spare number balance_nonroot() moves pages through. */
#define PENDING_BYTE 0x40000000u

typedef struct wrap {
	sqlite3_pcache *inner;
	unsigned spare;    /* the spare page number for this cache's page size */
	unsigned max_key;  /* no page present has a larger number, spare ones aside */
	unsigned at_spare; /* pages now at the spare number */
} wrap;

static sqlite3_pcache_methods2 base;
static atomic_uint_fast64_t n_truncated, n_skipped, n_spare;

static int w_init(void *arg)
{
	return base.xInit ? base.xInit(arg) : SQLITE_OK;
}

static void w_shutdown(void *arg)
{
	if (base.xShutdown)
		base.xShutdown(arg);
}

static sqlite3_pcache *w_create(int page_size, int extra, int purgeable)
{
	wrap *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	if (!(w->inner = base.xCreate(page_size, extra, purgeable))) {
		free(w);
		return NULL;
	}
	w->spare = page_size > 0 ? PENDING_BYTE / (unsigned)page_size + 1 : 0;
	return (sqlite3_pcache *)w;
}

static void w_cachesize(sqlite3_pcache *p, int n)
{
	base.xCachesize(((wrap *)p)->inner, n);
}

static int w_pagecount(sqlite3_pcache *p)
{
	return base.xPagecount(((wrap *)p)->inner);
}

static sqlite3_pcache_page *w_fetch(sqlite3_pcache *p, unsigned key, int create)
{
	wrap *w = (wrap *)p;
	sqlite3_pcache_page *pg = base.xFetch(w->inner, key, create);
	if (pg && key > w->max_key)
		w->max_key = key; /* even the spare number: a fetch there is not a move */
	return pg;
}

static void w_unpin(sqlite3_pcache *p, sqlite3_pcache_page *pg, int discard)
{
	base.xUnpin(((wrap *)p)->inner, pg, discard);
}

static void w_rekey(sqlite3_pcache *p, sqlite3_pcache_page *pg, unsigned old_key,
                    unsigned new_key)
{
	wrap *w = (wrap *)p;
	base.xRekey(w->inner, pg, old_key, new_key);
	if (old_key == w->spare && w->at_spare > 0)
		w->at_spare--;
	if (new_key == w->spare) {
		w->at_spare++;
		atomic_fetch_add(&n_spare, 1);
	}
	else if (new_key > w->max_key)
		w->max_key = new_key;
}

static void w_truncate(sqlite3_pcache *p, unsigned limit)
{
	wrap *w = (wrap *)p;
	bool spare_reached = w->at_spare > 0 && w->spare >= limit;
	if (w->max_key < limit && !spare_reached) {
		atomic_fetch_add(&n_skipped, 1);
		return; /* no page present is numbered limit or more */
	}
	atomic_fetch_add(&n_truncated, 1);
	base.xTruncate(w->inner, limit);
	if (limit > 0 && w->max_key >= limit)
		w->max_key = limit - 1;
	if (w->spare >= limit)
		w->at_spare = 0;
}

static void w_destroy(sqlite3_pcache *p)
{
	wrap *w = (wrap *)p;
	base.xDestroy(w->inner);
	free(w);
}

static void w_shrink(sqlite3_pcache *p)
{
	base.xShrink(((wrap *)p)->inner);
}

bool db_pcache_install(void)
{
	if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &base) != SQLITE_OK || !base.xCreate)
		return false;
	static const sqlite3_pcache_methods2 methods = {
		.iVersion = 1,
		.xInit = w_init,
		.xShutdown = w_shutdown,
		.xCreate = w_create,
		.xCachesize = w_cachesize,
		.xPagecount = w_pagecount,
		.xFetch = w_fetch,
		.xUnpin = w_unpin,
		.xRekey = w_rekey,
		.xTruncate = w_truncate,
		.xDestroy = w_destroy,
		.xShrink = w_shrink,
	};
	sqlite3_pcache_methods2 mine = methods;
	mine.pArg = base.pArg;
	return sqlite3_config(SQLITE_CONFIG_PCACHE2, &mine) == SQLITE_OK;
}

void db_pcache_counts(uint64_t *truncated, uint64_t *skipped, uint64_t *spare_moves)
{
	*truncated = atomic_load(&n_truncated);
	*skipped = atomic_load(&n_skipped);
	*spare_moves = atomic_load(&n_spare);
}
