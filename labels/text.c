/* text.c — UTF-8 cleaning, measuring, wrapping and truncating text for libharu pages. */
#include <string.h>

#include "lbl_internal.h"

static const char ELLIPSIS[] = "\xe2\x80\xa6"; /* … */
#define ELLIPSIS_LEN 3

/* Decodes one strict UTF-8 sequence at s[*i]; returns the code point or -1 (and advances one
 * byte) when the bytes are not valid UTF-8. */
static long utf8_decode(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	long cp;
	size_t n;
	if (c < 0x80) {
		(*i)++;
		return c;
	} else if (c >= 0xC2 && c <= 0xDF) {
		cp = c & 0x1F, n = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		cp = c & 0x0F, n = 2;
	} else if (c >= 0xF0 && c <= 0xF4) {
		cp = c & 0x07, n = 3;
	} else {
		(*i)++;
		return -1;
	}
	if (*i + n >= len) {
		(*i)++;
		return -1;
	}
	for (size_t k = 1; k <= n; k++) {
		unsigned char cc = s[*i + k];
		if ((cc & 0xC0) != 0x80) {
			(*i)++;
			return -1;
		}
		cp = (cp << 6) | (cc & 0x3F);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF)) {
		(*i)++;
		return -1;
	}
	*i += n + 1;
	return cp;
}

static size_t utf8_encode(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

size_t lbl_text_clean(const char *src, char *dst, size_t cap, bool *cut)
{
	size_t o = 0, i = 0, len = src ? strlen(src) : 0;
	const unsigned char *s = (const unsigned char *)src;
	*cut = false;
	if (cap == 0)
		return 0;
	while (i < len) {
		long cp = utf8_decode(s, len, &i);
		if (cp == '\t' || cp == '\n' || cp == '\r')
			cp = ' ';
		else if (cp >= 0 && (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)))
			continue; /* other control characters: dropped */
		else if (cp < 0 || cp > 0xFFFF)
			cp = 0xFFFD; /* libharu's UTF-8 encoder handles the BMP only */
		char enc[3];
		size_t n = utf8_encode((unsigned long)cp, enc);
		if (o + n + 1 > cap) {
			*cut = true;
			break;
		}
		memcpy(dst + o, enc, n);
		o += n;
	}
	dst[o] = '\0';
	return o;
}

/* Next code point of clean text (no validation needed). */
static unsigned long next_cp(const char *text, size_t *i)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char c = s[*i];
	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c < 0xE0) {
		unsigned long cp = ((unsigned long)(c & 0x1F) << 6) | (s[*i + 1] & 0x3F);
		*i += 2;
		return cp;
	}
	unsigned long cp = ((unsigned long)(c & 0x0F) << 12) |
	                   ((unsigned long)(s[*i + 1] & 0x3F) << 6) | (s[*i + 2] & 0x3F);
	*i += 3;
	return cp;
}

static int cp_width(lbl_doc *d, enum lbl_font f, unsigned long cp)
{
	int extra = f == LBL_BOLD && d->fake_bold ? LBL_FAKE_BOLD_SPACE : 0;
	if (cp < LBL_WIDTH_CACHE) {
		int16_t *w = &d->width[f][cp];
		if (*w < 0)
			*w = (int16_t)HPDF_Font_GetUnicodeWidth(d->font[f], (HPDF_UNICODE)cp);
		return (*w < 0 ? 0 : *w) + extra;
	}
	int w = HPDF_Font_GetUnicodeWidth(d->font[f], (HPDF_UNICODE)cp);
	return (w < 0 ? 0 : w) + extra;
}

float lbl_text_width(lbl_doc *d, enum lbl_font f, float size, const char *s, size_t len)
{
	long units = 0;
	size_t i = 0;
	while (i < len)
		units += cp_width(d, f, next_cp(s, &i));
	return (float)units * size / 1000.0f;
}

/* Finds the line of text s[start..len) that fits in w: returns its end (trailing spaces
 * excluded) and sets *next to where the following line starts. Always takes at least one
 * character so that a long word without spaces still progresses. */
static size_t wrap_line(lbl_doc *d, enum lbl_font f, float size, const char *s, size_t len,
                        size_t start, float w, size_t *next)
{
	long limit = (long)(w * 1000.0f / size), units = 0;
	size_t i = start, brk_end = 0, brk_next = 0;
	bool have_brk = false;
	while (i < len) {
		size_t at = i;
		unsigned long cp = next_cp(s, &i);
		if (cp == ' ') {
			brk_end = at, brk_next = i, have_brk = true;
			units += cp_width(d, f, cp);
			continue;
		}
		units += cp_width(d, f, cp);
		if (units > limit) {
			if (have_brk) {
				*next = brk_next;
				return brk_end;
			}
			if (at > start) {
				*next = at;
				return at;
			}
			*next = i;
			return i;
		}
	}
	*next = len;
	return len;
}

static size_t skip_spaces(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

static size_t trim_end(const char *s, size_t start, size_t end)
{
	while (end > start && s[end - 1] == ' ')
		end--;
	return end;
}

/* Draws s[0..len) at (x, y), with "…" appended when ellipsis is set. */
static void draw_run(lbl_doc *d, enum lbl_font f, float size, float x, float y, const char *s,
                     size_t len, bool ellipsis)
{
	char buf[LBL_TEXT_MAX + ELLIPSIS_LEN + 1];
	if (len > LBL_TEXT_MAX)
		len = LBL_TEXT_MAX;
	memcpy(buf, s, len);
	if (ellipsis) {
		memcpy(buf + len, ELLIPSIS, ELLIPSIS_LEN);
		len += ELLIPSIS_LEN;
	}
	buf[len] = '\0';
	if (len == 0)
		return;
	bool fake = f == LBL_BOLD && d->fake_bold;
	if (fake) {
		/* bold from the regular face: outline stroked over the fill, round joins (no
		 * spikes), and the letters spaced by the stroke's width */
		HPDF_Page_GSave(d->page);
		HPDF_Page_SetLineWidth(d->page, size * LBL_FAKE_BOLD_STROKE / 1000.0f);
		HPDF_Page_SetLineJoin(d->page, HPDF_ROUND_JOIN);
	}
	HPDF_Page_BeginText(d->page);
	HPDF_Page_SetFontAndSize(d->page, d->font[f], size);
	if (fake) {
		HPDF_Page_SetTextRenderingMode(d->page, HPDF_FILL_THEN_STROKE);
		HPDF_Page_SetCharSpace(d->page, size * LBL_FAKE_BOLD_SPACE / 1000.0f);
	}
	HPDF_Page_TextOut(d->page, x, y, buf);
	HPDF_Page_EndText(d->page);
	if (fake)
		HPDF_Page_GRestore(d->page);
}

/* Longest prefix of s[start..len) that fits in w together with "…"; its end. */
static size_t fit_with_ellipsis(lbl_doc *d, enum lbl_font f, float size, const char *s,
                                size_t start, size_t len, float w)
{
	long limit = (long)(w * 1000.0f / size) - (long)cp_width(d, f, 0x2026), units = 0;
	size_t i = start, end = start;
	while (i < len) {
		size_t at = i;
		units += cp_width(d, f, next_cp(s, &i));
		if (units > limit)
			return trim_end(s, start, at);
		end = i;
	}
	return trim_end(s, start, end);
}

/* The shared engine of lbl_text_box and lbl_text_box_lines. */
static int text_box(lbl_doc *d, enum lbl_font f, float size, float leading, float x, float y,
                    float w, int max_lines, const char *text, const char *blank, bool draw)
{
	char s[LBL_TEXT_MAX];
	bool cut;
	size_t len = lbl_text_clean(text, s, sizeof s, &cut);
	size_t pos = skip_spaces(s, len, 0);
	if (max_lines < 1)
		max_lines = 1;
	if (w <= 0 || size <= 0)
		return 1;
	if (pos >= len) {
		if (draw && blank)
			lbl_text_line(d, f, size, x, y, w, LBL_LEFT, blank, NULL);
		return 1;
	}
	int lines = 0;
	while (pos < len && lines < max_lines) {
		size_t next, end = wrap_line(d, f, size, s, len, pos, w, &next);
		next = skip_spaces(s, len, next);
		bool last = lines == max_lines - 1;
		if (last && (next < len || cut)) {
			/* more text than room: end the last line with an ellipsis */
			end = fit_with_ellipsis(d, f, size, s, pos, len, w);
			if (draw)
				draw_run(d, f, size, x, y - (float)lines * leading, s + pos, end - pos, true);
			return lines + 1;
		}
		if (draw)
			draw_run(d, f, size, x, y - (float)lines * leading, s + pos,
			         trim_end(s, pos, end) - pos, false);
		lines++;
		pos = next;
	}
	return lines;
}

int lbl_text_box(lbl_doc *d, enum lbl_font f, float size, float leading, float x, float y,
                 float w, int max_lines, const char *text, const char *blank)
{
	return text_box(d, f, size, leading, x, y, w, max_lines, text, blank, true);
}

int lbl_text_box_lines(lbl_doc *d, enum lbl_font f, float size, float w, int max_lines,
                       const char *text)
{
	return text_box(d, f, size, 0, 0, 0, w, max_lines, text, NULL, false);
}

float lbl_text_line(lbl_doc *d, enum lbl_font f, float size, float x, float y, float w,
                    enum lbl_align align, const char *text, const char *blank)
{
	char s[LBL_TEXT_MAX];
	bool cut;
	size_t len = lbl_text_clean(text, s, sizeof s, &cut);
	size_t start = skip_spaces(s, len, 0);
	len = trim_end(s, start, len);
	if (start >= len) {
		if (!blank || !*blank)
			return 0;
		len = lbl_text_clean(blank, s, sizeof s, &cut);
		start = 0;
	}
	if (w <= 0 || size <= 0)
		return 0;
	float tw = lbl_text_width(d, f, size, s + start, len - start);
	bool ellipsis = false;
	if (tw > w || cut) {
		len = fit_with_ellipsis(d, f, size, s, start, len, w);
		ellipsis = true;
		tw = lbl_text_width(d, f, size, s + start, len - start) +
		     lbl_text_width(d, f, size, ELLIPSIS, ELLIPSIS_LEN);
	}
	float dx = align == LBL_CENTER ? (w - tw) / 2 : align == LBL_RIGHT ? w - tw : 0;
	if (dx < 0)
		dx = 0;
	draw_run(d, f, size, x + dx, y, s + start, len - start, ellipsis);
	return tw;
}

void lbl_text_pair(lbl_doc *d, float size, float x, float y, float w, const char *label,
                   const char *value)
{
	float lw = lbl_text_line(d, LBL_REGULAR, size, x, y, w, LBL_LEFT, label, NULL);
	float gap = size * 0.3f;
	if (lw + gap < w)
		lbl_text_line(d, LBL_BOLD, size, x + lw + gap, y, w - lw - gap, LBL_LEFT, value,
		              "\xe2\x80\x94");
}
