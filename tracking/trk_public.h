/* trk_public.h — what the public may see and do without a login: track an item (masked),
 * unlock its details with the last 4 digits of the applicant's phone, and file a complaint
 * (Circular 17/2017 Art 8, 12); and the supervisors' side of complaints. */
#ifndef HOSO_TRK_PUBLIC_H
#define HOSO_TRK_PUBLIC_H

#include <jansson.h>

#include "trk.h"

#define TRK_LOCK_TRIES 5              /* wrong phone-digit tries before the lock */
#define TRK_LOCK_MS (15 * 60 * 1000)  /* how long the lock lasts */
#define TRK_COMPLAINT_MAX_CHARS 2000  /* complaint text, code points */
#define TRK_ANSWER_MAX_CHARS 2000     /* a supervisor's answer */

/* Masks a person's or organisation's name: every word keeps its first letter; the other
 * letters of every word but the last become one '*' each; the last word is its initial only
 * ("Nguyễn Văn Anh" -> "N***** V** A"). Letters are Unicode code points (NFC), so
 * diacritics count as one. Words are split on white space. */
void trk_mask_name(const char *name, char *out, size_t size);

/* Masks a phone number: only its last 3 digits stay, every earlier digit becomes '*'
 * ("0905123456" -> "*******456"); other characters are dropped. */
void trk_mask_phone(const char *phone, char *out, size_t size);

/* Working days the post has to answer a complaint: 5 when the office and the agency are in
 * the same province (route class district or province), 7 otherwise. */
int trk_complaint_answer_days(const char *route_class);

/* The last day a complaint may be filed: 6 calendar months after the end of the service
 * time (J + n), the day clamped to the month's length (31/08 -> 28/02 or 29/02). */
trk_date trk_complaint_last_day(trk_date service_end);

/* HOSO_OK when a complaint filed on `today` is within 6 months of service_end; otherwise
 * HOSO_CONFLICT, code "complaint_too_late", with both dates in the message. */
hoso_status trk_complaint_window_check(trk_date service_end, trk_date today, hoso_err *err);

/* The public view of a tracking number or a portal dossier code: masked, no login. For a
 * tracking number, one item; for a portal code, {"portal_code", "items": [...]}.
 * Unknown numbers, malformed ones and bad check digits all give HOSO_NOT_FOUND with code
 * "not_found" and the same message. */
hoso_status trk_track_lookup(trk *t, const char *query, json_t **out, hoso_err *err);

/* trk_track_lookup as JSON text (malloc'd, NUL-terminated, *len bytes), for the API. */
hoso_status trk_track_lookup_text(trk *t, const char *query, char **out, size_t *len,
                                  hoso_err *err);

/* The same view with the details in clear, when body {"phone_last4": "3456"} matches the
 * last 4 digits of the applicant's phone. Each wrong try counts against the dossier; the
 * 5th locks it for 15 minutes (kept in the database). While locked (and on the try that
 * locks) the answer is HOSO_FORBIDDEN, code "locked", with *retry_after (seconds) > 0;
 * a wrong try is HOSO_FORBIDDEN, code "wrong_digits". */
hoso_status trk_track_unlock(trk *t, const char *query, const json_t *body, json_t **out,
                             int *retry_after, hoso_err *err);

/* Files a complaint about an item after the phone-digit check (same lock):
 * {"phone_last4", "text", "contact_phone"?}. Answers {"id", "number", "state",
 * "due_date", "answer_days"}. Refused once 6 months have passed since the end of the
 * service time. Runs with today's date. */
hoso_status trk_complaint_file(trk *t, const char *query, const json_t *body, json_t **out,
                               int *retry_after, hoso_err *err);

/* trk_complaint_file with "today" given (the date of filing, for the 6-month rule and the
 * answer deadline). */
hoso_status trk_complaint_file_on(trk *t, const char *query, const json_t *body,
                                  trk_date today, json_t **out, int *retry_after,
                                  hoso_err *err);

/* Complaints for supervisors, newest first: state "open" | "answered" | NULL, overdue
 * "1" (open and past their deadline) | "0" | NULL, before (cursor), limit (1-200). */
hoso_status trk_complaint_list(trk *t, const trk_actor *actor, const char *state,
                               const char *overdue, const char *before, const char *limit,
                               json_t **out, hoso_err *err);

/* A supervisor answers an open complaint: {"answer"}. HOSO_CONFLICT when already answered. */
hoso_status trk_complaint_answer(trk *t, const trk_actor *actor, int64_t id,
                                 const json_t *body, json_t **out, hoso_err *err);

#endif
