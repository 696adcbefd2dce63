/* trk_s10.h — UPU S10 tracking numbers: "AB" + 8-digit serial + check digit + "VN". */
#ifndef HOSO_TRK_S10_H
#define HOSO_TRK_S10_H

#include <stdbool.h>
#include <stdint.h>

#include "hoso.h"

#define TRK_S10_LEN 13  /* characters, without the terminating NUL */

/* Check digit of an 8-digit serial: weights 8 6 4 2 3 5 9 7, 11 - (sum mod 11),
 * 10 -> 0, 11 -> 5. serial must be below 100000000. */
int trk_s10_check_digit(uint32_t serial);

/* True when s is exactly a well-formed S10 number (upper-case letters, any country code)
 * with a correct check digit. */
bool trk_s10_valid(const char *s);

/* Writes prefix + serial + check digit + country into out[TRK_S10_LEN + 1]. prefix and
 * country are two upper-case letters each. HOSO_INVALID when they are not. */
hoso_status trk_s10_format(const char *prefix, uint32_t serial, const char *country,
                           char out[TRK_S10_LEN + 1], hoso_err *err);

/* Accepts what a scanner or a person sends: a bare S10 number (surrounding white space and
 * lower case tolerated) or a URL whose last path segment after "/t/" is one. Writes the
 * canonical upper-case number. HOSO_INVALID, naming `field`, when malformed or when the
 * check digit is wrong (the message says which). */
hoso_status trk_s10_parse(const char *input, const char *field, char out[TRK_S10_LEN + 1],
                          hoso_err *err);

#endif
