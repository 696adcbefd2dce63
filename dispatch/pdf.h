/* pdf.h — turns the domain's views into the plain data labels/ prints. */
#ifndef HOSO_PDF_H
#define HOSO_PDF_H

#include "hoso.h"
#include "lbl.h"
#include "trk.h"

/* Labels of the given items (numbers or QR URLs) in one PDF. actor may be NULL (operator). */
hoso_status http_pdf_labels(trk *t, lbl_ctx *labels, const trk_actor *actor,
                            const char *const *tns, size_t n, lbl_size size, lbl_buf *out,
                            hoso_err *err);

/* The consignment note of a dossier. */
hoso_status http_pdf_note(trk *t, lbl_ctx *labels, const trk_actor *actor, int64_t dossier_id,
                          lbl_buf *out, hoso_err *err);

/* One PDF with the labels of every item of a dossier (at size) and then its consignment
 * note: what the counter prints after an acceptance. */
hoso_status http_pdf_print(trk *t, lbl_ctx *labels, const trk_actor *actor, int64_t dossier_id,
                           lbl_size size, lbl_buf *out, hoso_err *err);

/* The handover record of a manifest. */
hoso_status http_pdf_manifest(trk *t, lbl_ctx *labels, const trk_actor *actor, int64_t id,
                              lbl_buf *out, hoso_err *err);

/* The proof of delivery of a delivered item. */
hoso_status http_pdf_pod(trk *t, lbl_ctx *labels, const trk_actor *actor, const char *tn,
                         lbl_buf *out, hoso_err *err);

#endif
