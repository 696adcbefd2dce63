/* test_valid.c — the field readers of tracking/valid.c: the path an error names (built with
 * plain copies, cut to the buffer), and the errors of trk_field_string and trk_field_int
 * naming "path.key" with what is wrong. */
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "trk_valid.h"

static void test_path(void)
{
	char buf[32];
	CHECK_STR(trk_field_path(buf, sizeof(buf), "", "name"), "name");
	CHECK_STR(trk_field_path(buf, sizeof(buf), NULL, "name"), "name");
	CHECK_STR(trk_field_path(buf, sizeof(buf), "applicant", "phone"), "applicant.phone");
	CHECK_STR(trk_field_path(buf, sizeof(buf), "events[12]", "item"), "events[12].item");
	/* Cut to the buffer, still terminated. */
	char small[8];
	CHECK_STR(trk_field_path(small, sizeof(small), "documents[3]", "name"), "documen");
	CHECK_STR(trk_field_path(small, sizeof(small), "abc", "defgh"), "abc.def");
	CHECK_STR(trk_field_path(small, sizeof(small), "abcdefg", "x"), "abcdefg");
	char one[1] = {'x'};
	CHECK_STR(trk_field_path(one, sizeof(one), "a", "b"), "");
	/* A key alone fills the buffer exactly, or is cut one byte short of its end. */
	char exact[6];
	CHECK_STR(trk_field_path(exact, sizeof(exact), "", "abcde"), "abcde");
	CHECK_STR(trk_field_path(exact, sizeof(exact), "", "abcdef"), "abcde");
}

static void test_errors(void)
{
	json_t *obj = json_pack("{s:i, s:s, s:s, s:I}", "name", 5, "phone", "  0912 345 678 ",
	                        "empty", "", "big", (json_int_t)1000);
	char buf[64];
	hoso_err err;
	hoso_err_clear(&err);
	CHECK_INT(trk_field_string(obj, "applicant", "name", true, 100, buf, sizeof(buf), &err),
	          HOSO_INVALID);
	CHECK_STR(err.field, "applicant.name");
	CHECK_STR(err.message, "applicant.name must be a string");
	hoso_err_clear(&err);
	CHECK_INT(trk_field_string(obj, "applicant", "address", true, 100, buf, sizeof(buf),
	                           &err), HOSO_INVALID);
	CHECK_STR(err.field, "applicant.address");
	CHECK_STR(err.code, "missing_field");
	hoso_err_clear(&err);
	CHECK_INT(trk_field_string(obj, "", "phone", true, 100, buf, sizeof(buf), &err), HOSO_OK);
	CHECK_STR(buf, "0912 345 678"); /* trimmed */
	int64_t v = 0;
	hoso_err_clear(&err);
	CHECK_INT(trk_field_int(obj, "", "big", true, 0, 999, 0, &v, &err), HOSO_INVALID);
	CHECK_STR(err.field, "big");
	hoso_err_clear(&err);
	CHECK_INT(trk_field_int(obj, "fees", "missing", false, 0, 999, 7, &v, &err), HOSO_OK);
	CHECK_INT(v, 7);
	json_decref(obj);
}

int main(void)
{
	test_path();
	test_errors();
	return check_done();
}
