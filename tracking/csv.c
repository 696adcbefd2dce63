/* csv.c — the catalogue importer's input: files read whole, the RFC 4180 reader (quoted
 * fields, doubled quotes, CRLF or LF) and its error messages, which name the file, line and
 * column. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import_internal.h"
#include "text.h"

/* Fails the import: "NAME:LINE: column "COL": message". col < 0: no column; col beyond the
 * header: the column's number. */
hoso_status trk_imp_fail(imp *im, hoso_status status, unsigned line, long col, const char *fmt,
                         ...)
{
	char msg[320], where[96] = "";
	const char *field = NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (col >= 0 && (size_t)col < im->ncols) {
		field = im->kind->cols[im->col_at[col]].name;
		snprintf(where, sizeof(where), "column \"%s\": ", field);
	} else if (col >= 0) {
		snprintf(where, sizeof(where), "column %ld: ", col + 1);
	}
	hoso_err_set(im->err, status, "invalid_csv", field, "%s:%u: %s%s", im->name, line, where,
	             msg);
	if (im->err)
		im->err->line = line;
	return status;
}

/* Fails on the header: "NAME:LINE: column "COL": message", field COL. */
hoso_status trk_imp_header_fail(imp *im, const char *col, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hoso_err_set(im->err, HOSO_INVALID, "invalid_csv", col, "%s:%u: column \"%s\": %s",
	             im->name, im->rec_line, col, msg);
	if (im->err)
		im->err->line = im->rec_line;
	return HOSO_INVALID;
}

/* A short, printable excerpt of an already validated value, for messages. */
const char *trk_imp_excerpt(const char *s, char buf[48])
{
	text_copy(buf, 48, s);
	return buf;
}

/* ---- the reader (RFC 4180) ---------------------------------------------------------- */

static hoso_status put(imp *im, char c)
{
	if (im->rec_len >= TRK_IMPORT_MAX_RECORD)
		return trk_imp_fail(im, HOSO_TOO_LARGE, im->rec_line, (long)im->nfields,
		            "the record is longer than %u KiB; is a quote left open?",
		            TRK_IMPORT_MAX_RECORD / 1024);
	im->rec[im->rec_len++] = c;
	return HOSO_OK;
}

/* Consumes a line end at p, if any; true when one was there. */
static bool eat_eol(imp *im)
{
	if (im->p < im->end && im->p[0] == '\n') {
		im->p++;
	} else if (im->end - im->p >= 2 && im->p[0] == '\r' && im->p[1] == '\n') {
		im->p += 2;
	} else {
		return false;
	}
	im->line++;
	return true;
}

/* Reads the next record into rec/field_*. *got false at the end of the data. Blank lines
 * between records are skipped. */
hoso_status trk_imp_next_record(imp *im, bool *got)
{
	*got = false;
	while (eat_eol(im))
		;
	if (im->p >= im->end)
		return HOSO_OK;
	im->rec_line = im->line;
	im->rec_len = 0;
	im->nfields = 0;
	hoso_status st;
	for (;;) { /* one field per turn */
		if (im->nfields == MAX_FIELDS)
			return trk_imp_fail(im, HOSO_INVALID, im->rec_line, -1,
			            "more than %d fields in one record", MAX_FIELDS);
		im->field_off[im->nfields] = im->rec_len;
		bool end_of_record = false;
		if (im->p < im->end && *im->p == '"') {
			unsigned opened = im->line;
			im->p++;
			for (;;) {
				if (im->p >= im->end)
					return trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)im->nfields,
					            "unterminated quoted value (the quote opened on line %u "
					            "is never closed)", opened);
				char c = *im->p++;
				if (c == '"') {
					if (im->p < im->end && *im->p == '"')
						im->p++; /* a doubled quote stands for one */
					else
						break;
				} else if (c == '\n') {
					im->line++;
				}
				if ((st = put(im, c)) != HOSO_OK)
					return st;
			}
			if (im->p >= im->end || eat_eol(im))
				end_of_record = true;
			else if (*im->p == ',')
				im->p++;
			else
				return trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)im->nfields,
				            "text after the closing quote; inside a quoted value write a "
				            "quote twice (\"\")");
		} else {
			for (;;) {
				if (im->p >= im->end || eat_eol(im)) {
					end_of_record = true;
					break;
				}
				char c = *im->p;
				if (c == ',') {
					im->p++;
					break;
				}
				if (c == '"')
					return trk_imp_fail(im, HOSO_INVALID, im->rec_line, (long)im->nfields,
					            "a quote inside an unquoted value; put the whole value "
					            "in quotes and write the inner quote twice (\"\")");
				if ((st = put(im, c)) != HOSO_OK)
					return st;
				im->p++;
			}
		}
		im->field_len[im->nfields] = im->rec_len - im->field_off[im->nfields];
		im->rec[im->rec_len++] = '\0'; /* room reserved: MAX_FIELDS extra bytes */
		im->nfields++;
		if (end_of_record)
			break;
	}
	*got = true;
	return HOSO_OK;
}

/* ---- files ------------------------------------------------------------------------- */

hoso_status trk_import_csv(db *h, const char *kind, const char *path, size_t *rows_out,
                           hoso_err *err)
{
	return trk_import_csv_ex(h, kind, path, 0, rows_out, err);
}

hoso_status trk_import_csv_ex(db *h, const char *kind, const char *path, unsigned flags,
                              size_t *rows_out, hoso_err *err)
{
	if (rows_out)
		*rows_out = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hoso_err_set(err, errno == ENOENT ? HOSO_NOT_FOUND : HOSO_INVALID,
		                    "cannot_open", NULL, "%s: cannot open: %s", path, strerror(errno));
	hoso_status st;
	char *data = NULL;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		st = hoso_err_set(err, HOSO_INVALID, "cannot_open", NULL, "%s: not a regular file",
		                  path);
		goto close_fd;
	}
	if ((uint64_t)sb.st_size > TRK_IMPORT_MAX_FILE) {
		st = hoso_err_set(err, HOSO_TOO_LARGE, "too_large", NULL, "%s: the file is %lld "
		                  "bytes, the limit is %u MiB; split it into smaller files", path,
		                  (long long)sb.st_size, TRK_IMPORT_MAX_FILE / (1024 * 1024));
		goto close_fd;
	}
	size_t cap = (size_t)sb.st_size + 1, len = 0; /* +1: notices a file that grew */
	data = malloc(cap);
	if (!data) {
		st = hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL, "%s: out of memory", path);
		goto close_fd;
	}
	while (len < cap) {
		ssize_t r = read(fd, data + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = hoso_err_set(err, HOSO_INVALID, "cannot_read", NULL, "%s: cannot read: %s",
			                  path, strerror(errno));
			goto free_data;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len == cap) {
		st = hoso_err_set(err, HOSO_CONFLICT, "file_changed", NULL, "%s: the file grew while "
		                  "it was read; import it again once it is written", path);
		goto free_data;
	}
	st = trk_import_csv_buffer_ex(h, kind, path, data, len, flags, rows_out, err);
free_data:
	free(data);
close_fd:
	close(fd);
	return st;
}
