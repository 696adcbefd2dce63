/* barcode.c — Code 128 (zint) drawn as vector bars from zint's module matrix; nothing is
 * rasterised. */
#include <string.h>

#include <zint.h>

#include "lbl_internal.h"

#define C128_QUIET 10 /* modules of white on each side */

/* zint 2.10+ stores modules as bits, least significant first within each byte. */
static bool module_set(const struct zint_symbol *sym, int row, int col)
{
	return (sym->encoded_data[row][col >> 3] >> (col & 7)) & 1;
}

hoso_status lbl_draw_code128(lbl_doc *d, const char *text, float x, float y, float w, float h,
                             float max_module, float *used)
{
	if (used)
		*used = 0;
	if (!text || !*text)
		return hoso_err_set(d->err, HOSO_INVALID, "barcode_empty", "tracking_number",
		                    "the barcode needs a tracking number");
	size_t len = strlen(text);
	if (len > 64)
		return hoso_err_set(d->err, HOSO_INVALID, "barcode_too_long", "tracking_number",
		                    "a tracking number of %zu characters is too long for a barcode",
		                    len);
	struct zint_symbol *sym = ZBarcode_Create();
	if (!sym)
		return hoso_err_set(d->err, HOSO_INTERNAL, "out_of_memory", "", "out of memory");
	sym->symbology = BARCODE_CODE128;
	sym->input_mode = DATA_MODE;
	int rc = ZBarcode_Encode(sym, (const unsigned char *)text, (int)len);
	if (rc >= ZINT_ERROR || sym->rows < 1 || sym->width < 1) {
		hoso_err_set(d->err, HOSO_INVALID, "barcode_failed", "tracking_number",
		             "cannot encode \"%.64s\" as Code 128: %s", text, sym->errtxt);
		ZBarcode_Delete(sym);
		return HOSO_INVALID;
	}
	int total = sym->width + 2 * C128_QUIET;
	float m = w / (float)total;
	if (m > max_module)
		m = max_module;
	float ox = x + C128_QUIET * m;
	lbl_fill(d, x, y, m * (float)total, h, 1.0f);
	int col = 0;
	while (col < sym->width) {
		if (!module_set(sym, 0, col)) {
			col++;
			continue;
		}
		int start = col;
		while (col < sym->width && module_set(sym, 0, col))
			col++;
		HPDF_Page_Rectangle(d->page, ox + (float)start * m, y, (float)(col - start) * m, h);
	}
	HPDF_Page_Fill(d->page);
	if (used)
		*used = m * (float)total;
	ZBarcode_Delete(sym);
	return HOSO_OK;
}
