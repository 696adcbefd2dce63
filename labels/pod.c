/* pod.c — the proof of delivery of a result (Phiếu xác nhận đã phát kết quả), one A5 page:
 * who received the result of which procedure, as whom, when and where, what was collected,
 * the custody-chain code of the delivery event and the receiver's signature image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbl_internal.h"

#define PAGE_W 419.53f
#define PAGE_H 595.28f
#define MARGIN 28.0f
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define DASH "—"

/* A grey bar with a bold title at *y; moves *y below it. */
static void section(lbl_doc *d, float *y, const char *title)
{
	lbl_fill(d, MARGIN, *y - 4.0f, CONTENT_W, 13.0f, 0.88f);
	lbl_text_line(d, LBL_BOLD, 8.0f, MARGIN + 4.0f, *y, CONTENT_W - 8.0f, LBL_LEFT, title, NULL);
	*y -= 14.5f;
}

/* "label value" with the value wrapping under itself; moves *y below it. The labels are set
 * in a column of width lw so that the values line up. */
static void field(lbl_doc *d, float *y, float lw, const char *label, const char *value,
                  enum lbl_font f, int max_lines)
{
	const float size = 8.0f, leading = 10.0f;
	lbl_text_line(d, LBL_REGULAR, size, MARGIN + 4.0f, *y, lw - 6.0f, LBL_LEFT, label, NULL);
	int lines = lbl_text_box(d, f, size, leading, MARGIN + lw, *y, CONTENT_W - lw, max_lines,
	                         value, DASH);
	*y -= leading * (float)lines + 1.5f;
}

/* Checks id_last4: NULL or "" (not checked) or exactly four digits. Anything longer could be
 * a whole CCCD number, which must never be printed. */
static bool id_last4_ok(const char *s)
{
	if (!s || !*s)
		return true;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[4] == '\0';
}

/* Draws the signature image centred in the box (x, y, w, h), scaled to fit, aspect kept. */
static hoso_status draw_signature(lbl_doc *d, const lbl_pod *p, float x, float y, float w,
                                  float h)
{
	unsigned char *png = NULL;
	size_t png_len = 0;
	hoso_status st = lbl_png_sanitize(p->signature_png, p->signature_len, d->err, &png,
	                                  &png_len);
	if (st != HOSO_OK)
		return st;
	HPDF_Image img = HPDF_LoadPngImageFromMem(d->pdf, png, (HPDF_UINT)png_len);
	free(png); /* libharu has copied the image data */
	if (!img || d->failed) {
		/* libharu refused it (an unsupported PNG); the document is abandoned */
		return hoso_err_set(d->err, HOSO_INVALID, "bad_signature", "signature",
		                    "the signature image cannot be used (libharu error 0x%04lX)",
		                    d->hpdf_error);
	}
	float iw = (float)HPDF_Image_GetWidth(img), ih = (float)HPDF_Image_GetHeight(img);
	if (iw <= 0 || ih <= 0)
		return hoso_err_set(d->err, HOSO_INVALID, "bad_signature", "signature",
		                    "the signature image is empty");
	float scale = w / iw < h / ih ? w / iw : h / ih;
	float dw = iw * scale, dh = ih * scale;
	HPDF_Page_DrawImage(d->page, img, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
	return d->failed ? HOSO_INTERNAL : HOSO_OK;
}

static hoso_status draw_pod(lbl_doc *d, const lbl_pod *p)
{
	char buf[LBL_TEXT_MAX];
	float top = PAGE_H - MARGIN, x = MARGIN, y;
	hoso_status st;

	lbl_text_line(d, LBL_BOLD, 13.0f, x, top - 12.0f, CONTENT_W, LBL_CENTER,
	              "PHIẾU XÁC NHẬN ĐÃ PHÁT KẾT QUẢ", NULL);
	lbl_text_box(d, LBL_REGULAR, 7.0f, 8.5f, x + 20.0f, top - 24.0f, CONTENT_W - 40.0f, 2,
	             "(Kết quả giải quyết thủ tục hành chính chuyển phát qua dịch vụ bưu chính "
	             "công ích)", NULL);
	y = top - 46.0f;

	/* tracking number and Code 128 on the left, the QR on the right */
	const float qr = 78.0f;
	float left_w = CONTENT_W - qr - 6.0f;
	lbl_text_line(d, LBL_REGULAR, 7.0f, x, y, left_w, LBL_LEFT, "Số hiệu bưu gửi", NULL);
	lbl_text_line(d, LBL_BOLD, 14.0f, x, y - 15.0f, left_w, LBL_LEFT, p->tracking_number, DASH);
	st = lbl_draw_code128(d, p->tracking_number, x - 2.0f, y - 58.0f, left_w + 2.0f, 36.0f, 1.5f,
	                      NULL);
	if (st != HOSO_OK)
		return st;
	st = lbl_draw_qr(d, p->qr_url, PAGE_W - MARGIN - qr + 4.0f, y - qr + 12.0f, qr);
	if (st != HOSO_OK)
		return st;
	y -= 78.0f;

	const float lw = 118.0f;
	section(d, &y, "KẾT QUẢ THỦ TỤC HÀNH CHÍNH");
	field(d, &y, lw, "Người nộp hồ sơ:", p->applicant_name, LBL_BOLD, 2);
	field(d, &y, lw, "Thủ tục:", p->procedure_name, LBL_REGULAR, 2);
	field(d, &y, lw, "Cơ quan giải quyết:", p->agency_name, LBL_REGULAR, 2);
	y -= 3.0f;

	section(d, &y, "NGƯỜI NHẬN KẾT QUẢ");
	field(d, &y, lw, "Họ tên:", p->receiver_name, LBL_BOLD, 2);
	field(d, &y, lw, "Quan hệ:", p->relation, LBL_REGULAR, 1);
	field(d, &y, lw, "Giấy ủy quyền số:", p->authorisation_ref, LBL_REGULAR, 1);
	if (p->id_last4 && *p->id_last4)
		snprintf(buf, sizeof buf, "CCCD: ********%.4s", p->id_last4);
	else
		snprintf(buf, sizeof buf, "CCCD: %s", DASH);
	field(d, &y, lw, "Giấy tờ tùy thân:", buf, LBL_REGULAR, 1);
	y -= 3.0f;

	section(d, &y, "THÔNG TIN PHÁT");
	field(d, &y, lw, "Thời gian phát:", p->delivered_at, LBL_BOLD, 1);
	field(d, &y, lw, "Địa điểm:", p->place, LBL_REGULAR, 2);
	field(d, &y, lw, "Nhân viên bưu chính:", p->courier_name, LBL_REGULAR, 1);
	field(d, &y, lw, "Giấy tờ thu lại:", p->papers_collected, LBL_REGULAR, 2);
	lbl_format_vnd(p->fee_collected_vnd, buf, sizeof buf);
	field(d, &y, lw, "Phí, lệ phí đã thu:", buf, LBL_REGULAR, 1);
	y -= 4.0f;
	snprintf(buf, sizeof buf, "Mã xác thực: %.64s", p->chain_code && *p->chain_code ?
	         p->chain_code : DASH);
	lbl_text_line(d, LBL_BOLD, 10.0f, x + 4.0f, y, CONTENT_W - 8.0f, LBL_LEFT, buf, NULL);
	y -= 10.0f;

	/* signature boxes, anchored above the footer; the fields above hold at most 16 lines,
	 * which end above them */
	const float box_h = 118.0f, bottom = 40.0f, gap = 12.0f;
	float bw_recv = (CONTENT_W - gap) * 0.58f, bw_post = CONTENT_W - gap - bw_recv;
	const char *who[2] = { "NGƯỜI NHẬN KẾT QUẢ", "NHÂN VIÊN BƯU CHÍNH" };
	const char *names[2] = { p->receiver_name, p->courier_name };
	float bx[2] = { x, x + bw_recv + gap }, bw[2] = { bw_recv, bw_post };
	for (int i = 0; i < 2; i++) {
		lbl_rect(d, bx[i], bottom, bw[i], box_h, 0.6f);
		lbl_text_line(d, LBL_BOLD, 8.0f, bx[i] + 4.0f, bottom + box_h - 11.0f, bw[i] - 8.0f,
		              LBL_CENTER, who[i], NULL);
		lbl_text_line(d, LBL_REGULAR, 6.5f, bx[i] + 4.0f, bottom + box_h - 20.0f, bw[i] - 8.0f,
		              LBL_CENTER, "(Ký, ghi rõ họ tên)", NULL);
		lbl_text_line(d, LBL_BOLD, 8.0f, bx[i] + 4.0f, bottom + 6.0f, bw[i] - 8.0f, LBL_CENTER,
		              names[i], NULL);
	}
	if (p->signature_png) {
		st = draw_signature(d, p, bx[0] + 6.0f, bottom + 18.0f, bw[0] - 12.0f, box_h - 42.0f);
		if (st != HOSO_OK)
			return st;
	}
	lbl_text_pair(d, 6.5f, x, 26.0f, CONTENT_W, "Tra cứu bưu gửi:", p->qr_url);
	return d->failed ? HOSO_INTERNAL : HOSO_OK;
}

hoso_status lbl_render_pod(lbl_ctx *ctx, const lbl_pod *p, lbl_buf *out, hoso_err *err)
{
	lbl_doc d;
	if (out) {
		out->data = NULL;
		out->len = 0;
	}
	if (!ctx || !p || !out)
		return hoso_err_set(err, HOSO_INVALID, "bad_call", "", "no context, POD or output");
	if (!id_last4_ok(p->id_last4))
		return hoso_err_set(err, HOSO_INVALID, "bad_id_last4", "id_last4",
		                    "id_last4 must be the last 4 digits of the ID card, nothing more");
	if (p->signature_png && p->signature_len == 0)
		return hoso_err_set(err, HOSO_INVALID, "bad_signature", "signature",
		                    "an empty signature image");
	hoso_status st = lbl_doc_begin(ctx, &d, LBL_FACES_TWO, err);
	if (st != HOSO_OK)
		return st;
	if (!lbl_doc_add_page(&d, PAGE_W, PAGE_H))
		return lbl_doc_end(&d, out); /* reports the libharu failure */
	st = draw_pod(&d, p);
	if (st != HOSO_OK) {
		lbl_doc_abort(&d);
		return st;
	}
	return lbl_doc_end(&d, out);
}
