/* test_stats.c — tracking/stats.c: the quantiles of the transit times (linear interpolation
 * between the nearest ranks), the on-time rule of a delivered result (J + n working days
 * from the day it was collected, across a weekend and a holiday, in local time), and the
 * statistics' refusals (days out of range, roles). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "trk_stats.h"

static void test_quantile(void)
{
	const double one[] = {7.0};
	CHECK(trk_stats_quantile(one, 1, 0.5) == 7.0);
	CHECK(trk_stats_quantile(one, 1, 0.9) == 7.0);
	const double four[] = {1.0, 2.0, 3.0, 4.0};
	CHECK(trk_stats_quantile(four, 4, 0.5) == 2.5);
	CHECK(trk_stats_quantile(four, 4, 0.0) == 1.0);
	CHECK(trk_stats_quantile(four, 4, 1.0) == 4.0);
	double p90 = trk_stats_quantile(four, 4, 0.9); /* h = 2.7: 3 + 0.7 * (4 - 3) */
	CHECK(p90 > 3.6999 && p90 < 3.7001);
	double ten[10];
	for (int i = 0; i < 10; i++)
		ten[i] = (double)(i + 1) * 10.0;
	CHECK(trk_stats_quantile(ten, 10, 0.5) == 55.0);
	p90 = trk_stats_quantile(ten, 10, 0.9); /* h = 8.1: 90 + 0.1 * 10 */
	CHECK(p90 > 90.999 && p90 < 91.001);
	const double same[] = {5.0, 5.0, 5.0};
	CHECK(trk_stats_quantile(same, 3, 0.9) == 5.0);
}

/* ms of a local (UTC+7) time. */
static int64_t local_ms(const char *date, int hour, int minute)
{
	trk_date d = 0;
	if (!trk_date_parse(date, &d))
		fprintf(stderr, "bad test date %s\n", date);
	return (int64_t)d * 86400000 + ((int64_t)(hour - 7) * 60 + minute) * 60000;
}

static char dir[] = "/tmp/hoso-test-stats-XXXXXX";

static void test_on_time_and_refusals(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/hoso.db", dir);
	hoso_err err;
	db *h = NULL;
	trk *t = NULL;
	trk_calendar *cal = trk_calendar_create();
	trk_date holiday;
	CHECK(trk_date_parse("2026-09-02", &holiday)); /* National Day, a Wednesday */
	CHECK_INT(trk_calendar_add_holiday(cal, holiday, &err), HOSO_OK);
	trk_config cfg;
	trk_config_defaults(&cfg);
	CHECK_INT(db_open(path, &h, &err), HOSO_OK);
	CHECK_INT(trk_create(h, cal, &cfg, &t, &err), HOSO_OK);

	/* Collected Friday 28/08/2026; within a district n = 1: due Monday 31/08. */
	int64_t fri = local_ms("2026-08-28", 16, 0);
	CHECK(trk_stats_on_time(t, fri, local_ms("2026-08-31", 23, 59), "district"));
	CHECK(!trk_stats_on_time(t, fri, local_ms("2026-09-01", 0, 1), "district"));
	/* n = 2 between districts: Mon 31/08, Tue 01/09 (not Wed 02/09, a holiday). */
	CHECK(trk_stats_on_time(t, fri, local_ms("2026-09-01", 17, 0), "province"));
	CHECK(!trk_stats_on_time(t, fri, local_ms("2026-09-02", 9, 0), "province"));
	/* n = 4 (other): Mon, Tue, Thu 03/09, Fri 04/09. */
	CHECK(trk_stats_on_time(t, fri, local_ms("2026-09-04", 9, 0), "other"));
	CHECK(!trk_stats_on_time(t, fri, local_ms("2026-09-07", 9, 0), "other"));
	/* Local dates, not UTC ones: 06:30 on Tuesday in Vietnam is still Monday in UTC. */
	CHECK(!trk_stats_on_time(t, fri, local_ms("2026-09-01", 6, 30), "district"));
	/* Never collected: not on time. */
	CHECK(!trk_stats_on_time(t, 0, fri, "district"));

	trk_actor clerk = {.role = "clerk", .username = "clerk", .office_code = "600000"};
	trk_actor boss = {.role = "supervisor", .username = "supervisor"};
	trk_actor officer = {.role = "agency", .username = "officer",
	                     .agency_code = "000.00.12.H21"};
	json_t *out = NULL;
	CHECK_INT(trk_stats_today(t, &clerk, &out, &err), HOSO_FORBIDDEN);
	const char *bad[] = {"0", "367", "9999", "abc", "", "-1", "1.5", "030 "};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hoso_err_clear(&err);
		CHECK_INT(trk_stats_daily(t, &boss, bad[i], &out, &err), HOSO_INVALID);
		CHECK_STR(err.field, "days");
	}
	CHECK_INT(trk_stats_daily(t, &officer, "366", &out, &err), HOSO_OK);
	CHECK_INT(json_array_size(json_object_get(out, "days")), 366);
	json_decref(out);
	CHECK_INT(trk_stats_transit(t, &boss, NULL, &out, &err), HOSO_OK);
	json_t *leg = json_array_get(json_object_get(out, "legs"), 0);
	CHECK_STR(json_string_value(json_object_get(leg, "leg")), "accepted_to_agency");
	CHECK(json_is_null(json_object_get(leg, "median_hours")));
	json_decref(out);
	trk_report *r = NULL;
	CHECK_INT(trk_report_quarterly(t, &officer, "2026", "1", &r, &err), HOSO_FORBIDDEN);
	CHECK_INT(trk_report_quarterly(t, &boss, "26", "1", &r, &err), HOSO_INVALID);
	CHECK_STR(err.field, "year");
	CHECK_INT(trk_report_quarterly(t, &boss, "2026", "5", &r, &err), HOSO_INVALID);
	CHECK_STR(err.field, "quarter");
	CHECK_INT(trk_report_quarterly(t, &boss, "9999", "1", &r, &err), HOSO_INVALID);
	CHECK_STR(err.field, "year");
	CHECK_INT(trk_report_quarterly(t, &boss, "2020", "4", &r, &err), HOSO_OK);
	CHECK(r && r->complete && r->n_lines == 0);
	CHECK_STR(r ? r->to : NULL, "2020-12-31");
	size_t len = 0;
	char *csv = r ? trk_report_csv(r, &len) : NULL;
	CHECK(csv && len > 3 && memcmp(csv, "\xEF\xBB\xBF\"Mã cơ quan\"", 17) == 0);
	CHECK(csv && strstr(csv, TRK_NOT_RECORDED) != NULL);
	free(csv);
	trk_report_free(r);

	trk_destroy(t);
	db_close(h);
	trk_calendar_destroy(cal);
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char aux[300];
		snprintf(aux, sizeof(aux), "%s%s", path, suffix[i]);
		unlink(aux);
	}
}

int main(void)
{
	test_quantile();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_on_time_and_refusals();
	rmdir(dir);
	return check_done();
}
