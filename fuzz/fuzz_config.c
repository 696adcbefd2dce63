/* fuzz_config — the INI parser (cfg_load_buffer) from defaults, then the cross-field check. */
#include <string.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cfg c;
	cfg_defaults(&c);
	hoso_err err;
	hoso_err_clear(&err);
	hoso_status st = cfg_load_buffer(&c, "fuzz.ini", (const char *)data, size, &err);
	if (st != HOSO_OK) {
		if (strncmp(err.message, "[fuzz.ini:", 10) != 0)
			fuzz_fail("error without [FILE:LINE]: \"%s\"", err.message);
		return 0;
	}
	/* Every string setting stays NUL-terminated within its field. */
	if (strnlen(c.db_path, sizeof(c.db_path)) == sizeof(c.db_path) ||
	    strnlen(c.trk.public_base_url, sizeof(c.trk.public_base_url)) ==
	            sizeof(c.trk.public_base_url) ||
	    strnlen(c.trk.class1_provinces, sizeof(c.trk.class1_provinces)) ==
	            sizeof(c.trk.class1_provinces))
		fuzz_fail("a setting lost its terminating NUL");
	cfg_check(&c, &err);
	return 0;
}
