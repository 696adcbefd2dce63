/* bench_labels.c — how fast the labels library makes PDFs.
 *
 *   bench_labels [FONT_DIR [OUT.pdf [OUT.html]]]
 *
 * Prints, one "key value" a line: single A6 label PDFs per second (each a complete document
 * embedding its font, the labels' one face), bytes per single label, the time of a 1,000-label A6 batch in
 * one PDF (median of 5) and its bytes. Writes one single label to OUT.pdf, and the same label
 * as an HTML page (same text, QR and Code 128 as inline SVG) to OUT.html for the Chromium
 * comparison. Run it pinned to one core (bench/labels/run.sh does, with taskset). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qrencode.h>
#include <zint.h>

#include "hoso_config.h"
#include "lbl.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static lbl_label label(char *tn, char *url, unsigned i)
{
	/* DH + 8 digits + check digit: serial 12345678 + i, check digit computed */
	static const int w[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	char digits[9];
	snprintf(digits, sizeof digits, "%08u", 12345678u + i);
	int sum = 0;
	for (int k = 0; k < 8; k++)
		sum += (digits[k] - '0') * w[k];
	int c = 11 - sum % 11;
	c = c == 10 ? 0 : c == 11 ? 5 : c;
	snprintf(tn, 14, "DH%.8s%cVN", digits, (char)('0' + c));
	snprintf(url, 64, "https://hoso.example.vn/t/%.13s", tn);
	return (lbl_label){
		.tracking_number = tn, .qr_url = url, .title = "HỒ SƠ TTHC",
		.sender_name = "Nguyễn Thị Hồng Nhung",
		.sender_address = "Số 12 ngõ 34 phố Trần Hưng Đạo, phường Phủ Lý, tỉnh Hà Nam",
		.sender_phone = "0912 345 678", .receiver_name = "Sở Tư pháp tỉnh Hà Nam",
		.receiver_desk = "Bộ phận Một cửa – Trung tâm Phục vụ hành chính công",
		.receiver_address = "Đường Lê Hoàn, phường Quang Trung, thành phố Phủ Lý, Hà Nam",
		.receiver_phone = "0226 385 2701", .procedure_code = "1.001776",
		.procedure_name = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
		.office_code = "401000", .office_name = "Bưu cục Phủ Lý",
		.accepted_date = "27/11/2026", .due_date = "01/12/2026",
		.service = "Chuyển phát hồ sơ và trả kết quả",
		.dossier_ref = "000.00.06.H56-231027-0361",
	};
}

static void svg_qr(FILE *f, const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return;
	int n = qr->width;
	fprintf(f, "<svg class=qr viewBox='-4 -4 %d %d'><path d='", n + 8, n + 8);
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (qr->data[y * n + x] & 1)
				fprintf(f, "M%d %dh1v1h-1z", x, y);
	fprintf(f, "'/></svg>\n");
	QRcode_free(qr);
}

static void svg_code128(FILE *f, const char *text)
{
	struct zint_symbol *sym = ZBarcode_Create();
	if (!sym)
		return;
	sym->symbology = BARCODE_CODE128;
	if (ZBarcode_Encode(sym, (const unsigned char *)text, (int)strlen(text)) < ZINT_ERROR) {
		fprintf(f, "<svg class=bc viewBox='-10 0 %d 1' preserveAspectRatio='none'><path d='",
		        sym->width + 20);
		for (int x = 0; x < sym->width; x++)
			if ((sym->encoded_data[0][x >> 3] >> (x & 7)) & 1)
				fprintf(f, "M%d 0h1v1h-1z", x);
		fprintf(f, "'/></svg>\n");
	}
	ZBarcode_Delete(sym);
}

/* The same label as HTML, for headless Chromium's --print-to-pdf. */
static void write_html(const char *path, const lbl_label *l)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "<!doctype html><html lang=vi><meta charset=utf-8><style>"
	        "@page{size:105mm 148mm;margin:0}body{margin:0;font-family:'DejaVu Sans';"
	        "font-size:8.5pt}.l{box-sizing:border-box;width:105mm;height:148mm;padding:4mm;"
	        "border:1.2pt solid #000}h1{font-size:13pt;margin:0}.tn{font:bold 17pt 'DejaVu Sans'}"
	        ".qr{width:30mm;float:right}.bc{width:62mm;height:16mm}.c{font-weight:bold;"
	        "font-size:6.5pt;border-top:.5pt solid #000;margin-top:2mm}.b{font-weight:bold}"
	        "</style><div class=l><h1>%s</h1><div>%s</div>", l->title, l->service);
	svg_qr(f, l->qr_url);
	fprintf(f, "<div class=tn>%s</div>", l->tracking_number);
	svg_code128(f, l->tracking_number);
	fprintf(f, "<div>Mã hồ sơ: <b>%s</b></div><div class=c>NGƯỜI GỬI</div><div class=b>%s</div>"
	        "<div>%s</div><div>ĐT: <b>%s</b></div><div class=c>NGƯỜI NHẬN</div>"
	        "<div class=b style='font-size:12pt'>%s</div><div class=b>%s</div><div>%s</div>"
	        "<div>ĐT: <b>%s</b></div><div class=c>THỦ TỤC HÀNH CHÍNH</div><div>%s – %s</div>"
	        "<div class=c>Ngày nhận gửi (J): <b>%s</b> &nbsp; Hạn chuyển phát: <b>%s</b></div>"
	        "<div>Bưu cục chấp nhận: <b>%s – %s</b></div></div></html>\n",
	        l->dossier_ref, l->sender_name, l->sender_address, l->sender_phone,
	        l->receiver_name, l->receiver_desk, l->receiver_address, l->receiver_phone,
	        l->procedure_code, l->procedure_name, l->accepted_date, l->due_date,
	        l->office_code, l->office_name);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *font_dir = argc > 1 ? argv[1] : HOSO_BUILD_FONT_DIR;
	lbl_ctx *ctx = NULL;
	hoso_err err;
	if (lbl_ctx_create(font_dir, &ctx, &err) != HOSO_OK) {
		fprintf(stderr, "bench_labels: %s\n", err.message);
		return 1;
	}
	enum { BATCH = 1000, RUNS = 5 };
	static char tns[BATCH][14], urls[BATCH][64];
	lbl_label *labels = malloc(BATCH * sizeof *labels);
	if (!labels)
		return 1;
	for (unsigned i = 0; i < BATCH; i++)
		labels[i] = label(tns[i], urls[i], i);

	/* single-label documents: warm up, then as many as fit in ~2 s, five times */
	lbl_buf buf = { 0 };
	size_t single_bytes = 0;
	double rates[RUNS];
	for (int w = 0; w < 20; w++) {
		if (lbl_render_labels(ctx, &labels[w], 1, LBL_A6, &buf, &err) != HOSO_OK) {
			fprintf(stderr, "bench_labels: %s\n", err.message);
			return 1;
		}
		single_bytes = buf.len;
		lbl_buf_free(&buf);
	}
	for (int r = 0; r < RUNS; r++) {
		int n = 0;
		double t0 = now(), t;
		do {
			lbl_render_labels(ctx, &labels[n % BATCH], 1, LBL_A6, &buf, &err);
			lbl_buf_free(&buf);
			n++;
			t = now() - t0;
		} while (t < 1.0);
		rates[r] = n / t;
	}
	qsort(rates, RUNS, sizeof rates[0], cmp_double);

	/* 1,000 labels in one document */
	double batch[RUNS];
	size_t batch_bytes = 0;
	for (int r = 0; r < RUNS; r++) {
		double t0 = now();
		if (lbl_render_labels(ctx, labels, BATCH, LBL_A6, &buf, &err) != HOSO_OK) {
			fprintf(stderr, "bench_labels: %s\n", err.message);
			return 1;
		}
		batch[r] = now() - t0;
		batch_bytes = buf.len;
		lbl_buf_free(&buf);
	}
	qsort(batch, RUNS, sizeof batch[0], cmp_double);

	if (argc > 2 && lbl_render_labels(ctx, labels, 1, LBL_A6, &buf, &err) == HOSO_OK) {
		FILE *f = fopen(argv[2], "wb");
		if (f) {
			fwrite(buf.data, 1, buf.len, f);
			fclose(f);
		}
		lbl_buf_free(&buf);
	}
	if (argc > 3)
		write_html(argv[3], &labels[0]);
	printf("single_a6_per_s %.1f\n", rates[RUNS / 2]);
	printf("single_a6_ms %.3f\n", 1000.0 / rates[RUNS / 2]);
	printf("single_a6_bytes %zu\n", single_bytes);
	printf("batch_1000_a6_s %.3f\n", batch[RUNS / 2]);
	printf("batch_1000_a6_bytes %zu\n", batch_bytes);
	printf("batch_bytes_per_label %.0f\n", (double)batch_bytes / BATCH);
	free(labels);
	lbl_ctx_destroy(ctx);
	return 0;
}
