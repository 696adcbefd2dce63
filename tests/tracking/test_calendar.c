/* test_calendar.c — tracking/calendar.c: civil dates, strict parsing, weekdays, local dates,
 * holidays (Tết, a week with holidays, the year boundary) and the holiday file loader. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "trk_calendar.h"

static trk_date D(const char *s)
{
	trk_date d = 0;
	if (!trk_date_parse(s, &d))
		fprintf(stderr, "test date %s does not parse\n", s);
	return d;
}

static const char *F(trk_date d)
{
	static char buf[4][11];
	static int k;
	k = (k + 1) % 4;
	trk_date_format(d, buf[k]);
	return buf[k];
}

static void test_civil(void)
{
	CHECK_INT(trk_date_from_ymd(1970, 1, 1), 0);
	CHECK_INT(trk_date_from_ymd(1969, 12, 31), -1);
	CHECK_INT(trk_date_from_ymd(2000, 3, 1), 11017);
	CHECK_INT(trk_date_from_ymd(2025, 1, 1), 20089);
	CHECK_INT(trk_date_from_ymd(1600, 1, 1), -135140);
	size_t bad = 0;
	for (trk_date d = -800000; d <= 800000; d += 7) {      /* about 1780 BC to 4160 AD */
		int y, m, dd;
		trk_date_to_ymd(d, &y, &m, &dd);
		bad += trk_date_from_ymd(y, m, dd) != d;
		bad += m < 1 || m > 12 || dd < 1 || dd > 31;
	}
	CHECK_INT(bad, 0);
	int y, m, dd;
	trk_date_to_ymd(D("2024-02-29"), &y, &m, &dd);
	CHECK(y == 2024 && m == 2 && dd == 29);
	CHECK_INT(D("2024-03-01") - D("2024-02-28"), 2);
	CHECK_INT(D("2100-03-01") - D("2100-02-28"), 1);       /* 2100 is not a leap year */
	CHECK_INT(D("2000-03-01") - D("2000-02-28"), 2);       /* 2000 is */
}

static void test_parse_format(void)
{
	trk_date d = 12345;
	CHECK(trk_date_parse("2025-01-01", &d));
	CHECK(trk_date_parse("2024-02-29", &d));
	CHECK(trk_date_parse("0001-01-01", &d));
	CHECK(trk_date_parse("9999-12-31", &d));
	d = 777;
	CHECK(!trk_date_parse("2025-02-30", &d));
	CHECK(!trk_date_parse("2023-02-29", &d));
	CHECK(!trk_date_parse("2025-04-31", &d));
	CHECK(!trk_date_parse("2025-13-01", &d));
	CHECK(!trk_date_parse("2025-00-10", &d));
	CHECK(!trk_date_parse("2025-01-00", &d));
	CHECK(!trk_date_parse("0000-01-01", &d));
	CHECK(!trk_date_parse("2025-1-01", &d));
	CHECK(!trk_date_parse(" 2025-01-01", &d));
	CHECK(!trk_date_parse("2025-01-01 ", &d));
	CHECK(!trk_date_parse("2025-01-01x", &d));
	CHECK(!trk_date_parse("2025/01/01", &d));
	CHECK(!trk_date_parse("+025-01-01", &d));
	CHECK(!trk_date_parse("2025-01-1a", &d));
	CHECK(!trk_date_parse("01/01/2025", &d));
	CHECK(!trk_date_parse("", &d));
	CHECK(!trk_date_parse(NULL, &d));
	CHECK_INT(d, 777);                                     /* untouched on failure */

	char buf[11];
	trk_date_format(D("2025-03-09"), buf);
	CHECK_STR(buf, "2025-03-09");
	trk_date_format_vn(D("2025-03-09"), buf);
	CHECK_STR(buf, "09/03/2025");
	trk_date_format(-1, buf);
	CHECK_STR(buf, "1969-12-31");
	trk_date_format(D("0001-01-01"), buf);
	CHECK_STR(buf, "0001-01-01");
}

static void test_weekday_and_ms(void)
{
	CHECK_INT(trk_date_weekday(0), 3);                     /* 1970-01-01, Thursday */
	CHECK_INT(trk_date_weekday(-1), 2);
	CHECK_INT(trk_date_weekday(-4), 6);                    /* 1969-12-28, Sunday */
	CHECK_INT(trk_date_weekday(D("2025-01-01")), 2);       /* Wednesday */
	CHECK_INT(trk_date_weekday(D("2025-01-25")), 5);       /* Saturday */
	CHECK_INT(trk_date_weekday(D("2024-02-29")), 3);

	int64_t jan1_utc = (int64_t)D("2025-01-01") * 86400000;
	/* 16:59:59.999 UTC is 23:59:59.999 in Vietnam (UTC+7); 17:00 is the next day. */
	CHECK_INT(trk_date_of_ms(jan1_utc + 17 * 3600000LL - 1, 420), D("2025-01-01"));
	CHECK_INT(trk_date_of_ms(jan1_utc + 17 * 3600000LL, 420), D("2025-01-02"));
	CHECK_INT(trk_date_of_ms(jan1_utc, 0), D("2025-01-01"));
	CHECK_INT(trk_date_of_ms(jan1_utc - 1, 0), D("2024-12-31"));
	CHECK_INT(trk_date_of_ms(jan1_utc + 3600000, -120), D("2024-12-31"));
	CHECK_INT(trk_date_of_ms(-1, 0), -1);
	CHECK_INT(trk_date_of_ms(0, 0), 0);
}

/* The 2025 Vietnamese public holidays that fall on weekdays (Tết: 25 Jan - 2 Feb). */
static const char *const holidays_2025[] = {
	"2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
	"2025-04-07", "2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02",
};

static trk_calendar *calendar_2025(void)
{
	trk_calendar *cal = trk_calendar_create();
	for (size_t i = 0; cal && i < sizeof(holidays_2025) / sizeof(holidays_2025[0]); i++)
		CHECK_INT(trk_calendar_add_holiday(cal, D(holidays_2025[i]), NULL), HOSO_OK);
	return cal;
}

/* Reference: step one day at a time. */
static int ref_between(const trk_calendar *cal, trk_date from, trk_date to)
{
	int sign = 1;
	if (to < from) {
		trk_date t = from;
		from = to;
		to = t;
		sign = -1;
	}
	int n = 0;
	for (trk_date d = from + 1; d <= to; d++)
		n += trk_calendar_is_working_day(cal, d);
	return sign * n;
}

static void test_working_days(void)
{
	trk_calendar *empty = trk_calendar_create();
	trk_calendar *cal = calendar_2025();
	CHECK(empty && cal);
	if (!empty || !cal)
		goto out;
	/* Weekends only. */
	CHECK_STR(F(trk_calendar_add_working_days(empty, D("2025-01-24"), 1)), "2025-01-27");
	CHECK_STR(F(trk_calendar_add_working_days(empty, D("2025-01-25"), 0)), "2025-01-27");
	CHECK_STR(F(trk_calendar_add_working_days(empty, D("2025-01-22"), 0)), "2025-01-22");
	CHECK_STR(F(trk_calendar_add_working_days(empty, D("2025-01-22"), 5)), "2025-01-29");

	/* Tết: Friday 24 Jan + 1 working day is Monday 3 Feb. */
	CHECK(!trk_calendar_is_working_day(cal, D("2025-01-29")));
	CHECK(!trk_calendar_is_working_day(cal, D("2025-01-25")));
	CHECK(trk_calendar_is_working_day(cal, D("2025-01-24")));
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2025-01-24"), 1)), "2025-02-03");
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2025-01-23"), 2)), "2025-02-03");
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2025-01-25"), 0)), "2025-02-03");
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2025-01-28"), 0)), "2025-02-03");
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2025-01-28"), 1)), "2025-02-03");
	CHECK_INT(trk_calendar_working_days_between(cal, D("2025-01-24"), D("2025-02-03")), 1);
	CHECK_INT(trk_calendar_working_days_between(cal, D("2025-02-03"), D("2025-01-24")), -1);

	/* A week with holidays: Mon 28 Apr + 3 -> Tue 29, (30 Apr, 1-2 May off), Mon 5, Tue 6. */
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2025-04-28"), 3)), "2025-05-06");
	CHECK_INT(trk_calendar_working_days_between(cal, D("2025-04-28"), D("2025-05-06")), 3);

	/* Year boundary: 31 Dec 2024 + 1 skips New Year's Day. */
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2024-12-31"), 1)), "2025-01-02");
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2024-12-27"), 3)), "2025-01-02");
	CHECK_STR(F(trk_calendar_add_working_days(empty, D("2024-12-27"), 3)), "2025-01-01");
	CHECK_INT(trk_calendar_working_days_between(cal, D("2024-12-27"), D("2025-01-02")), 3);

	/* J + n for the route table: accepted Thursday 28 Aug 2025, inter-provincial (n = 4):
	 * Fri 29, then Mon 1 and Tue 2 Sep are National Day: Wed 3, Thu 4, Fri 5. */
	CHECK_STR(F(trk_calendar_add_working_days(cal, D("2025-08-28"), 4)), "2025-09-05");

	/* Against the day-by-day reference over many ranges, both directions. */
	size_t bad = 0;
	for (trk_date a = D("2024-12-01"); a < D("2025-06-01"); a += 3)
		for (trk_date b = a - 40; b < a + 40; b += 5) {
			bad += trk_calendar_working_days_between(cal, a, b) != ref_between(cal, a, b);
			bad += trk_calendar_working_days_between(empty, a, b) !=
			       ref_between(empty, a, b);
		}
	CHECK_INT(bad, 0);
	/* add then count back gives n, from any working day */
	bad = 0;
	for (trk_date a = D("2024-12-01"); a < D("2025-12-31"); a++)
		for (int n = 1; n < 12; n++)
			if (trk_calendar_is_working_day(cal, a))
				bad += trk_calendar_working_days_between(
				           cal, a, trk_calendar_add_working_days(cal, a, n)) != n;
	CHECK_INT(bad, 0);

	/* Adding the same holiday twice is harmless. */
	CHECK_INT(trk_calendar_add_holiday(cal, D("2025-01-01"), NULL), HOSO_OK);
	CHECK_INT(trk_calendar_working_days_between(cal, D("2024-12-31"), D("2025-01-02")), 1);
out:
	trk_calendar_destroy(cal);
	trk_calendar_destroy(empty);
	trk_calendar_destroy(NULL);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_load(void)
{
	char dir[] = "/tmp/hoso-cal-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char good[64], bad[64], junk[64];
	snprintf(good, sizeof(good), "%s/good.txt", dir);
	snprintf(bad, sizeof(bad), "%s/bad.txt", dir);
	snprintf(junk, sizeof(junk), "%s/junk.txt", dir);
	write_file(good, "# Ngày lễ 2025\n\n2025-01-01 Tết Dương lịch\r\n"
	                 "  2025-04-07\tGiỗ Tổ Hùng Vương\n2025-04-30 Ngày Giải phóng miền Nam\n"
	                 "2025-05-01\n   \n# end\n");
	write_file(bad, "2025-09-01 Quốc khánh\n2025-09-02 Quốc khánh\n2025-02-30 Sai\n");
	write_file(junk, "2025-09-01x Quốc khánh\n");

	trk_calendar *cal = trk_calendar_create();
	hoso_err err;
	hoso_err_clear(&err);
	CHECK_INT(trk_calendar_load(cal, good, &err), HOSO_OK);
	CHECK(!trk_calendar_is_working_day(cal, D("2025-01-01")));
	CHECK(!trk_calendar_is_working_day(cal, D("2025-04-07")));
	CHECK(!trk_calendar_is_working_day(cal, D("2025-04-30")));
	CHECK(!trk_calendar_is_working_day(cal, D("2025-05-01")));
	CHECK(trk_calendar_is_working_day(cal, D("2025-05-02")));

	/* A bad line: path:line in the message, nothing of the file added. */
	CHECK_INT(trk_calendar_load(cal, bad, &err), HOSO_INVALID);
	char want[96];
	snprintf(want, sizeof(want), "%s:3: ", bad);
	CHECK(strncmp(err.message, want, strlen(want)) == 0);
	CHECK(trk_calendar_is_working_day(cal, D("2025-09-01")));
	CHECK(trk_calendar_is_working_day(cal, D("2025-09-02")));

	CHECK_INT(trk_calendar_load(cal, junk, &err), HOSO_INVALID);
	snprintf(want, sizeof(want), "%s:1: ", junk);
	CHECK(strncmp(err.message, want, strlen(want)) == 0);

	char missing[80];
	snprintf(missing, sizeof(missing), "%s/missing.txt", dir);
	CHECK_INT(trk_calendar_load(cal, missing, &err), HOSO_NOT_FOUND);
	CHECK(strstr(err.message, missing) != NULL);

	/* Loading the same file again (duplicates) keeps the calendar consistent. */
	CHECK_INT(trk_calendar_load(cal, good, &err), HOSO_OK);
	CHECK_INT(trk_calendar_working_days_between(cal, D("2025-04-28"), D("2025-05-02")), 2);
	trk_calendar_destroy(cal);
	unlink(good);
	unlink(bad);
	unlink(junk);
	rmdir(dir);
}

int main(void)
{
	test_civil();
	test_parse_format();
	test_weekday_and_ms();
	test_working_days();
	test_load();
	return check_done();
}
