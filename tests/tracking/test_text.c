/* test_text.c — common/text.c: UTF-8 validation, NFC against Python's unicodedata, folding,
 * control characters, truncating copies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "hoso.h"
#include "nfc_vectors.h"
#include "text.h"

static bool valid(const char *s) { return text_utf8_valid(s, strlen(s)); }

static void test_valid(void)
{
	CHECK(valid(""));
	CHECK(valid("plain ASCII"));
	CHECK(valid("Sở Tư pháp tỉnh Đắk Lắk"));
	CHECK(valid("\xF0\x9F\x93\xAE"));                 /* U+1F4EE, 4 bytes */
	CHECK(valid("\xF4\x8F\xBF\xBF"));                 /* U+10FFFF */
	CHECK(valid("\xEF\xBF\xBF"));                     /* U+FFFF */
	CHECK(valid("\xED\x9F\xBF"));                     /* U+D7FF, just below surrogates */
	CHECK(text_utf8_valid("a\0b", 3));                /* NUL is a code point */
	CHECK(!valid("\xC0\xAF"));                        /* overlong '/' */
	CHECK(!valid("\xC1\xBF"));
	CHECK(!valid("\xE0\x80\xAF"));                    /* overlong, 3 bytes */
	CHECK(!valid("\xE0\x9F\xBF"));
	CHECK(!valid("\xF0\x80\x80\xAF"));                /* overlong, 4 bytes */
	CHECK(!valid("\xF0\x8F\xBF\xBF"));
	CHECK(!valid("\xED\xA0\x80"));                    /* U+D800 */
	CHECK(!valid("\xED\xBF\xBF"));                    /* U+DFFF */
	CHECK(!valid("\xF4\x90\x80\x80"));                /* U+110000 */
	CHECK(!valid("\xF5\x80\x80\x80"));
	CHECK(!valid("\xFF"));
	CHECK(!valid("\x80"));                            /* lone continuation */
	CHECK(!valid("abc\xC3"));                         /* truncated 2-byte */
	CHECK(!valid("\xE1\xBB"));                        /* truncated 3-byte */
	CHECK(!valid("\xF0\x9F\x93"));                    /* truncated 4-byte */
	CHECK(!valid("\xC3\x28"));                        /* bad continuation */
	CHECK(!text_utf8_valid("\xC3\xA0", 1));           /* len cuts the sequence */
	{
		/* repair: cut letters and stray bytes become '?', the rest is kept */
		char cut[] = "S\xE1\xBB\x9F T\xC6\xB0 ph\xC3";    /* "Sở Tư ph" + half of "á" */
		text_utf8_repair(cut);
		CHECK_STR(cut, "S\xE1\xBB\x9F T\xC6\xB0 ph?");
		char stray[] = "\x80" "a\xE1\xBB" "b\xFF\xED\xA0\x80"; /* surrogate encoded */
		text_utf8_repair(stray);
		CHECK_STR(stray, "?a??b????");
		CHECK(valid(stray));
		char fine[] = "Nguy\xE1\xBB\x85n";
		text_utf8_repair(fine);
		CHECK_STR(fine, "Nguy\xE1\xBB\x85n");
		hoso_err e;
		hoso_err_set(&e, HOSO_INVALID, "x", "f\xC3", "agency %.3s is unknown", "\xC3\xA0\xC3\xA0");
		CHECK_STR(e.message, "agency \xC3\xA0? is unknown");
		CHECK_STR(e.field, "f?");
	}
	CHECK(text_utf8_valid("\xC3\xA0", 2));
}

static void test_length(void)
{
	CHECK_INT(text_utf8_length(""), 0);
	CHECK_INT(text_utf8_length("abc"), 3);
	CHECK_INT(text_utf8_length("Nguyễn"), 6);
	CHECK_INT(text_utf8_length("e\xCC\x82\xCC\x81"), 3);   /* e + two marks */
	CHECK_INT(text_utf8_length("\xF0\x9F\x93\xAE!"), 2);
}

static void check_nfc(const char *in, const char *want)
{
	char *got = text_nfc(in);
	CHECK_STR(got, want);
	free(got);
}

static void test_nfc(void)
{
	check_nfc("", "");
	check_nfc("Ho so", "Ho so");
	check_nfc("e\xCC\x82\xCC\x81", "ế");                   /* e + circumflex + acute */
	check_nfc("e\xCC\x81\xCC\x82", "é\xCC\x82");           /* other order: not the same */
	check_nfc("a\xCC\x82\xCC\xA3", "ậ");                   /* circumflex, dot below */
	check_nfc("a\xCC\xA3\xCC\x82", "ậ");                   /* dot below (220) first */
	check_nfc("o\xCC\x9B\xCC\x80", "ờ");                   /* horn + grave */
	check_nfc("H\xCC\x80\x6F\xCC\x82\xCC\x80 so\xCC\x9B", "H\xCC\x80ồ sơ");
	check_nfc("Nguye\xCC\x82\xCC\x83n", "Nguyễn");
	check_nfc("D\xCC\x9B", "D\xCC\x9B");                   /* no such letter: unchanged */
	check_nfc("Nguyễn Văn Đức", "Nguyễn Văn Đức");         /* already NFC */
	check_nfc("ê\xCC\x81", "ế");                           /* precomposed + mark */
	check_nfc("a\xFF" "b", "a\xEF\xBF\xBD" "b");           /* stray byte -> U+FFFD */
	check_nfc("\xCC\x81" "a", "\xCC\x81" "a");             /* leading mark has no starter */

	size_t n = sizeof(nfc_vectors) / sizeof(nfc_vectors[0]);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		char *got = text_nfc(nfc_vectors[i][0]);
		if (!got || strcmp(got, nfc_vectors[i][1]) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "nfc vector %zu: got \"%s\", want \"%s\"\n", i,
				        got ? got : "(null)", nfc_vectors[i][1]);
		}
		free(got);
		/* NFC of NFC text is itself: Python's answers go through the quick check path,
		 * which must agree with the full algorithm on every one of them. */
		got = text_nfc(nfc_vectors[i][1]);
		if (!got || strcmp(got, nfc_vectors[i][1]) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "nfc of nfc vector %zu: got \"%s\", want \"%s\"\n", i,
				        got ? got : "(null)", nfc_vectors[i][1]);
		}
		free(got);
	}
	CHECK_INT(bad, 0);
	CHECK(n > 3000);
	/* The quick path must not let through what the full one changes: a precomposed letter
	 * followed by a mark that composes with it, marks out of order after one, and bad
	 * bytes after precomposed text. */
	check_nfc("Nguyễn ê\xCC\x81", "Nguyễn ế");
	check_nfc("Đức a\xCC\x82\xCC\xA3", "Đức ậ");
	check_nfc("Văn\xC3", "Văn\xEF\xBF\xBD");
	check_nfc("Sở Tư pháp \xFF", "Sở Tư pháp \xEF\xBF\xBD");
}

static void check_fold(const char *in, const char *want)
{
	char *got = text_fold(in);
	CHECK_STR(got, want);
	free(got);
}

static void test_fold(void)
{
	check_fold("Sở Tư pháp", "so tu phap");
	check_fold("  ĐĂNG   KÝ\tkết\n hôn  ", "dang ky ket hon");
	check_fold("Nguye\xCC\x82\xCC\x83n", "nguyen");          /* decomposed input */
	check_fold("đ Đ ơ Ư ă Â ê Ô ỹ Ỵ", "d d o u a a e o y y");
	check_fold("Cấp\xC2\xA0giấy\xE2\x80\x83phép", "cap giay phep");   /* NBSP, em space */
	check_fold("1.001776 ABC", "1.001776 abc");
	check_fold("", "");
	check_fold("   ", "");
	check_fold("\xCC\x81x", "x");                            /* stray mark removed */
	check_fold("Æsir Ærø", "æsir ærø");                      /* no ASCII base: lower case */
	check_fold("日本", "日本");
}

static void test_control(void)
{
	CHECK(!text_has_control("tab\tlf\ncr\r fine, Tiếng Việt"));
	CHECK(text_has_control("bell\a"));
	CHECK(text_has_control("esc\x1b[0m"));
	CHECK(text_has_control("del\x7f"));
	CHECK(text_has_control("c1 \xC2\x85"));                   /* U+0085 NEL */
	CHECK(text_has_control("c1 \xC2\x9F"));
	CHECK(!text_has_control("\xC2\xA0"));                     /* NBSP is not a control */
	CHECK(!text_has_control(""));
}

static void test_copy(void)
{
	char buf[8];
	text_copy(buf, sizeof(buf), "short");
	CHECK_STR(buf, "short");
	text_copy(buf, sizeof(buf), "exactly");                  /* 7 bytes fit */
	CHECK_STR(buf, "exactly");
	text_copy(buf, sizeof(buf), "exactly8");
	CHECK_STR(buf, "exactly");
	text_copy(buf, sizeof(buf), "aaaaaế");                   /* ế is 3 bytes: 5 + 3 > 7 */
	CHECK_STR(buf, "aaaaa");
	text_copy(buf, sizeof(buf), "aaaaế");                    /* 4 + 3 = 7 fits */
	CHECK_STR(buf, "aaaaế");
	text_copy(buf, sizeof(buf), "aaaaaa\xF0\x9F\x93\xAE");
	CHECK_STR(buf, "aaaaaa");
	char one[1] = {'x'};
	text_copy(one, sizeof(one), "abc");
	CHECK_STR(one, "");
	text_copy(buf, 0, "abc");                                /* nothing written */
	CHECK_STR(buf, "aaaaaa");
	CHECK(valid(buf));
}

/* Random byte soup (valid and invalid pieces): outputs are valid UTF-8, NFC is idempotent,
 * folding an NFC string gives the same key as folding the original. */
static void test_random(void)
{
	static const char *const pieces[] = {
		"a", "E", "o", "u", "d", " ", "\t", "\xCC\x81", "\xCC\x80", "\xCC\x82", "\xCC\x83",
		"\xCC\x89", "\xCC\xA3", "\xCC\x9B", "\xCC\x86", "\xCC\xA7", "ê", "ơ", "Ư", "đ", "ậ",
		"\xFF", "\xC3", "\xE1\xBB", "\xED\xA0\x80", "\xF0\x9F\x93\xAE", "\xC2\xA0", "日",
	};
	const size_t np = sizeof(pieces) / sizeof(pieces[0]);
	uint32_t seed = 7;
	size_t bad = 0;
	for (int round = 0; round < 20000; round++) {
		char buf[128];
		size_t len = 0;
		int count = 1 + (int)((seed >> 8) % 12);
		for (int i = 0; i < count; i++) {
			seed = seed * 1103515245u + 12345u;
			const char *p = pieces[(seed >> 16) % np];
			size_t pl = strlen(p);
			memcpy(buf + len, p, pl);
			len += pl;
		}
		buf[len] = '\0';
		char *n1 = text_nfc(buf), *n2 = n1 ? text_nfc(n1) : NULL;
		char *f1 = text_fold(buf), *f2 = n1 ? text_fold(n1) : NULL;
		bad += !n1 || !n2 || !f1 || !f2;
		if (n1 && n2 && f1 && f2) {
			bad += !valid(n1) || !valid(f1);
			bad += strcmp(n1, n2) != 0;
			bad += strcmp(f1, f2) != 0;
		}
		free(n1);
		free(n2);
		free(f1);
		free(f2);
	}
	CHECK_INT(bad, 0);
}

static void test_speed(void)
{
	/* 1 MB of mixed decomposed Vietnamese: should take a few ms; allow a generous bound. */
	const char *unit = "Nguye\xCC\x82\xCC\x83n Va\xCC\x86n \xC4\x90u\xCC\x9B\xCC\x81" "c, ";
	size_t ulen = strlen(unit), reps = (1u << 20) / ulen;
	char *big = malloc(reps * ulen + 1);
	CHECK(big != NULL);
	if (!big)
		return;
	for (size_t i = 0; i < reps; i++)
		memcpy(big + i * ulen, unit, ulen);
	big[reps * ulen] = '\0';
	clock_t t0 = clock();
	char *n = text_nfc(big);
	char *f = text_fold(big);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(n && strncmp(n, "Nguyễn Văn Đức, ", strlen("Nguyễn Văn Đức, ")) == 0);
	CHECK(f && strncmp(f, "nguyen van duc, nguyen", 22) == 0);
	CHECK(secs < 1.0);
	printf("nfc + fold of %zu bytes: %.1f ms\n", reps * ulen, secs * 1000);
	free(n);
	free(f);
	free(big);
}

static void check_strip(const char *in, const char *want)
{
	char *got = text_strip_marks(in);
	CHECK_STR(got, want);
	free(got);
}

static void test_strip_marks(void)
{
	check_strip("", "");
	check_strip("plain ASCII, 1-2 {x}", "plain ASCII, 1-2 {x}");
	check_strip("Sở Tư pháp tỉnh Đắk Lắk.", "So Tu phap tinh Dak Lak.");
	check_strip("HỒ SƠ Nguyễn Văn Ầnh: đã nhận!", "HO SO Nguyen Van Anh: da nhan!");
	check_strip("Ủy ban nhân dân xã Ia Kênh", "Uy ban nhan dan xa Ia Kenh");
	check_strip("Ho\xcc\x82\xcc\x80" " so", "Ho so");          /* decomposed marks dropped */
	check_strip("a\xc2\xa0" "b", "a b");                          /* no-break space */
	check_strip("\xe2\x82\xac 5", "? 5");                     /* euro sign */
	check_strip("x\xffy", "x?y");                               /* malformed byte */
	/* every letter of the Vietnamese alphabet in both cases */
	check_strip("aàáảãạăằắẳẵặâầấẩẫậ AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ eèéẻẽẹêềếểễệ iìíỉĩị "
	            "oòóỏõọôồốổỗộơờớởỡợ uùúủũụưừứửữự yỳýỷỹỵ đĐ",
	            "aaaaaaaaaaaaaaaaaa AAAAAAAAAAAAAAAAAA eeeeeeeeeeee iiiiii "
	            "oooooooooooooooooo uuuuuuuuuuuu yyyyyy dD");
}

/* text_hash is FNV-1a: the published test values of the 32-bit variant. */
static void test_hash(void)
{
	CHECK_INT(text_hash(""), 0x811c9dc5u);
	CHECK_INT(text_hash("a"), 0xe40c292cu);
	CHECK_INT(text_hash("foobar"), 0xbf9cf968u);
	CHECK(text_hash("1.001776") != text_hash("1.001777"));
}

int main(void)
{
	test_hash();
	test_strip_marks();
	test_valid();
	test_length();
	test_nfc();
	test_fold();
	test_control();
	test_copy();
	test_random();
	test_speed();
	return check_done();
}
