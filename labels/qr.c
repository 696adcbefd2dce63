/* qr.c — QR codes (libqrencode) drawn as vector rectangles, one per horizontal run of dark
 * modules, inside a white 4-module quiet zone. */
#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "lbl_internal.h"

#define QR_QUIET 4

hoso_status lbl_draw_qr(lbl_doc *d, const char *text, float x, float y, float size)
{
	if (!text || !*text)
		return hoso_err_set(d->err, HOSO_INVALID, "qr_empty", "qr_url",
		                    "the QR code needs a tracking URL");
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return hoso_err_set(d->err, errno == ERANGE ? HOSO_INVALID : HOSO_INTERNAL,
		                    "qr_failed", "qr_url", "cannot encode the QR code (%s)",
		                    errno == ERANGE ? "text too long" : strerror(errno));
	int n = qr->width;
	float m = size / (float)(n + 2 * QR_QUIET);
	float ox = x + QR_QUIET * m, top = y + size - QR_QUIET * m;
	lbl_fill(d, x, y, size, size, 1.0f);   /* the quiet zone must stay white */
	for (int row = 0; row < n; row++) {
		const unsigned char *line = qr->data + (size_t)row * (size_t)n;
		int col = 0;
		while (col < n) {
			if (!(line[col] & 1)) {
				col++;
				continue;
			}
			int start = col;
			while (col < n && (line[col] & 1))
				col++;
			/* a hair of overlap between rows avoids hairline gaps in some viewers */
			HPDF_Page_Rectangle(d->page, ox + (float)start * m,
			                    top - (float)(row + 1) * m - 0.01f,
			                    (float)(col - start) * m, m + 0.02f);
		}
	}
	HPDF_Page_Fill(d->page);
	QRcode_free(qr);
	return HOSO_OK;
}
