/* fuzz_s10 — trk_s10_parse on anything a scanner or a person may send (bare numbers, URLs,
 * white space, lower case, non-ASCII). Whatever parses must be a valid S10 number that
 * formats back identically from its parts and parses to itself. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trk_s10.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	char out[TRK_S10_LEN + 1];
	hoso_err err;
	hoso_err_clear(&err);
	hoso_status st = trk_s10_parse(in, size & 1 ? "item" : NULL, out, &err);
	free(in);
	if (st != HOSO_OK) {
		if (st != HOSO_INVALID || !err.message[0] || !err.field[0])
			fuzz_fail("refusal without status, field or message");
		return 0;
	}
	if (strlen(out) != TRK_S10_LEN || !trk_s10_valid(out))
		fuzz_fail("parsed to an invalid number \"%s\"", out);
	char prefix[3] = {out[0], out[1], 0}, country[3] = {out[11], out[12], 0};
	uint32_t serial = 0;
	for (int i = 2; i < 10; i++)
		serial = serial * 10 + (uint32_t)(out[i] - '0');
	char again[TRK_S10_LEN + 1];
	if (trk_s10_format(prefix, serial, country, again, &err) != HOSO_OK || strcmp(again, out))
		fuzz_fail("\"%s\" formats back as \"%s\"", out, again);
	if (trk_s10_parse(out, NULL, again, &err) != HOSO_OK || strcmp(again, out))
		fuzz_fail("\"%s\" does not parse to itself", out);
	return 0;
}
