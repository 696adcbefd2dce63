/* trk_valid.h — input checks shared by every use case: identifiers, phone numbers, and
 * JSON fields read with errors that name the field and say what is wrong. */
#ifndef HOSO_TRK_VALID_H
#define HOSO_TRK_VALID_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso.h"

/* Agency identification code, "000.00.00.H21". */
bool trk_valid_agency_code(const char *s);
/* Procedure code, "1.001776" or "2.002621.H56". */
bool trk_valid_procedure_code(const char *s);
/* Post office code, 5 or 6 digits. */
bool trk_valid_office_code(const char *s);
/* Portal dossier code, "000.00.06.H56-231027-0361". */
bool trk_valid_portal_code(const char *s);
/* A UUID in its 36-character text form, any version, either case. */
bool trk_valid_uuid(const char *s);
/* Citizen identity card number: 12 digits, the first three a province code 001-096. */
bool trk_valid_cccd(const char *s);
/* Tax code: 10 digits, or 10 digits, '-', 3 digits (a branch). */
bool trk_valid_tax_code(const char *s);
/* A plausible e-mail address (local@domain.tld, no spaces). */
bool trk_valid_email(const char *s);

/* Normalises a Vietnamese phone number (spaces, dots, dashes dropped; +84/84 -> 0) into
 * out[16]: a mobile (10 digits, 03/05/07/08/09) or a landline (11 digits, 02x). */
bool trk_phone_normalize(const char *in, char out[16]);

/* Refuses keys of obj not in allowed (NULL-terminated); path prefixes the field name. */
hoso_status trk_field_only(const json_t *obj, const char *path, const char *const *allowed,
                           hoso_err *err);

/* Reads string obj[key] into buf: NFC, trimmed, no control characters, 1..max_chars code
 * points. Absent or null -> "" when !required, else an error naming path+key. */
hoso_status trk_field_string(const json_t *obj, const char *path, const char *key,
                             bool required, size_t max_chars, char *buf, size_t size,
                             hoso_err *err);

/* Reads integer obj[key] in [min, max]; absent or null -> dflt when !required. */
hoso_status trk_field_int(const json_t *obj, const char *path, const char *key, bool required,
                          int64_t min, int64_t max, int64_t dflt, int64_t *out, hoso_err *err);

/* Reads boolean obj[key]; absent or null -> dflt. */
hoso_status trk_field_bool(const json_t *obj, const char *path, const char *key, bool dflt,
                           bool *out, hoso_err *err);

/* Reads a string that must be one of allowed (NULL-terminated); absent -> dflt when dflt is
 * not NULL, else an error. */
hoso_status trk_field_enum(const json_t *obj, const char *path, const char *key,
                           const char *const *allowed, const char *dflt, char *buf,
                           size_t size, hoso_err *err);

/* Joins path and key into "path.key" (or "key") in buf. */
const char *trk_field_path(char *buf, size_t size, const char *path, const char *key);

#endif
