/* test_components.c — tracking/components.c: a procedure's component list parsed once and
 * shared; the same text gives the same list, a changed text a new one, a list held by a
 * request outlives its replacement, unreadable JSON is refused naming procedure_code, and
 * four threads reading and replacing 300 procedures' lists (more than the table's slots) see
 * only lists that match what they asked for. The AddressSanitizer build checks the reference
 * counting: a list freed while still held would be a use after free. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "trk_components.h"

static void procedure(db_procedure *p, const char *code, const char *components)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->code, sizeof(p->code), "%s", code);
	snprintf(p->components, sizeof(p->components), "%s", components);
}

static void test_parse_and_cache(void)
{
	trk_comp_cache *c = trk_comp_cache_create();
	CHECK(c != NULL);
	db_procedure p;
	procedure(&p, "1.001776",
	          "[{\"name\":\"Tờ khai ĐĂNG KÝ\",\"required\":true,\"form\":\"original\"},"
	          "{\"name\":\"Bản sao giấy tờ\",\"required\":false,\"form\":\"copy\"},"
	          "{\"required\":true},"
	          "{\"name\":\"Giấy ủy quyền\",\"required\":true}]");
	hoso_err err;
	hoso_err_clear(&err);
	trk_components *a = NULL, *b = NULL;
	CHECK_INT(trk_components_get(c, &p, &a, &err), HOSO_OK);
	CHECK_INT(trk_components_count(a), 3); /* the entry without a name is left out */
	CHECK_STR(trk_components_at(a, 0)->name, "Tờ khai ĐĂNG KÝ");
	CHECK_STR(trk_components_at(a, 0)->fold, "to khai dang ky");
	CHECK(trk_components_at(a, 0)->required && trk_components_at(a, 0)->original);
	CHECK(!trk_components_at(a, 1)->required && !trk_components_at(a, 1)->original);
	CHECK(trk_components_at(a, 2)->required && !trk_components_at(a, 2)->original);
	CHECK_INT(trk_components_get(c, &p, &b, &err), HOSO_OK);
	CHECK(a == b); /* parsed once */
	trk_components_release(b);

	/* The catalogue changes: a new list, while the old one stays readable for its holder. */
	procedure(&p, "1.001776", "[{\"name\":\"Đơn mới\",\"required\":true}]");
	CHECK_INT(trk_components_get(c, &p, &b, &err), HOSO_OK);
	CHECK(a != b);
	CHECK_INT(trk_components_count(b), 1);
	CHECK_STR(trk_components_at(b, 0)->fold, "don moi");
	CHECK_STR(trk_components_at(a, 0)->name, "Tờ khai ĐĂNG KÝ");
	trk_components_release(a);
	trk_components_release(b);

	/* Unreadable JSON: refused, nothing cached for it. */
	procedure(&p, "2.002621.H56", "[{\"name\": ");
	b = NULL;
	CHECK_INT(trk_components_get(c, &p, &b, &err), HOSO_INTERNAL);
	CHECK(b == NULL);
	CHECK_STR(err.field, "procedure_code");
	CHECK(strstr(err.message, "2.002621.H56") != NULL);
	procedure(&p, "2.002621.H56", "{\"name\": \"not an array\"}");
	CHECK_INT(trk_components_get(c, &p, &b, &err), HOSO_INTERNAL);
	procedure(&p, "2.002621.H56", "[]");
	CHECK_INT(trk_components_get(c, &p, &b, &err), HOSO_OK);
	CHECK_INT(trk_components_count(b), 0);
	trk_components_release(b);
	trk_components_release(NULL);
	trk_comp_cache_destroy(c);
	trk_comp_cache_destroy(NULL);
}

#define PROCS 300
#define THREADS 4

struct worker {
	trk_comp_cache *c;
	int id;
	int wrong;
	int done;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	db_procedure p;
	hoso_err err;
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < PROCS; i++) {
			int k = (i * 7 + w->id * 13 + round) % PROCS;
			char code[16], json[128];
			snprintf(code, sizeof(code), "1.%06d", k);
			/* two versions of each list, so that threads replace each other's entries */
			int version = (round + w->id) % 2;
			snprintf(json, sizeof(json), "[{\"name\":\"Giấy %d v%d\",\"required\":true}]", k,
			         version);
			procedure(&p, code, json);
			trk_components *l = NULL;
			if (trk_components_get(w->c, &p, &l, &err) != HOSO_OK) {
				w->wrong++;
				continue;
			}
			char want[64];
			snprintf(want, sizeof(want), "giay %d v%d", k, version);
			if (trk_components_count(l) != 1 || strcmp(trk_components_at(l, 0)->fold, want))
				w->wrong++;
			trk_components_release(l);
			w->done++;
		}
	}
	return NULL;
}

static void test_threads(void)
{
	trk_comp_cache *c = trk_comp_cache_create();
	pthread_t th[THREADS];
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.c = c, .id = i};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(w[i].wrong, 0);
		CHECK_INT(w[i].done, 20 * PROCS);
	}
	trk_comp_cache_destroy(c);
}

int main(void)
{
	test_parse_and_cache();
	test_threads();
	return check_done();
}
