/* fuzz_csv — the catalogue importer on arbitrary files. Input: one control byte (bits 0-1:
 * offices, agencies, procedures, modulo 3; bit 2: keep existing rows), then the CSV. Runs
 * against a database holding the demo catalogue; a file is one transaction, so refused files
 * leave nothing and accepted ones upsert (the database grows a little). */
#include <string.h>

#include "fuzz.h"
#include "trk_import.h"

static db *h;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	h = fuzz_open_demo_db("csv.db");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"offices", "agencies", "procedures"};
	if (size < 1)
		return 0;
	if (!h)
		LLVMFuzzerInitialize(NULL, NULL);
	const char *kind = kinds[(data[0] & 3) % 3];
	unsigned flags = data[0] & 4 ? TRK_IMPORT_KEEP_EXISTING : 0;
	size_t rows = 0;
	hoso_err err;
	hoso_err_clear(&err);
	hoso_status st = trk_import_csv_buffer_ex(h, kind, "fuzz.csv", (const char *)data + 1,
	                                          size - 1, flags, &rows, &err);
	if (st != HOSO_OK && (st == HOSO_INTERNAL || !err.message[0]))
		fuzz_fail("import %s: %s \"%s\"", kind, hoso_status_name(st), err.message);
	return 0;
}
