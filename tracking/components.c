/* components.c — the parsed component lists of procedures, shared between requests.
 *
 * Checking the papers of a dossier against its procedure parsed the procedure's component
 * JSON and folded every component's name on each acceptance: 18 % of the instructions of an
 * acceptance (callgrind, bench/events/inproc.c). The catalogue changes rarely, so each list is
 * parsed once and kept in a small direct-mapped table keyed by procedure code; an entry is
 * used only while the catalogue's text is byte for byte the one it was parsed from, so a
 * re-imported procedure is parsed again on its next use. Entries are reference counted:
 * a request keeps its list even when another request replaces the entry meanwhile. */
#include "trk_components.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define SLOTS 128 /* a province's catalogue is a few hundred procedures, most used rarely */

struct trk_components {
	atomic_int refs;
	char code[32];
	char *text; /* the catalogue JSON it was parsed from */
	size_t n;
	trk_component items[];
};

struct trk_comp_cache {
	pthread_mutex_t lock;
	trk_components *slot[SLOTS];
};

static void list_free(trk_components *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].fold);
	}
	free(l->text);
	free(l);
}

void trk_components_release(trk_components *list)
{
	if (list && atomic_fetch_sub(&list->refs, 1) == 1)
		list_free(list);
}

size_t trk_components_count(const trk_components *list)
{
	return list->n;
}

const trk_component *trk_components_at(const trk_components *list, size_t i)
{
	return &list->items[i];
}

trk_comp_cache *trk_comp_cache_create(void)
{
	trk_comp_cache *c = calloc(1, sizeof(*c));
	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void trk_comp_cache_destroy(trk_comp_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < SLOTS; i++)
		trk_components_release(c->slot[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static size_t slot_of(const char *code)
{
	return text_hash(code) % SLOTS;
}

/* Parses p's component JSON into a new list with one reference; NULL with err set. */
static trk_components *parse(const db_procedure *p, hoso_err *err)
{
	json_t *arr = json_loads(p->components, 0, NULL);
	if (!arr || !json_is_array(arr)) {
		json_decref(arr);
		hoso_err_set(err, HOSO_INTERNAL, "bad_row", "procedure_code",
		             "procedure %s has an unreadable component list", p->code);
		return NULL;
	}
	size_t n = json_array_size(arr);
	if (n > TRK_COMPONENTS_MAX)
		n = TRK_COMPONENTS_MAX;
	trk_components *l = calloc(1, sizeof(*l) + n * sizeof(l->items[0]));
	if (!l || !(l->text = strdup(p->components)))
		goto fail_mem;
	atomic_init(&l->refs, 1);
	snprintf(l->code, sizeof(l->code), "%s", p->code);
	for (size_t i = 0; i < n; i++) {
		const json_t *comp = json_array_get(arr, i);
		const char *name = json_string_value(json_object_get(comp, "name"));
		const char *form = json_string_value(json_object_get(comp, "form"));
		trk_component *it = &l->items[l->n];
		if (!name)
			continue; /* nothing a paper could be matched to */
		it->name = strdup(name);
		it->fold = text_fold(name);
		l->n++;
		if (!it->name || !it->fold)
			goto fail_mem;
		it->required = json_is_true(json_object_get(comp, "required"));
		it->original = form && strcmp(form, "original") == 0;
	}
	json_decref(arr);
	return l;
fail_mem:
	list_free(l);
	json_decref(arr);
	hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	return NULL;
}

hoso_status trk_components_get(trk_comp_cache *c, const db_procedure *p,
                               trk_components **out, hoso_err *err)
{
	size_t s = slot_of(p->code);
	pthread_mutex_lock(&c->lock);
	trk_components *hit = c->slot[s];
	if (hit && strcmp(hit->code, p->code) == 0 && strcmp(hit->text, p->components) == 0)
		atomic_fetch_add(&hit->refs, 1);
	else
		hit = NULL;
	pthread_mutex_unlock(&c->lock);
	if (hit) {
		*out = hit;
		return HOSO_OK;
	}
	trk_components *fresh = parse(p, err);
	if (!fresh)
		return err && err->status != HOSO_OK ? err->status : HOSO_INTERNAL;
	atomic_fetch_add(&fresh->refs, 1); /* one for the cache, one for the caller */
	pthread_mutex_lock(&c->lock);
	trk_components *old = c->slot[s];
	c->slot[s] = fresh;
	pthread_mutex_unlock(&c->lock);
	trk_components_release(old);
	*out = fresh;
	return HOSO_OK;
}
