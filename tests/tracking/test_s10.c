/* test_s10.c — tracking/s10.c: check digits, validation, formatting, parsing of what
 * scanners and people send. */
#include <string.h>

#include "check.h"
#include "trk_s10.h"

/* An independent reading of the rule, digit by digit from a string. */
static int ref_check(const char *eight)
{
	static const int w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
	int sum = 0;
	for (int i = 0; i < 8; i++)
		sum += (eight[i] - '0') * w[i];
	int c = 11 - sum % 11;
	return c == 10 ? 0 : c == 11 ? 5 : c;
}

static void test_check_digit(void)
{
	CHECK_INT(trk_s10_check_digit(87654321), 6);       /* EE876543216CA */
	CHECK_INT(trk_s10_check_digit(12345678), 5);       /* RB123456785GB */
	/* 11 -> 5: sum mod 11 = 0. 00000000 (sum 0); 10001000: 8*1 + 3*1 = 11. */
	CHECK_INT(trk_s10_check_digit(0), 5);
	CHECK_INT(trk_s10_check_digit(10001000), 5);
	/* 10 -> 0: sum mod 11 = 1. 00000008: 7*8 = 56 = 5*11 + 1; 02000000: 6*2 = 12. */
	CHECK_INT(trk_s10_check_digit(8), 0);
	CHECK_INT(trk_s10_check_digit(2000000), 0);
	/* ordinary: 10000001: 8 + 7 = 15, 15 mod 11 = 4, 11 - 4 = 7; 00000022: 18 + 14 = 32,
	 * 32 mod 11 = 10, 11 - 10 = 1; 22000000: 16 + 12 = 28, 28 mod 11 = 6 -> 5 (not a
	 * special case, the same digit by the ordinary path). */
	CHECK_INT(trk_s10_check_digit(10000001), 7);
	CHECK_INT(trk_s10_check_digit(22), 1);
	CHECK_INT(trk_s10_check_digit(22000000), 5);

	/* Agreement with the reference over a spread of serials, and both special cases seen. */
	int mismatches = 0, zeros = 0, fives = 0;
	for (uint32_t s = 0; s < 100000000u; s += 9973) {
		char d[9];
		snprintf(d, sizeof(d), "%08u", (unsigned)s);
		int want = ref_check(d);
		if (trk_s10_check_digit(s) != want)
			mismatches++;
		int sum = 0;
		static const int w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
		for (int i = 0; i < 8; i++)
			sum += (d[i] - '0') * w[i];
		zeros += sum % 11 == 1;
		fives += sum % 11 == 0;
	}
	CHECK_INT(mismatches, 0);
	CHECK(zeros > 100 && fives > 100);
}

static void test_valid(void)
{
	CHECK(trk_s10_valid("EE876543216CA"));
	CHECK(trk_s10_valid("RB123456785GB"));
	CHECK(trk_s10_valid("DH000000005VN"));             /* 11 -> 5 */
	CHECK(trk_s10_valid("DH000000080VN"));             /* 00000008: 10 -> 0 */
	CHECK(trk_s10_valid("DH100010005VN"));             /* 10001000: 11 -> 5 */
	CHECK(trk_s10_valid("DH020000000VN"));             /* 02000000: 10 -> 0 */
	CHECK(!trk_s10_valid("DH000000085VN"));
	CHECK(!trk_s10_valid("EE876543213CA"));            /* wrong check digit */
	CHECK(!trk_s10_valid("ee876543216ca"));            /* lower case: only parse accepts */
	CHECK(!trk_s10_valid("EE876543216C"));             /* too short */
	CHECK(!trk_s10_valid("EE876543216CAX"));           /* too long */
	CHECK(!trk_s10_valid("E1876543216CA"));
	CHECK(!trk_s10_valid("EE87654321XCA"));
	CHECK(!trk_s10_valid("EE876543216C1"));
	CHECK(!trk_s10_valid(" EE876543216CA"));
	CHECK(!trk_s10_valid(""));
	CHECK(!trk_s10_valid(NULL));
}

static void test_format(void)
{
	char out[TRK_S10_LEN + 1];
	hoso_err err;
	CHECK_INT(trk_s10_format("DH", 12345678, "VN", out, &err), HOSO_OK);
	CHECK_STR(out, "DH123456785VN");
	CHECK_INT(trk_s10_format("BZ", 8, "VN", out, &err), HOSO_OK);
	CHECK_STR(out, "BZ000000080VN");
	CHECK_INT(trk_s10_format("RR", 0, "VN", out, &err), HOSO_OK);
	CHECK_STR(out, "RR000000005VN");
	CHECK_INT(trk_s10_format("EE", 87654321, "CA", out, &err), HOSO_OK);
	CHECK_STR(out, "EE876543216CA");
	CHECK(trk_s10_valid(out));
	CHECK_INT(trk_s10_format("dh", 1, "VN", out, &err), HOSO_INVALID);
	CHECK_STR(err.field, "prefix");
	CHECK_INT(trk_s10_format("D", 1, "VN", out, &err), HOSO_INVALID);
	CHECK_INT(trk_s10_format("DH", 1, "V1", out, &err), HOSO_INVALID);
	CHECK_STR(err.field, "country");
	CHECK_INT(trk_s10_format("DH", 100000000u, "VN", out, &err), HOSO_INVALID);
	CHECK_INT(trk_s10_format("DH", 99999999u, "VN", out, &err), HOSO_OK);
}

static void parse_ok(const char *in, const char *want)
{
	char out[TRK_S10_LEN + 1] = "";
	hoso_err err;
	hoso_err_clear(&err);
	hoso_status st = trk_s10_parse(in, "item", out, &err);
	CHECK_INT(st, HOSO_OK);
	if (st != HOSO_OK)
		fprintf(stderr, "  parse \"%s\": %s\n", in, err.message);
	CHECK_STR(out, want);
}

/* Parses a bad input and checks that the message contains `needle`. */
static void parse_bad(const char *in, const char *needle)
{
	char out[TRK_S10_LEN + 1] = "untouched";
	hoso_err err;
	hoso_err_clear(&err);
	CHECK_INT(trk_s10_parse(in, "item", out, &err), HOSO_INVALID);
	CHECK_STR(err.field, "item");
	CHECK(strstr(err.message, needle) != NULL);
	if (!strstr(err.message, needle))
		fprintf(stderr, "  parse \"%s\": message \"%s\" lacks \"%s\"\n", in, err.message,
		        needle);
	CHECK_STR(out, "untouched");
}

static void test_parse(void)
{
	parse_ok("DH123456785VN", "DH123456785VN");
	parse_ok("  dh123456785vn\n", "DH123456785VN");
	parse_ok("Ee876543216cA", "EE876543216CA");
	parse_ok("https://x.example/t/DH123456785VN", "DH123456785VN");
	parse_ok("http://127.0.0.1:8080/t/dh123456785vn?x=1", "DH123456785VN");
	parse_ok("https://x.example/t/DH123456785VN/", "DH123456785VN");
	parse_ok("http://127.0.0.1:8080/t/dh123456785vn/?x=1#top", "DH123456785VN");
	parse_ok("https://x.example/t/DH123456785VN#history", "DH123456785VN");
	parse_ok("/t/DH123456785VN", "DH123456785VN");

	parse_bad("DH123456783VN", "check digit should be 5, not 3");
	parse_bad("dh123456783vn", "check digit should be 5, not 3");
	parse_bad("https://x.example/t/DH123456784VN", "should be 5, not 4");
	parse_bad("", "empty");
	parse_bad("   ", "empty");
	parse_bad(NULL, "empty");
	parse_bad("https://x.example/t/", "empty");
	parse_bad("DH12345678VN", "got 12");
	parse_bad("DH1234567855VN", "got 14");
	parse_bad("1H123456785VN", "character 1");
	parse_bad("D-123456785VN", "'-'");
	parse_bad("DH12345X785VN", "character 8 of a tracking number must be a digit, not 'X'");
	parse_bad("DH123456785V1", "character 13");
	parse_bad("DH123456785V\xC3\xA1", "character 13 of the tracking number is 'á'");
	parse_bad("\xC4\x91H123456785VN", "character 1 of the tracking number is 'đ'");
	parse_bad("DH123456785V\xC3", "byte 0xC3");
	parse_bad("DH1234567\xEF\xBC\x98" "5VN", "character 10 of the tracking number is '８'");
	parse_bad("https://x.example/t/DH123456785VN/extra", "got 19");
	parse_bad("DH 23456785VN", "character 3");

	char big[1000];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	parse_bad(big, "too long");

	char out[TRK_S10_LEN + 1];
	hoso_err err;
	CHECK_INT(trk_s10_parse("DH123456785VN", NULL, out, &err), HOSO_OK);
	CHECK_INT(trk_s10_parse("x", NULL, out, &err), HOSO_INVALID);
	CHECK_STR(err.field, "tracking_number");
	CHECK_STR(err.code, "invalid_tracking_number");
	CHECK_INT(trk_s10_parse("DH123456783VN", NULL, out, &err), HOSO_INVALID);
	CHECK_STR(err.code, "invalid_check_digit");
	CHECK_INT(trk_s10_parse("DH123456783VN", NULL, out, NULL), HOSO_INVALID);
}

int main(void)
{
	test_check_digit();
	test_valid();
	test_format();
	test_parse();
	return check_done();
}
