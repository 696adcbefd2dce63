/* trk_canon.h — canonical JSON bytes without jansson's dump machinery: the same bytes as
 * json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS) (the custody chain's canonical form, and
 * the digest of an event request), built into a caller's buffer. Implemented in chain.c;
 * tests/tracking/test_canon.c compares it with jansson on many values. */
#ifndef HOSO_TRK_CANON_H
#define HOSO_TRK_CANON_H

#include <jansson.h>
#include <stddef.h>

/* The canonical bytes of an object or array, NUL-terminated: in buf when they fit in size
 * bytes, else in a malloc'd buffer (free() it when the result is not buf). *len (may be
 * NULL) gets their length. NULL where json_dumps would fail (not an object or array, a
 * string that is not UTF-8, out of memory). */
char *trk_json_canonical(const json_t *json, char *buf, size_t size, size_t *len);

#endif
