/* public_internal.h — what public.c, public_view.c and complaints.c share; not for other
 * modules. */
#ifndef HOSO_PUBLIC_INTERNAL_H
#define HOSO_PUBLIC_INTERNAL_H

#include "db_public.h"
#include "trk_internal.h"
#include "trk_public.h"

/* Resolves a tracking number or a portal code to its items (submission first, at most 2):
 * for a tracking number, that item then the rest of its dossier. *n >= 1 on success;
 * HOSO_NOT_FOUND "not_found" (one message for every kind of miss) otherwise. */
hoso_status trk_public_resolve(trk *t, const char *query, char tns[2][16], size_t *n,
                               bool *portal, hoso_err *err);

/* Inside an open transaction: checks body's "phone_last4" against phone, counting wrong
 * tries against lock_key (the dossier's first item). See trk_track_unlock for the answers.
 * Malformed digits are HOSO_INVALID and do not count. */
hoso_status trk_public_check_digits(trk *t, const char *lock_key, const char *phone,
                                    const json_t *body, int *retry_after, hoso_err *err);

/* A growing text buffer; oom is set (and the text left short) when memory runs out. */
typedef struct trk_buf {
	char *p;
	size_t len, cap;
	bool oom;
} trk_buf;

/* Appends n bytes / a C string / a JSON string literal (quoted and escaped; NULL: null). */
void trk_buf_put_n(trk_buf *b, const char *s, size_t n);
void trk_buf_put(trk_buf *b, const char *s);
void trk_buf_json_str(trk_buf *b, const char *s);

/* Writes the JSON of one item's tracking view: masked, or with the details in clear. The
 * public lookups are the busiest requests of the daemon: this writes text directly, with
 * no JSON tree in between. */
void trk_public_item_write(trk *t, const db_track_item *v, bool clear, trk_buf *b);

/* The complaints of one item for its applicant: [{"number", "state", "due_date", "text",
 * "answer"}]. */
json_t *trk_public_item_complaints(trk *t, const char *tracking_number);

#endif
