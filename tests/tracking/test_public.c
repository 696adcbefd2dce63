/* Public tracking rules: masking of names (Vietnamese, with diacritics) and phones, the
 * complaint answer time (5 or 7 working days) and the 6-month complaint window, tested on
 * the rule functions and on the complaint use case run on a scratch database with a fixed
 * "today". */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "trk_public.h"

static void mask_is(const char *name, const char *want)
{
	char out[256];
	trk_mask_name(name, out, sizeof(out));
	CHECK_STR(out, want);
}

static void test_mask_names(void)
{
	mask_is("Nguyễn Văn Anh", "N***** V** A");
	mask_is("Đặng Thị Ánh Tuyết", "Đ*** T** Á** T");
	mask_is("Lê Ơn", "L* Ơ");
	mask_is("Huỳnh", "H");
	mask_is("  Trần   Bình  ", "T*** B");
	mask_is("Công ty TNHH Ánh Dương", "C*** t* T*** Á** D");
	mask_is("", "");
	mask_is(NULL, "");
	/* decomposed input (e + combining marks) is normalised first: one star a letter */
	mask_is("Nguye\xcc\x82\xcc\x83n Anh", "N***** A");
	/* a small buffer cuts whole letters, never half a UTF-8 sequence */
	char small[5];
	trk_mask_name("Đặng Thị", small, sizeof(small));
	CHECK_STR(small, "Đ**");
	char none[1] = {'x'};
	trk_mask_name("An", none, 0);
	CHECK(none[0] == 'x');
}

static void test_mask_phones(void)
{
	char out[32];
	trk_mask_phone("0905123456", out, sizeof(out));
	CHECK_STR(out, "*******456");
	trk_mask_phone("0905 123 456", out, sizeof(out));
	CHECK_STR(out, "*******456");
	trk_mask_phone("12", out, sizeof(out));
	CHECK_STR(out, "12");
	trk_mask_phone("", out, sizeof(out));
	CHECK_STR(out, "");
}

static void test_rules(void)
{
	CHECK_INT(trk_complaint_answer_days("district"), 5);
	CHECK_INT(trk_complaint_answer_days("province"), 5);
	CHECK_INT(trk_complaint_answer_days("city1"), 7);
	CHECK_INT(trk_complaint_answer_days("other"), 7);
	char buf[11];
	trk_date_format(trk_complaint_last_day(trk_date_from_ymd(2026, 8, 31)), buf);
	CHECK_STR(buf, "2027-02-28");
	trk_date_format(trk_complaint_last_day(trk_date_from_ymd(2027, 8, 31)), buf);
	CHECK_STR(buf, "2028-02-29");
	trk_date_format(trk_complaint_last_day(trk_date_from_ymd(2026, 11, 30)), buf);
	CHECK_STR(buf, "2027-05-30");
	hoso_err err;
	trk_date end = trk_date_from_ymd(2026, 11, 30);
	CHECK_INT(trk_complaint_window_check(end, trk_date_from_ymd(2027, 5, 30), &err), HOSO_OK);
	CHECK_INT(trk_complaint_window_check(end, end - 3, &err), HOSO_OK);
	CHECK_INT(trk_complaint_window_check(end, trk_date_from_ymd(2027, 5, 31), &err),
	          HOSO_CONFLICT);
	CHECK_STR(err.code, "complaint_too_late");
	CHECK(strstr(err.message, "30/05/2027") != NULL);
}

/* ---- the use case on a scratch database --------------------------------------------- */

static char dir[] = "/tmp/hoso-test-public-XXXXXX";

static void setup_catalogue(db *h)
{
	hoso_err err;
	db_office o = {.code = "600000", .name = "Bưu điện tỉnh Gia Lai", .province = "Gia Lai",
	               .district = "Thành phố Pleiku"};
	db_agency a = {.code = "000.00.12.H21", .name = "Sở Tư pháp tỉnh Gia Lai",
	               .province = "Gia Lai", .district = "Thành phố Pleiku"};
	db_procedure p = {.code = "2.000488", .name = "Cấp Phiếu lý lịch tư pháp",
	                  .name_fold = "cap phieu ly lich tu phap",
	                  .agency_code = "000.00.12.H21", .days = 10,
	                  .components = "[{\"name\": \"Tờ khai\", \"required\": true, "
	                                "\"form\": \"original\"}]"};
	CHECK_INT(db_begin(h, &err), HOSO_OK);
	CHECK_INT(db_office_upsert(h, &o, &err), HOSO_OK);
	CHECK_INT(db_agency_upsert(h, &a, &err), HOSO_OK);
	CHECK_INT(db_procedure_upsert(h, &p, &err), HOSO_OK);
	CHECK_INT(db_commit(h, &err), HOSO_OK);
}

static void test_complaint_use_case(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/hoso.db", dir);
	hoso_err err;
	db *h = NULL;
	trk *t = NULL;
	trk_calendar *cal = trk_calendar_create();
	trk_config cfg;
	trk_config_defaults(&cfg);
	CHECK_INT(db_open(path, &h, &err), HOSO_OK);
	CHECK_INT(trk_create(h, cal, &cfg, &t, &err), HOSO_OK);
	setup_catalogue(h);
	trk_actor clerk = {.user_id = 0, .username = "clerk", .role = "clerk",
	                   .office_code = "600000"};
	json_t *body = json_loads(
		"{\"procedure_code\": \"2.000488\", \"service\": \"send\", \"applicant\": "
		"{\"name\": \"Nguyễn Văn Anh\", \"phone\": \"0905123456\", \"id_number\": "
		"\"064090001234\", \"address\": \"12 Trần Hưng Đạo\"}, \"documents\": "
		"[{\"name\": \"Tờ khai\", \"form\": \"original\"}], \"postage_vnd\": 28000}", 0, NULL);
	json_t *out = NULL;
	bool created = false;
	hoso_status st = trk_dossier_accept(t, &clerk, body, &out, &created, &err);
	if (st != HOSO_OK)
		fprintf(stderr, "accept: %s\n", err.message);
	CHECK_INT(st, HOSO_OK);
	json_decref(body);
	const char *tn = json_string_value(
		json_object_get(json_array_get(json_object_get(out, "items"), 0), "tracking_number"));
	char number[16];
	snprintf(number, sizeof(number), "%s", tn ? tn : "");
	json_t *dossier = out;
	trk_date due;
	CHECK(trk_date_parse(json_string_value(json_object_get(dossier, "due_date")), &due));
	json_decref(dossier);

	int retry = 0;
	json_t *c = json_pack("{s:s, s:s}", "phone_last4", "3456", "text", "Chậm quá");
	/* on the last day of the window: accepted, answer due 5 working days later */
	trk_date last = trk_complaint_last_day(due);
	st = trk_complaint_file_on(t, number, c, last, &out, &retry, &err);
	CHECK_INT(st, HOSO_OK);
	char want[11];
	trk_date_format(trk_calendar_add_working_days(cal, last, 5), want);
	CHECK_STR(json_string_value(json_object_get(out, "due_date")), want);
	CHECK_INT(json_integer_value(json_object_get(out, "answer_days")), 5);
	json_decref(out);
	/* the day after: refused, and nothing written */
	out = NULL;
	st = trk_complaint_file_on(t, number, c, last + 1, &out, &retry, &err);
	CHECK_INT(st, HOSO_CONFLICT);
	CHECK_STR(err.code, "complaint_too_late");
	CHECK(out == NULL);
	json_decref(c);
	/* wrong digits are refused before the window is looked at, and counted */
	c = json_pack("{s:s, s:s}", "phone_last4", "0000", "text", "x");
	CHECK_INT(trk_complaint_file_on(t, number, c, last + 1, &out, &retry, &err),
	          HOSO_FORBIDDEN);
	CHECK_STR(err.code, "wrong_digits");
	json_decref(c);
	json_t *list = NULL;
	CHECK_INT(trk_complaint_list(t, &clerk, "open", NULL, NULL, NULL, &list, &err), HOSO_OK);
	CHECK_INT(json_array_size(json_object_get(list, "complaints")), 1);
	json_decref(list);

	trk_destroy(t);
	db_close(h);
	trk_calendar_destroy(cal);
	unlink(path);
	char aux[300];
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_mask_names();
	test_mask_phones();
	test_rules();
	test_complaint_use_case();
	rmdir(dir);
	return check_done();
}
