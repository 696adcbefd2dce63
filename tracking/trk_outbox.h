/* trk_outbox.h — the operator's side of notifications: the outbox as a list, failed rows
 * sent again, and each agency's webhook (URL and signing secret). */
#ifndef HOSO_TRK_OUTBOX_H
#define HOSO_TRK_OUTBOX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "trk.h"

/* {"outbox": [row...], "next": cursor|null}: rows in state (pending|sent|failed), newest
 * first, before the cursor (0 = first page), limit 1-500. SMS phone numbers are masked. */
hoso_status trk_outbox_list(trk *t, const char *state, int64_t before, size_t limit,
                            json_t **out, hoso_err *err);

/* Sends a failed row again (pending, due now, a new retry window); *out is the row.
 * HOSO_NOT_FOUND when unknown, HOSO_CONFLICT when the row is not failed. */
hoso_status trk_outbox_retry(trk *t, int64_t id, json_t **out, hoso_err *err);

/* Sends every failed row again; *count tells how many. */
hoso_status trk_outbox_retry_failed(trk *t, int64_t *count, hoso_err *err);

/* Sets an agency's webhook: url http:// or https:// (at most 1000 bytes, no spaces), secret
 * 16 to 255 bytes. HOSO_NOT_FOUND when the agency is not in the catalogue. */
hoso_status trk_agency_webhook_set(trk *t, const char *agency_code, const char *url,
                                   const char *secret, hoso_err *err);

/* trk_agency_webhook_set on behalf of user_id (0: the operator), who is named in the audit
 * row (the URL is recorded, the secret never). */
hoso_status trk_agency_webhook_set_by(trk *t, int64_t user_id, const char *agency_code,
                                      const char *url, const char *secret, hoso_err *err);

#endif
