/* png.c — strict PNG check before libharu sees the bytes. libharu 2.3.0 reads PNG with libpng
 * but installs no longjmp target, so any libpng error (bad CRC, truncated or corrupt image
 * data, bad filter byte) aborts the whole process. This file accepts only PNGs libpng will
 * read without error, and hands libharu a copy holding just IHDR, PLTE, tRNS, IDAT and IEND. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lbl_internal.h"

#define PNG_MAX_BYTES (4u << 20)   /* a signature image is a few KB */
#define PNG_MAX_SIDE 4096u
#define PNG_MAX_RAW (32u << 20)    /* inflated scanlines */

static const unsigned char PNG_SIG[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct png_info {
	uint32_t w, h;
	int depth, type, interlace, channels;
} png_info;

/* Bytes of one scanline of w pixels, without its filter byte. */
static uint64_t row_bytes(const png_info *in, uint32_t w)
{
	return ((uint64_t)w * (uint64_t)in->channels * (uint64_t)in->depth + 7) / 8;
}

/* Width and height of Adam7 pass p (0..6), or of the whole image when not interlaced. */
static void pass_size(const png_info *in, int p, uint32_t *pw, uint32_t *ph)
{
	static const int x0[7] = { 0, 4, 0, 2, 0, 1, 0 }, dx[7] = { 8, 8, 4, 4, 2, 2, 1 };
	static const int y0[7] = { 0, 0, 4, 0, 2, 0, 1 }, dy[7] = { 8, 8, 8, 4, 4, 2, 2 };
	if (!in->interlace) {
		*pw = in->w, *ph = in->h;
		return;
	}
	*pw = in->w > (uint32_t)x0[p] ? (in->w - (uint32_t)x0[p] + (uint32_t)dx[p] - 1) / (uint32_t)dx[p] : 0;
	*ph = in->h > (uint32_t)y0[p] ? (in->h - (uint32_t)y0[p] + (uint32_t)dy[p] - 1) / (uint32_t)dy[p] : 0;
	if (*pw == 0)
		*ph = 0;
}

static bool ihdr_ok(const unsigned char *d, png_info *in)
{
	in->w = be32(d), in->h = be32(d + 4);
	in->depth = d[8], in->type = d[9], in->interlace = d[12];
	if (in->w == 0 || in->h == 0 || in->w > PNG_MAX_SIDE || in->h > PNG_MAX_SIDE)
		return false;
	if (d[10] != 0 || d[11] != 0 || in->interlace > 1)
		return false;
	if (in->interlace)
		return false; /* libharu 2.3.0 refuses interlaced PNGs (cleanly); say so up front */
	int dp = in->depth;
	switch (in->type) {
	case 0: in->channels = 1; return dp == 1 || dp == 2 || dp == 4 || dp == 8 || dp == 16;
	case 2: in->channels = 3; return dp == 8 || dp == 16;
	case 3: in->channels = 1; return dp == 1 || dp == 2 || dp == 4 || dp == 8;
	case 4: in->channels = 2; return dp == 8 || dp == 16;
	case 6: in->channels = 4; return dp == 8 || dp == 16;
	default: return false;
	}
}

/* Inflates the concatenated IDAT data and checks it is exactly the scanlines IHDR announces,
 * every row starting with a filter type 0..4. */
static bool idat_ok(const png_info *in, const unsigned char *const *parts, const size_t *lens,
                    size_t n_parts)
{
	uint64_t total = 0;
	for (int p = 0; p < (in->interlace ? 7 : 1); p++) {
		uint32_t pw, ph;
		pass_size(in, p, &pw, &ph);
		if (ph)
			total += (uint64_t)ph * (1 + row_bytes(in, pw));
	}
	if (total == 0 || total > PNG_MAX_RAW)
		return false;
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit(&zs) != Z_OK)
		return false;
	unsigned char out[16384];
	uint64_t pos = 0, next_row = 0;
	int pass = -1;
	uint32_t rows_left = 0, pw = 0, ph = 0;
	bool ok = true, ended = false;
	size_t part = 0;
	while (ok && !ended) {
		if (zs.avail_in == 0 && part < n_parts) {
			zs.next_in = (unsigned char *)(uintptr_t)parts[part];
			zs.avail_in = (uInt)lens[part++];
		}
		zs.next_out = out;
		zs.avail_out = sizeof out;
		int rc = inflate(&zs, Z_NO_FLUSH);
		uint64_t got = sizeof out - zs.avail_out;
		if (rc == Z_BUF_ERROR && got == 0 && zs.avail_in == 0 && part < n_parts)
			continue; /* an empty IDAT */
		if ((rc != Z_OK && rc != Z_STREAM_END) || pos + got > total) {
			ok = false; /* corrupt, truncated, or more data than the image holds */
			break;
		}
		ended = rc == Z_STREAM_END;
		/* check the filter byte of every row that starts in this chunk */
		while (ok && next_row < pos + got) {
			while (rows_left == 0 && ok) {
				if (++pass >= (in->interlace ? 7 : 1))
					ok = false; /* cannot happen: total counts exactly these rows */
				else
					pass_size(in, pass, &pw, &ph), rows_left = ph;
			}
			if (!ok || out[next_row - pos] > 4) {
				ok = false;
				break;
			}
			next_row += 1 + row_bytes(in, pw);
			rows_left--;
		}
		pos += got;
	}
	inflateEnd(&zs);
	return ok && ended && pos == total;
}

/* Appends one chunk (length, type, data, CRC as read) to the copy. */
static size_t put_chunk(unsigned char *dst, size_t o, const unsigned char *chunk, size_t len)
{
	memcpy(dst + o, chunk, len + 12);
	return o + len + 12;
}

hoso_status lbl_png_sanitize(const unsigned char *png, size_t len, hoso_err *err,
                             unsigned char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	hoso_status st = HOSO_INVALID;
	const unsigned char **parts = NULL;
	size_t *lens = NULL, n_parts = 0;
	const unsigned char *ihdr = NULL, *plte = NULL, *trns = NULL;
	size_t plte_len = 0, trns_len = 0;
	unsigned char *copy = NULL;
	png_info in = { 0 };
	const char *why = "not a PNG image";

	if (len > PNG_MAX_BYTES)
		return hoso_err_set(err, HOSO_TOO_LARGE, "signature_too_large", "signature",
		                    "signature image of %zu bytes; at most %u", len, PNG_MAX_BYTES);
	if (!png || len < 8 + 25 + 12 || memcmp(png, PNG_SIG, 8) != 0)
		goto cleanup;
	size_t cap = len / 12 + 1;
	parts = malloc(cap * sizeof *parts);
	lens = malloc(cap * sizeof *lens);
	if (!parts || !lens) {
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", "", "out of memory");
		goto cleanup;
	}
	size_t o = 8;
	bool seen_iend = false, idat_done = false;
	while (!seen_iend) {
		why = "truncated or corrupt PNG chunk";
		if (len - o < 12)
			goto cleanup;
		uint32_t clen = be32(png + o);
		const unsigned char *type = png + o + 4, *data = png + o + 8;
		if (clen > len - o - 12)
			goto cleanup;
		for (int k = 0; k < 4; k++)
			if (!((type[k] >= 'A' && type[k] <= 'Z') || (type[k] >= 'a' && type[k] <= 'z')))
				goto cleanup;
		why = "PNG chunk with a bad CRC";
		if ((uint32_t)crc32(crc32(0L, Z_NULL, 0), type, clen + 4) != be32(data + clen))
			goto cleanup;
		why = "PNG chunks out of order or invalid";
		bool critical = type[0] >= 'A' && type[0] <= 'Z';
		if (!ihdr) {
			if (memcmp(type, "IHDR", 4) != 0 || clen != 13)
				goto cleanup;
			ihdr = png + o;
			why = "unsupported PNG header (size, depth, colour type or interlacing)";
			if (!ihdr_ok(data, &in))
				goto cleanup;
		} else if (memcmp(type, "IDAT", 4) == 0) {
			if (idat_done || (in.type == 3 && !plte))
				goto cleanup;
			parts[n_parts] = data;
			lens[n_parts++] = clen;
		} else {
			if (n_parts > 0)
				idat_done = true; /* IDAT chunks must be consecutive */
			if (memcmp(type, "IEND", 4) == 0) {
				if (clen != 0 || n_parts == 0)
					goto cleanup;
				seen_iend = true;
			} else if (memcmp(type, "PLTE", 4) == 0) {
				if (plte || n_parts > 0 || clen == 0 || clen % 3 != 0 || clen > 768)
					goto cleanup;
				if (in.type == 3 && clen / 3 > (1u << in.depth))
					goto cleanup;
				if (in.type == 3) /* only a palette image needs it; others drop it */
					plte = png + o, plte_len = clen;
			} else if (memcmp(type, "tRNS", 4) == 0) {
				bool fits = (in.type == 0 && clen == 2) || (in.type == 2 && clen == 6) ||
				            (in.type == 3 && plte && clen >= 1 && clen <= plte_len / 3);
				if (fits && !trns && n_parts == 0)
					trns = png + o, trns_len = clen;
			} else if (critical) {
				goto cleanup; /* unknown critical chunk: libpng refuses it */
			}
		}
		o += 12 + (size_t)clen;
	}
	why = "corrupt PNG image data";
	if (!idat_ok(&in, parts, lens, n_parts))
		goto cleanup;

	size_t total = 8 + 25 + 12 + (plte ? plte_len + 12 : 0) + (trns ? trns_len + 12 : 0);
	for (size_t i = 0; i < n_parts; i++)
		total += lens[i] + 12;
	copy = malloc(total);
	if (!copy) {
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", "", "out of memory");
		goto cleanup;
	}
	memcpy(copy, PNG_SIG, 8);
	size_t w = put_chunk(copy, 8, ihdr, 13);
	if (plte)
		w = put_chunk(copy, w, plte, plte_len);
	if (trns)
		w = put_chunk(copy, w, trns, trns_len);
	for (size_t i = 0; i < n_parts; i++)
		w = put_chunk(copy, w, parts[i] - 8, lens[i]);
	static const unsigned char iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D',
	                                        0xAE, 0x42, 0x60, 0x82 };
	memcpy(copy + w, iend, sizeof iend);
	*out = copy;
	*out_len = w + sizeof iend;
	copy = NULL;
	st = HOSO_OK;
cleanup:
	if (st == HOSO_INVALID)
		hoso_err_set(err, HOSO_INVALID, "bad_signature", "signature",
		             "the signature image cannot be used: %s", why);
	free(copy);
	free(parts);
	free(lens);
	return st;
}
