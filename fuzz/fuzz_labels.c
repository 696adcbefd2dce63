/* fuzz_labels — item labels and the consignment note with text carved from the input: long,
 * odd, mixed-script or invalid UTF-8 must never overflow memory, and what renders is a PDF.
 *
 * Input: two control bytes, then the strings, separated by NUL bytes, filling the fields in
 * order (missing fields are NULL). Control byte 0: bit 0 note instead of labels, bits 1-2 the
 * label size (modulo 3), bits 3-4 the number of labels less one; byte 1: each string is
 * repeated until it is at least (byte 1 * 16) bytes long, so short inputs make long text. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hoso_config.h"
#include "lbl.h"

#define MAX_STRINGS 48

static lbl_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	hoso_err err;
	const char *dir = getenv("HOSO_FONT_DIR");
	if (lbl_ctx_create(dir ? dir : HOSO_BUILD_FONT_DIR, &ctx, &err) != HOSO_OK)
		fuzz_fail("lbl_ctx_create: %s", err.message);
	return 0;
}

/* Splits data at NUL bytes into at most MAX_STRINGS malloc'd strings, each repeated up to
 * min_len bytes. */
static size_t carve(const uint8_t *data, size_t size, size_t min_len, char **s)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= size && n < MAX_STRINGS; i++) {
		if (i < size && data[i] != 0)
			continue;
		size_t len = i - start, total = len;
		while (len && total < min_len)
			total += len;
		char *p = malloc(total + 1);
		if (!p)
			break;
		for (size_t o = 0; o < total; o += len ? len : 1)
			if (len)
				memcpy(p + o, data + start, len);
		p[total] = '\0';
		s[n++] = p;
		start = i + 1;
	}
	return n;
}

static void check_pdf(const lbl_buf *b, const char *what)
{
	if (!b->data || b->len < 5 || memcmp(b->data, "%PDF-", 5) != 0)
		fuzz_fail("%s: the output is not a PDF", what);
}

static void render_labels(char **s, size_t n, lbl_size size, size_t count)
{
	const char *f[18] = {0};
	for (size_t i = 0; i < 18 && i < n; i++)
		f[i] = s[i];
	lbl_label l[4];
	for (size_t i = 0; i < count; i++)
		l[i] = (lbl_label){
			.tracking_number = f[0], .qr_url = f[1], .title = f[2], .sender_name = f[3],
			.sender_address = f[4], .sender_phone = f[5], .receiver_name = f[6],
			.receiver_desk = f[7], .receiver_address = f[8], .receiver_phone = f[9],
			.procedure_code = f[10], .procedure_name = f[11], .office_code = f[12],
			.office_name = f[13], .accepted_date = f[14], .due_date = f[15],
			.service = f[16], .dossier_ref = f[17]};
	lbl_buf out = {0};
	hoso_err err;
	hoso_err_clear(&err);
	if (lbl_render_labels(ctx, l, count, size, &out, &err) == HOSO_OK)
		check_pdf(&out, "lbl_render_labels");
	else if (!err.message[0] || err.status == HOSO_INTERNAL)
		fuzz_fail("lbl_render_labels: %s", err.message);
	lbl_buf_free(&out);
}

static void render_note(char **s, size_t n, const uint8_t *data)
{
	const char *f[28] = {0};
	for (size_t i = 0; i < 28 && i < n; i++)
		f[i] = s[i];
	lbl_doc_line docs[10];
	size_t nd = 0;
	for (size_t i = 28; i + 1 < n && nd < 10; i += 2, nd++)
		docs[nd] = (lbl_doc_line){.name = s[i], .form = s[i + 1],
		                          .copies = (int)(signed char)data[nd % 2]};
	int64_t big = (int64_t)((uint64_t)data[0] << 55 | (uint64_t)data[1] << 3);
	lbl_note note = {
		.tracking_number = f[0], .qr_url = f[1], .dossier_ref = f[2], .sender_name = f[3],
		.sender_kind = f[4], .sender_id_number = f[5], .sender_address = f[6],
		.sender_phone = f[7], .sender_email = f[8], .receiver_name = f[9],
		.receiver_desk = f[10], .receiver_address = f[11], .receiver_phone = f[12],
		.procedure_code = f[13], .procedure_name = f[14], .documents = nd ? docs : NULL,
		.n_documents = nd, .service = f[15], .postage_vnd = data[1] & 1 ? -big : big,
		.fee_vnd = data[1] & 2 ? INT64_MAX : (int64_t)data[1] * 1000,
		.payment_method = f[16], .accepted_at = f[17], .due_date = f[18],
		.office_name = f[19], .office_address = f[20], .clerk_name = f[21],
		.portal_code = f[22], .notes = f[23]};
	lbl_buf out = {0};
	hoso_err err;
	hoso_err_clear(&err);
	if (lbl_render_note(ctx, &note, &out, &err) == HOSO_OK)
		check_pdf(&out, "lbl_render_note");
	else if (!err.message[0] || err.status == HOSO_INTERNAL)
		fuzz_fail("lbl_render_note: %s", err.message);
	lbl_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (!ctx)
		LLVMFuzzerInitialize(NULL, NULL);
	char *s[MAX_STRINGS];
	size_t n = carve(data + 2, size - 2, (size_t)data[1] * 16, s);
	if (data[0] & 1)
		render_note(s, n, data);
	else
		render_labels(s, n, (lbl_size)(((data[0] >> 1) & 3) % 3), ((data[0] >> 3) & 3) + 1u);
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	return 0;
}
