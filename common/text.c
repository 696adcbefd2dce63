/* text.c — UTF-8 checks, NFC composition of Latin (Vietnamese) letters, search folding.
 *
 * The tables come from tools/gen_viet_table.py (common/viet_table.h). Composition follows the
 * Unicode algorithm restricted to the letters of U+00C0–U+024F and U+1E00–U+1EFF: decompose
 * those letters fully, put each run of combining marks in canonical order (stable sort by
 * combining class), then recompose every mark that is not blocked from its starter.
 * Text outside those ranges passes through, with its combining marks reordered as NFC does.
 * Malformed UTF-8 in the input of text_nfc/text_fold becomes U+FFFD, so neither ever reads
 * past a sequence or produces invalid output. */
#include "text.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "viet_table.h"

#define REPLACEMENT 0xFFFDu

/* Length of the well-formed sequence at s (avail bytes readable), 0 when malformed.
 * Follows Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char b = s[0];
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	size_t n;
	uint32_t v;
	unsigned char lo = 0x80, hi = 0xBF;   /* allowed range of the second byte */
	if (b >= 0xC2 && b <= 0xDF) {
		n = 2; v = b & 0x1Fu;
	} else if (b >= 0xE0 && b <= 0xEF) {
		n = 3; v = b & 0x0Fu;
		if (b == 0xE0) lo = 0xA0;          /* overlong */
		if (b == 0xED) hi = 0x9F;          /* surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		n = 4; v = b & 0x07u;
		if (b == 0xF0) lo = 0x90;          /* overlong */
		if (b == 0xF4) hi = 0x8F;          /* above U+10FFFF */
	} else {
		return 0;                          /* continuation, C0/C1 overlong, F5..FF */
	}
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3Fu);
	for (size_t i = 2; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	*cp = v;
	return n;
}

bool text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		if (p[i] < 0x80) {       /* ASCII run: the common case */
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_seq(p + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

void text_utf8_repair(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i, &cp);
		if (n == 0) {
			p[i++] = '?';
			continue;
		}
		i += n;
	}
}

size_t text_utf8_length(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}

/* Decodes the code point at s[*i] (NUL-terminated, len bytes) and advances *i;
 * malformed input yields U+FFFD and advances one byte. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
	uint32_t cp;
	size_t n = utf8_seq(s + *i, len - *i, &cp);
	if (n == 0) {
		(*i)++;
		return REPLACEMENT;
	}
	*i += n;
	return cp;
}

static size_t put_cp(char *out, uint32_t cp)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Canonical combining class (0 for starters), by binary search over the ranges. */
static unsigned ccc_of(uint32_t cp)
{
	if (cp < 0x0300)
		return 0;
	size_t lo = 0, hi = sizeof(text_ccc) / sizeof(text_ccc[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < text_ccc[mid].lo)
			hi = mid;
		else if (cp > text_ccc[mid].hi)
			lo = mid + 1;
		else
			return text_ccc[mid].ccc;
	}
	return 0;
}

/* The {first, mark} decomposition of cp, or NULL when it has none in the tables. */
static const uint16_t *decomp_of(uint32_t cp)
{
	const uint16_t *d = NULL;
	if (cp >= TEXT_RANGE0_LO && cp <= TEXT_RANGE0_HI)
		d = text_decomp0[cp - TEXT_RANGE0_LO];
	else if (cp >= TEXT_RANGE1_LO && cp <= TEXT_RANGE1_HI)
		d = text_decomp1[cp - TEXT_RANGE1_LO];
	return (d && d[0]) ? d : NULL;
}

/* The primary composite of (first, mark), or 0. */
static uint32_t compose_pair(uint32_t first, uint32_t mark)
{
	if (first > 0xFFFF || mark > 0xFFFF)
		return 0;
	uint32_t key = (first << 16) | mark;
	size_t lo = 0, hi = sizeof(text_compose) / sizeof(text_compose[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key < text_compose[mid].key)
			hi = mid;
		else if (key > text_compose[mid].key)
			lo = mid + 1;
		else
			return text_compose[mid].cp;
	}
	return 0;
}

/* Appends the full canonical decomposition of cp to buf (depth is at most 3 in practice;
 * the recursion is bounded by the tables, which decompose strictly to lower code points). */
static size_t decompose_into(uint32_t cp, uint32_t *buf, size_t n)
{
	const uint16_t *d = decomp_of(cp);
	if (!d) {
		buf[n++] = cp;
		return n;
	}
	n = decompose_into(d[0], buf, n);
	buf[n++] = d[1];
	return n;
}

/* The quick check of NFC: text whose every code point NFC leaves where it stands is
 * returned as it is, without decomposing and recomposing it (that was 7 % of the
 * instructions of an acceptance, and Vietnamese typed on a phone or with Unikey arrives
 * precomposed). A code point stays when it is a starter (combining class 0) that no
 * composition takes as its second half, and either has no decomposition or recomposes to
 * itself. Worked out once from the same tables, so the two paths cannot disagree. */
static bool nfc_range_stable[(TEXT_RANGE0_HI - TEXT_RANGE0_LO + 1) +
                             (TEXT_RANGE1_HI - TEXT_RANGE1_LO + 1)];
static bool nfc_seconds_are_marks; /* every composition's second half has a class > 0 */
static pthread_once_t nfc_once = PTHREAD_ONCE_INIT;

/* cp's slot in nfc_range_stable, or -1 outside the two ranges. */
static long range_slot(uint32_t cp)
{
	if (cp >= TEXT_RANGE0_LO && cp <= TEXT_RANGE0_HI)
		return (long)(cp - TEXT_RANGE0_LO);
	if (cp >= TEXT_RANGE1_LO && cp <= TEXT_RANGE1_HI)
		return (long)(TEXT_RANGE0_HI - TEXT_RANGE0_LO + 1) + (long)(cp - TEXT_RANGE1_LO);
	return -1;
}

static void nfc_init(void)
{
	nfc_seconds_are_marks = true;
	for (size_t i = 0; i < sizeof(text_compose) / sizeof(text_compose[0]); i++)
		if (ccc_of(text_compose[i].key & 0xFFFFu) == 0)
			nfc_seconds_are_marks = false;
	for (uint32_t cp = 0; cp <= TEXT_RANGE1_HI; cp++) {
		long slot = range_slot(cp);
		if (slot < 0)
			continue;
		uint32_t parts[8];
		size_t n = decompose_into(cp, parts, 0);
		uint32_t back = parts[0];
		for (size_t k = 1; k < n && back; k++)
			back = compose_pair(back, parts[k]);
		nfc_range_stable[slot] = ccc_of(cp) == 0 && (n == 1 || back == cp);
	}
}

/* Whether NFC leaves the len bytes at p as they are (well-formed, every code point stays). */
static bool nfc_quick_yes(const unsigned char *p, size_t len)
{
	pthread_once(&nfc_once, nfc_init);
	if (!nfc_seconds_are_marks)
		return false;
	for (size_t i = 0; i < len;) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_seq(p + i, len - i, &cp);
		if (k == 0)
			return false; /* malformed: the slow path replaces it */
		long slot = range_slot(cp);
		if (slot >= 0 ? !nfc_range_stable[slot] : ccc_of(cp) != 0)
			return false;
		i += k;
	}
	return true;
}

char *text_nfc(const char *s)
{
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	if (nfc_quick_yes(p, len))             /* ASCII and precomposed text are already NFC */
		return strdup(s);

	/* One byte of input gives at most 1.5 code points once decomposed (2-byte letter ->
	 * base + two marks), so 2 * len + 1 bounds the array. */
	uint32_t *cps = malloc((2 * len + 1) * sizeof(*cps));
	char *out = malloc(3 * len + 1);       /* U+FFFD for a stray byte: 3 bytes from 1 */
	if (!cps || !out) {
		free(cps);
		free(out);
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < len;)
		n = decompose_into(next_cp(p, len, &i), cps, n);

	/* Canonical ordering: stable insertion sort of each run of non-starters. */
	for (size_t k = 1; k < n; k++) {
		unsigned c = ccc_of(cps[k]);
		if (c == 0)
			continue;
		size_t j = k;
		uint32_t cp = cps[k];
		while (j > 0) {
			unsigned cj = ccc_of(cps[j - 1]);
			if (cj == 0 || cj <= c)
				break;
			cps[j] = cps[j - 1];
			j--;
		}
		cps[j] = cp;
	}

	/* Canonical composition. */
	size_t w = 0;                          /* code points kept so far */
	size_t starter = SIZE_MAX;             /* index of the last starter among them */
	int last_cc = -1;                      /* class of the last kept after it, -1 if none */
	for (size_t k = 0; k < n; k++) {
		uint32_t cp = cps[k];
		unsigned c = ccc_of(cp);
		if (starter != SIZE_MAX) {
			bool blocked = last_cc >= 0 && (last_cc == 0 || (unsigned)last_cc >= c);
			uint32_t comp = blocked ? 0 : compose_pair(cps[starter], cp);
			if (comp) {
				cps[starter] = comp;
				continue;
			}
		}
		if (c == 0) {
			starter = w;
			last_cc = -1;
		} else {
			last_cc = (int)c;
		}
		cps[w++] = cp;
	}

	size_t o = 0;
	for (size_t k = 0; k < w; k++)
		o += put_cp(out + o, cps[k]);
	out[o] = '\0';
	free(cps);
	return out;
}

static bool is_space_cp(uint32_t cp)
{
	switch (cp) {
	case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return true;
	default:
		return cp >= 0x2000 && cp <= 0x200A;
	}
}

/* The folded form of one letter: ASCII lower case, or the table's base letter. */
static uint32_t fold_cp(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp;
	uint16_t f = 0;
	if (cp >= TEXT_RANGE0_LO && cp <= TEXT_RANGE0_HI)
		f = text_fold0[cp - TEXT_RANGE0_LO];
	else if (cp >= TEXT_RANGE1_LO && cp <= TEXT_RANGE1_HI)
		f = text_fold1[cp - TEXT_RANGE1_LO];
	return f ? f : cp;
}

char *text_fold(const char *s)
{
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(3 * len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	bool pending_space = false;
	for (size_t i = 0; i < len;) {
		uint32_t cp = next_cp(p, len, &i);
		if (is_space_cp(cp)) {
			pending_space = o > 0;         /* leading space is dropped */
			continue;
		}
		if (ccc_of(cp) != 0)               /* combining marks go with the diacritics */
			continue;
		if (pending_space) {
			out[o++] = ' ';
			pending_space = false;
		}
		o += put_cp(out + o, fold_cp(cp));
	}
	out[o] = '\0';                         /* a trailing space was never written */
	return out;
}

bool text_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return true;
		if (*p == 0x7F)
			return true;
		if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)   /* U+0080..U+009F */
			return true;
	}
	return false;
}

void text_copy(char *dst, size_t dst_size, const char *src)
{
	if (dst_size == 0)
		return;
	size_t n = strlen(src);
	if (n >= dst_size) {
		n = dst_size - 1;
		/* src[n] is the first byte left out: while it continues a sequence, the
		 * sequence it belongs to would be cut, so drop that sequence's start too. */
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The letter cp without its marks: ASCII as is, đ/Đ as d/D, a letter of the tables as its
 * base letter in the same case, 0 for a combining mark, '?' for anything else. */
static uint32_t strip_cp(uint32_t cp)
{
	if (cp < 0x80)
		return cp;
	if (cp == 0x0111 || cp == 0x0110)
		return cp == 0x0111 ? 'd' : 'D';
	if (ccc_of(cp) != 0)
		return 0;
	uint32_t buf[8];
	const uint16_t *d = decomp_of(cp);
	if (d && decompose_into(cp, buf, 0) > 0 && buf[0] < 0x80)
		return buf[0];
	return '?';
}

char *text_strip_marks(const char *s)
{
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = next_cp(p, len, &i);
		if (is_space_cp(cp) && cp >= 0x80)
			cp = ' ';
		uint32_t c = strip_cp(cp);
		if (c)
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

uint32_t text_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		h = (h ^ *c) * 16777619u;
	return h;
}
