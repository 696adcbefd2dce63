/* test_notify.c — dispatch/notify.c and sms.c: SMS texts fitted to one message (with long
 * agency names, with and without diacritics), gateway bodies, webhook and portal bodies,
 * signatures, the retry schedule and how answers are judged. No network. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "notify.h"

static json_t *payload(const char *tmpl, json_t *params)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:o}", "template", tmpl,
	                 "tracking_number", "DH107069371VN", "state", "RECEIVED", "dossier_id", 7,
	                 "agency_code", "000.00.12.H21", "portal_code", "", "params", params);
}

/* Renders and checks the common promises: fits, keeps the number and the needles. */
static void fits(const char *tmpl, json_t *params, const char *agency, const char *office,
                 bool diacritics, const char *needle1, const char *needle2, char *out)
{
	json_t *p = payload(tmpl, params);
	notify_places places = {agency, office};
	hoso_err err;
	hoso_err_clear(&err);
	CHECK_INT(notify_sms_text(p, &places, diacritics, out, 1024, &err), HOSO_OK);
	size_t len = notify_sms_length(out, diacritics);
	CHECK(len <= notify_sms_limit(diacritics));
	CHECK(len > 20);
	CHECK(strstr(out, "DH107069371VN") != NULL);
	if (needle1)
		CHECK(strstr(out, needle1) != NULL);
	if (needle1 && !strstr(out, needle1))
		fprintf(stderr, "  %s: \"%s\" lacks \"%s\"\n", tmpl, out, needle1);
	if (needle2)
		CHECK(strstr(out, needle2) != NULL);
	if (!diacritics)
		for (const char *c = out; *c; c++)
			CHECK((unsigned char)*c < 0x80);
	if (getenv("SHOW_SMS") || len > notify_sms_limit(diacritics) ||
	    !strstr(out, "DH107069371VN"))
		fprintf(stderr, "  %s: \"%s\" (%zu)\n", tmpl, out, len);
	json_decref(p);
}

static const char *const long_agency =
	"Trung tâm Phục vụ hành chính công tỉnh Gia Lai - Bộ phận tiếp nhận và trả kết quả "
	"của Ủy ban nhân dân thành phố Pleiku, tỉnh Gia Lai";

static void test_sms(void)
{
	char out[1024];
	for (int d = 0; d < 2; d++) {
		bool dia = d == 1;
		fits("agency_receipt", json_pack("{s:s, s:s}", "receipt_number",
		     "000.00.12.H21-261127-0001", "appointment_date", "08/12/2026"),
		     "Sở Tư pháp tỉnh Gia Lai", NULL, dia, "08/12/2026", NULL, out);
		fits("agency_receipt", json_pack("{s:s, s:s}", "receipt_number",
		     "000.00.12.H21-261127-0001", "appointment_date", "08/12/2026"),
		     long_agency, NULL, dia, "08/12/2026", NULL, out);
		fits("filed_at_agency", json_pack("{s:s, s:s}", "agency_code", "000.00.12.H21",
		     "filed_at", "2026-11-28T09:12:40+07:00"), long_agency, NULL, dia,
		     "09:12 28/11/2026", NULL, out);
		fits("attempt_failed", json_pack("{s:s, s:i}", "next_date", "02/12/2026", "attempt", 1),
		     NULL, NULL, dia, "02/12/2026", NULL, out);
		fits("attempt_failed_last", json_pack("{s:s, s:i}", "next_date", "04/12/2026",
		     "attempt", 2), NULL, NULL, dia, "04/12/2026", NULL, out);
		fits("held", json_pack("{s:s, s:s}", "office", "600000", "until", "12/12/2026"), NULL,
		     "Bưu cục Trung tâm Hành chính công thành phố Pleiku tỉnh Gia Lai", dia,
		     "12/12/2026", NULL, out);
		fits("result_ready", json_pack("{s:i}", "fee_due_vnd", 200000), long_agency, NULL, dia,
		     NULL, NULL, out);
		fits("delivered", json_object(), NULL, NULL, dia, NULL, NULL, out);
		fits("out_for_delivery", json_object(), NULL, NULL, dia, NULL, NULL, out);
		fits("accepted", json_pack("{s:s}", "due_date", "30/11/2026"), long_agency, NULL, dia,
		     "30/11/2026", NULL, out);
		fits("agency_reject", json_pack("{s:s}", "reason", "Thiếu bản sao giấy khai sinh có "
		     "chứng thực; đề nghị bổ sung và nộp lại trong thời hạn 10 ngày làm việc"),
		     long_agency, NULL, dia, NULL, NULL, out);
	}
	/* a short name fits whole, with diacritics kept or stripped */
	fits("agency_receipt", json_pack("{s:s, s:s}", "receipt_number", "BN-1",
	     "appointment_date", "08/12/2026"), "Sở Tư pháp tỉnh Gia Lai", NULL, false,
	     "So Tu phap tinh Gia Lai", "So bien nhan: BN-1", out);
	CHECK_STR(out, "So Tu phap tinh Gia Lai da tiep nhan ho so DH107069371VN. Hen tra ket qua "
	          "ngay 08/12/2026. So bien nhan: BN-1.");
	fits("held", json_pack("{s:s, s:s}", "office", "600000", "until", "12/12/2026"), NULL,
	     "Bưu cục Pleiku", true, "BC Pleiku", "12/12/2026", out);
	/* the long name is shortened, not the date */
	fits("agency_receipt", json_pack("{s:s, s:s}", "receipt_number", "X",
	     "appointment_date", "08/12/2026"), long_agency, NULL, false, "TTPVHCC", "08/12/2026",
	     out);
	/* unknown template */
	json_t *p = payload("portal_status", json_pack("{s:i}", "status", 2));
	hoso_err err;
	CHECK_INT(notify_sms_text(p, NULL, false, out, sizeof(out), &err), HOSO_NOT_FOUND);
	json_decref(p);
	CHECK_INT(notify_sms_length("a{b}", false), 6);
	CHECK_INT(notify_sms_length("Hồ sơ", true), 5);
}

static void test_bodies(void)
{
	char *b = notify_sms_body("{\"to\":\"{phone}\",\"msg\":\"{text}\",\"k\":\"{key}\"}",
	                          "0905123456", "Say \"hi\"\n\\ Hồ", "abc", "DH1");
	CHECK_STR(b, "{\"to\":\"0905123456\",\"msg\":\"Say \\\"hi\\\"\\n\\\\ Hồ\",\"k\":\"abc\"}");
	free(b);
	db_outbox_row row;
	memset(&row, 0, sizeof(row));
	row.id = 5;
	row.created_at = 1795000000000;
	snprintf(row.kind, sizeof(row.kind), "portal");
	snprintf(row.target, sizeof(row.target), "000.00.12.H21-261127-0042");
	snprintf(row.idem_key, sizeof(row.idem_key), "k1");
	json_t *p = payload("portal_status", json_pack("{s:i}", "status", 10));
	b = notify_portal_body(&row, p, 420);
	json_t *j = b ? json_loads(b, 0, NULL) : NULL;
	CHECK_INT(json_integer_value(json_object_get(j, "status")), 10);
	CHECK_STR(json_string_value(json_object_get(j, "dossier_code")), row.target);
	CHECK_STR(json_string_value(json_object_get(j, "id")), "k1");
	CHECK(strstr(json_string_value(json_object_get(j, "time")), "+07:00") != NULL);
	json_decref(j);
	free(b);
	json_decref(p);
	p = payload("portal_status", json_pack("{s:i}", "status", 11));
	CHECK(notify_portal_body(&row, p, 420) == NULL);
	json_decref(p);
	p = payload("delivered", json_object());
	b = notify_webhook_body(&row, p, 420);
	j = b ? json_loads(b, 0, NULL) : NULL;
	CHECK_STR(json_string_value(json_object_get(j, "event")), "delivered");
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "item"),
	                                            "tracking_number")), "DH107069371VN");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(j, "dossier"), "id")), 7);
	CHECK(json_is_null(json_object_get(json_object_get(j, "dossier"), "portal_code")));
	CHECK(strstr(b, "0905") == NULL);
	json_decref(j);
	free(b);
	json_decref(p);
}

static void test_signature_and_retry(void)
{
	/* RFC 4231 test case 2 */
	char sig[72];
	const char *body = "what do ya want for nothing?";
	notify_signature("Jefe", body, strlen(body), sig);
	CHECK_STR(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	notify_config c;
	notify_config_defaults(&c);
	CHECK_INT(c.retry_limit_hours, 24);
	int64_t d1 = notify_backoff(&c, 1, 0), d1max = notify_backoff(&c, 1, 0xffffffffu);
	CHECK_INT(d1, 15000);
	CHECK(d1max > 29000 && d1max <= 30000);
	CHECK(notify_backoff(&c, 3, 0) == 60000);
	CHECK(notify_backoff(&c, 40, 0xffffffffu) <= 3600000);
	CHECK(notify_backoff(&c, 40, 0) >= 1800000);
	CHECK_INT(notify_classify(200), DB_OUTBOX_SENT);
	CHECK_INT(notify_classify(204), DB_OUTBOX_SENT);
	CHECK_INT(notify_classify(400), DB_OUTBOX_FAILED);
	CHECK_INT(notify_classify(404), DB_OUTBOX_FAILED);
	CHECK_INT(notify_classify(408), DB_OUTBOX_RETRY);
	CHECK_INT(notify_classify(429), DB_OUTBOX_RETRY);
	CHECK_INT(notify_classify(500), DB_OUTBOX_RETRY);
	CHECK_INT(notify_classify(302), DB_OUTBOX_RETRY);
	CHECK_INT(notify_classify(0), DB_OUTBOX_RETRY);
	hoso_err err;
	CHECK_INT(notify_config_set(&c, "retry_base_ms", "50", &err), HOSO_OK);
	CHECK_INT(c.retry_base_ms, 50);
	CHECK_INT(notify_config_set(&c, "retry_base_ms", "-5", &err), HOSO_INVALID);
	CHECK_INT(notify_config_set(&c, "sms_url", "ftp://x", &err), HOSO_INVALID);
	CHECK_INT(notify_config_set(&c, "sms_body_template", "{\"a\":1}", &err), HOSO_INVALID);
	CHECK_INT(notify_config_set(&c, "sms_auth_header", "no colon", &err), HOSO_INVALID);
	CHECK_INT(notify_config_set(&c, "sms_diacritics", "true", &err), HOSO_OK);
	CHECK(c.sms_diacritics);
	CHECK_INT(notify_config_set(&c, "bogus", "1", &err), HOSO_INVALID);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_sms();
	test_bodies();
	test_signature_and_retry();
	return check_done();
}
