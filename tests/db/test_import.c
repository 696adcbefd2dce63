/* test_import.c — the catalogue importer: good files of each kind, re-import, and every class
 * of bad input (exact FILE:LINE: column message, database left unchanged). On a SQLite file,
 * or on PostgreSQL with HOSO_TEST_DB=postgres (testdb.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db.h"
#include "testdb.h"
#include "trk_import.h"

static const char *fixtures;
static char db_path[1100];

static void fixture(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", fixtures, name);
}

/* Every catalogue row, as one string, read through a second connection. */
static char *snapshot(void)
{
	static const char *const lite =
		"SELECT (SELECT group_concat(code || '|' || name || '|' || address || '|' || district"
		" || '|' || province || '|' || phone, ';') FROM (SELECT * FROM offices ORDER BY code))"
		" || '#' || (SELECT group_concat(code || '|' || name || '|' || desk_name || '|' ||"
		" address || '|' || phone, ';') FROM (SELECT * FROM agencies ORDER BY code))"
		" || '#' || (SELECT group_concat(code || '|' || name || '|' || name_fold || '|' ||"
		" agency_code || '|' || fee_vnd || '|' || days || '|' || components, ';')"
		" FROM (SELECT * FROM procedures ORDER BY code))";
	/* the same on PostgreSQL, which has string_agg for group_concat */
	static const char *const pg =
		"SELECT (SELECT string_agg(code || '|' || name || '|' || address || '|' || district"
		" || '|' || province || '|' || phone, ';' ORDER BY code) FROM offices)"
		" || '#' || (SELECT string_agg(code || '|' || name || '|' || desk_name || '|' ||"
		" address || '|' || phone, ';' ORDER BY code) FROM agencies)"
		" || '#' || (SELECT string_agg(code || '|' || name || '|' || name_fold || '|' ||"
		" agency_code || '|' || fee_vnd || '|' || days || '|' || components, ';' ORDER BY code)"
		" FROM procedures)";
	return testdb_text(db_path, testdb_pg() ? pg : lite);
}

static void import_ok(db *h, const char *kind, const char *name, size_t rows)
{
	char path[512];
	fixture(path, sizeof(path), name);
	hoso_err err;
	size_t n = 99;
	hoso_status st = trk_import_csv(h, kind, path, &n, &err);
	if (st != HOSO_OK)
		fprintf(stderr, "import %s: %s\n", name, err.message);
	CHECK_INT(st, HOSO_OK);
	CHECK_INT(n, rows);
}

/* Imports data from a file "case.csv" and expects status, "PATH" + suffix and field. */
static void expect_bad(db *h, int line, const char *kind, const char *data, size_t len,
                       hoso_status status, const char *field, const char *suffix)
{
	char path[300], want[1024];
	snprintf(path, sizeof(path), "%s/case%d.csv", testdb_dir(), line);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		CHECK(!"cannot write the case file");
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	char *before = snapshot();
	hoso_err err;
	size_t n = 99;
	hoso_status st = trk_import_csv(h, kind, path, &n, &err);
	snprintf(want, sizeof(want), "%s%s", path, suffix);
	if (st != status || strcmp(err.message, want) != 0)
		fprintf(stderr, "case at line %d:\n  got  %s\n  want %s\n", line, err.message, want);
	CHECK_INT(st, status);
	CHECK_STR(err.message, want);
	CHECK_STR(err.field, field);
	CHECK_INT(n, 0);
	char *after = snapshot();
	CHECK(before && after && strcmp(before, after) == 0); /* nothing of the file was kept */
	free(before);
	free(after);
	remove(path);
}

#define BAD(kind, text, status, field, suffix) \
	expect_bad(h, __LINE__, kind, text, sizeof(text) - 1, status, field, suffix)

#define OFFICE_COLS "code,name,address,district,province,phone"

static void test_good(db *h)
{
	hoso_err err;
	import_ok(h, "agencies", "agencies.csv", 3);
	import_ok(h, "offices", "offices.csv", 3);
	import_ok(h, "procedures", "procedures.csv", 3);
	import_ok(h, "procedures", "header_only.csv", 0);

	db_office o;
	CHECK_INT(db_office_get(h, "100000", &o, &err), HOSO_OK);
	CHECK_STR(o.name, "Bưu cục \"Giao dịch\" Hà Nội");
	CHECK_STR(o.province, "Hà Nội"); /* NFD in the file, NFC here */
	CHECK_INT(db_office_get(h, "700000", &o, &err), HOSO_OK);
	CHECK_STR(o.address, "2 Công xã Paris, Bến Nghé");
	CHECK_STR(o.phone, "028 3822 1677");
	CHECK_INT(db_office_get(h, "820000", &o, &err), HOSO_OK);
	CHECK_STR(o.name, "Bưu điện tỉnh Bình Dương");
	CHECK_STR(o.address, "");

	db_agency a;
	CHECK_INT(db_agency_get(h, "000.00.00.H21", &a, &err), HOSO_OK);
	CHECK_STR(a.address, "Tầng 1, Tháp A, Trung tâm Hành chính tỉnh");
	CHECK_STR(a.desk_name, "Bộ phận Một cửa tỉnh Bình Dương");

	static db_procedure p;
	CHECK_INT(db_procedure_get(h, "1.001776", &p, &err), HOSO_OK);
	CHECK_STR(p.components, "[{\"name\":\"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp\","
	          "\"required\":true,\"form\":\"original\"},{\"name\":\"Bản chụp CCCD\","
	          "\"required\":true,\"form\":\"copy\"},{\"name\":\"Giấy ủy quyền\","
	          "\"required\":false,\"form\":\"any\"}]");
	CHECK_INT(p.fee_vnd, 200000);
	CHECK_INT(p.days, 10);
	CHECK_STR(p.agency_code, "000.00.00.G01");
	CHECK_INT(db_procedure_get(h, "2.002621.H56", &p, &err), HOSO_OK);
	CHECK_STR(p.components, "[]");
	CHECK_INT(p.fee_vnd, 0);
	CHECK_INT(p.days, 1);
	CHECK_STR(p.name_fold, "dang ky khai sinh | so tu phap khanh hoa");
	CHECK_INT(db_procedure_get(h, "1.000894", &p, &err), HOSO_OK);
	CHECK_STR(p.name, "Chứng thực bản sao từ bản chính");
	CHECK_STR(p.name_fold, "chung thuc ban sao tu ban chinh | so tu phap khanh hoa");
	CHECK_STR(p.components, "[{\"name\":\"Bản chính\",\"required\":false,\"form\":\"original\"},"
	          "{\"name\":\"Bản sao\",\"required\":true,\"form\":\"copy\"}]");

	/* re-import: 700000 renamed, its other columns kept; 600000 added */
	import_ok(h, "offices", "offices_update.csv", 2);
	int64_t count;
	CHECK_INT(db_catalogue_count(h, "offices", &count, &err), HOSO_OK);
	CHECK_INT(count, 4);
	CHECK_INT(db_office_get(h, "700000", &o, &err), HOSO_OK);
	CHECK_STR(o.name, "Bưu điện Sài Gòn");
	CHECK_STR(o.address, "2 Công xã Paris, Bến Nghé");
	CHECK_INT(db_office_get(h, "600000", &o, &err), HOSO_OK);
	CHECK_STR(o.name, "Bưu điện Cần Thơ");

	/* the buffer variant, with an explicit empty optional value clearing a column */
	static const char upd[] = "phone,code,name\r\n,700000,Bưu điện Sài Gòn\r\n";
	size_t n = 0;
	CHECK_INT(trk_import_csv_buffer(h, "offices", "upload.csv", upd, sizeof(upd) - 1, &n,
	                                &err), HOSO_OK);
	CHECK_INT(n, 1);
	CHECK_INT(db_office_get(h, "700000", &o, &err), HOSO_OK);
	CHECK_STR(o.phone, "");
	CHECK_STR(o.address, "2 Công xã Paris, Bến Nghé");
}

static void test_bad(db *h)
{
	char path[512];
	hoso_err err;
	size_t n;

	/* bad codes (and the good row before the bad one is not kept) */
	BAD("offices", "code,name\n555555,Tốt\n60000A,Xấu\n", HOSO_INVALID, "code",
	    ":3: column \"code\": \"60000A\" is not a post office code: write 5 or 6 digits, "
	    "e.g. 600000");
	BAD("agencies", "code,name\n000.00.00.h21,X\n", HOSO_INVALID, "code",
	    ":2: column \"code\": \"000.00.00.h21\" is not an agency code: write it like "
	    "000.00.00.H21");
	BAD("procedures", "code,name,agency_code,days\n1.00177,X,000.00.00.G01,1\n", HOSO_INVALID,
	    "code", ":2: column \"code\": \"1.00177\" is not a procedure code: write it like "
	    "1.001776 or 2.002621.H56");
	/* unknown agency */
	BAD("procedures", "code,days,agency_code,name\n1.000001,1,000.00.00.H99,X\n", HOSO_INVALID,
	    "agency_code", ":2: column \"agency_code\": agency 000.00.00.H99 is not in the "
	    "catalogue; import the agencies first");
	/* bad numbers */
	BAD("procedures", "code,name,agency_code,days\n1.000001,X,000.00.00.G01,ba\n",
	    HOSO_INVALID, "days", ":2: column \"days\": \"ba\" is not a whole number; write digits "
	    "only, without separators or units");
	BAD("procedures", "code,name,agency_code,days\n1.000001,X,000.00.00.G01,366\n",
	    HOSO_INVALID, "days", ":2: column \"days\": 366 is too large; the most is 365 working "
	    "days");
	BAD("procedures", "code,name,agency_code,days,fee_vnd\n1.000001,X,000.00.00.G01,1,1.000\n",
	    HOSO_INVALID, "fee_vnd", ":2: column \"fee_vnd\": \"1.000\" is not a whole number; "
	    "write digits only, without separators or units");
	/* negative fee */
	BAD("procedures", "code,name,agency_code,days,fee_vnd\n1.000001,X,000.00.00.G01,1,-5\n",
	    HOSO_INVALID, "fee_vnd", ":2: column \"fee_vnd\": -5 must not be negative");
	/* bad UTF-8 */
	fixture(path, sizeof(path), "bad_utf8.csv");
	char *before = snapshot();
	CHECK_INT(trk_import_csv(h, "offices", path, &n, &err), HOSO_INVALID);
	char want[700];
	snprintf(want, sizeof(want), "%s:3: column \"name\": is not valid UTF-8; save the file as "
	         "UTF-8", path);
	CHECK_STR(err.message, want);
	char *after = snapshot();
	CHECK(before && after && strcmp(before, after) == 0);
	free(before);
	free(after);
	/* control characters, including a line break inside quotes */
	BAD("offices", "code,name\n600001,C\x01n\n", HOSO_INVALID, "name",
	    ":2: column \"name\": contains a control character (a line break, tab or other "
	    "invisible character); remove it");
	BAD("offices", "code,address,name\n600001,\"a\nb\",X\n", HOSO_INVALID, "address",
	    ":2: column \"address\": contains a control character (a line break, tab or other "
	    "invisible character); remove it");
	/* missing and unknown columns */
	BAD("offices", "code,address\n600001,x\n", HOSO_INVALID, "name",
	    ":1: column \"name\": missing from the header (the columns of offices are "
	    OFFICE_COLS ")");
	BAD("offices", "code,name,fax\n600001,x,1\n", HOSO_INVALID, "fax",
	    ":1: column \"fax\": unknown column; the columns of offices are " OFFICE_COLS);
	BAD("offices", "code,name,Code\n", HOSO_INVALID, "code",
	    ":1: column \"code\": appears twice in the header");
	/* duplicate code */
	BAD("offices", "code,name\n600001,A\n600002,B\n\n600001,C\n", HOSO_INVALID, "code",
	    ":5: column \"code\": 600001 appears twice in this file (first on line 2)");
	/* unterminated quote (fixture) and other quoting errors */
	fixture(path, sizeof(path), "unterminated.csv");
	CHECK_INT(trk_import_csv(h, "offices", path, &n, &err), HOSO_INVALID);
	snprintf(want, sizeof(want), "%s:2: column \"address\": unterminated quoted value (the "
	         "quote opened on line 2 is never closed)", path);
	CHECK_STR(err.message, want);
	BAD("offices", "code,name\n600001,\"A\"B\n", HOSO_INVALID, "name",
	    ":2: column \"name\": text after the closing quote; inside a quoted value write a "
	    "quote twice (\"\")");
	BAD("offices", "code,name\n600001,Bưu \"A\"\n", HOSO_INVALID, "name",
	    ":2: column \"name\": a quote inside an unquoted value; put the whole value in quotes "
	    "and write the inner quote twice (\"\")");
	/* field counts, empty values */
	BAD("offices", "code,name\n600001\n", HOSO_INVALID, "name",
	    ":2: column \"name\": missing: the header has 2 columns but this record only 1");
	BAD("offices", "code,name\r\n600001,A,B\r\n", HOSO_INVALID, "",
	    ":2: column 3: extra field: the header has 2 columns but this record 3");
	BAD("offices", "code,name\n600001,  \n", HOSO_INVALID, "name", ":2: column \"name\": is empty");
	/* components */
	BAD("procedures", "code,name,agency_code,days,components\n"
	    "1.000001,X,000.00.00.G01,1,\"A@original;B@scan\"\n", HOSO_INVALID, "components",
	    ":2: column \"components\": entry 2: unknown form \"@scan\"; write @original or @copy");
	BAD("procedures", "code,name,agency_code,days,components\n"
	    "1.000001,X,000.00.00.G01,1,A;?@copy\n", HOSO_INVALID, "components",
	    ":2: column \"components\": entry 2 has no document name");
	/* no header, empty file */
	BAD("offices", "600001,Bưu điện\n", HOSO_INVALID, "",
	    ":1: the first line is not a header; it must name the columns, e.g. " OFFICE_COLS);
	BAD("offices", "", HOSO_INVALID, "",
	    ":1: the file is empty; the first line must be the header, e.g. " OFFICE_COLS);
	BAD("offices", "\xEF\xBB\xBF\r\n\r\n", HOSO_INVALID, "",
	    ":1: the file is empty; the first line must be the header, e.g. " OFFICE_COLS);
}

static void test_limits(db *h)
{
	/* a field longer than its column */
	char buf[400];
	int len = snprintf(buf, sizeof(buf), "code,name\n600001,%0300d\n", 0);
	expect_bad(h, __LINE__, "offices", buf, (size_t)len, HOSO_INVALID, "name",
	           ":2: column \"name\": is too long: 300 bytes, the limit is 255 bytes of UTF-8");
	/* a record over 64 KiB */
	size_t big = 70 * 1024;
	char *rec = malloc(big + 64);
	if (!rec)
		return;
	size_t at = (size_t)snprintf(rec, 64, "code,name\n600001,\"");
	memset(rec + at, 'x', big);
	memcpy(rec + at + big, "\"\n", 2);
	expect_bad(h, __LINE__, "offices", rec, at + big + 2, HOSO_TOO_LARGE, "name",
	           ":2: column \"name\": the record is longer than 64 KiB; is a quote left open?");
	free(rec);

	/* many rows (the duplicate table grows), then the same with a late duplicate */
	enum { MANY = 3000 };
	char *many = malloc(MANY * 32 + 64);
	if (!many)
		return;
	size_t used = (size_t)sprintf(many, "code,name\n");
	for (int i = 0; i < MANY; i++)
		used += (size_t)sprintf(many + used, "%d,Bưu cục %d\n", 300000 + i, i);
	hoso_err err;
	size_t n = 0;
	CHECK_INT(trk_import_csv_buffer(h, "offices", "many.csv", many, used, &n, &err), HOSO_OK);
	CHECK_INT(n, MANY);
	used += (size_t)sprintf(many + used, "%d,Trùng\n", 300000 + 17);
	expect_bad(h, __LINE__, "offices", many, used, HOSO_INVALID, "code",
	           ":3002: column \"code\": 300017 appears twice in this file (first on line 19)");
	free(many);

	CHECK_INT(trk_import_csv_buffer(h, "streets", "x.csv", "code\n", 5, &n, &err),
	          HOSO_INVALID);
	CHECK_STR(err.message, "unknown catalogue \"streets\": use offices, agencies or procedures");
	char path[300];
	snprintf(path, sizeof(path), "%s/missing.csv", testdb_dir());
	CHECK_INT(trk_import_csv(h, "offices", path, &n, &err), HOSO_NOT_FOUND);
	CHECK(strstr(err.message, "missing.csv: cannot open") != NULL);
	CHECK_INT(trk_import_csv_buffer(h, "offices", "big.csv", "", TRK_IMPORT_MAX_FILE + 1u, &n,
	                                &err), HOSO_TOO_LARGE);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
		return 2;
	}
	fixtures = argv[1];
	if (!testdb_init("import") || !testdb_new("import.db", db_path, sizeof(db_path)))
		return 1;
	db *h = NULL;
	hoso_err err;
	if (db_open(db_path, &h, &err) != HOSO_OK) {
		fprintf(stderr, "db_open: %s\n", err.message);
		return 1;
	}
	test_good(h);
	test_bad(h);
	test_limits(h);
	db_close(h);
	return check_done();
}
