/* test_uuid.c — the ids the server makes (tracking/service.c): time-ordered version 7 UUIDs,
 * and ids derived from a request's id, against values computed with Python (hashlib.sha256 of
 * base + "/" + suffix, version 8 and variant bits set; a version 7 base's 48-bit time kept). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trk_internal.h"
#include "trk_valid.h"

/* The 48-bit time of a version 7 id: its first 12 hex digits. */
static long long time_of(const char *id)
{
	char hex[13];
	memcpy(hex, id, 8);
	memcpy(hex + 8, id + 9, 4);
	hex[12] = '\0';
	return strtoll(hex, NULL, 16);
}

static void test_v7(void)
{
	char prev[37] = "", id[37];
	long long before = (long long)trk_now_ms();
	static char seen[1000][37];
	for (int i = 0; i < 1000; i++) {
		trk_uuid_v7(id);
		CHECK(trk_valid_uuid(id));
		CHECK(id[14] == '7');                  /* version */
		CHECK(strchr("89ab", id[19]) != NULL); /* RFC 4122 variant */
		if (prev[0])
			CHECK(time_of(id) >= time_of(prev)); /* made later, sorts later */
		for (int j = 0; j < i; j++)
			if (!strcmp(seen[j], id))
				CHECK_STR(id, "a fresh id");
		memcpy(seen[i], id, 37);
		memcpy(prev, id, 37);
	}
	long long after = (long long)trk_now_ms();
	CHECK(time_of(seen[0]) >= before && time_of(prev) <= after);
}

static void test_derived(void)
{
	char out[37], again[37], other[37];
	/* A version 4 base: exactly what earlier versions derived, so retried requests made
	 * before the upgrade still find their events. */
	trk_uuid_derived("0b6c5a1e-4f7e-4c38-9a51-2d1f0c7e9b10", "result", out);
	CHECK_STR(out, "b902e18e-46da-8706-b409-75b34bc20af6");
	/* A version 7 base: its time first, so the derived id sorts beside it. */
	trk_uuid_derived("019ac8f1-2b3c-7d4e-8f50-6a7b8c9d0e1f", "result", out);
	CHECK_STR(out, "019ac8f1-2b3c-81da-a672-cae40834e620");
	trk_uuid_derived("019ac8f1-2b3c-7d4e-8f50-6a7b8c9d0e1f", "result", again);
	CHECK_STR(again, out);
	trk_uuid_derived("019ac8f1-2b3c-7d4e-8f50-6a7b8c9d0e1f", "DH123456785VN", other);
	CHECK(strcmp(other, out) != 0);
	CHECK(strncmp(other, out, 13) == 0);
	/* Not a UUID at all (a manifest's base): hashed whole, still well formed. */
	trk_uuid_derived("manifest-17", "DH123456785VN", out);
	CHECK(trk_valid_uuid(out) && out[14] == '8');
}

int main(void)
{
	test_v7();
	test_derived();
	return check_done();
}
