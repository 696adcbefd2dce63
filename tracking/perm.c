/* perm.c — a keyed permutation of [0, 10^8) for serial numbers.
 *
 * x = L * 10^4 + R with L, R in [0, 10^4). Each of PERM_ROUNDS rounds maps (L, R) to
 * (R, (L + F_i(R)) mod 10^4), where F_i(R) = SipHash-2-4_key(i, R) mod 10^4. Every round is
 * a bijection of the domain, so the whole network is; the inverse runs the rounds backwards:
 * (L', R') -> ((R' - F_i(L')) mod 10^4, L'). Reducing a 64-bit hash mod 10^4 has a bias
 * below 10^4 / 2^64, which is negligible.
 *
 * F_i only takes 10^4 inputs per round, so trk_perm_create evaluates SipHash once for each
 * (round, half) and keeps the results (PERM_ROUNDS * 10^4 * 2 bytes = 200 KB): apply and
 * invert are then a few table lookups, and the same key always gives the same table. */
#include "trk_perm.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PERM_HALF 10000u
#define PERM_ROUNDS 10

struct trk_perm {
	uint16_t f[PERM_ROUNDS][PERM_HALF];   /* F_i(R), memoised */
};

/* SipHash-2-4 (crypto_shorthash) of (round, half) reduced to [0, 10^4). */
static uint16_t round_function(const uint8_t key[TRK_PERM_KEY_BYTES], unsigned round,
                               unsigned half)
{
	const unsigned char msg[4] = {
		(unsigned char)round, 0,
		(unsigned char)(half & 0xFF), (unsigned char)(half >> 8),
	};
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, msg, sizeof(msg), key);
	uint64_t v = 0;
	for (int i = crypto_shorthash_BYTES - 1; i >= 0; i--)   /* little endian */
		v = (v << 8) | h[i];
	return (uint16_t)(v % PERM_HALF);
}

trk_perm *trk_perm_create(const uint8_t key[TRK_PERM_KEY_BYTES])
{
	/* sodium_init is idempotent and thread-safe; 1 means "already initialised". */
	if (sodium_init() < 0)
		return NULL;
	_Static_assert(crypto_shorthash_KEYBYTES == TRK_PERM_KEY_BYTES, "SipHash key size");
	trk_perm *p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	for (unsigned r = 0; r < PERM_ROUNDS; r++)
		for (unsigned h = 0; h < PERM_HALF; h++)
			p->f[r][h] = round_function(key, r, h);
	return p;
}

void trk_perm_destroy(trk_perm *p)
{
	if (!p)
		return;
	sodium_memzero(p, sizeof(*p));   /* the table reveals the permutation */
	free(p);
}

uint32_t trk_perm_apply(const trk_perm *p, uint32_t x)
{
	x %= TRK_PERM_DOMAIN;            /* callers pass < 10^8; never index out of range */
	uint32_t l = x / PERM_HALF, r = x % PERM_HALF;
	for (unsigned i = 0; i < PERM_ROUNDS; i++) {
		uint32_t nr = l + p->f[i][r];            /* < 2 * 10^4: one subtraction reduces */
		nr -= nr >= PERM_HALF ? PERM_HALF : 0;
		l = r;
		r = nr;
	}
	return l * PERM_HALF + r;
}

uint32_t trk_perm_invert(const trk_perm *p, uint32_t y)
{
	y %= TRK_PERM_DOMAIN;
	uint32_t l = y / PERM_HALF, r = y % PERM_HALF;
	for (unsigned i = PERM_ROUNDS; i-- > 0;) {
		uint32_t pl = r + PERM_HALF - p->f[i][l];
		pl -= pl >= PERM_HALF ? PERM_HALF : 0;
		r = l;
		l = pl;
	}
	return l * PERM_HALF + r;
}
