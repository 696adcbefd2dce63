/* lbl.c — the labels context, PDF documents in memory (libharu), shapes and amounts. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf_utils.h>

#include "lbl_internal.h"

#define FONT_REGULAR "hoso-sans.ttf"
#define FONT_BOLD    "hoso-sans-bold.ttf"
#define FONT_LABEL   "hoso-label.ttf" /* optional: the smaller subset lone labels embed */

struct lbl_ctx {
	char *font_path[2];
	char *label_path;    /* FONT_LABEL when readable, else a copy of font_path[0] */
};

static char *path_join(const char *dir, const char *file)
{
	size_t a = strlen(dir), b = strlen(file);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, file, b + 1);
	return p;
}

hoso_status lbl_ctx_create(const char *font_dir, lbl_ctx **out, hoso_err *err)
{
	static const char *const files[2] = { FONT_REGULAR, FONT_BOLD };
	*out = NULL;
	if (!font_dir || !*font_dir)
		return hoso_err_set(err, HOSO_INVALID, "no_font_dir", "", "no font directory given");
	lbl_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", "", "out of memory");
	for (int i = 0; i < 2; i++) {
		ctx->font_path[i] = path_join(font_dir, files[i]);
		if (!ctx->font_path[i]) {
			lbl_ctx_destroy(ctx);
			return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", "", "out of memory");
		}
		if (access(ctx->font_path[i], R_OK) != 0) {
			hoso_err_set(err, HOSO_NOT_FOUND, "font_missing", "",
			             "font %s is missing or unreadable (build the labels fonts, or "
			             "point the font directory at them)", ctx->font_path[i]);
			lbl_ctx_destroy(ctx);
			return HOSO_NOT_FOUND;
		}
	}
	ctx->label_path = path_join(font_dir, FONT_LABEL);
	if (ctx->label_path && access(ctx->label_path, R_OK) != 0) {
		free(ctx->label_path);
		ctx->label_path = path_join(font_dir, FONT_REGULAR);
	}
	if (!ctx->label_path) {
		lbl_ctx_destroy(ctx);
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", "", "out of memory");
	}
	*out = ctx;
	return HOSO_OK;
}

void lbl_ctx_destroy(lbl_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->font_path[0]);
	free(ctx->font_path[1]);
	free(ctx->label_path);
	free(ctx);
}

bool lbl_size_parse(const char *s, lbl_size *out)
{
	if (!s)
		return false;
	if (strcmp(s, "a6") == 0 || strcmp(s, "A6") == 0)
		*out = LBL_A6;
	else if (strcmp(s, "100x150") == 0)
		*out = LBL_100X150;
	else if (strcmp(s, "a4") == 0 || strcmp(s, "A4") == 0)
		*out = LBL_A4;
	else
		return false;
	return true;
}

void lbl_buf_free(lbl_buf *buf)
{
	if (!buf)
		return;
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
}

/* libharu calls this on every error instead of aborting; the first one is kept. */
static void hpdf_error_handler(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	lbl_doc *d = user_data;
	if (!d->failed) {
		d->failed = true;
		d->hpdf_error = (unsigned long)error_no;
		d->hpdf_detail = (unsigned long)detail_no;
	}
}

static hoso_status doc_fail(lbl_doc *d, const char *what)
{
	hoso_status st = hoso_err_set(d->err, HOSO_INTERNAL, "pdf_failed", "",
	                              "PDF generation failed while %s (libharu error 0x%04lX, "
	                              "detail %lu)", what, d->hpdf_error, d->hpdf_detail);
	lbl_doc_abort(d);
	return st;
}

hoso_status lbl_doc_begin(const lbl_ctx *ctx, lbl_doc *d, enum lbl_faces faces,
                          hoso_err *err)
{
	memset(d, 0, sizeof *d);
	d->err = err;
	for (int i = 0; i < 2; i++) {
		d->width[i] = malloc(LBL_WIDTH_CACHE * sizeof *d->width[i]);
		if (!d->width[i]) {
			lbl_doc_abort(d);
			return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", "", "out of memory");
		}
		memset(d->width[i], 0xff, LBL_WIDTH_CACHE * sizeof *d->width[i]); /* all -1 */
	}
	d->pdf = HPDF_New(hpdf_error_handler, d);
	if (!d->pdf) {
		lbl_doc_abort(d);
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", "", "cannot create a PDF");
	}
	HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(d->pdf);
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "hoso");
	if (d->failed)
		return doc_fail(d, "setting up the document");
	int n_faces = faces == LBL_FACES_LABEL ? 1 : 2;
	for (int i = 0; i < n_faces; i++) {
		const char *path = faces == LBL_FACES_LABEL ? ctx->label_path : ctx->font_path[i];
		const char *name = HPDF_LoadTTFontFromFile(d->pdf, path, HPDF_TRUE);
		if (name)
			d->font[i] = HPDF_GetFont(d->pdf, name, "UTF-8");
		if (!name || !d->font[i] || d->failed) {
			hoso_err_set(err, HOSO_INTERNAL, "font_load_failed", "",
			             "cannot load font %s (libharu error 0x%04lX)", path, d->hpdf_error);
			lbl_doc_abort(d);
			return HOSO_INTERNAL;
		}
	}
	if (n_faces == 1) {
		d->font[LBL_BOLD] = d->font[LBL_REGULAR];
		d->fake_bold = true;
	}
	return HOSO_OK;
}

bool lbl_doc_add_page(lbl_doc *d, float w, float h)
{
	d->page = HPDF_AddPage(d->pdf);
	if (!d->page)
		return false;
	HPDF_Page_SetWidth(d->page, w);
	HPDF_Page_SetHeight(d->page, h);
	HPDF_Page_SetLineCap(d->page, HPDF_BUTT_END);
	return !d->failed;
}

bool lbl_pages_add(lbl_doc *d, lbl_pages *p, float w, float h, hoso_status *st)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		HPDF_Page *v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			*st = hoso_err_set(d->err, HOSO_INTERNAL, "out_of_memory", "", "out of memory");
			return false;
		}
		p->v = v;
		p->cap = cap;
	}
	if (!lbl_doc_add_page(d, w, h))
		return false;
	p->v[p->n++] = d->page;
	return true;
}

float lbl_table_head(lbl_doc *d, float x0, float top, float w, const float *col_x, int n,
                     const char *const (*heads)[2])
{
	const float h = 22.0f;
	lbl_fill(d, x0, top - h, w, h, 0.90f);
	lbl_rect(d, x0, top - h, w, h, 0.6f);
	for (int c = 0; c < n; c++) {
		float cx = x0 + col_x[c] + 2.0f, cw = col_x[c + 1] - col_x[c] - 4.0f;
		if (c > 0)
			lbl_line(d, x0 + col_x[c], top - h, x0 + col_x[c], top, 0.4f, false);
		if (heads[c][1]) {
			lbl_text_line(d, LBL_BOLD, 7.0f, cx, top - 9.0f, cw, LBL_CENTER, heads[c][0], NULL);
			lbl_text_line(d, LBL_BOLD, 7.0f, cx, top - 18.0f, cw, LBL_CENTER, heads[c][1], NULL);
		} else {
			lbl_text_line(d, LBL_BOLD, 7.0f, cx, top - 13.5f, cw, LBL_CENTER, heads[c][0], NULL);
		}
	}
	return top - h - 9.0f;
}

void lbl_pages_free(lbl_pages *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

hoso_status lbl_doc_end(lbl_doc *d, lbl_buf *out)
{
	out->data = NULL;
	out->len = 0;
	if (d->failed)
		return doc_fail(d, "drawing");
	if (HPDF_SaveToStream(d->pdf) != HPDF_OK || d->failed)
		return doc_fail(d, "saving");
	HPDF_UINT32 size = HPDF_GetStreamSize(d->pdf);
	unsigned char *data = malloc(size ? size : 1);
	if (!data) {
		lbl_doc_abort(d);
		return hoso_err_set(d->err, HOSO_INTERNAL, "out_of_memory", "",
		                    "out of memory for a PDF of %lu bytes", (unsigned long)size);
	}
	HPDF_UINT32 got = 0;
	while (got < size) {
		HPDF_UINT32 chunk = size - got;
		HPDF_STATUS st = HPDF_ReadFromStream(d->pdf, data + got, &chunk);
		got += chunk;
		if (st == HPDF_STREAM_EOF || chunk == 0)
			break;
		if (st != HPDF_OK) {
			free(data);
			return doc_fail(d, "reading the PDF stream");
		}
	}
	if (got != size) {
		free(data);
		return doc_fail(d, "reading the PDF stream");
	}
	out->data = data;
	out->len = got;
	lbl_doc_abort(d);
	return HOSO_OK;
}

void lbl_doc_abort(lbl_doc *d)
{
	if (d->pdf)
		HPDF_Free(d->pdf);
	d->pdf = NULL;
	d->page = NULL;
	for (int i = 0; i < 2; i++) {
		free(d->width[i]);
		d->width[i] = NULL;
		d->font[i] = NULL;
	}
}

void lbl_rect(lbl_doc *d, float x, float y, float w, float h, float lw)
{
	HPDF_Page_SetLineWidth(d->page, lw);
	HPDF_Page_Rectangle(d->page, x, y, w, h);
	HPDF_Page_Stroke(d->page);
}

void lbl_fill(lbl_doc *d, float x, float y, float w, float h, float g)
{
	HPDF_Page_SetGrayFill(d->page, g);
	HPDF_Page_Rectangle(d->page, x, y, w, h);
	HPDF_Page_Fill(d->page);
	HPDF_Page_SetGrayFill(d->page, 0);
}

void lbl_line(lbl_doc *d, float x1, float y1, float x2, float y2, float lw, bool dash)
{
	static const HPDF_UINT16 pattern[2] = { 4, 3 };
	HPDF_Page_SetLineWidth(d->page, lw);
	if (dash)
		HPDF_Page_SetDash(d->page, pattern, 2, 0);
	HPDF_Page_MoveTo(d->page, x1, y1);
	HPDF_Page_LineTo(d->page, x2, y2);
	HPDF_Page_Stroke(d->page);
	if (dash)
		HPDF_Page_SetDash(d->page, NULL, 0, 0);
}

void lbl_format_vnd(int64_t vnd, char *buf, size_t cap)
{
	char digits[32];
	uint64_t mag = vnd < 0 ? (uint64_t)0 - (uint64_t)vnd : (uint64_t)vnd;
	int n = snprintf(digits, sizeof digits, "%" PRIu64, mag);
	size_t o = 0;
	if (vnd < 0 && o + 1 < cap)
		buf[o++] = '-';
	for (int i = 0; i < n && o + 1 < cap; i++) {
		if (i > 0 && (n - i) % 3 == 0 && o + 1 < cap)
			buf[o++] = '.';
		if (o + 1 < cap)
			buf[o++] = digits[i];
	}
	static const char suffix[] = " \xc4\x91"; /* " đ" */
	for (size_t i = 0; suffix[i] && o + 1 < cap; i++)
		buf[o++] = suffix[i];
	if (cap)
		buf[o < cap ? o : cap - 1] = '\0';
}

void lbl_code_name(char *buf, size_t cap, const char *code, const char *name)
{
	bool has_code = code && *code, has_name = name && *name;
	if (has_code && has_name)
		snprintf(buf, cap, "%s – %s", code, name);
	else
		snprintf(buf, cap, "%s", has_code ? code : has_name ? name : "");
}

/* libharu 2.3.0 copies and clears memory one byte at a time in HPDF_MemCpy and HPDF_MemSet,
 * and a lone label moves about 0.8 MB through them (the 65,536-entry glyph map of each font,
 * built, written and read back for compression). libharu calls both through its PLT, so these
 * definitions in the executable take their place (ELF interposition), with the same results:
 * each returns the end of the area written. */
HPDF_BYTE *HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n)
{
	if (n)
		memmove(out, in, n);
	return out + n;
}

void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
	if (n)
		memset(s, c, n);
	return (HPDF_BYTE *)s + n;
}
