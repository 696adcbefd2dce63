/* Maps item views to label and note data. Wording printed on documents lives here and in
 * labels/; the rules that decide the values live in tracking/. */
#include "pdf.h"

#include "trk_custody.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 1000

static const char *service_text(const char *service)
{
	if (strcmp(service, "send") == 0)
		return "Nhận gửi hồ sơ";
	if (strcmp(service, "return") == 0)
		return "Chuyển trả kết quả";
	return "Nhận gửi hồ sơ và chuyển trả kết quả";
}

static void fill_label(const trk_item_view *v, lbl_label *l)
{
	const db_dossier *d = &v->dossier;
	bool result = strcmp(v->item.role, "result") == 0;
	memset(l, 0, sizeof(*l));
	l->tracking_number = v->item.tracking_number;
	l->qr_url = v->qr_url;
	l->title = result ? "KẾT QUẢ TTHC" : "HỒ SƠ TTHC";
	if (result) {
		/* The result travels from the agency back to the applicant. */
		l->sender_name = v->agency.name;
		l->sender_address = v->agency.address;
		l->sender_phone = v->agency.phone;
		l->receiver_name = d->applicant_name;
		l->receiver_desk = NULL;
		l->receiver_address = d->applicant_address;
		l->receiver_phone = d->applicant_phone;
	} else {
		l->sender_name = d->applicant_name;
		l->sender_address = d->applicant_address;
		l->sender_phone = d->applicant_phone;
		l->receiver_name = v->agency.name;
		l->receiver_desk = v->agency.desk_name;
		l->receiver_address = v->agency.address;
		l->receiver_phone = v->agency.phone;
	}
	l->procedure_code = v->procedure.code;
	l->procedure_name = v->procedure.name;
	l->office_code = v->office.code;
	l->office_name = v->office.name;
	l->accepted_date = v->accepted_vn;
	l->due_date = result ? NULL : v->due_vn;
	l->service = service_text(d->service);
	l->dossier_ref = d->portal_code[0] ? d->portal_code : NULL;
}

hoso_status http_pdf_labels(trk *t, lbl_ctx *labels, const trk_actor *actor,
                            const char *const *tns, size_t n, lbl_size size, lbl_buf *out,
                            hoso_err *err)
{
	if (n == 0 || n > MAX_BATCH)
		return hoso_err_set(err, HOSO_INVALID, "invalid_value", "items",
		                    "items must list 1 to %d tracking numbers", MAX_BATCH);
	trk_item_view **views = calloc(n, sizeof(*views));
	lbl_label *ls = calloc(n, sizeof(*ls));
	hoso_status st = HOSO_OK;
	if (!views || !ls) {
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
		goto out_views;
	}
	for (size_t i = 0; i < n; i++) {
		if ((st = trk_item_view_load(t, actor, tns[i], &views[i], err)) != HOSO_OK) {
			char field[32];
			snprintf(field, sizeof(field), "items[%zu]", i);
			snprintf(err->field, sizeof(err->field), "%s", field);
			goto out_views;
		}
		fill_label(views[i], &ls[i]);
	}
	st = lbl_render_labels(labels, ls, n, size, out, err);
out_views:
	if (views)
		for (size_t i = 0; i < n; i++)
			free(views[i]);
	free(views);
	free(ls);
	return st;
}

/* The note's document lines, parsed from the dossier's JSON. lines and docs live until
 * note_free. */
typedef struct note_data {
	lbl_note note;
	lbl_doc_line *lines;
	json_t *docs;
	char dossier_ref[32];
	const char *payment;
} note_data;

static hoso_status fill_note(const trk_item_view *v, note_data *nd, hoso_err *err)
{
	const db_dossier *d = &v->dossier;
	memset(nd, 0, sizeof(*nd));
	nd->docs = json_loads(d->documents, 0, NULL);
	size_t n = json_array_size(nd->docs);
	nd->lines = calloc(n ? n : 1, sizeof(*nd->lines));
	if (!nd->lines)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *doc = json_array_get(nd->docs, i);
		const char *form = json_string_value(json_object_get(doc, "form"));
		nd->lines[i].name = json_string_value(json_object_get(doc, "name"));
		nd->lines[i].form = form && strcmp(form, "original") == 0 ? "Bản chính" : "Bản sao";
		nd->lines[i].copies = (int)json_integer_value(json_object_get(doc, "copies"));
	}
	snprintf(nd->dossier_ref, sizeof(nd->dossier_ref), "%lld", (long long)d->id);
	static const char *const payments[][2] = {
		{"cash", "Tiền mặt"}, {"transfer", "Chuyển khoản"}, {"none", "Không thu"}};
	nd->payment = d->payment_method;
	for (size_t i = 0; i < 3; i++)
		if (strcmp(nd->payment, payments[i][0]) == 0)
			nd->payment = payments[i][1];
	nd->note = (lbl_note){
		.tracking_number = v->item.tracking_number,
		.qr_url = v->qr_url,
		.dossier_ref = nd->dossier_ref,
		.sender_name = d->applicant_name,
		.sender_kind = strcmp(d->applicant_kind, "person") == 0 ? "Cá nhân" : "Tổ chức",
		.sender_id_number = d->applicant_id_number,
		.sender_address = d->applicant_address,
		.sender_phone = d->applicant_phone,
		.sender_email = d->applicant_email,
		.receiver_name = v->agency.name,
		.receiver_desk = v->agency.desk_name,
		.receiver_address = v->agency.address,
		.receiver_phone = v->agency.phone,
		.procedure_code = v->procedure.code,
		.procedure_name = v->procedure.name,
		.documents = nd->lines,
		.n_documents = n,
		.service = service_text(d->service),
		.postage_vnd = d->postage_vnd,
		.fee_vnd = d->fee_vnd,
		.payment_method = nd->payment,
		.accepted_at = v->accepted_at_vn,
		.due_date = v->due_vn,
		.office_name = v->office.name,
		.office_address = v->office.address,
		.clerk_name = v->clerk_name,
		.portal_code = d->portal_code,
		.notes = d->notes,
	};
	return HOSO_OK;
}

static void note_free(note_data *nd)
{
	free(nd->lines);
	json_decref(nd->docs);
}

hoso_status http_pdf_note(trk *t, lbl_ctx *labels, const trk_actor *actor, int64_t dossier_id,
                          lbl_buf *out, hoso_err *err)
{
	trk_item_view *v = NULL;
	hoso_status st = trk_dossier_view_load(t, actor, dossier_id, &v, err);
	if (st != HOSO_OK)
		return st;
	note_data nd;
	st = fill_note(v, &nd, err);
	if (st == HOSO_OK)
		st = lbl_render_note(labels, &nd.note, out, err);
	note_free(&nd);
	free(v);
	return st;
}

hoso_status http_pdf_print(trk *t, lbl_ctx *labels, const trk_actor *actor, int64_t dossier_id,
                           lbl_size size, lbl_buf *out, hoso_err *err)
{
	trk_item_view *views[2] = {NULL, NULL};
	size_t n = 0;
	hoso_status st = trk_dossier_views_load(t, actor, dossier_id, views, &n, err);
	if (st != HOSO_OK)
		return st;
	lbl_label ls[2];
	for (size_t i = 0; i < n; i++)
		fill_label(views[i], &ls[i]);
	/* The note is printed from the first item, submission first, as GET .../note.pdf. */
	note_data nd;
	st = fill_note(views[0], &nd, err);
	if (st == HOSO_OK)
		st = lbl_render_dossier(labels, ls, n, size, &nd.note, out, err);
	note_free(&nd);
	for (size_t i = 0; i < n; i++)
		free(views[i]);
	return st;
}

hoso_status http_pdf_manifest(trk *t, lbl_ctx *labels, const trk_actor *actor, int64_t id,
                              lbl_buf *out, hoso_err *err)
{
	trk_manifest_view *v = NULL;
	hoso_status st = trk_manifest_view_load(t, actor, id, &v, err);
	if (st != HOSO_OK)
		return st;
	lbl_manifest_line *lines = calloc(v->n_lines ? v->n_lines : 1, sizeof(*lines));
	char (*refs)[24] = calloc(v->n_lines ? v->n_lines : 1, sizeof(*refs));
	if (!lines || !refs) {
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
		goto out_lines;
	}
	static const char *const status_vn[][2] = {
		{"received", "Đã nhận"}, {"missing", "Thiếu"}, {"damaged", "Hư hỏng"}, {"pending", ""}};
	for (size_t i = 0; i < v->n_lines; i++) {
		const trk_manifest_line_view *lv = &v->lines[i];
		snprintf(refs[i], sizeof(refs[i]), "%lld", (long long)lv->line.dossier_id);
		lines[i].tracking_number = lv->line.tracking_number;
		lines[i].dossier_ref = refs[i];
		lines[i].applicant_name = lv->applicant_name;
		lines[i].procedure_code = lv->procedure_code;
		lines[i].procedure_name = lv->procedure_name;
		lines[i].documents = lv->line.documents;
		lines[i].fee_vnd = lv->line.fee_vnd;
		lines[i].status = "";
		for (size_t k = 0; k < 4; k++)
			if (!strcmp(lv->line.status, status_vn[k][0]))
				lines[i].status = status_vn[k][1];
	}
	bool confirmed = v->manifest.confirmed_at != 0;
	lbl_manifest m = {
		.manifest_ref = v->ref,
		.qr_data = v->url,
		.created_at = v->created_at_vn,
		.office_code = v->office.code,
		.office_name = v->office.name,
		.office_address = v->office.address,
		.courier_name = v->courier_name,
		.agency_code = v->agency.code,
		.agency_name = v->agency.name,
		.agency_desk = v->agency.desk_name,
		.agency_address = v->agency.address,
		.lines = lines,
		.n_lines = v->n_lines,
		.total_fee_vnd = v->manifest.total_fee_vnd,
		.confirmed_at = confirmed ? v->confirmed_at_vn : NULL,
		.officer_name = confirmed ? v->officer_name : NULL,
	};
	st = lbl_render_manifest(labels, &m, out, err);
out_lines:
	free(refs);
	free(lines);
	trk_manifest_view_free(v);
	return st;
}

hoso_status http_pdf_pod(trk *t, lbl_ctx *labels, const trk_actor *actor, const char *tn,
                         lbl_buf *out, hoso_err *err)
{
	trk_delivery_view *v = NULL;
	hoso_status st = trk_delivery_view_load(t, actor, tn, &v, err);
	if (st != HOSO_OK)
		return st;
	bool proxy = !strcmp(v->relation, "proxy");
	lbl_pod p = {
		.tracking_number = v->item.item.tracking_number,
		.qr_url = v->item.qr_url,
		.applicant_name = v->item.dossier.applicant_name,
		.procedure_name = v->item.procedure.name,
		.agency_name = v->item.agency.name,
		.receiver_name = v->receiver_name,
		.relation = proxy ? "Người được ủy quyền" : "Người nộp hồ sơ",
		.authorisation_ref = proxy ? v->authorisation_ref : NULL,
		.id_last4 = v->id_last4,
		.delivered_at = v->delivered_at_vn,
		.place = v->event.place,
		.courier_name = v->courier_name,
		.papers_collected = v->papers_collected,
		.fee_collected_vnd = v->fee_collected_vnd,
		.chain_code = v->chain_code,
		.signature_png = v->signature,
		.signature_len = v->signature_len,
	};
	st = lbl_render_pod(labels, &p, out, err);
	trk_delivery_view_free(v);
	return st;
}
