/* trk_perm.h — a keyed permutation of [0, 10^8): serial numbers that are unique but not
 * guessable from their neighbours. A balanced Feistel network on two base-10^4 halves,
 * whose round function is keyed SipHash (libsodium crypto_shorthash). */
#ifndef HOSO_TRK_PERM_H
#define HOSO_TRK_PERM_H

#include <stdint.h>

#define TRK_PERM_DOMAIN 100000000u
#define TRK_PERM_KEY_BYTES 16

typedef struct trk_perm trk_perm;

/* Creates a permutation from a 16-byte key; NULL on out of memory. */
trk_perm *trk_perm_create(const uint8_t key[TRK_PERM_KEY_BYTES]);

/* Frees it; NULL is accepted. */
void trk_perm_destroy(trk_perm *p);

/* Maps x (< TRK_PERM_DOMAIN) to its image, also < TRK_PERM_DOMAIN. */
uint32_t trk_perm_apply(const trk_perm *p, uint32_t x);

/* Inverse of trk_perm_apply. */
uint32_t trk_perm_invert(const trk_perm *p, uint32_t y);

#endif
