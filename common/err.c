#include "hoso.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

void hoso_err_clear(hoso_err *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
}

hoso_status hoso_err_set(hoso_err *err, hoso_status status, const char *code,
                         const char *field, const char *fmt, ...)
{
	if (!err)
		return status;
	err->status = status;
	snprintf(err->code, sizeof(err->code), "%s", code ? code : hoso_status_name(status));
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	err->line = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	/* Messages quote what the client sent, often cut to a width ("%.40s") or by the
	 * buffer: a cut can split a letter, and the answer must still be valid UTF-8 JSON. */
	text_utf8_repair(err->field);
	text_utf8_repair(err->message);
	return status;
}

const char *hoso_status_name(hoso_status status)
{
	switch (status) {
	case HOSO_OK: return "ok";
	case HOSO_INVALID: return "invalid";
	case HOSO_UNAUTHORIZED: return "unauthorized";
	case HOSO_FORBIDDEN: return "forbidden";
	case HOSO_NOT_FOUND: return "not_found";
	case HOSO_CONFLICT: return "conflict";
	case HOSO_TOO_LARGE: return "too_large";
	case HOSO_UNAVAILABLE: return "unavailable";
	case HOSO_INTERNAL: return "internal";
	}
	return "unknown";
}
