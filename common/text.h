/* text.h — UTF-8 checks, Vietnamese NFC composition and search folding. */
#ifndef HOSO_TEXT_H
#define HOSO_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, surrogates, or > U+10FFFF). */
bool text_utf8_valid(const char *s, size_t len);

/* Makes s well-formed UTF-8 in place: each byte that does not start a well-formed sequence
 * (a stray or cut one, e.g. where a message was truncated mid-letter) becomes '?'. */
void text_utf8_repair(char *s);

/* Number of code points in a valid UTF-8 string. */
size_t text_utf8_length(const char *s);

/* Returns a malloc'd copy of valid UTF-8 `s` with Vietnamese letters composed to NFC
 * (base letter + combining marks -> precomposed code point). NULL on out of memory. */
char *text_nfc(const char *s);

/* Returns a malloc'd search key: NFC, lower case, diacritics removed (đ -> d), runs of
 * white space folded to one space and trimmed. "Sở Tư pháp" -> "so tu phap". */
char *text_fold(const char *s);

/* Returns a malloc'd ASCII copy of s for GSM-7 text messages: Vietnamese marks removed
 * (đ -> d), case and punctuation kept, other non-ASCII letters as '?'. NULL on out of
 * memory. "Sở Tư pháp Đắk Lắk." -> "So Tu phap Dak Lak." */
char *text_strip_marks(const char *s);

/* True when s contains a control character (C0 except TAB/LF/CR, DEL, C1). */
bool text_has_control(const char *s);

/* Copies at most dst_size-1 bytes of src, cutting only at a code point boundary. */
void text_copy(char *dst, size_t dst_size, const char *src);

/* FNV-1a of the bytes of s: a fast, well-spread hash for small in-memory tables keyed by a
 * code or an address (not for anything an attacker may choose to collide at will). */
uint32_t text_hash(const char *s);

#endif
