/* test_labels.c — renders labels and notes with the labels library, checks the API's
 * contracts, and writes the PDFs into the directory given on the command line for
 * check_pdfs.py to inspect with real tools (qpdf, pdftotext, pdftoppm, zbarimg).
 *
 *   test_labels OUTDIR          all documents and API checks
 *   test_labels OUTDIR marks    only marks.pdf (the rendering test of Vietnamese marks)
 *
 * Proofs of delivery are rendered with a small built-in signature PNG, and also with
 * OUTDIR/sig.png when present (check_pdfs.py writes one before it runs this program); the
 * corrupt variants of both must be refused with HOSO_INVALID, field "signature".
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

static lbl_pod sample_pod(void);

/* A directory whose "fonts" are not TrueType: rendering must fail cleanly, not abort. */
static void bogus_fonts(const char *dir)
{
	char fdir[4096], path[4200];
	snprintf(fdir, sizeof fdir, "%s/bogus-fonts", dir);
	mkdir(fdir, 0777);
	static const char *const files[3] = { "hoso-sans.ttf", "hoso-sans-bold.ttf", "hoso-label.ttf" };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", fdir, files[i]);
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
	CHECK(strstr(err.message, "hoso-label.ttf") != NULL);
	CHECK(buf.data == NULL && buf.len == 0);
	lbl_manifest m = { .qr_data = "x" };
	CHECK(lbl_render_manifest(ctx, &m, &buf, &err) == HOSO_INTERNAL);
	lbl_pod pod = sample_pod();
	CHECK(lbl_render_pod(ctx, &pod, &buf, &err) == HOSO_INTERNAL);
	lbl_note note = { .tracking_number = tn[0], .qr_url = url[0] };
	CHECK(lbl_render_note(ctx, &note, &buf, &err) == HOSO_INTERNAL);
	lbl_ctx_destroy(ctx);
}

/* A 24 x 8 grey PNG with a diagonal stroke. */
static const unsigned char tiny_png[100] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0xc6, 0xca, 0x60,
	0xbf, 0x00, 0x00, 0x00, 0x2b, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x60, 0x60, 0xf8, 0x8f,
	0x15, 0x00, 0x85, 0x19, 0xb0, 0xca, 0x41, 0xc4, 0xb0, 0xc8, 0xc1, 0x05, 0xd0, 0xe5, 0x90, 0x79,
	0x28, 0x72, 0x68, 0x46, 0x20, 0xe4, 0x30, 0xed, 0x85, 0xca, 0x61, 0x75, 0x2c, 0x48, 0x0e, 0x00,
	0x12, 0x56, 0xa8, 0x58, 0x5f, 0xb0, 0xe1, 0x83, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
	0xae, 0x42, 0x60, 0x82,
};

static lbl_manifest_line man_lines[501]; /* one more than the cap */
static char man_tn[501][14], man_ref[501][32], man_name[501][64];

/* The manifest with n lines; fees 15.000 đ on every third line. */
static lbl_manifest sample_manifest(size_t n, bool confirmed)
{
	static const char *const names[4] = { "Nguyễn Thị Hồng Nhung", "Trần Văn Bình",
	                                      "Lê Thị Ánh Tuyết", "Phạm Quốc Việt" };
	static const char *const procs[3][2] = {
		{ "1.001776", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" },
		{ "2.000908", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền "
		              "của Việt Nam cấp hoặc chứng nhận" },
		{ "1.004227", "Đăng ký khai sinh" },
	};
	int64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		s10(man_tn[i], "DH", 20000000u + (unsigned)i * 7u);
		snprintf(man_ref[i], sizeof man_ref[i], "000.00.06.H56-2611%02u-%04u",
		         (unsigned)(i % 28 + 1), (unsigned)i);
		snprintf(man_name[i], sizeof man_name[i], "%s", names[i % 4]);
		man_lines[i] = (lbl_manifest_line){
			.tracking_number = man_tn[i], .dossier_ref = man_ref[i],
			.applicant_name = man_name[i], .procedure_code = procs[i % 3][0],
			.procedure_name = procs[i % 3][1], .documents = (int)(i % 5) + 1,
			.fee_vnd = i % 3 == 0 ? 15000 : 0,
			.status = confirmed ? (i % 7 == 3 ? "Thiếu" : "Đã nhận") : "",
		};
		total += man_lines[i].fee_vnd;
	}
	return (lbl_manifest){
		.manifest_ref = "BB-2026-000123", .qr_data = "https://hoso.example.vn/m/BB-2026-000123",
		.created_at = "14:30 27/11/2026", .office_code = "401000", .office_name = "Bưu cục Phủ Lý",
		.office_address = "Số 1 Biên Hòa, phường Minh Khai, thành phố Phủ Lý, Hà Nam",
		.courier_name = "Đỗ Văn Hùng", .agency_code = "000.00.06.H56",
		.agency_name = "Sở Tư pháp tỉnh Hà Nam",
		.agency_desk = "Trung tâm Phục vụ hành chính công tỉnh Hà Nam",
		.agency_address = "Đường Lê Hoàn, phường Quang Trung, thành phố Phủ Lý, Hà Nam",
		.lines = man_lines, .n_lines = n, .total_fee_vnd = total,
		.confirmed_at = confirmed ? "15:05 27/11/2026" : NULL,
		.officer_name = confirmed ? "Vũ Thị Thu Hằng" : NULL,
	};
}

static void render_doc(const char *dir, const char *name, hoso_status st, hoso_err *err,
                       lbl_buf *buf)
{
	if (st != HOSO_OK)
		fprintf(stderr, "%s: %s\n", name, err->message);
	CHECK(st == HOSO_OK);
	CHECK(buf->len > 1000 && buf->data && memcmp(buf->data, "%PDF-", 5) == 0);
	CHECK(st == HOSO_OK && write_file(dir, name, buf));
	printf("%s: %zu bytes\n", name, buf->len);
	lbl_buf_free(buf);
}

static void render_manifests(lbl_ctx *ctx, const char *dir)
{
	lbl_buf buf = { 0 };
	hoso_err err;
	lbl_manifest m = sample_manifest(3, true);
	render_doc(dir, "manifest_3.pdf", lbl_render_manifest(ctx, &m, &buf, &err), &err, &buf);
	m = sample_manifest(120, false);
	render_doc(dir, "manifest_120.pdf", lbl_render_manifest(ctx, &m, &buf, &err), &err, &buf);
	char path[4096];
	snprintf(path, sizeof path, "%s/manifest_tracking.txt", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	for (size_t i = 0; f && i < 120; i++)
		fprintf(f, "%s\n", man_tn[i]);
	if (f)
		fclose(f);
	m = sample_manifest(500, true);
	render_doc(dir, "manifest_500.pdf", lbl_render_manifest(ctx, &m, &buf, &err), &err, &buf);

	/* odd input: long, odd and absent text, no lines, huge amounts */
	char *long_vi = repeat("Nguyễn Hồ Sơ ", 10240);
	char *long_word = repeat("X", 10240);
	m = sample_manifest(2, true);
	man_lines[0].applicant_name = long_vi;
	man_lines[0].dossier_ref = long_word;
	man_lines[0].procedure_name = long_vi;
	man_lines[0].status = long_vi;
	man_lines[0].fee_vnd = INT64_MAX;
	man_lines[1] = (lbl_manifest_line){ .documents = -1 };
	m.total_fee_vnd = INT64_MAX;
	m.office_name = long_vi;
	m.agency_desk = long_word;
	m.manifest_ref = long_word;
	m.courier_name = "Ho\xcc\x82\xcc\x80 \xff\xfe \x01\x1b[31m";
	render_doc(dir, "manifest_nasty.pdf", lbl_render_manifest(ctx, &m, &buf, &err), &err, &buf);
	lbl_manifest empty = { .qr_data = "BB-1" };
	render_doc(dir, "manifest_empty.pdf", lbl_render_manifest(ctx, &empty, &buf, &err), &err,
	           &buf);
	free(long_vi);
	free(long_word);

	/* contract */
	m = sample_manifest(501, false);
	m.n_lines = 501;
	CHECK(lbl_render_manifest(ctx, &m, &buf, &err) == HOSO_TOO_LARGE);
	CHECK_STR(err.field, "lines");
	m = sample_manifest(3, false);
	m.lines = NULL;
	CHECK(lbl_render_manifest(ctx, &m, &buf, &err) == HOSO_INVALID);
	m = sample_manifest(3, false);
	m.total_fee_vnd += 1;
	CHECK(lbl_render_manifest(ctx, &m, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "total_fee_vnd");
	m = sample_manifest(3, false);
	man_lines[1].fee_vnd = -5;
	CHECK(lbl_render_manifest(ctx, &m, &buf, &err) == HOSO_INVALID);
	m = sample_manifest(3, false);
	m.qr_data = "";
	CHECK(lbl_render_manifest(ctx, &m, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "qr_data");
	CHECK(lbl_render_manifest(ctx, NULL, &buf, &err) == HOSO_INVALID);
	CHECK(buf.data == NULL && buf.len == 0);
}

static lbl_pod sample_pod(void)
{
	return (lbl_pod){
		.tracking_number = "PH123456785VN", .qr_url = "https://hoso.example.vn/t/PH123456785VN",
		.applicant_name = "Nguyễn Thị Hồng Nhung",
		.procedure_name = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
		.agency_name = "Sở Tư pháp tỉnh Hà Nam", .receiver_name = "Trần Thị Ngọc Ánh",
		.relation = "Người được ủy quyền", .authorisation_ref = "UQ-2026/118",
		.id_last4 = "1234", .delivered_at = "10:20 02/12/2026",
		.place = "tại địa chỉ người nhận", .courier_name = "Đỗ Văn Hùng",
		.papers_collected = "Bản chính Giấy khai sinh cũ", .fee_collected_vnd = 200000,
		.chain_code = "7K3QX9PD",
	};
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	unsigned char *data = malloc(cap);
	while (data) {
		n += fread(data + n, 1, cap - n, f);
		if (n < cap)
			break;
		unsigned char *more = realloc(data, cap * 2);
		if (!more) {
			free(data);
			data = NULL;
		}
		data = more, cap *= 2;
	}
	fclose(f);
	*len = n;
	return data;
}

/* Every corruption of png must be refused as HOSO_INVALID (or HOSO_TOO_LARGE), never crash. */
static void corrupt_signatures(lbl_ctx *ctx, const unsigned char *png, size_t len)
{
	lbl_buf buf = { 0 };
	hoso_err err;
	unsigned char *bad = malloc(len + 64);
	if (!bad)
		abort();
	lbl_pod p = sample_pod();
	int refused = 0, tries = 0;
	/* one byte flipped at a time (every byte of a small image), then truncations */
	size_t step = len > 400 ? len / 200 : 1;
	for (size_t i = 8; i < len; i += step) {
		memcpy(bad, png, len);
		bad[i] ^= 0x5a;
		p.signature_png = bad, p.signature_len = len;
		hoso_status st = lbl_render_pod(ctx, &p, &buf, &err);
		tries++;
		if (st == HOSO_OK) {
			lbl_buf_free(&buf); /* a flip in a CRC-less spot may still be a valid PNG */
			continue;
		}
		refused += st == HOSO_INVALID && strcmp(err.field, "signature") == 0;
	}
	CHECK(refused > tries * 9 / 10);
	for (size_t cut = 0; cut < len; cut += step) {
		p.signature_png = png, p.signature_len = cut;
		hoso_status st = lbl_render_pod(ctx, &p, &buf, &err);
		CHECK(st == HOSO_INVALID);
		CHECK_STR(err.field, "signature");
		CHECK(buf.data == NULL);
	}
	static const unsigned char junk[] = "not a png at all, just text";
	p.signature_png = junk, p.signature_len = sizeof junk;
	CHECK(lbl_render_pod(ctx, &p, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "signature");
	free(bad);
}

static void render_pods(lbl_ctx *ctx, const char *dir)
{
	lbl_buf buf = { 0 };
	hoso_err err;
	lbl_pod p = sample_pod();
	render_doc(dir, "pod_nosig.pdf", lbl_render_pod(ctx, &p, &buf, &err), &err, &buf);
	p.signature_png = tiny_png, p.signature_len = sizeof tiny_png;
	render_doc(dir, "pod_tiny.pdf", lbl_render_pod(ctx, &p, &buf, &err), &err, &buf);
	corrupt_signatures(ctx, tiny_png, sizeof tiny_png);

	char path[4096];
	static const char *const sigs[] = { "sig.png", "sig_rgba.png", "sig_interlaced.png" };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		size_t len = 0;
		snprintf(path, sizeof path, "%s/%s", dir, sigs[i]);
		unsigned char *png = read_all(path, &len);
		if (!png)
			continue; /* check_pdfs.py did not write it */
		p = sample_pod();
		p.signature_png = png, p.signature_len = len;
		char name[64];
		snprintf(name, sizeof name, "pod_%s.pdf", i == 0 ? "sig" : "rgba");
		if (i == 2) { /* libharu 2.3.0 cannot embed an interlaced PNG: refused, not a crash */
			CHECK(lbl_render_pod(ctx, &p, &buf, &err) == HOSO_INVALID);
			CHECK_STR(err.field, "signature");
			CHECK(strstr(err.message, "interlac") != NULL);
		} else {
			render_doc(dir, name, lbl_render_pod(ctx, &p, &buf, &err), &err, &buf);
		}
		if (i == 0)
			corrupt_signatures(ctx, png, len);
		free(png);
	}
	/* odd input */
	char *long_vi = repeat("Nguyễn Hồ Sơ ", 10240);
	lbl_pod nasty = { .tracking_number = "PH123456785VN", .qr_url = "https://x.vn/t/1",
	                  .applicant_name = long_vi, .procedure_name = long_vi,
	                  .agency_name = long_vi, .receiver_name = long_vi, .relation = long_vi,
	                  .place = long_vi, .papers_collected = long_vi, .chain_code = long_vi,
	                  .fee_collected_vnd = INT64_MIN };
	render_doc(dir, "pod_nasty.pdf", lbl_render_pod(ctx, &nasty, &buf, &err), &err, &buf);
	free(long_vi);

	/* contract */
	p = sample_pod();
	p.id_last4 = "035190001234"; /* a whole CCCD number must never be printed */
	CHECK(lbl_render_pod(ctx, &p, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "id_last4");
	p.id_last4 = "12a4";
	CHECK(lbl_render_pod(ctx, &p, &buf, &err) == HOSO_INVALID);
	p = sample_pod();
	p.qr_url = NULL;
	CHECK(lbl_render_pod(ctx, &p, &buf, &err) == HOSO_INVALID);
	p = sample_pod();
	p.tracking_number = "";
	CHECK(lbl_render_pod(ctx, &p, &buf, &err) == HOSO_INVALID);
	CHECK(lbl_render_pod(ctx, NULL, &buf, &err) == HOSO_INVALID);
	CHECK(buf.data == NULL && buf.len == 0);
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

	/* A dossier's labels and note in one document: the checks of both still apply, and a
	 * label that fails half-way leaves no bytes. */
	lbl_label pair[2] = { sample_label(0), sample_label(1) };
	lbl_note good = { .tracking_number = tn[0], .qr_url = url[0] };
	CHECK(lbl_render_dossier(ctx, pair, 2, LBL_A6, &good, &buf, &err) == HOSO_OK);
	CHECK(buf.len > 5 && memcmp(buf.data, "%PDF-", 5) == 0);
	lbl_buf_free(&buf);
	CHECK(lbl_render_dossier(ctx, NULL, 0, LBL_A6, &good, &buf, &err) == HOSO_INVALID);
	CHECK(lbl_render_dossier(ctx, pair, 0, LBL_A6, &good, &buf, &err) == HOSO_INVALID);
	CHECK(lbl_render_dossier(ctx, pair, 2, (lbl_size)42, &good, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "size");
	CHECK(lbl_render_dossier(ctx, pair, 2, LBL_A6, &note, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "documents");
	CHECK(lbl_render_dossier(ctx, pair, 2, LBL_A6, NULL, &buf, &err) == HOSO_INVALID);
	CHECK(lbl_render_dossier(NULL, pair, 2, LBL_A6, &good, &buf, &err) == HOSO_INVALID);
	pair[1].qr_url = "";
	CHECK(lbl_render_dossier(ctx, pair, 2, LBL_A4, &good, &buf, &err) == HOSO_INVALID);
	CHECK_STR(err.field, "labels[1].qr_url");
	CHECK(buf.data == NULL && buf.len == 0);
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
	render_manifests(ctx, dir);
	render_pods(ctx, dir);
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
