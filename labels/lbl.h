/* lbl.h — labels and documents as PDF bytes. Knows neither the database nor HTTP: callers
 * pass plain UTF-8 strings (NULL or "" for absent fields) and get a PDF buffer back. */
#ifndef HOSO_LBL_H
#define HOSO_LBL_H

#include <stddef.h>
#include <stdint.h>

#include "hoso.h"

typedef struct lbl_ctx lbl_ctx;

/* Loads nothing yet; remembers where the embedded fonts (hoso-sans.ttf, hoso-sans-bold.ttf,
 * and hoso-label.ttf, the labels' smaller face, else hoso-sans.ttf) are. Fails when the
 * directory does not hold the first two. */
hoso_status lbl_ctx_create(const char *font_dir, lbl_ctx **out, hoso_err *err);

/* Frees the context; NULL is accepted. */
void lbl_ctx_destroy(lbl_ctx *ctx);

typedef enum lbl_size {
	LBL_A6,        /* 105 x 148 mm, one label a page */
	LBL_100X150,   /* 100 x 150 mm thermal label */
	LBL_A4,        /* A4 sheet of four A6 labels */
} lbl_size;

/* Parses "a6", "100x150" or "a4"; returns false for anything else. */
bool lbl_size_parse(const char *s, lbl_size *out);

typedef struct lbl_buf {
	unsigned char *data;
	size_t len;
} lbl_buf;

/* Frees the bytes and zeroes the buffer; NULL is accepted. */
void lbl_buf_free(lbl_buf *buf);

/* One postal item's label. */
typedef struct lbl_label {
	const char *tracking_number;  /* S10, printed large and as Code 128 */
	const char *qr_url;           /* public tracking URL, as QR */
	const char *title;            /* "HỒ SƠ TTHC" or "KẾT QUẢ TTHC" */
	const char *sender_name;
	const char *sender_address;
	const char *sender_phone;
	const char *receiver_name;    /* agency, or applicant for a result */
	const char *receiver_desk;    /* "Bộ phận Một cửa ..." */
	const char *receiver_address;
	const char *receiver_phone;
	const char *procedure_code;
	const char *procedure_name;
	const char *office_code;
	const char *office_name;
	const char *accepted_date;    /* J, "DD/MM/YYYY" */
	const char *due_date;         /* J + n, "DD/MM/YYYY" */
	const char *service;          /* human text of the service form */
	const char *dossier_ref;      /* dossier id or portal code */
} lbl_label;

/* Renders n labels in one PDF: one a page (A6, 100x150) or four a sheet (A4). */
hoso_status lbl_render_labels(lbl_ctx *ctx, const lbl_label *labels, size_t n, lbl_size size,
                              lbl_buf *out, hoso_err *err);

typedef struct lbl_doc_line {
	const char *name;
	const char *form;             /* "Bản chính" | "Bản sao" */
	int copies;
} lbl_doc_line;

/* The consignment note (Phiếu gửi hồ sơ, Circular 17/2017 Art 9), A4. */
typedef struct lbl_note {
	const char *tracking_number;
	const char *qr_url;
	const char *dossier_ref;
	const char *sender_name;
	const char *sender_kind;      /* "Cá nhân" | "Tổ chức" */
	const char *sender_id_number;
	const char *sender_address;
	const char *sender_phone;
	const char *sender_email;
	const char *receiver_name;
	const char *receiver_desk;
	const char *receiver_address;
	const char *receiver_phone;
	const char *procedure_code;
	const char *procedure_name;
	const lbl_doc_line *documents;
	size_t n_documents;
	const char *service;
	int64_t postage_vnd;
	int64_t fee_vnd;
	const char *payment_method;
	const char *accepted_at;      /* "HH:MM DD/MM/YYYY" */
	const char *due_date;
	const char *office_name;
	const char *office_address;
	const char *clerk_name;
	const char *portal_code;
	const char *notes;
} lbl_note;

/* Renders the consignment note, with places for both signatures and a tracking QR. */
hoso_status lbl_render_note(lbl_ctx *ctx, const lbl_note *note, lbl_buf *out, hoso_err *err);

/* Renders a dossier's paperwork as one PDF: the n labels (as lbl_render_labels, at size)
 * followed by the consignment note (as lbl_render_note), so one click prints them all. */
hoso_status lbl_render_dossier(lbl_ctx *ctx, const lbl_label *labels, size_t n, lbl_size size,
                               const lbl_note *note, lbl_buf *out, hoso_err *err);

/* One item on a handover record. */
typedef struct lbl_manifest_line {
	const char *tracking_number;
	const char *dossier_ref;      /* consignment note / dossier number */
	const char *applicant_name;
	const char *procedure_code;
	const char *procedure_name;
	int documents;                /* number of papers in the dossier */
	int64_t fee_vnd;              /* agency fee collected at the counter, paid over */
	const char *status;           /* after confirmation: "Đã nhận", "Thiếu", "Hư hỏng"; else "" */
} lbl_manifest_line;

/* The handover record (biên bản giao nhận hồ sơ), A4: post office to agency. */
typedef struct lbl_manifest {
	const char *manifest_ref;     /* printed, e.g. "BB-2026-000123" */
	const char *qr_data;          /* encoded in the QR (the manifest's URL or id) */
	const char *created_at;       /* "HH:MM DD/MM/YYYY" */
	const char *office_code;
	const char *office_name;
	const char *office_address;
	const char *courier_name;
	const char *agency_code;
	const char *agency_name;
	const char *agency_desk;
	const char *agency_address;
	const lbl_manifest_line *lines;
	size_t n_lines;
	int64_t total_fee_vnd;
	const char *confirmed_at;     /* legal filing time, NULL before confirmation */
	const char *officer_name;     /* who confirmed, NULL before confirmation */
} lbl_manifest;

/* Renders the handover record: items table (continued over pages), counts and fee totals,
 * places for both signatures, QR of qr_data. */
hoso_status lbl_render_manifest(lbl_ctx *ctx, const lbl_manifest *m, lbl_buf *out,
                                hoso_err *err);

/* Proof of delivery of a result item, A5 or A4. */
typedef struct lbl_pod {
	const char *tracking_number;
	const char *qr_url;
	const char *applicant_name;
	const char *procedure_name;
	const char *agency_name;
	const char *receiver_name;
	const char *relation;          /* "Người nộp hồ sơ" | "Người được ủy quyền" */
	const char *authorisation_ref; /* authorisation letter number, for a proxy */
	const char *id_last4;          /* last 4 digits of the CCCD checked */
	const char *delivered_at;      /* "HH:MM DD/MM/YYYY" */
	const char *place;             /* "tại địa chỉ người nhận" or the office name */
	const char *courier_name;
	const char *papers_collected;  /* papers the agency asked back, or NULL */
	int64_t fee_collected_vnd;
	const char *chain_code;        /* short custody-chain code of the delivery event */
	const unsigned char *signature_png; /* validated PNG, or NULL */
	size_t signature_len;
} lbl_pod;

/* Renders the proof of delivery with the receiver's signature image when given. */
hoso_status lbl_render_pod(lbl_ctx *ctx, const lbl_pod *p, lbl_buf *out, hoso_err *err);

#endif
