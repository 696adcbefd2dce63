/* note.c — the consignment note (Phiếu gửi hồ sơ, Circular 17/2017/TT-BTTTT Art 9), A4,
 * with its list of documents running onto further pages when long. Every page carries the
 * tracking number, its barcode and the tracking QR, and "Trang i/N". */
#include <stdio.h>
#include <stdlib.h>

#include "lbl_internal.h"

#define MAX_DOCUMENTS 2000

#define PAGE_W 595.28f
#define PAGE_H 841.89f
#define MARGIN 38.0f
#define BOTTOM 52.0f /* lowest baseline for content; the footer sits below */
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define DASH "—"

typedef struct note_state {
	lbl_doc *d;
	const lbl_note *n;
	lbl_pages pages;
	float y;          /* baseline of the next line on the current page */
	hoso_status st;
} note_state;

/* A grey bar with a bold section title; advances y below it. */
static void section(note_state *s, float x, float w, const char *title)
{
	lbl_fill(s->d, x, s->y - 4.0f, w, 14.0f, 0.88f);
	lbl_text_line(s->d, LBL_BOLD, 8.5f, x + 4.0f, s->y, w - 8.0f, LBL_LEFT, title, NULL);
	s->y -= 16.0f;
}

/* "label value" where the value wraps under itself into at most max_lines lines. Returns
 * the y of the line after it. */
static float field(lbl_doc *d, float x, float y, float w, const char *label, const char *value,
                   enum lbl_font f, int max_lines)
{
	const float size = 8.5f, leading = 10.5f;
	float lw = lbl_text_line(d, LBL_REGULAR, size, x, y, w * 0.5f, LBL_LEFT, label, NULL) + 3.0f;
	int lines = lbl_text_box(d, f, size, leading, x + lw, y, w - lw, max_lines, value, DASH);
	return y - leading * (float)lines - 1.5f;
}

/* Tracking number, barcode and QR: the large block on page 1, a compact one after. */
static void page_header(note_state *s, bool first)
{
	lbl_doc *d = s->d;
	const lbl_note *n = s->n;
	float top = PAGE_H - MARGIN, x = MARGIN;
	float qr = first ? 84.0f : 66.0f;
	hoso_status st = lbl_draw_qr(d, n->qr_url, PAGE_W - MARGIN - qr + 4.0f, top - qr + 4.0f, qr);
	if (st != HOSO_OK && s->st == HOSO_OK)
		s->st = st;
	float left_w = CONTENT_W - qr - 8.0f;
	if (first) {
		lbl_text_line(d, LBL_BOLD, 8.5f, x, top - 6.0f, left_w, LBL_LEFT, n->office_name, NULL);
		lbl_text_line(d, LBL_REGULAR, 7.5f, x, top - 16.0f, left_w, LBL_LEFT, n->office_address,
		              NULL);
		lbl_text_line(d, LBL_BOLD, 18.0f, x, top - 40.0f, left_w, LBL_CENTER,
		              "PHIẾU GỬI HỒ SƠ", NULL);
		lbl_text_box(d, LBL_REGULAR, 7.5f, 9.0f, x + 30.0f, top - 52.0f, left_w - 60.0f, 2,
		             "(Dịch vụ bưu chính công ích theo Thông tư số 17/2017/TT-BTTTT ngày "
		             "23/6/2017 của Bộ Thông tin và Truyền thông)", NULL);
		s->y = top - 86.0f;
	} else {
		lbl_text_line(d, LBL_BOLD, 12.0f, x, top - 10.0f, left_w, LBL_LEFT,
		              "PHIẾU GỬI HỒ SƠ (tiếp theo)", NULL);
		s->y = top - 40.0f;
	}
	/* tracking number on the left, barcode on the right of it */
	float tx = x, ty = s->y;
	lbl_text_line(d, LBL_REGULAR, 7.5f, tx, ty + 10.0f, 150.0f, LBL_LEFT, "Số hiệu bưu gửi",
	              NULL);
	lbl_text_line(d, LBL_BOLD, first ? 15.0f : 12.0f, tx, ty - 6.0f, 150.0f, LBL_LEFT,
	              n->tracking_number, DASH);
	st = lbl_draw_code128(d, n->tracking_number, tx + 150.0f, ty - 12.0f, left_w - 150.0f,
	                      first ? 34.0f : 30.0f, 1.5f, NULL);
	if (st != HOSO_OK && s->st == HOSO_OK)
		s->st = st;
	s->y = ty - 28.0f;
	if (first) {
		float half = CONTENT_W / 2;
		lbl_text_pair(d, 8.0f, x, s->y, half - 6.0f, "Mã hồ sơ:", n->dossier_ref);
		lbl_text_pair(d, 8.0f, x + half, s->y, half, "Mã hồ sơ trên Cổng DVC:", n->portal_code);
		s->y -= 16.0f;
	}
}

static bool new_page(note_state *s)
{
	if (!lbl_pages_add(s->d, &s->pages, PAGE_W, PAGE_H, &s->st))
		return false;
	page_header(s, s->pages.n == 1);
	return true;
}

/* Starts a new page unless h points are left on this one. */
static bool ensure(note_state *s, float h)
{
	if (s->y - h >= BOTTOM)
		return true;
	return new_page(s);
}

static void parties(note_state *s)
{
	lbl_doc *d = s->d;
	const lbl_note *n = s->n;
	float half = (CONTENT_W - 10.0f) / 2, xl = MARGIN, xr = MARGIN + half + 10.0f;
	float top = s->y;
	section(s, xl, half, "1. NGƯỜI GỬI");
	float y = s->y;
	y = field(d, xl, y, half, "Họ tên / Tên tổ chức:", n->sender_name, LBL_BOLD, 2);
	y = field(d, xl, y, half, "Loại:", n->sender_kind, LBL_REGULAR, 1);
	y = field(d, xl, y, half, "Số CCCD / Mã số:", n->sender_id_number, LBL_REGULAR, 1);
	y = field(d, xl, y, half, "Địa chỉ:", n->sender_address, LBL_REGULAR, 3);
	y = field(d, xl, y, half, "Điện thoại:", n->sender_phone, LBL_REGULAR, 1);
	float yl = field(d, xl, y, half, "Email:", n->sender_email, LBL_REGULAR, 1);
	s->y = top;
	section(s, xr, half, "2. NGƯỜI NHẬN (CƠ QUAN GIẢI QUYẾT)");
	y = s->y;
	y = field(d, xr, y, half, "Cơ quan:", n->receiver_name, LBL_BOLD, 2);
	y = field(d, xr, y, half, "Bộ phận:", n->receiver_desk, LBL_REGULAR, 2);
	y = field(d, xr, y, half, "Địa chỉ:", n->receiver_address, LBL_REGULAR, 3);
	float yr = field(d, xr, y, half, "Điện thoại:", n->receiver_phone, LBL_REGULAR, 1);
	s->y = (yl < yr ? yl : yr) - 6.0f;
}

static void procedure(note_state *s)
{
	ensure(s, 60.0f);
	section(s, MARGIN, CONTENT_W, "3. THỦ TỤC HÀNH CHÍNH");
	s->y = field(s->d, MARGIN, s->y, CONTENT_W, "Mã thủ tục:", s->n->procedure_code,
	             LBL_BOLD, 1);
	s->y = field(s->d, MARGIN, s->y, CONTENT_W, "Tên thủ tục:", s->n->procedure_name,
	             LBL_REGULAR, 3) - 6.0f;
}

static const float col_x[5] = { 0, 30, 355, 450, CONTENT_W };

static void table_header(note_state *s)
{
	lbl_doc *d = s->d;
	static const char *const heads[4] = { "STT", "Tên giấy tờ", "Bản chính/Bản sao", "Số bản" };
	lbl_fill(d, MARGIN, s->y - 5.0f, CONTENT_W, 16.0f, 0.93f);
	lbl_rect(d, MARGIN, s->y - 5.0f, CONTENT_W, 16.0f, 0.6f);
	for (int c = 0; c < 4; c++)
		lbl_text_line(d, LBL_BOLD, 8.0f, MARGIN + col_x[c] + 3.0f, s->y, col_x[c + 1] -
		              col_x[c] - 6.0f, c == 1 ? LBL_LEFT : LBL_CENTER, heads[c], NULL);
	s->y -= 16.0f;
}

static void documents(note_state *s)
{
	lbl_doc *d = s->d;
	const lbl_note *n = s->n;
	const float size = 8.5f, leading = 10.5f;
	long long total_copies = 0;
	ensure(s, 60.0f);
	section(s, MARGIN, CONTENT_W, "4. DANH MỤC GIẤY TỜ TRONG HỒ SƠ");
	table_header(s);
	for (size_t i = 0; i < n->n_documents; i++) {
		const lbl_doc_line *line = &n->documents[i];
		float name_w = col_x[2] - col_x[1] - 6.0f;
		int lines = lbl_text_box_lines(d, LBL_REGULAR, size, name_w, 3, line->name);
		float row_h = leading * (float)lines + 5.0f;
		if (s->y - row_h < BOTTOM) {
			if (!new_page(s))
				return;
			section(s, MARGIN, CONTENT_W, "4. DANH MỤC GIẤY TỜ TRONG HỒ SƠ (tiếp theo)");
			table_header(s);
		}
		float row_top = s->y + 11.0f, row_bottom = row_top - row_h;
		char num[32];
		snprintf(num, sizeof num, "%zu", i + 1);
		lbl_text_line(d, LBL_REGULAR, size, MARGIN + 3.0f, s->y, col_x[1] - 6.0f, LBL_CENTER,
		              num, NULL);
		lbl_text_box(d, LBL_REGULAR, size, leading, MARGIN + col_x[1] + 3.0f, s->y, name_w, 3,
		             line->name, DASH);
		lbl_text_line(d, LBL_REGULAR, size, MARGIN + col_x[2] + 3.0f, s->y,
		              col_x[3] - col_x[2] - 6.0f, LBL_CENTER, line->form, DASH);
		if (line->copies > 0) {
			snprintf(num, sizeof num, "%d", line->copies);
			total_copies += line->copies;
		} else {
			snprintf(num, sizeof num, "%s", DASH);
		}
		lbl_text_line(d, LBL_REGULAR, size, MARGIN + col_x[3] + 3.0f, s->y,
		              col_x[4] - col_x[3] - 6.0f, LBL_CENTER, num, NULL);
		lbl_rect(d, MARGIN, row_bottom, CONTENT_W, row_h, 0.4f);
		for (int c = 1; c < 4; c++)
			lbl_line(d, MARGIN + col_x[c], row_bottom, MARGIN + col_x[c], row_top, 0.4f, false);
		s->y -= row_h;
	}
	if (n->n_documents == 0) {
		lbl_text_line(d, LBL_REGULAR, size, MARGIN + 3.0f, s->y, CONTENT_W - 6.0f, LBL_CENTER,
		              "(không có giấy tờ kê khai)", NULL);
		s->y -= leading + 5.0f;
	}
	char total[96];
	snprintf(total, sizeof total, "%zu giấy tờ, %lld bản", n->n_documents, total_copies);
	ensure(s, 16.0f);
	s->y -= 4.0f;
	lbl_text_pair(d, 8.5f, MARGIN, s->y, CONTENT_W, "Tổng số:", total);
	s->y -= 18.0f;
}

static int64_t add_saturated(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static void service_and_acceptance(note_state *s)
{
	lbl_doc *d = s->d;
	const lbl_note *n = s->n;
	char postage[48], fee[48], sum[48];
	float half = (CONTENT_W - 10.0f) / 2, xl = MARGIN, xr = MARGIN + half + 10.0f;
	lbl_format_vnd(n->postage_vnd, postage, sizeof postage);
	lbl_format_vnd(n->fee_vnd, fee, sizeof fee);
	lbl_format_vnd(add_saturated(n->postage_vnd, n->fee_vnd), sum, sizeof sum);
	ensure(s, 110.0f);
	float top = s->y;
	section(s, xl, half, "5. DỊCH VỤ VÀ CƯỚC PHÍ");
	float y = s->y;
	y = field(d, xl, y, half, "Hình thức dịch vụ:", n->service, LBL_BOLD, 2);
	y = field(d, xl, y, half, "Cước phí:", postage, LBL_REGULAR, 1);
	y = field(d, xl, y, half, "Phí, lệ phí:", fee, LBL_REGULAR, 1);
	y = field(d, xl, y, half, "Tổng cộng:", sum, LBL_BOLD, 1);
	float yl = field(d, xl, y, half, "Hình thức thanh toán:", n->payment_method, LBL_REGULAR, 1);
	s->y = top;
	section(s, xr, half, "6. CHẤP NHẬN");
	y = s->y;
	y = field(d, xr, y, half, "Thời gian chấp nhận:", n->accepted_at, LBL_REGULAR, 1);
	y = field(d, xr, y, half, "Hạn chuyển phát:", n->due_date, LBL_BOLD, 1);
	y = field(d, xr, y, half, "Bưu cục:", n->office_name, LBL_REGULAR, 2);
	y = field(d, xr, y, half, "Nhân viên bưu chính:", n->clerk_name, LBL_REGULAR, 1);
	float yr = field(d, xr, y, half, "Ghi chú:", n->notes, LBL_REGULAR, 3);
	s->y = (yl < yr ? yl : yr) - 6.0f;
}

static void terms_and_signatures(note_state *s)
{
	static const char *const terms[] = {
		"Người gửi chịu trách nhiệm về tính chính xác, hợp pháp của hồ sơ. Nhân viên bưu "
		"chính kiểm đếm giấy tờ theo danh mục trên, niêm phong hồ sơ trước mặt người gửi và "
		"không được tiết lộ nội dung hồ sơ.",
		"Doanh nghiệp bưu chính chuyển phát hồ sơ đến cơ quan giải quyết đúng hạn chuyển phát "
		"ghi trên phiếu. Bưu gửi bị mất, hư hỏng được bồi thường theo Điều 14 Quyết định số "
		"45/2016/QĐ-TTg.",
		"Người gửi có quyền khiếu nại trong thời hạn 6 tháng kể từ ngày kết thúc thời gian "
		"toàn trình của bưu gửi; doanh nghiệp trả lời trong 5 ngày làm việc (nội tỉnh) hoặc "
		"7 ngày làm việc (liên tỉnh).",
	};
	lbl_doc *d = s->d;
	const float size = 7.5f, leading = 9.0f;
	ensure(s, 240.0f); /* keep the terms with the signatures */
	section(s, MARGIN, CONTENT_W, "ĐIỀU KHOẢN");
	for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++) {
		ensure(s, 30.0f);
		lbl_text_line(d, LBL_REGULAR, size, MARGIN + 2.0f, s->y, 8.0f, LBL_LEFT, "•", NULL);
		int lines = lbl_text_box(d, LBL_REGULAR, size, leading, MARGIN + 10.0f, s->y,
		                         CONTENT_W - 10.0f, 4, terms[i], NULL);
		s->y -= leading * (float)lines + 2.0f;
	}
	lbl_text_pair(d, size, MARGIN + 10.0f, s->y, CONTENT_W - 10.0f, "Tra cứu bưu gửi:",
	              s->n->qr_url);
	s->y -= 14.0f;

	/* signature boxes */
	ensure(s, 100.0f);
	float half = (CONTENT_W - 20.0f) / 2, box_h = 92.0f, top = s->y + 8.0f;
	const char *who[2] = { "NGƯỜI GỬI", "NHÂN VIÊN BƯU CHÍNH" };
	const char *names[2] = { s->n->sender_name, s->n->clerk_name };
	for (int i = 0; i < 2; i++) {
		float bx = MARGIN + (float)i * (half + 20.0f);
		lbl_rect(d, bx, top - box_h, half, box_h, 0.6f);
		lbl_text_line(d, LBL_BOLD, 9.0f, bx + 4.0f, top - 13.0f, half - 8.0f, LBL_CENTER,
		              who[i], NULL);
		lbl_text_line(d, LBL_REGULAR, 7.5f, bx + 4.0f, top - 23.0f, half - 8.0f, LBL_CENTER,
		              "(Ký, ghi rõ họ tên)", NULL);
		lbl_text_line(d, LBL_BOLD, 8.5f, bx + 4.0f, top - box_h + 8.0f, half - 8.0f,
		              LBL_CENTER, names[i], NULL);
	}
	s->y = top - box_h - 10.0f;
}

static void footers(note_state *s)
{
	char text[160];
	for (size_t i = 0; i < s->pages.n; i++) {
		s->d->page = s->pages.v[i];
		snprintf(text, sizeof text, "Phiếu gửi hồ sơ %.20s – Trang %zu/%zu",
		         s->n->tracking_number ? s->n->tracking_number : "", i + 1, s->pages.n);
		lbl_line(s->d, MARGIN, 36.0f, PAGE_W - MARGIN, 36.0f, 0.4f, false);
		lbl_text_line(s->d, LBL_REGULAR, 7.0f, MARGIN, 26.0f, CONTENT_W, LBL_CENTER, text, NULL);
	}
}

hoso_status lbl_note_check(const lbl_note *note, hoso_err *err)
{
	if (!note)
		return hoso_err_set(err, HOSO_INVALID, "bad_call", "", "no note given");
	if (note->n_documents > 0 && !note->documents)
		return hoso_err_set(err, HOSO_INVALID, "bad_documents", "documents",
		                    "%zu documents announced but none given", note->n_documents);
	if (note->n_documents > MAX_DOCUMENTS)
		return hoso_err_set(err, HOSO_TOO_LARGE, "too_many_documents", "documents",
		                    "%zu documents on one note; at most %d", note->n_documents,
		                    MAX_DOCUMENTS);
	return HOSO_OK;
}

hoso_status lbl_note_draw(lbl_doc *d, const lbl_note *note)
{
	note_state s = { .d = d, .n = note, .st = HOSO_OK };
	if (new_page(&s) && s.st == HOSO_OK) {
		parties(&s);
		procedure(&s);
		documents(&s);
		service_and_acceptance(&s);
		terms_and_signatures(&s);
		footers(&s);
	}
	lbl_pages_free(&s.pages);
	if (s.st != HOSO_OK)
		return s.st;
	return d->failed ? HOSO_INTERNAL : HOSO_OK;
}

/* The note and the dossier's labels share the drawing code: only the document differs. */
static hoso_status render(lbl_ctx *ctx, const lbl_label *labels, size_t n, lbl_size size,
                          const lbl_note *note, lbl_buf *out, hoso_err *err)
{
	lbl_doc d;
	if (out) {
		out->data = NULL;
		out->len = 0;
	}
	if (!ctx || !out)
		return hoso_err_set(err, HOSO_INVALID, "bad_call", "", "no context, note or output");
	hoso_status st = lbl_note_check(note, err);
	if (st == HOSO_OK && labels)
		st = lbl_labels_check(labels, n, size, err);
	if (st != HOSO_OK)
		return st;
	/* The note needs the two full faces; labels drawn with them print the same text. */
	if ((st = lbl_doc_begin(ctx, &d, LBL_FACES_TWO, err)) != HOSO_OK)
		return st;
	if (labels)
		st = lbl_labels_draw(&d, labels, n, size);
	if (st == HOSO_OK)
		st = lbl_note_draw(&d, note);
	if (st != HOSO_OK && !d.failed) {
		lbl_doc_abort(&d);
		return st;
	}
	/* a libharu failure is reported (with its code) by lbl_doc_end */
	return lbl_doc_end(&d, out);
}

hoso_status lbl_render_note(lbl_ctx *ctx, const lbl_note *note, lbl_buf *out, hoso_err *err)
{
	return render(ctx, NULL, 0, LBL_A6, note, out, err);
}

hoso_status lbl_render_dossier(lbl_ctx *ctx, const lbl_label *labels, size_t n, lbl_size size,
                               const lbl_note *note, lbl_buf *out, hoso_err *err)
{
	if (!labels || n == 0)
		return hoso_err_set(err, HOSO_INVALID, "no_labels", "", "no label to render");
	return render(ctx, labels, n, size, note, out, err);
}
