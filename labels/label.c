/* label.c — the postal item label: A6, 100 x 150 mm thermal, or four A6 labels on A4. */
#include <stdio.h>
#include <string.h>

#include "lbl_internal.h"

#define MAX_LABELS 5000 /* per document; a day's counter batch is far below this */

#define DASH "—"

static const float A4_W = 595.28f, A4_H = 841.89f;

/* A rule at y and a small bold caption under it; returns the baseline of the first line
 * of the block. */
static float caption(lbl_doc *d, float x, float y, float w, const char *text)
{
	lbl_line(d, x, y, x + w, y, 0.5f, false);
	lbl_text_line(d, LBL_BOLD, 6.5f, x + 10.0f, y - 7.5f, w - 20.0f, LBL_LEFT, text, NULL);
	return y - 17.0f;
}

/* Draws one label in the box (bx, by, bw, bh), at most about A6 in size. */
static hoso_status draw_label(lbl_doc *d, const lbl_label *l, float bx, float by, float bw,
                              float bh)
{
	const float inset = 5.0f, pad = 5.0f;
	float fx = bx + inset, fy = by + inset, fw = bw - 2 * inset, fh = bh - 2 * inset;
	float x = fx + pad, w = fw - 2 * pad, y = fy + fh - pad;
	char buf[LBL_TEXT_MAX];
	hoso_status st;

	lbl_rect(d, fx, fy, fw, fh, 1.2f);

	/* header: title, service form */
	float title_w = w * 0.58f;
	lbl_text_line(d, LBL_BOLD, 13.0f, x, y - 12.0f, title_w, LBL_LEFT,
	              l->title, "HỒ SƠ TTHC");
	lbl_text_box(d, LBL_REGULAR, 6.5f, 7.5f, x + title_w + 4, y - 5.5f, w - title_w - 4, 2,
	             l->service, NULL);
	y -= 17.0f;
	lbl_line(d, fx, y, fx + fw, y, 1.2f, false);

	/* tracking number, barcode and QR */
	const float qr = 84.0f;
	float left_w = w - qr - 4;
	lbl_text_line(d, LBL_BOLD, 17.0f, x, y - 18.0f, left_w, LBL_LEFT, l->tracking_number, DASH);
	st = lbl_draw_code128(d, l->tracking_number, x - 2, y - 70.0f, left_w + 2, 46.0f, 1.5f,
	                      NULL);
	if (st != HOSO_OK)
		return st;
	lbl_text_pair(d, 7.0f, x, y - 80.0f, left_w, "Mã hồ sơ:",
	              l->dossier_ref);
	st = lbl_draw_qr(d, l->qr_url, x + w - qr + 3, y - qr - 2.0f, qr);
	if (st != HOSO_OK)
		return st;
	y -= 88.0f;

	/* sender: y is the baseline of the next line */
	y = caption(d, fx, y, fw, "NGƯỜI GỬI");
	lbl_text_line(d, LBL_BOLD, 10.0f, x, y, w, LBL_LEFT, l->sender_name, DASH);
	y -= 11.5f;
	y -= 10.5f * (float)lbl_text_box(d, LBL_REGULAR, 8.5f, 10.5f, x, y, w, 2,
	                                 l->sender_address, DASH);
	lbl_text_pair(d, 8.5f, x, y, w, "ĐT:", l->sender_phone);
	y -= 6.0f;

	/* receiver */
	y = caption(d, fx, y, fw, "NGƯỜI NHẬN");
	y -= 3.0f;
	y -= 14.0f * (float)lbl_text_box(d, LBL_BOLD, 12.0f, 14.0f, x, y, w, 2,
	                                 l->receiver_name, DASH);
	if (l->receiver_desk && *l->receiver_desk) {
		y -= 10.5f * (float)lbl_text_box(d, LBL_BOLD, 8.5f, 10.5f, x, y, w, 2,
		                                 l->receiver_desk, NULL);
	}
	y -= 10.5f * (float)lbl_text_box(d, LBL_REGULAR, 8.5f, 10.5f, x, y, w, 2,
	                                 l->receiver_address, DASH);
	lbl_text_pair(d, 8.5f, x, y, w, "ĐT:", l->receiver_phone);
	y -= 6.0f;

	/* procedure */
	y = caption(d, fx, y, fw, "THỦ TỤC HÀNH CHÍNH");
	y += 1.0f;
	lbl_code_name(buf, sizeof buf, l->procedure_code, l->procedure_name);
	lbl_text_box(d, LBL_REGULAR, 8.5f, 10.0f, x, y, w, 3, buf, DASH);

	/* bottom block, anchored to the frame's bottom: office, dates */
	float yb = fy + pad + 2.0f;
	lbl_code_name(buf, sizeof buf, l->office_code, l->office_name);
	lbl_text_pair(d, 7.0f, x, yb, w, "Bưu cục chấp nhận:",
	              buf);
	yb += 11.0f;
	float half = (w - 6) / 2;
	lbl_line(d, fx + fw / 2, yb - 3.0f, fx + fw / 2, yb + 24.0f, 0.5f, false);
	lbl_text_line(d, LBL_REGULAR, 6.5f, x, yb + 14.0f, half, LBL_LEFT,
	              "Ngày nhận gửi (J)", NULL);
	lbl_text_line(d, LBL_BOLD, 10.0f, x, yb + 2.0f, half, LBL_LEFT, l->accepted_date, DASH);
	lbl_text_line(d, LBL_REGULAR, 6.5f, fx + fw / 2 + pad, yb + 14.0f, half, LBL_LEFT,
	              "Hạn chuyển phát", NULL);
	lbl_text_line(d, LBL_BOLD, 11.0f, fx + fw / 2 + pad, yb + 2.0f, half, LBL_LEFT,
	              l->due_date, DASH);
	lbl_line(d, fx, yb + 24.0f, fx + fw, yb + 24.0f, 0.5f, false);
	lbl_line(d, fx, yb - 3.0f, fx + fw, yb - 3.0f, 0.5f, false);
	return d->failed ? HOSO_INTERNAL : HOSO_OK;
}

hoso_status lbl_labels_check(const lbl_label *labels, size_t n, lbl_size size, hoso_err *err)
{
	if (!labels || n == 0)
		return hoso_err_set(err, HOSO_INVALID, "no_labels", "", "no label to render");
	if (n > MAX_LABELS)
		return hoso_err_set(err, HOSO_TOO_LARGE, "too_many_labels", "",
		                    "%zu labels in one document; at most %d", n, MAX_LABELS);
	if (size != LBL_A6 && size != LBL_100X150 && size != LBL_A4)
		return hoso_err_set(err, HOSO_INVALID, "bad_size", "size", "unknown label size");
	return HOSO_OK;
}

hoso_status lbl_labels_draw(lbl_doc *d, const lbl_label *labels, size_t n, lbl_size size)
{
	hoso_err *err = d->err;
	for (size_t i = 0; i < n; i++) {
		bool page_ok = true;
		float pw, ph, cx = 0, cy = 0, cw, ch;
		if (size == LBL_A4) {
			pw = A4_W, ph = A4_H, cw = A4_W / 2, ch = A4_H / 2;
			cx = (float)(i % 2) * cw;
			cy = A4_H - (float)((i % 4) / 2 + 1) * ch;
			if (i % 4 == 0) {
				page_ok = lbl_doc_add_page(d, pw, ph);
				lbl_line(d, A4_W / 2, 0, A4_W / 2, A4_H, 0.3f, true);
				lbl_line(d, 0, A4_H / 2, A4_W, A4_H / 2, 0.3f, true);
			}
		} else {
			pw = size == LBL_A6 ? LBL_MM(105) : LBL_MM(100);
			ph = size == LBL_A6 ? LBL_MM(148) : LBL_MM(150);
			cw = pw, ch = ph;
			page_ok = lbl_doc_add_page(d, pw, ph);
		}
		if (!page_ok)
			return HOSO_INTERNAL;
		hoso_status st = draw_label(d, &labels[i], cx, cy, cw, ch);
		if (st != HOSO_OK && !d->failed) {
			/* a data error (barcode, QR): name the label */
			if (err && n > 1) {
				char field[sizeof err->field + 32];
				snprintf(field, sizeof field, "labels[%zu].%s", i, err->field);
				field[sizeof err->field - 1] = '\0';
				memcpy(err->field, field, sizeof err->field);
			}
			return st;
		}
		if (d->failed)
			return HOSO_INTERNAL;
	}
	return HOSO_OK;
}

hoso_status lbl_render_labels(lbl_ctx *ctx, const lbl_label *labels, size_t n, lbl_size size,
                              lbl_buf *out, hoso_err *err)
{
	lbl_doc d;
	if (out) {
		out->data = NULL;
		out->len = 0;
	}
	if (!ctx || !out)
		return hoso_err_set(err, HOSO_INVALID, "bad_call", "", "no context or output buffer");
	hoso_status st = lbl_labels_check(labels, n, size, err);
	if (st != HOSO_OK)
		return st;
	st = lbl_doc_begin(ctx, &d, LBL_FACES_LABEL, err);
	if (st != HOSO_OK)
		return st;
	st = lbl_labels_draw(&d, labels, n, size);
	if (st != HOSO_OK && !d.failed) {
		lbl_doc_abort(&d);
		return st;
	}
	/* a libharu failure is reported (with its code) by lbl_doc_end */
	return lbl_doc_end(&d, out);
}
