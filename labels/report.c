/* report.c — the quarterly report (Báo cáo tình hình cung ứng dịch vụ nhận gửi hồ sơ, chuyển
 * trả kết quả, Circular 17/2017/TT-BTTTT Art 13), A4 landscape: the list per procedure of
 * each agency with its volume, revenue, complaints and losses; the table runs onto further
 * pages (its header repeated); then a summary naming every figure of Art 13.1.c, the ones
 * hoso does not record said to be so, and places to sign. Every page has "Trang i/N". */
#include <stdio.h>
#include <stdlib.h>

#include "lbl_internal.h"
#include "lbl_report.h"

#define MAX_LINES 5000

#define PAGE_W 841.89f
#define PAGE_H 595.28f
#define MARGIN 36.0f
#define BOTTOM 50.0f
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define DASH "—"

#define T_SIZE 7.5f
#define T_LEAD 9.0f
#define T_PAD 3.0f

enum { C_STT, C_AGENCY, C_PROC, C_ACC, C_DEL, C_ONTIME, C_POSTAGE, C_FEES, C_COMPL, C_LOST,
       C_DAMAGED, N_COLS };
/* column edges from the left margin; the last is CONTENT_W (769.89) */
static const float col_x[N_COLS + 1] = { 0, 24, 154, 339, 387, 435, 483, 555, 627, 689, 729,
                                         CONTENT_W };

typedef struct rep_state {
	lbl_doc *d;
	const lbl_report *r;
	lbl_pages pages;
	float y;          /* baseline of the next line on the current page */
	hoso_status st;
} rep_state;

/* The title block on page 1, one line on the next pages. */
static bool new_page(rep_state *s)
{
	if (!lbl_pages_add(s->d, &s->pages, PAGE_W, PAGE_H, &s->st))
		return false;
	lbl_doc *d = s->d;
	const lbl_report *r = s->r;
	float top = PAGE_H - MARGIN;
	char title[160], period[200];
	snprintf(title, sizeof title, "BÁO CÁO QUÝ %d NĂM %d", r->quarter, r->year);
	snprintf(period, sizeof period, "Kỳ báo cáo: %.80s%s", r->period ? r->period : DASH,
	         r->complete ? "" : " (quý chưa kết thúc: số liệu đến thời điểm lập)");
	if (s->pages.n > 1) {
		lbl_text_line(d, LBL_BOLD, 11.0f, MARGIN, top - 10.0f, CONTENT_W, LBL_LEFT, title, NULL);
		s->y = top - 30.0f;
		return true;
	}
	lbl_text_line(d, LBL_REGULAR, 7.5f, MARGIN, top - 6.0f, CONTENT_W / 2, LBL_LEFT,
	              "DOANH NGHIỆP BƯU CHÍNH", NULL);
	lbl_text_line(d, LBL_BOLD, 8.0f, MARGIN + CONTENT_W / 2, top - 6.0f, CONTENT_W / 2,
	              LBL_RIGHT, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", NULL);
	lbl_text_line(d, LBL_REGULAR, 7.5f, MARGIN + CONTENT_W / 2, top - 16.0f, CONTENT_W / 2,
	              LBL_RIGHT, "Độc lập – Tự do – Hạnh phúc", NULL);
	lbl_text_line(d, LBL_BOLD, 15.0f, MARGIN, top - 42.0f, CONTENT_W, LBL_CENTER, title, NULL);
	lbl_text_line(d, LBL_BOLD, 10.0f, MARGIN, top - 57.0f, CONTENT_W, LBL_CENTER,
	              "TÌNH HÌNH CUNG ỨNG DỊCH VỤ NHẬN GỬI HỒ SƠ, CHUYỂN TRẢ KẾT QUẢ GIẢI QUYẾT "
	              "THỦ TỤC HÀNH CHÍNH", NULL);
	lbl_text_line(d, LBL_BOLD, 10.0f, MARGIN, top - 69.0f, CONTENT_W, LBL_CENTER,
	              "QUA DỊCH VỤ BƯU CHÍNH CÔNG ÍCH", NULL);
	lbl_text_line(d, LBL_REGULAR, 7.5f, MARGIN, top - 80.0f, CONTENT_W, LBL_CENTER,
	              "(Theo điểm c khoản 1 Điều 13 Thông tư số 17/2017/TT-BTTTT)", NULL);
	lbl_text_line(d, LBL_REGULAR, 8.5f, MARGIN, top - 96.0f, CONTENT_W / 2, LBL_LEFT, period,
	              NULL);
	lbl_text_pair(d, 8.5f, MARGIN + CONTENT_W / 2, top - 96.0f, CONTENT_W / 2, "Lập lúc:",
	              r->generated_at);
	s->y = top - 116.0f;
	return true;
}

static void table_header(rep_state *s)
{
	static const char *const heads[N_COLS][2] = {
		{ "STT", NULL }, { "Cơ quan", "(mã – tên)" }, { "Thủ tục hành chính", "(mã – tên)" },
		{ "Hồ sơ", "tiếp nhận" }, { "Kết quả", "đã phát" }, { "Phát", "đúng hạn" },
		{ "Doanh thu", "cước" }, { "Phí, lệ phí", "thu hộ" }, { "Khiếu nại", "nhận/GQ/trễ" },
		{ "Mất,", "thất lạc" }, { "Hư", "hỏng" },
	};
	s->y = lbl_table_head(s->d, MARGIN, s->y + 10.0f, CONTENT_W, col_x, N_COLS, heads);
}

/* A number right-aligned in column c, the type shrunk rather than digits cut. */
static void number_cell(lbl_doc *d, enum lbl_font f, int c, float y, const char *text)
{
	float w = col_x[c + 1] - col_x[c] - 2 * T_PAD, size = T_SIZE;
	size_t len = 0;
	while (text[len])
		len++;
	float tw = lbl_text_width(d, f, size, text, len);
	if (tw > w)
		size = size * w / tw < 4.0f ? 4.0f : size * w / tw;
	lbl_text_line(d, f, size, MARGIN + col_x[c] + T_PAD, y, w, LBL_RIGHT, text, NULL);
}

/* One row of the table: a line (num > 0) or the total (num 0, bold). */
static bool table_row(rep_state *s, const lbl_report_line *l, size_t num)
{
	lbl_doc *d = s->d;
	char agency[LBL_TEXT_MAX], proc[LBL_TEXT_MAX], buf[64];
	enum lbl_font f = num ? LBL_REGULAR : LBL_BOLD;
	if (num) {
		lbl_code_name(agency, sizeof agency, l->agency_code, l->agency_name);
		lbl_code_name(proc, sizeof proc, l->procedure_code, l->procedure_name);
	} else {
		snprintf(agency, sizeof agency, "Tổng cộng");
		proc[0] = '\0';
	}
	int lines = lbl_text_box_lines(d, f, T_SIZE, col_x[C_AGENCY + 1] - col_x[C_AGENCY] -
	                               2 * T_PAD, 3, agency);
	int k = lbl_text_box_lines(d, f, T_SIZE, col_x[C_PROC + 1] - col_x[C_PROC] - 2 * T_PAD, 4,
	                           proc);
	if (k > lines)
		lines = k;
	float row_h = T_LEAD * (float)lines + 2 * T_PAD;
	if (s->y + T_LEAD - row_h < BOTTOM) {
		if (!new_page(s))
			return false;
		table_header(s);
	}
	float top = s->y + T_LEAD, bottom = top - row_h, y = s->y - 1.0f;
	if (!num)
		lbl_fill(d, MARGIN, bottom, CONTENT_W, row_h, 0.95f);
	if (num) {
		snprintf(buf, sizeof buf, "%zu", num);
		lbl_text_line(d, f, T_SIZE, MARGIN + T_PAD, y, col_x[1] - 2 * T_PAD, LBL_CENTER, buf,
		              NULL);
	}
	lbl_text_box(d, f, T_SIZE, T_LEAD, MARGIN + col_x[C_AGENCY] + T_PAD, y,
	             col_x[C_AGENCY + 1] - col_x[C_AGENCY] - 2 * T_PAD, 3, agency, DASH);
	lbl_text_box(d, f, T_SIZE, T_LEAD, MARGIN + col_x[C_PROC] + T_PAD, y,
	             col_x[C_PROC + 1] - col_x[C_PROC] - 2 * T_PAD, 4, proc, num ? DASH : NULL);
	const int cols[] = { C_ACC, C_DEL, C_ONTIME, C_LOST, C_DAMAGED };
	const int64_t vals[] = { l->dossiers_accepted, l->results_delivered, l->results_on_time,
	                         l->lost, l->damaged };
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		snprintf(buf, sizeof buf, "%lld", (long long)vals[i]);
		number_cell(d, f, cols[i], y, buf);
	}
	lbl_format_vnd(l->postage_vnd, buf, sizeof buf);
	number_cell(d, f, C_POSTAGE, y, buf);
	lbl_format_vnd(l->fees_vnd, buf, sizeof buf);
	number_cell(d, f, C_FEES, y, buf);
	snprintf(buf, sizeof buf, "%lld/%lld/%lld", (long long)l->complaints_received,
	         (long long)l->complaints_answered, (long long)l->complaints_late);
	number_cell(d, f, C_COMPL, y, buf);
	lbl_rect(d, MARGIN, bottom, CONTENT_W, row_h, 0.4f);
	for (int c = 1; c < N_COLS; c++)
		lbl_line(d, MARGIN + col_x[c], bottom, MARGIN + col_x[c], top, 0.4f, false);
	s->y -= row_h;
	return !d->failed;
}

/* "n. label: value" on one line of the summary. */
static void summary_line(rep_state *s, const char *label, const char *value)
{
	lbl_text_pair(s->d, 8.5f, MARGIN + 8.0f, s->y, CONTENT_W - 8.0f, label, value);
	s->y -= 12.5f;
}

static void summary(rep_state *s)
{
	lbl_doc *d = s->d;
	const lbl_report *r = s->r;
	const lbl_report_line *t = &r->total;
	const char *nr = r->not_recorded && *r->not_recorded ? r->not_recorded : DASH;
	char v[400], a[48], b[48];
	if (s->y - 230.0f < BOTTOM && !new_page(s))
		return;
	s->y -= 6.0f;
	lbl_fill(d, MARGIN, s->y - 4.0f, CONTENT_W, 14.0f, 0.88f);
	lbl_text_line(d, LBL_BOLD, 8.5f, MARGIN + 4.0f, s->y, CONTENT_W - 8.0f, LBL_LEFT,
	              "TỔNG HỢP THEO ĐIỂM C KHOẢN 1 ĐIỀU 13", NULL);
	s->y -= 17.0f;
	snprintf(v, sizeof v, "%zu thủ tục hành chính", r->n_lines);
	summary_line(s, "1. Danh mục:", v);
	snprintf(v, sizeof v, "%lld hồ sơ tiếp nhận; %lld kết quả đã phát, trong đó %lld đúng hạn",
	         (long long)t->dossiers_accepted, (long long)t->results_delivered,
	         (long long)t->results_on_time);
	summary_line(s, "2. Sản lượng:", v);
	lbl_format_vnd(t->postage_vnd, a, sizeof a);
	lbl_format_vnd(t->fees_vnd, b, sizeof b);
	snprintf(v, sizeof v, "cước %s; phí, lệ phí thu hộ cơ quan %s", a, b);
	summary_line(s, "3. Doanh thu:", v);
	snprintf(v, sizeof v, "%lld vụ; đã giải quyết %lld (quá hạn %lld); chưa giải quyết %lld",
	         (long long)t->complaints_received, (long long)t->complaints_answered,
	         (long long)t->complaints_late,
	         (long long)(t->complaints_received - t->complaints_answered));
	summary_line(s, "4. Khiếu nại:", v);
	snprintf(v, sizeof v, "bị mất, thất lạc %lld; bị hư hỏng %lld (ghi nhận khi bàn giao cho "
	         "cơ quan)", (long long)t->lost, (long long)t->damaged);
	summary_line(s, "5. Hồ sơ, kết quả:", v);
	summary_line(s, "6. Số trường hợp phải bồi thường thiệt hại:", nr);
	summary_line(s, "7. Tổng giá trị bồi thường thiệt hại:", nr);
	summary_line(s, "8. Mức độ an toàn trong cung ứng dịch vụ:", nr);
	s->y -= 8.0f;
	float bw = (CONTENT_W - 40.0f) / 2, box_h = 80.0f, top = s->y + 8.0f;
	const char *who[2] = { "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ" };
	for (int i = 0; i < 2; i++) {
		float bx = MARGIN + (float)i * (bw + 40.0f);
		lbl_text_line(d, LBL_BOLD, 9.0f, bx, top - 13.0f, bw, LBL_CENTER, who[i], NULL);
		lbl_text_line(d, LBL_REGULAR, 7.5f, bx, top - 23.0f, bw, LBL_CENTER,
		              "(Ký, ghi rõ họ tên)", NULL);
	}
	s->y = top - box_h;
}

static void footers(rep_state *s)
{
	char text[200];
	for (size_t i = 0; i < s->pages.n; i++) {
		s->d->page = s->pages.v[i];
		snprintf(text, sizeof text, "Báo cáo quý %d/%d – Trang %zu/%zu", s->r->quarter,
		         s->r->year, i + 1, s->pages.n);
		lbl_line(s->d, MARGIN, 34.0f, PAGE_W - MARGIN, 34.0f, 0.4f, false);
		lbl_text_line(s->d, LBL_REGULAR, 7.0f, MARGIN, 24.0f, CONTENT_W, LBL_CENTER, text, NULL);
	}
}

hoso_status lbl_render_report(lbl_ctx *ctx, const lbl_report *r, lbl_buf *out, hoso_err *err)
{
	lbl_doc d;
	if (out) {
		out->data = NULL;
		out->len = 0;
	}
	if (!ctx || !r || !out)
		return hoso_err_set(err, HOSO_INVALID, "bad_call", "", "no context, report or output");
	if (r->n_lines > 0 && !r->lines)
		return hoso_err_set(err, HOSO_INVALID, "bad_lines", "lines",
		                    "%zu lines announced but none given", r->n_lines);
	if (r->n_lines > MAX_LINES)
		return hoso_err_set(err, HOSO_TOO_LARGE, "too_many_lines", "lines",
		                    "%zu lines in one report; at most %d", r->n_lines, MAX_LINES);
	if (r->quarter < 1 || r->quarter > 4)
		return hoso_err_set(err, HOSO_INVALID, "bad_quarter", "quarter",
		                    "quarter %d is not 1 to 4", r->quarter);
	hoso_status st = lbl_doc_begin(ctx, &d, LBL_FACES_TWO, err);
	if (st != HOSO_OK)
		return st;
	rep_state s = { .d = &d, .r = r, .st = HOSO_OK };
	if (new_page(&s)) {
		table_header(&s);
		bool ok = true;
		for (size_t i = 0; ok && i < r->n_lines; i++)
			ok = table_row(&s, &r->lines[i], i + 1);
		if (ok && r->n_lines == 0) {
			lbl_text_line(&d, LBL_REGULAR, T_SIZE, MARGIN, s.y, CONTENT_W, LBL_CENTER,
			              "(không có hồ sơ trong kỳ)", NULL);
			s.y -= T_LEAD + 4.0f;
		}
		if (ok)
			ok = table_row(&s, &r->total, 0);
		if (ok && s.st == HOSO_OK)
			summary(&s);
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
