/* test_perm.c — tracking/perm.c: the keyed permutation of [0, 10^8) is a bijection, its
 * inverse is exact, it depends on the key, and neighbours do not map to neighbours. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "trk_perm.h"

static const uint8_t key_a[TRK_PERM_KEY_BYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};
static const uint8_t key_b[TRK_PERM_KEY_BYTES] = {      /* one bit away from key_a */
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17,
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A cheap full-period generator over 32 bits (for sampling inputs). */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static void test_round_trip(const trk_perm *p)
{
	size_t bad = 0, out_of_range = 0;
	uint32_t seed = 42;
	for (int i = 0; i < 1000000; i++) {
		uint32_t x = lcg(&seed) % TRK_PERM_DOMAIN;
		uint32_t y = trk_perm_apply(p, x);
		out_of_range += y >= TRK_PERM_DOMAIN;
		bad += trk_perm_invert(p, y) != x;
		bad += trk_perm_apply(p, trk_perm_invert(p, x)) != x;
	}
	static const uint32_t edges[] = {0, 1, 9999, 10000, 99990000, 99999999};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		uint32_t y = trk_perm_apply(p, edges[i]);
		out_of_range += y >= TRK_PERM_DOMAIN;
		bad += trk_perm_invert(p, y) != edges[i];
	}
	CHECK_INT(bad, 0);
	CHECK_INT(out_of_range, 0);
}

/* Marks the images of [0, n) in a 10^8-bit map; returns how many collided or fell outside. */
static size_t mark_images(const trk_perm *p, uint8_t *bits, uint32_t n)
{
	size_t bad = 0;
	for (uint32_t x = 0; x < n; x++) {
		uint32_t y = trk_perm_apply(p, x);
		if (y >= TRK_PERM_DOMAIN || (bits[y >> 3] & (1u << (y & 7)))) {
			bad++;
			continue;
		}
		bits[y >> 3] |= (uint8_t)(1u << (y & 7));
	}
	return bad;
}

static void test_one_to_one(const trk_perm *p)
{
	uint8_t *bits = calloc(TRK_PERM_DOMAIN / 8, 1);     /* 12.5 MB */
	CHECK(bits != NULL);
	if (!bits)
		return;
	const uint32_t sample = 2000000;
	double t0 = now_s();
	CHECK_INT(mark_images(p, bits, sample), 0);
	printf("images of 0..%u distinct (%.2f s)\n", (unsigned)sample, now_s() - t0);
	/* The whole domain: invert(apply(x)) == x for every x shows apply is one-to-one (it
	 * has a left inverse), hence a permutation of the finite domain. No bitmap needed, so
	 * it runs from cache; done when the estimate is under 5 s (not under valgrind). */
	t0 = now_s();
	size_t bad = 0;
	for (uint32_t x = 0; x < 1000000; x++)
		bad += trk_perm_invert(p, trk_perm_apply(p, x)) != x;
	double est = (now_s() - t0) * (TRK_PERM_DOMAIN / 1000000);
	if (est < 5.0) {
		t0 = now_s();
		for (uint32_t x = 1000000; x < TRK_PERM_DOMAIN; x++) {
			uint32_t y = trk_perm_apply(p, x);
			bad += y >= TRK_PERM_DOMAIN || trk_perm_invert(p, y) != x;
		}
		printf("full domain: invert(apply(x)) == x for all 10^8 x (%.2f s)\n", now_s() - t0);
	} else {
		printf("full domain skipped (%.1f s estimated)\n", est);
	}
	CHECK_INT(bad, 0);
	free(bits);
}

static void test_key_dependence(const trk_perm *a)
{
	trk_perm *b = trk_perm_create(key_b);
	trk_perm *a2 = trk_perm_create(key_a);
	CHECK(b != NULL && a2 != NULL);
	if (!b || !a2) {
		trk_perm_destroy(b);
		trk_perm_destroy(a2);
		return;
	}
	size_t same_b = 0, same_a2 = 0;
	for (uint32_t x = 0; x < 100000; x++) {
		same_b += trk_perm_apply(a, x) == trk_perm_apply(b, x);
		same_a2 += trk_perm_apply(a, x) == trk_perm_apply(a2, x);
	}
	CHECK(same_b < 10);             /* about 10^5 / 10^8 expected by chance */
	CHECK_INT(same_a2, 100000);     /* the same key gives the same permutation */
	trk_perm_destroy(b);
	trk_perm_destroy(a2);
}

static void test_scatter(const trk_perm *p)
{
	size_t adjacent = 0, near = 0, fixed = 0;
	uint32_t prev = trk_perm_apply(p, 0);
	for (uint32_t x = 1; x <= 100000; x++) {
		uint32_t y = trk_perm_apply(p, x);
		uint32_t d = y > prev ? y - prev : prev - y;
		adjacent += d == 1;
		near += d < 1000;
		fixed += y == x;
		prev = y;
	}
	CHECK(adjacent == 0);
	CHECK(near < 20);               /* about 2 expected: 10^5 * 2000 / 10^8 */
	CHECK(fixed < 5);
	/* The leading digit of consecutive serials is spread over all ten values. */
	size_t lead[10] = {0};
	for (uint32_t x = 0; x < 10000; x++)
		lead[trk_perm_apply(p, x) / 10000000]++;
	size_t lo = 10000, hi = 0;
	for (int i = 0; i < 10; i++) {
		lo = lead[i] < lo ? lead[i] : lo;
		hi = lead[i] > hi ? lead[i] : hi;
	}
	CHECK(lo > 800 && hi < 1200);
}

int main(void)
{
	trk_perm *p = trk_perm_create(key_a);
	CHECK(p != NULL);
	if (!p)
		return check_done();
	test_round_trip(p);
	test_one_to_one(p);
	test_key_dependence(p);
	test_scatter(p);
	trk_perm_destroy(p);
	trk_perm_destroy(NULL);
	return check_done();
}
