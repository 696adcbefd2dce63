/* manifest.c — the handover record (Biên bản giao nhận hồ sơ), A4: the post office hands
 * dossiers to the agency's one-stop desk, both sides count them against the consignment notes
 * and sign (Decision 45/2016/QĐ-TTg Art 7); fees collected at the counter are paid over at
 * the same time (Art 11). The items table runs onto further pages; every page carries the
 * record's number, its QR and "Trang i/N". */
#include <stdio.h>
#include <stdlib.h>

#include "lbl_internal.h"

#define MAX_LINES 500

#define PAGE_W 595.28f
#define PAGE_H 841.89f
#define MARGIN 36.0f
#define BOTTOM 50.0f /* lowest row bottom; the footer sits below */
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define DASH "—"

#define T_SIZE 7.5f    /* table text */
#define T_LEAD 9.0f
#define T_PAD 3.0f

enum { C_STT, C_TN, C_REF, C_NAME, C_PROC, C_DOCS, C_FEE, C_STATUS, N_COLS };
/* column edges from the left margin; they add up to CONTENT_W (523.28) */
static const float col_x[N_COLS + 1] = { 0, 24, 104, 180, 252, 383, 417, 477, CONTENT_W };

typedef struct man_state {
	lbl_doc *d;
	const lbl_manifest *m;
	lbl_pages pages;
	float y;          /* baseline of the next line on the current page */
	hoso_status st;
} man_state;

static void keep_error(man_state *s, hoso_status st)
{
	if (st != HOSO_OK && s->st == HOSO_OK) {
		s->st = st;
		if (s->d->err && !s->d->failed)
			snprintf(s->d->err->field, sizeof s->d->err->field, "qr_data");
	}
}

/* A grey bar with a bold title; advances y below it. */
static void section(man_state *s, float x, float w, const char *title)
{
	lbl_fill(s->d, x, s->y - 4.0f, w, 14.0f, 0.88f);
	lbl_text_line(s->d, LBL_BOLD, 8.5f, x + 4.0f, s->y, w - 8.0f, LBL_LEFT, title, NULL);
	s->y -= 16.0f;
}

/* "label value", the value wrapping under itself; returns the y of the next line. */
static float field(lbl_doc *d, float x, float y, float w, const char *label, const char *value,
                   enum lbl_font f, int max_lines)
{
	const float size = 8.5f, leading = 10.5f;
	float lw = lbl_text_line(d, LBL_REGULAR, size, x, y, w * 0.5f, LBL_LEFT, label, NULL) + 3.0f;
	int lines = lbl_text_box(d, f, size, leading, x + lw, y, w - lw, max_lines, value, DASH);
	return y - leading * (float)lines - 1.5f;
}

/* Title block on page 1, a compact one on the next pages; QR at the top right of each. */
static void page_header(man_state *s, bool first)
{
	lbl_doc *d = s->d;
	const lbl_manifest *m = s->m;
	float top = PAGE_H - MARGIN, x = MARGIN, qr = first ? 80.0f : 62.0f;
	keep_error(s, lbl_draw_qr(d, m->qr_data, PAGE_W - MARGIN - qr + 4.0f, top - qr + 4.0f, qr));
	float left_w = CONTENT_W - qr - 8.0f;
	char buf[LBL_TEXT_MAX], ref[160];
	snprintf(ref, sizeof ref, "Số: %.120s", m->manifest_ref && *m->manifest_ref ?
	         m->manifest_ref : DASH);
	if (!first) {
		lbl_text_line(d, LBL_BOLD, 12.0f, x, top - 12.0f, left_w, LBL_LEFT,
		              "BIÊN BẢN GIAO NHẬN HỒ SƠ (tiếp theo)", NULL);
		lbl_text_line(d, LBL_REGULAR, 8.5f, x, top - 26.0f, left_w, LBL_LEFT, ref, NULL);
		s->y = top - qr - 6.0f;
		return;
	}
	lbl_code_name(buf, sizeof buf, m->office_code, m->office_name);
	lbl_text_line(d, LBL_REGULAR, 7.5f, x, top - 6.0f, left_w, LBL_LEFT, "BÊN GIAO: BƯU CHÍNH", NULL);
	lbl_text_line(d, LBL_BOLD, 8.5f, x, top - 17.0f, left_w, LBL_LEFT, buf, DASH);
	lbl_text_line(d, LBL_BOLD, 17.0f, x, top - 44.0f, left_w, LBL_CENTER,
	              "BIÊN BẢN GIAO NHẬN HỒ SƠ", NULL);
	lbl_text_box(d, LBL_REGULAR, 7.5f, 9.0f, x + 20.0f, top - 56.0f, left_w - 40.0f, 2,
	             "(Giao nhận hồ sơ thủ tục hành chính qua dịch vụ bưu chính công ích theo Điều 7 "
	             "và Điều 11 Quyết định số 45/2016/QĐ-TTg)", NULL);
	float half = left_w / 2;
	lbl_text_line(d, LBL_BOLD, 9.0f, x, top - 80.0f, half - 4.0f, LBL_LEFT, ref, NULL);
	lbl_text_pair(d, 8.5f, x + half, top - 80.0f, half, "Lập lúc:", m->created_at);
	s->y = top - 100.0f;
}

static bool new_page(man_state *s)
{
	if (!lbl_pages_add(s->d, &s->pages, PAGE_W, PAGE_H, &s->st))
		return false;
	page_header(s, s->pages.n == 1);
	return true;
}

static void parties(man_state *s)
{
	lbl_doc *d = s->d;
	const lbl_manifest *m = s->m;
	char buf[LBL_TEXT_MAX];
	float half = (CONTENT_W - 10.0f) / 2, xl = MARGIN, xr = MARGIN + half + 10.0f, top = s->y;
	section(s, xl, half, "BÊN GIAO (DOANH NGHIỆP BƯU CHÍNH)");
	float y = s->y;
	lbl_code_name(buf, sizeof buf, m->office_code, m->office_name);
	y = field(d, xl, y, half, "Bưu cục:", buf, LBL_BOLD, 2);
	y = field(d, xl, y, half, "Địa chỉ:", m->office_address, LBL_REGULAR, 3);
	float yl = field(d, xl, y, half, "Nhân viên bưu chính:", m->courier_name, LBL_BOLD, 2);
	s->y = top;
	section(s, xr, half, "BÊN NHẬN (CƠ QUAN GIẢI QUYẾT)");
	y = s->y;
	lbl_code_name(buf, sizeof buf, m->agency_code, m->agency_name);
	y = field(d, xr, y, half, "Cơ quan:", buf, LBL_BOLD, 2);
	y = field(d, xr, y, half, "Bộ phận Một cửa:", m->agency_desk, LBL_REGULAR, 2);
	float yr = field(d, xr, y, half, "Địa chỉ:", m->agency_address, LBL_REGULAR, 3);
	s->y = (yl < yr ? yl : yr) - 4.0f;
	char intro[400];
	snprintf(intro, sizeof intro, "Hôm nay, lúc %.40s, hai bên đã kiểm đếm từng hồ sơ theo phiếu "
	         "gửi hồ sơ và thống nhất giao nhận %zu hồ sơ liệt kê dưới đây.",
	         m->created_at && *m->created_at ? m->created_at : DASH, m->n_lines);
	s->y -= 10.5f * (float)lbl_text_box(d, LBL_REGULAR, 8.5f, 10.5f, MARGIN, s->y, CONTENT_W, 2,
	                                    intro, NULL) + 4.0f;
}

static void table_header(man_state *s)
{
	static const char *const heads[N_COLS][2] = {
		{ "STT", NULL }, { "Số hiệu", "bưu gửi" }, { "Mã hồ sơ", NULL }, { "Người nộp", NULL },
		{ "Thủ tục", "(mã – tên)" }, { "Số tờ/", "giấy tờ" }, { "Phí, lệ phí", NULL },
		{ "Tình", "trạng" },
	};
	s->y = lbl_table_head(s->d, MARGIN, s->y + 10.0f, CONTENT_W, col_x, N_COLS, heads);
}

/* Lines a cell's text takes (at most max). */
static int cell_lines(lbl_doc *d, int c, int max, const char *text)
{
	return lbl_text_box_lines(d, LBL_REGULAR, T_SIZE, col_x[c + 1] - col_x[c] - 2 * T_PAD, max,
	                          text);
}

/* Draws an amount right-aligned in column c, shrinking the type rather than cutting digits. */
static void amount_cell(lbl_doc *d, int c, float y, const char *text)
{
	float w = col_x[c + 1] - col_x[c] - 2 * T_PAD, size = T_SIZE;
	size_t len = 0;
	while (text[len])
		len++;
	float tw = lbl_text_width(d, LBL_REGULAR, size, text, len);
	if (tw > w)
		size = size * w / tw < 4.0f ? 4.0f : size * w / tw;
	lbl_text_line(d, LBL_REGULAR, size, MARGIN + col_x[c] + T_PAD, y, w, LBL_RIGHT, text, NULL);
}

static void items(man_state *s)
{
	lbl_doc *d = s->d;
	const lbl_manifest *m = s->m;
	char proc[LBL_TEXT_MAX], num[48];
	if (s->y - 60.0f < BOTTOM && !new_page(s))
		return;
	table_header(s);
	for (size_t i = 0; i < m->n_lines; i++) {
		const lbl_manifest_line *l = &m->lines[i];
		lbl_code_name(proc, sizeof proc, l->procedure_code, l->procedure_name);
		int lines = 1, k;
		if ((k = cell_lines(d, C_REF, 2, l->dossier_ref)) > lines)
			lines = k;
		if ((k = cell_lines(d, C_NAME, 2, l->applicant_name)) > lines)
			lines = k;
		if ((k = cell_lines(d, C_PROC, 3, proc)) > lines)
			lines = k;
		if ((k = cell_lines(d, C_STATUS, 2, l->status)) > lines)
			lines = k;
		float row_h = T_LEAD * (float)lines + 2 * T_PAD;
		if (s->y + T_LEAD - row_h < BOTTOM) {
			if (!new_page(s))
				return;
			table_header(s);
		}
		float top = s->y + T_LEAD, bottom = top - row_h, y = s->y - 1.0f;
		snprintf(num, sizeof num, "%zu", i + 1);
		lbl_text_line(d, LBL_REGULAR, T_SIZE, MARGIN + T_PAD, y, col_x[1] - 2 * T_PAD,
		              LBL_CENTER, num, NULL);
		lbl_text_line(d, LBL_BOLD, T_SIZE, MARGIN + col_x[C_TN] + T_PAD, y,
		              col_x[C_TN + 1] - col_x[C_TN] - 2 * T_PAD, LBL_LEFT, l->tracking_number, DASH);
		const int text_cols[4] = { C_REF, C_NAME, C_PROC, C_STATUS };
		const char *texts[4] = { l->dossier_ref, l->applicant_name, proc, l->status };
		for (int t = 0; t < 4; t++) {
			int c = text_cols[t];
			lbl_text_box(d, LBL_REGULAR, T_SIZE, T_LEAD, MARGIN + col_x[c] + T_PAD, y,
			             col_x[c + 1] - col_x[c] - 2 * T_PAD, c == C_PROC ? 3 : 2, texts[t],
			             c == C_STATUS ? NULL : DASH);
		}
		if (l->documents > 0)
			snprintf(num, sizeof num, "%d", l->documents);
		else
			snprintf(num, sizeof num, "%s", DASH);
		lbl_text_line(d, LBL_REGULAR, T_SIZE, MARGIN + col_x[C_DOCS] + T_PAD, y,
		              col_x[C_DOCS + 1] - col_x[C_DOCS] - 2 * T_PAD, LBL_CENTER, num, NULL);
		lbl_format_vnd(l->fee_vnd, num, sizeof num);
		amount_cell(d, C_FEE, y, num);
		lbl_rect(d, MARGIN, bottom, CONTENT_W, row_h, 0.4f);
		for (int c = 1; c < N_COLS; c++)
			lbl_line(d, MARGIN + col_x[c], bottom, MARGIN + col_x[c], top, 0.4f, false);
		s->y -= row_h;
		if (d->failed)
			return;
	}
	if (m->n_lines == 0) {
		lbl_text_line(d, LBL_REGULAR, T_SIZE, MARGIN, s->y, CONTENT_W, LBL_CENTER,
		              "(không có hồ sơ)", NULL);
		s->y -= T_LEAD + 4.0f;
	}
	s->y -= 8.0f;
}

static void totals_and_signatures(man_state *s)
{
	lbl_doc *d = s->d;
	const lbl_manifest *m = s->m;
	long long papers = 0;
	for (size_t i = 0; i < m->n_lines; i++)
		if (m->lines[i].documents > 0)
			papers += m->lines[i].documents;
	char count[64], sheets[64], fee[48];
	snprintf(count, sizeof count, "%zu", m->n_lines);
	snprintf(sheets, sizeof sheets, "%lld", papers);
	lbl_format_vnd(m->total_fee_vnd, fee, sizeof fee);
	/* keep totals, confirmation and signatures together */
	if (s->y - 230.0f < BOTTOM && !new_page(s))
		return;
	section(s, MARGIN, CONTENT_W, "TỔNG HỢP");
	float half = CONTENT_W / 2;
	lbl_text_pair(d, 9.0f, MARGIN, s->y, half, "Tổng số hồ sơ:", count);
	lbl_text_pair(d, 9.0f, MARGIN + half, s->y, half, "Tổng số tờ/giấy tờ:", sheets);
	s->y -= 13.0f;
	lbl_text_pair(d, 9.0f, MARGIN, s->y, CONTENT_W, "Tổng phí, lệ phí thu hộ nộp cho cơ quan:", fee);
	s->y -= 13.0f;
	const char *label = "Thời điểm tiếp nhận (thời điểm nộp hồ sơ hợp lệ):";
	if (m->confirmed_at && *m->confirmed_at) {
		lbl_text_pair(d, 9.0f, MARGIN, s->y, CONTENT_W, label, m->confirmed_at);
	} else {
		float lw = lbl_text_line(d, LBL_REGULAR, 9.0f, MARGIN, s->y, CONTENT_W, LBL_LEFT, label,
		                         NULL);
		lbl_line(d, MARGIN + lw + 4.0f, s->y - 2.0f, MARGIN + lw + 150.0f, s->y - 2.0f, 0.5f, true);
		lbl_text_line(d, LBL_REGULAR, 7.5f, MARGIN + lw + 154.0f, s->y, CONTENT_W - lw - 154.0f,
		              LBL_LEFT, "(bên nhận ghi khi ký)", NULL);
	}
	s->y -= 14.0f;
	s->y -= 9.0f * (float)lbl_text_box(d, LBL_REGULAR, 7.5f, 9.0f, MARGIN, s->y, CONTENT_W, 3,
	        "Bên giao đã nộp đủ số phí, lệ phí thu hộ nêu trên cho bên nhận (Điều 11 Quyết định "
	        "số 45/2016/QĐ-TTg). Hồ sơ ghi \"Thiếu\" hoặc \"Hư hỏng\" ở cột Tình trạng được xử lý "
	        "theo phiếu gửi; biên bản lập thành hai bản, mỗi bên giữ một bản.", NULL) + 8.0f;

	float bw = (CONTENT_W - 20.0f) / 2, box_h = 100.0f, top = s->y + 8.0f;
	const char *who[2] = { "BÊN GIAO (Nhân viên bưu chính)", "BÊN NHẬN (Cán bộ Bộ phận Một cửa)" };
	const char *names[2] = { m->courier_name, m->officer_name };
	for (int i = 0; i < 2; i++) {
		float bx = MARGIN + (float)i * (bw + 20.0f);
		lbl_rect(d, bx, top - box_h, bw, box_h, 0.6f);
		lbl_text_line(d, LBL_BOLD, 9.0f, bx + 4.0f, top - 13.0f, bw - 8.0f, LBL_CENTER, who[i],
		              NULL);
		lbl_text_line(d, LBL_REGULAR, 7.5f, bx + 4.0f, top - 23.0f, bw - 8.0f, LBL_CENTER,
		              "(Ký, ghi rõ họ tên)", NULL);
		lbl_text_line(d, LBL_BOLD, 9.0f, bx + 4.0f, top - box_h + 8.0f, bw - 8.0f, LBL_CENTER,
		              names[i], NULL);
	}
	s->y = top - box_h - 10.0f;
}

static void footers(man_state *s)
{
	char text[200];
	for (size_t i = 0; i < s->pages.n; i++) {
		s->d->page = s->pages.v[i];
		snprintf(text, sizeof text, "Biên bản giao nhận hồ sơ %.40s – Trang %zu/%zu",
		         s->m->manifest_ref ? s->m->manifest_ref : "", i + 1, s->pages.n);
		lbl_line(s->d, MARGIN, 34.0f, PAGE_W - MARGIN, 34.0f, 0.4f, false);
		lbl_text_line(s->d, LBL_REGULAR, 7.0f, MARGIN, 24.0f, CONTENT_W, LBL_CENTER, text, NULL);
	}
}

static int64_t add_saturated(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

hoso_status lbl_render_manifest(lbl_ctx *ctx, const lbl_manifest *m, lbl_buf *out,
                                hoso_err *err)
{
	lbl_doc d;
	if (out) {
		out->data = NULL;
		out->len = 0;
	}
	if (!ctx || !m || !out)
		return hoso_err_set(err, HOSO_INVALID, "bad_call", "", "no context, manifest or output");
	if (m->n_lines > 0 && !m->lines)
		return hoso_err_set(err, HOSO_INVALID, "bad_lines", "lines",
		                    "%zu lines announced but none given", m->n_lines);
	if (m->n_lines > MAX_LINES)
		return hoso_err_set(err, HOSO_TOO_LARGE, "too_many_lines", "lines",
		                    "%zu items on one handover record; at most %d", m->n_lines,
		                    MAX_LINES);
	int64_t sum = 0;
	for (size_t i = 0; i < m->n_lines; i++) {
		if (m->lines[i].fee_vnd < 0)
			return hoso_err_set(err, HOSO_INVALID, "bad_fee", "lines.fee_vnd",
			                    "line %zu has a negative fee", i + 1);
		sum = add_saturated(sum, m->lines[i].fee_vnd);
	}
	if (sum != m->total_fee_vnd)
		return hoso_err_set(err, HOSO_INVALID, "fee_mismatch", "total_fee_vnd",
		                    "total fee %lld differs from the sum of the lines, %lld",
		                    (long long)m->total_fee_vnd, (long long)sum);
	hoso_status st = lbl_doc_begin(ctx, &d, LBL_FACES_TWO, err);
	if (st != HOSO_OK)
		return st;
	man_state s = { .d = &d, .m = m, .st = HOSO_OK };
	if (new_page(&s) && s.st == HOSO_OK) {
		parties(&s);
		items(&s);
		if (s.st == HOSO_OK)
			totals_and_signatures(&s);
		if (s.st == HOSO_OK)
			footers(&s);
	}
	lbl_pages_free(&s.pages);
	if (s.st != HOSO_OK) {
		lbl_doc_abort(&d);
		return s.st;
	}
	return lbl_doc_end(&d, out);
}
