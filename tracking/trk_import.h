/* trk_import.h — the catalogue importer: post offices, agencies and procedures from CSV.
 *
 * Format: UTF-8 CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends, an
 * optional UTF-8 byte order mark), a header row naming the columns in any order:
 *
 *   offices     code,name[,address,district,province,phone]        code: 5-6 digits
 *   agencies    code,name[,desk_name,address,district,province,phone]
 *                                                                  code: 000.00.00.H21
 *   procedures  code,name,agency_code,days[,fee_vnd,components]    code: 1.001776[.H56]
 *
 * (columns in brackets may be left out.) components: entries separated by ';', each
 * `[?]name[@original|@copy]`; '?' marks an optional document. Text is NFC-normalised and
 * trimmed. A file is imported whole or not at all: the first bad row stops the import with
 * the message `FILE:LINE: column "NAME": what is wrong`, and nothing of the file is kept.
 * Rows whose code exists already are updated.
 */
#ifndef HOSO_TRK_IMPORT_H
#define HOSO_TRK_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "hoso.h"

/* Largest file accepted, and largest record (one row, after unquoting). */
#define TRK_IMPORT_MAX_FILE   (32u * 1024u * 1024u)
#define TRK_IMPORT_MAX_RECORD (64u * 1024u)

/* Imports the CSV file at path into the catalogue table `kind` ("offices", "agencies" or
 * "procedures") in one transaction; *rows_out (may be NULL) gets the number of rows. */
hoso_status trk_import_csv(db *db, const char *kind, const char *path, size_t *rows_out,
                           hoso_err *err);

/* Same, from data[0..len) (need not be NUL-terminated); name is the file name shown in
 * messages (e.g. the uploaded file's name). */
hoso_status trk_import_csv_buffer(db *db, const char *kind, const char *name, const char *data,
                                  size_t len, size_t *rows_out, hoso_err *err);

/* trk_import_csv_buffer on behalf of a logged-in user (user_id, for the audit row). A
 * failure tied to a line of the file sets err->line, and err->field to the column's name
 * when the fault is in a known column. */
hoso_status trk_import_csv_buffer_by(db *db, int64_t user_id, const char *kind,
                                     const char *name, const char *data, size_t len,
                                     size_t *rows_out, hoso_err *err);

/* Import flags. KEEP_EXISTING adds only codes not yet in the catalogue and leaves every stored
 * row as it is (the demo catalogue never overwrites an operator's data); rows counts the
 * rows added. Every row is still validated. */
#define TRK_IMPORT_KEEP_EXISTING 1u

/* trk_import_csv with flags. */
hoso_status trk_import_csv_ex(db *db, const char *kind, const char *path, unsigned flags,
                              size_t *rows_out, hoso_err *err);

/* trk_import_csv_buffer with flags. */
hoso_status trk_import_csv_buffer_ex(db *db, const char *kind, const char *name,
                                     const char *data, size_t len, unsigned flags,
                                     size_t *rows_out, hoso_err *err);

#endif
