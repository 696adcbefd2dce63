/* A strict check of PNG signature images before they are stored or printed: the structure
 * is walked chunk by chunk with CRCs, so that a malformed file is refused at the door and
 * never reaches libpng inside libharu. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "trk_internal.h"

#define PNG_MAX_SIDE 4000

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

hoso_status trk_png_check(const unsigned char *data, size_t len, const char *field,
                          hoso_err *err)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	/* Request threads check signatures concurrently: build the table once. */
	pthread_once(&crc_once, crc_init);
	if (len < 8 + 25 + 12 || memcmp(data, sig, 8) != 0)
		return hoso_err_set(err, HOSO_INVALID, "invalid_png", field,
		                    "%s is not a PNG image", field);
	size_t pos = 8;
	bool first = true, have_idat = false;
	while (pos + 12 <= len) {
		uint32_t n = be32(data + pos);
		const unsigned char *type = data + pos + 4;
		if (n > len - pos - 12)
			return hoso_err_set(err, HOSO_INVALID, "invalid_png", field,
			                    "%s is a truncated PNG image", field);
		if (crc32_of(type, 4 + (size_t)n) != be32(data + pos + 8 + n))
			return hoso_err_set(err, HOSO_INVALID, "invalid_png", field,
			                    "%s is a damaged PNG image (bad checksum)", field);
		if (first) {
			if (memcmp(type, "IHDR", 4) != 0 || n != 13)
				return hoso_err_set(err, HOSO_INVALID, "invalid_png", field,
				                    "%s: a PNG image must begin with its header", field);
			uint32_t w = be32(type + 4), h = be32(type + 8);
			unsigned depth = type[12], colour = type[13];
			if (w == 0 || h == 0 || w > PNG_MAX_SIDE || h > PNG_MAX_SIDE)
				return hoso_err_set(err, HOSO_INVALID, "invalid_png", field,
				                    "%s is %ux%u pixels; each side must be 1 to %d", field,
				                    w, h, PNG_MAX_SIDE);
			if (!(depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16) ||
			    !(colour == 0 || colour == 2 || colour == 3 || colour == 4 || colour == 6) ||
			    type[14] != 0 || type[15] != 0 || type[16] > 1)
				return hoso_err_set(err, HOSO_INVALID, "invalid_png", field,
				                    "%s has an unsupported PNG format", field);
			first = false;
		} else if (memcmp(type, "IDAT", 4) == 0) {
			have_idat = true;
		} else if (memcmp(type, "IEND", 4) == 0) {
			if (!have_idat)
				break;
			return HOSO_OK;
		}
		pos += 12 + (size_t)n;
	}
	return hoso_err_set(err, HOSO_INVALID, "invalid_png", field,
	                    "%s is an incomplete PNG image (no image data or no end)", field);
}
