/* test_labels.c — renders labels and notes with the labels library, checks the API's
 * contracts, and writes the PDFs into the directory given on the command line for
 * check_pdfs.py to inspect with real tools (qpdf, pdftotext, pdftoppm, zbarimg).
 *
 *   test_labels OUTDIR          all documents and API checks
 *   test_labels OUTDIR marks    only marks.pdf (the rendering test of Vietnamese marks)
 *
 * The font directory is HOSO_FONT_DIR when set (to try another font), else the build's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "hoso_config.h"
#include "lbl.h"
#include "lbl_internal.h" /* lbl_format_vnd */

/* A valid S10 number: prefix, 8 digits, check digit, "VN". */
static void s10(char out[14], const char *prefix, unsigned serial)
{
	static const int weights[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	char digits[9];
	snprintf(digits, sizeof digits, "%08u", serial % 100000000u);
	int sum = 0;
	for (int i = 0; i < 8; i++)
		sum += (digits[i] - '0') * weights[i];
	int check = 11 - sum % 11;
	if (check == 10)
		check = 0;
	else if (check == 11)
		check = 5;
	snprintf(out, 14, "%.2s%.8s%cVN", prefix, digits, (char)('0' + check));
}

static bool write_file(const char *dir, const char *name, const lbl_buf *buf)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(buf->data, 1, buf->len, f) == buf->len;
	return fclose(f) == 0 && ok;
}

static char tn[8][14], url[8][64];

static lbl_label sample_label(int i)
{
	s10(tn[i], i % 2 ? "PH" : "DH", 12345678u + (unsigned)i * 1111u);
	snprintf(url[i], sizeof url[i], "https://hoso.example.vn/t/%.13s", tn[i]);
	return (lbl_label){
		.tracking_number = tn[i],
		.qr_url = url[i],
		.title = "HỒ SƠ TTHC",
		.sender_name = "Nguyễn Thị Hồng Nhung",
		.sender_address = "Số 12 ngõ 34 phố Trần Hưng Đạo, phường Phủ Lý, tỉnh Hà Nam",
		.sender_phone = "0912 345 678",
		.receiver_name = "Sở Tư pháp tỉnh Hà Nam",
		.receiver_desk = "Bộ phận Một cửa – Trung tâm Phục vụ hành chính công",
		.receiver_address = "Đường Lê Hoàn, phường Quang Trung, thành phố Phủ Lý, Hà Nam",
		.receiver_phone = "0226 385 2701",
		.procedure_code = "1.001776",
		.procedure_name = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
		.office_code = "401000",
		.office_name = "Bưu cục Phủ Lý",
		.accepted_date = "27/11/2026",
		.due_date = "01/12/2026",
		.service = "Chuyển phát hồ sơ và trả kết quả",
		.dossier_ref = "000.00.06.H56-231027-0361",
	};
}

static bool render_labels(lbl_ctx *ctx, const char *dir, const char *name, const lbl_label *l,
                          size_t n, lbl_size size, size_t max_bytes)
{
	lbl_buf buf = { 0 };
	hoso_err err;
	hoso_status st = lbl_render_labels(ctx, l, n, size, &buf, &err);
	if (st != HOSO_OK)
		fprintf(stderr, "%s: %s\n", name, err.message);
	CHECK(st == HOSO_OK);
	CHECK(buf.len > 1000 && buf.len < max_bytes);
	CHECK(buf.data && memcmp(buf.data, "%PDF-", 5) == 0);
	bool ok = st == HOSO_OK && write_file(dir, name, &buf);
	CHECK(ok);
	printf("%s: %zu bytes\n", name, buf.len);
	lbl_buf_free(&buf);
	return ok;
}

/* Labels whose titles differ only by the second Vietnamese mark, for check_pdfs.py. */
static void render_marks(lbl_ctx *ctx, const char *dir)
{
	static const char *const titles[6] = {
		"Hồ Nguyễn ẩ ế ề", "Hô Nguyên â ê ê", "Ho Nguyen a e e", "ồ", "ô", "o",
	};
	lbl_label l[6];
	for (int i = 0; i < 6; i++) {
		l[i] = sample_label(0);
		l[i].title = titles[i];
	}
	render_labels(ctx, dir, "marks.pdf", l, 6, LBL_A6, 4000000);
}

static char *repeat(const char *unit, size_t bytes)
{
	size_t n = strlen(unit), o = 0;
	char *s = malloc(bytes + 1);
	if (!s)
		abort();
	while (o + n <= bytes) {
		memcpy(s + o, unit, n);
		o += n;
	}
	s[o] = '\0';
	return s;
}

static void render_nasty(lbl_ctx *ctx, const char *dir, lbl_doc_line *docs)
{
	char *long_vi = repeat("Nguyễn Hồ Sơ ", 10240);
	char *long_word = repeat("X", 10240);
	char *cjk = repeat("漢字テスト😀🇻🇳 ", 10240);
	/* combining marks (decomposed input), invalid UTF-8, control characters */
	const char *odd = "Ho\xcc\x82\xcc\x80 so\xcc\x9b \xff\xfe\xc3 \x01\x1b[31m \xed\xa0\x80 "
	                  "\xf4\x90\x80\x80 a\tb\nc \xe2\x80\xae RTL \xef\xbb\xbf";
	lbl_label l[4];
	l[0] = sample_label(0);
	l[0].sender_name = long_vi;
	l[0].sender_address = long_word;
	l[0].receiver_name = cjk;
	l[0].receiver_desk = odd;
	l[0].receiver_address = long_vi;
	l[0].procedure_name = long_vi;
	l[0].office_name = cjk;
	l[0].service = long_vi;
	l[0].title = long_vi;
	l[0].dossier_ref = long_word;
	/* every optional field NULL */
	l[1] = (lbl_label){ .tracking_number = tn[1], .qr_url = url[1] };
	/* every optional field "" */
	l[2] = (lbl_label){ .tracking_number = tn[2], .qr_url = url[2], .title = "",
	                    .sender_name = "", .sender_address = "", .sender_phone = "",
	                    .receiver_name = "", .receiver_desk = "", .receiver_address = "",
	                    .receiver_phone = "", .procedure_code = "", .procedure_name = "",
	                    .office_code = "", .office_name = "", .accepted_date = "",
	                    .due_date = "", .service = "", .dossier_ref = "" };
	l[3] = sample_label(3);
	l[3].sender_name = odd;
	l[3].receiver_name = cjk;
	render_labels(ctx, dir, "nasty_a6.pdf", l, 4, LBL_A6, 400000);
	render_labels(ctx, dir, "nasty_a4.pdf", l, 4, LBL_A4, 400000);
	render_labels(ctx, dir, "nasty_100x150.pdf", l, 4, LBL_100X150, 400000);

	lbl_note note = {
		.tracking_number = tn[0], .qr_url = url[0], .sender_name = long_vi,
		.sender_address = cjk, .receiver_name = odd, .procedure_name = long_word,
		.notes = long_vi, .documents = docs, .n_documents = 3,
		.postage_vnd = INT64_MAX, .fee_vnd = INT64_MAX,
	};
	docs[0] = (lbl_doc_line){ .name = long_vi, .form = cjk, .copies = -3 };
	docs[1] = (lbl_doc_line){ .name = NULL, .form = NULL, .copies = 0 };
	docs[2] = (lbl_doc_line){ .name = long_word, .form = odd, .copies = 2147483647 };
	lbl_buf buf = { 0 };
	hoso_err err;
	CHECK(lbl_render_note(ctx, &note, &buf, &err) == HOSO_OK);
	CHECK(buf.len > 0 && write_file(dir, "nasty_note.pdf", &buf));
	lbl_buf_free(&buf);
	lbl_note empty = { .tracking_number = tn[1], .qr_url = url[1] };
	CHECK(lbl_render_note(ctx, &empty, &buf, &err) == HOSO_OK);
	CHECK(buf.len > 0 && write_file(dir, "empty_note.pdf", &buf));
	lbl_buf_free(&buf);
	free(long_vi);
	free(long_word);
	free(cjk);
}

static void render_note(lbl_ctx *ctx, const char *dir, lbl_doc_line *docs, size_t n,
                        const char *name)
{
	static const char *const kinds[] = {
		"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2013/TT-LLTP)",
		"Bản chụp Căn cước công dân",
		"Giấy tờ chứng minh nơi thường trú",
		("Văn bản ủy quyền có chứng thực của Ủy ban nhân dân xã, phường, thị trấn nơi "
		 "người ủy quyền cư trú, kèm bản sao giấy tờ tùy thân của người được ủy quyền"),
	};
	static char names[40][400];
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i % 40], sizeof names[0], "%s", kinds[i % 4]);
		docs[i] = (lbl_doc_line){ .name = names[i % 40],
		                          .form = i % 2 ? "Bản sao" : "Bản chính",
		                          .copies = (int)(i % 3) + 1 };
	}
	lbl_label l = sample_label(0);
	lbl_note note = {
		.tracking_number = l.tracking_number, .qr_url = l.qr_url,
		.dossier_ref = "HS-2026-000123", .sender_name = l.sender_name,
		.sender_kind = "Cá nhân", .sender_id_number = "035190001234",
		.sender_address = l.sender_address, .sender_phone = l.sender_phone,
		.sender_email = "nhung.nguyen@example.vn", .receiver_name = l.receiver_name,
		.receiver_desk = l.receiver_desk, .receiver_address = l.receiver_address,
		.receiver_phone = l.receiver_phone, .procedure_code = l.procedure_code,
		.procedure_name = l.procedure_name, .documents = docs, .n_documents = n,
		.service = "Chuyển phát hồ sơ và trả kết quả", .postage_vnd = 35000,
		.fee_vnd = 1234567, .payment_method = "Tiền mặt", .accepted_at = "09:45 27/11/2026",
		.due_date = "01/12/2026", .office_name = "Bưu cục Phủ Lý",
		.office_address = "Số 1 Biên Hòa, phường Minh Khai, thành phố Phủ Lý, Hà Nam",
		.clerk_name = "Trần Văn Bình", .portal_code = "000.00.06.H56-231027-0361",
		.notes = "Người gửi nhận kết quả tại nhà.",
	};
	lbl_buf buf = { 0 };
	hoso_err err;
	hoso_status st = lbl_render_note(ctx, &note, &buf, &err);
	if (st != HOSO_OK)
		fprintf(stderr, "%s: %s\n", name, err.message);
	CHECK(st == HOSO_OK);
	CHECK(buf.len > 0 && write_file(dir, name, &buf));
	printf("%s: %zu bytes\n", name, buf.len);
	lbl_buf_free(&buf);
}

/* A directory whose "fonts" are not TrueType: rendering must fail cleanly, not abort. */
static void bogus_fonts(const char *dir)
{
	char fdir[4096], path[4200];
	snprintf(fdir, sizeof fdir, "%s/bogus-fonts", dir);
	mkdir(fdir, 0777);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", fdir, i ? "hoso-sans-bold.ttf" : "hoso-sans.ttf");
		FILE *f = fopen(path, "w");
		if (f) {
			fputs("this is not a font", f);
			fclose(f);
		}
	}
	lbl_ctx *ctx = NULL;
	hoso_err err;
	CHECK(lbl_ctx_create(fdir, &ctx, &err) == HOSO_OK);
	lbl_label l = sample_label(0);
	lbl_buf buf = { 0 };
	CHECK(lbl_render_labels(ctx, &l, 1, LBL_A6, &buf, &err) == HOSO_INTERNAL);
	CHECK(strstr(err.message, "hoso-sans.ttf") != NULL);
	CHECK(buf.data == NULL && buf.len == 0);
	lbl_note note = { .tracking_number = tn[0], .qr_url = url[0] };
	CHECK(lbl_render_note(ctx, &note, &buf, &err) == HOSO_INTERNAL);
	lbl_ctx_destroy(ctx);
}

static void api_checks(lbl_ctx *ctx)
{
	hoso_err err;
	lbl_ctx *bad = (lbl_ctx *)1;
	CHECK(lbl_ctx_create("/nonexistent", &bad, &err) == HOSO_NOT_FOUND);
	CHECK(bad == NULL);
	CHECK(strstr(err.message, "hoso-sans.ttf") != NULL);
	CHECK(lbl_ctx_create(NULL, &bad, &err) == HOSO_INVALID);
	lbl_ctx_destroy(NULL);
	lbl_buf_free(NULL);

	lbl_size size;
	CHECK(lbl_size_parse("a6", &size) && size == LBL_A6);
	CHECK(lbl_size_parse("100x150", &size) && size == LBL_100X150);
	CHECK(lbl_size_parse("a4", &size) && size == LBL_A4);
	CHECK(!lbl_size_parse("a5", &size));
	CHECK(!lbl_size_parse(NULL, &size));
	CHECK(!lbl_size_parse("", &size));

	lbl_buf buf = { 0 };
	lbl_label l = sample_label(0);
	CHECK(lbl_render_labels(ctx, &l, 0, LBL_A6, &buf, &err) == HOSO_INVALID);
	CHECK(lbl_render_labels(ctx, NULL, 1, LBL_A6, &buf, &err) == HOSO_INVALID);
	CHECK(lbl_render_labels(ctx, &l, 1, (lbl_size)42, &buf, &err) == HOSO_INVALID);
	CHECK(buf.data == NULL && buf.len == 0);
	lbl_label no_tn = l;
	no_tn.tracking_number = NULL;
	CHECK(lbl_render_labels(ctx, &no_tn, 1, LBL_A6, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "tracking_number");
	CHECK(buf.data == NULL);
	lbl_label two[2] = { l, l };
	two[1].qr_url = "";
	CHECK(lbl_render_labels(ctx, two, 2, LBL_A4, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "labels[1].qr_url");
	char *huge_url = repeat("https://x.vn/", 10240);
	two[1].qr_url = huge_url;
	CHECK(lbl_render_labels(ctx, two, 2, LBL_A6, &buf, &err) == HOSO_INVALID);
	free(huge_url);
	lbl_note note = { .tracking_number = tn[0], .qr_url = url[0], .n_documents = 3 };
	CHECK(lbl_render_note(ctx, &note, &buf, &err) == HOSO_INVALID);
	CHECK(lbl_render_note(ctx, NULL, &buf, &err) == HOSO_INVALID);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OUTDIR [marks]\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	mkdir(dir, 0777); /* may exist already */
	const char *font_dir = getenv("HOSO_FONT_DIR");
	if (!font_dir || !*font_dir)
		font_dir = HOSO_BUILD_FONT_DIR;
	lbl_ctx *ctx = NULL;
	hoso_err err;
	CHECK(lbl_ctx_create(font_dir, &ctx, &err) == HOSO_OK);
	if (!ctx) {
		fprintf(stderr, "%s\n", err.message);
		return check_done();
	}
	render_marks(ctx, dir);
	if (argc > 2 && strcmp(argv[2], "marks") == 0) {
		lbl_ctx_destroy(ctx);
		return check_done();
	}

	lbl_label five[5];
	for (int i = 0; i < 5; i++)
		five[i] = sample_label(i);
	FILE *tns = NULL;
	char path[4096];
	snprintf(path, sizeof path, "%s/tracking.txt", dir);
	tns = fopen(path, "w");
	CHECK(tns != NULL);
	for (int i = 0; tns && i < 5; i++)
		fprintf(tns, "%s %s\n", tn[i], url[i]);
	if (tns)
		fclose(tns);
	CHECK_STR(tn[0], "DH123456785VN");

	render_labels(ctx, dir, "a6_1.pdf", five, 1, LBL_A6, 40000);
	render_labels(ctx, dir, "a6_5.pdf", five, 5, LBL_A6, 200000);
	render_labels(ctx, dir, "100x150_1.pdf", five, 1, LBL_100X150, 40000);
	render_labels(ctx, dir, "100x150_5.pdf", five, 5, LBL_100X150, 200000);
	render_labels(ctx, dir, "a4_1.pdf", five, 1, LBL_A4, 40000);
	render_labels(ctx, dir, "a4_5.pdf", five, 5, LBL_A4, 200000);

	lbl_doc_line *docs = calloc(40, sizeof *docs);
	CHECK(docs != NULL);
	if (docs) {
		render_note(ctx, dir, docs, 40, "note_40.pdf");
		render_note(ctx, dir, docs, 3, "note_3.pdf");
		render_nasty(ctx, dir, docs);
	}
	free(docs);
	api_checks(ctx);
	bogus_fonts(dir);

	char vnd[48];
	lbl_format_vnd(1234567, vnd, sizeof vnd);
	CHECK_STR(vnd, "1.234.567 đ");
	lbl_format_vnd(0, vnd, sizeof vnd);
	CHECK_STR(vnd, "0 đ");
	lbl_format_vnd(-35000, vnd, sizeof vnd);
	CHECK_STR(vnd, "-35.000 đ");
	lbl_format_vnd(INT64_MIN, vnd, sizeof vnd);
	CHECK_STR(vnd, "-9.223.372.036.854.775.808 đ");
	lbl_format_vnd(999, vnd, sizeof vnd);
	CHECK_STR(vnd, "999 đ");
	lbl_format_vnd(1000, vnd, 4);
	CHECK_STR(vnd, "1.0");
	lbl_ctx_destroy(ctx);
	return check_done();
}
