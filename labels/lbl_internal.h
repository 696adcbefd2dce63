/* lbl_internal.h — what the files of labels/ share: the document being drawn, its fonts,
 * and the drawing helpers. Not part of the public API. Units are PDF points (1/72 inch),
 * origin at the bottom left of the page. */
#ifndef HOSO_LBL_INTERNAL_H
#define HOSO_LBL_INTERNAL_H

#include <hpdf.h>

#include "lbl.h"

#define LBL_MM(mm) ((float)(mm) * 72.0f / 25.4f)

/* The longest UTF-8 text (bytes) a single field can put on a page; longer input is cut and
 * ends with "…". No box on a label or note holds more. */
#define LBL_TEXT_MAX 4096

/* Widths are cached for code points below this; above it the .notdef width is used. */
#define LBL_WIDTH_CACHE 0x2700

enum lbl_font { LBL_REGULAR = 0, LBL_BOLD = 1 };

/* Which faces a document embeds. libharu's per-font cost (a 65,536-entry glyph map built,
 * compressed and written for every font) dominates a lone label, so labels embed one small
 * face and draw bold as regular filled and stroked; documents embed the real bold face. */
enum lbl_faces {
	LBL_FACES_TWO = 0,   /* hoso-sans.ttf + hoso-sans-bold.ttf */
	LBL_FACES_LABEL = 1, /* hoso-label.ttf (else hoso-sans.ttf), bold faked */
};

/* Fake bold: stroke width and extra advance per character, in 1/1000 em. */
#define LBL_FAKE_BOLD_STROKE 50
#define LBL_FAKE_BOLD_SPACE 45
enum lbl_align { LBL_LEFT = 0, LBL_CENTER, LBL_RIGHT };

/* One PDF being built. Created by lbl_doc_begin, freed by lbl_doc_end. */
typedef struct lbl_doc {
	HPDF_Doc pdf;
	HPDF_Font font[2];
	HPDF_Page page;              /* page being drawn */
	hoso_err *err;
	bool failed;                 /* a libharu call failed: the document is abandoned */
	unsigned long hpdf_error;    /* first libharu error code and detail, for the message */
	unsigned long hpdf_detail;
	int16_t *width[2];           /* glyph advance per code point, 1/1000 em; -1 unknown */
	bool fake_bold;              /* font[LBL_BOLD] is the regular face, filled and stroked */
} lbl_doc;

/* Starts an empty PDF with the faces loaded. On failure fills err and frees everything. */
hoso_status lbl_doc_begin(const lbl_ctx *ctx, lbl_doc *d, enum lbl_faces faces,
                          hoso_err *err);

/* Adds a page of w x h points and makes it current; false when libharu failed. */
bool lbl_doc_add_page(lbl_doc *d, float w, float h);

/* The pages of a document that runs over several, kept so that the footers ("page i of n")
 * can be drawn once the count is known. Zero-initialise; free with lbl_pages_free. */
typedef struct lbl_pages {
	HPDF_Page *v;
	size_t n, cap;
} lbl_pages;

/* Adds a page as lbl_doc_add_page does and records it in p; false on failure (out of
 * memory sets *st and d->err). */
bool lbl_pages_add(lbl_doc *d, lbl_pages *p, float w, float h, hoso_status *st);
/* Frees the list (not the pages, which belong to the document). */
void lbl_pages_free(lbl_pages *p);

/* Draws a table's grey header row at x0, from top down 22 pt, width w: n columns whose left
 * edges (from x0) are col_x[0..n] (col_x[n] = w), each head one or two centred bold lines
 * (heads[c][1] NULL for one). Returns the baseline of the first body row. */
float lbl_table_head(lbl_doc *d, float x0, float top, float w, const float *col_x, int n,
                     const char *const (*heads)[2]);

/* Serialises the document into out (on success) and frees it. Returns the status. */
hoso_status lbl_doc_end(lbl_doc *d, lbl_buf *out);

/* Frees the document without producing bytes; NULL-safe on a zeroed struct. */
void lbl_doc_abort(lbl_doc *d);

/* Checks what lbl_labels_draw would refuse (none, too many, unknown size), naming it in err. */
hoso_status lbl_labels_check(const lbl_label *labels, size_t n, lbl_size size, hoso_err *err);

/* Adds the pages of n checked labels to the open document d. A data error (QR, barcode) is
 * returned with d->err set; a libharu failure returns HOSO_INTERNAL with d->failed set. */
hoso_status lbl_labels_draw(lbl_doc *d, const lbl_label *labels, size_t n, lbl_size size);

/* Checks what lbl_note_draw would refuse (documents announced but missing, too many). */
hoso_status lbl_note_check(const lbl_note *note, hoso_err *err);

/* Adds the pages of a checked consignment note to the open document d (two faces needed);
 * errors as lbl_labels_draw. */
hoso_status lbl_note_draw(lbl_doc *d, const lbl_note *note);

/* Copies src into dst (cap bytes) as clean UTF-8 for libharu: invalid bytes, control
 * characters and code points beyond the BMP become U+FFFD, tabs and newlines a space, NULL
 * becomes "". Stops at a character boundary; *cut tells whether input was left out. */
size_t lbl_text_clean(const char *src, char *dst, size_t cap, bool *cut);

/* Width in points of clean UTF-8 text set in font f at size pt. */
float lbl_text_width(lbl_doc *d, enum lbl_font f, float size, const char *s, size_t len);

/* Draws one line of text with its baseline at y inside [x, x + w]; cut with "…" when
 * longer. NULL or "" draws `blank` (which may be NULL for nothing). Returns width drawn. */
float lbl_text_line(lbl_doc *d, enum lbl_font f, float size, float x, float y, float w,
                    enum lbl_align align, const char *text, const char *blank);

/* Wraps text into at most max_lines lines of width w, the first baseline at y and the next
 * ones `leading` points lower; the last line ends with "…" when text does not fit. NULL or
 * "" draws `blank`. Returns the number of lines drawn (at least 1). */
int lbl_text_box(lbl_doc *d, enum lbl_font f, float size, float leading, float x, float y,
                 float w, int max_lines, const char *text, const char *blank);

/* Counts the lines lbl_text_box would draw, without drawing. */
int lbl_text_box_lines(lbl_doc *d, enum lbl_font f, float size, float w, int max_lines,
                       const char *text);

/* Draws "label value": the label in regular type, the value in bold after it, cut to fit w. */
void lbl_text_pair(lbl_doc *d, float size, float x, float y, float w, const char *label,
                   const char *value);

/* Strokes a rectangle outline with line width lw. */
void lbl_rect(lbl_doc *d, float x, float y, float w, float h, float lw);

/* Fills a rectangle with the grey level g (0 black, 1 white). */
void lbl_fill(lbl_doc *d, float x, float y, float w, float h, float g);

/* Strokes a line from (x1, y1) to (x2, y2); dashed when dash is true. */
void lbl_line(lbl_doc *d, float x1, float y1, float x2, float y2, float lw, bool dash);

/* Draws the QR code of text (error correction M, 4-module quiet zone included) as a square of
 * side `size` with its bottom left corner at (x, y). Fails on text libqrencode refuses. */
hoso_status lbl_draw_qr(lbl_doc *d, const char *text, float x, float y, float size);

/* Draws text as Code 128 with 10-module quiet zones inside the box (x, y, w, h), bars as
 * rectangles; the module is the widest that fits, capped at max_module points. Returns the
 * width used in *used (may be NULL). */
hoso_status lbl_draw_code128(lbl_doc *d, const char *text, float x, float y, float w, float h,
                             float max_module, float *used);

/* Checks that png is a PNG libpng reads without error (libharu 2.3.0 lets libpng abort the
 * process on a corrupt one) and copies its IHDR, PLTE, tRNS, IDAT and IEND chunks into *out
 * (malloc'd, for HPDF_LoadPngImageFromMem). HOSO_INVALID / HOSO_TOO_LARGE, field "signature". */
hoso_status lbl_png_sanitize(const unsigned char *png, size_t len, hoso_err *err,
                             unsigned char **out, size_t *out_len);

/* "code – name" into buf; either may be NULL or "" (then only the other, or ""). */
void lbl_code_name(char *buf, size_t cap, const char *code, const char *name);

/* Formats an amount of VND as "1.234.567 đ" into buf (at least 32 bytes). */
void lbl_format_vnd(int64_t vnd, char *buf, size_t cap);

#endif
