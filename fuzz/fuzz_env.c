/* fuzz_env.c — the scratch directory and demo database the fuzz targets share. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "hoso_config.h"
#include "log.h"
#include "trk_import.h"

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

void fuzz_quiet(void)
{
	if (!getenv("HOSO_FUZZ_VERBOSE"))
		log_set_level(LOG_ERROR);
}

static char tmpdir[256];

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[600];
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

const char *fuzz_tmpdir(void)
{
	if (tmpdir[0])
		return tmpdir;
	fuzz_quiet();
	struct stat st;
	const char *base = getenv("HOSO_FUZZ_TMP");
	if (!base)
		base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		       access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/hoso-fuzz-XXXXXX", base);
	if (!mkdtemp(tmpdir))
		fuzz_fail("cannot create a directory in %s", base);
	atexit(remove_tmpdir);
	return tmpdir;
}

db *fuzz_open_demo_db(const char *name)
{
	static const char *const kinds[] = {"offices", "agencies", "procedures"};
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", fuzz_tmpdir(), name);
	hoso_err err;
	db *h = NULL;
	if (db_open(path, &h, &err) != HOSO_OK)
		fuzz_fail("db_open %s: %s", path, err.message);
	for (size_t i = 0; i < 3; i++) {
		char csv[1200];
		snprintf(csv, sizeof(csv), "%s/demo/%s.csv", HOSO_SOURCE_DATA_DIR, kinds[i]);
		if (trk_import_csv(h, kinds[i], csv, NULL, &err) != HOSO_OK)
			fuzz_fail("import %s: %s", csv, err.message);
	}
	return h;
}

static void login(fuzz_app *a, const char *user, const char *role, const char *agency,
                  const char *office, trk_actor *out)
{
	static const char pw[] = "fuzz-password-2026";
	hoso_err err;
	char token[65];
	if (trk_user_add(a->trk, user, pw, role, agency, office, user, &err) != HOSO_OK ||
	    trk_login(a->trk, user, pw, token, out, &err) != HOSO_OK)
		fuzz_fail("demo user %s: %s", user, err.message);
}

fuzz_app *fuzz_app_get(void)
{
	static fuzz_app app;
	if (app.trk)
		return &app;
	hoso_err err;
	app.db = fuzz_open_demo_db("app.db");
	app.cal = trk_calendar_create();
	if (!app.cal)
		fuzz_fail("out of memory");
	char hol[1200];
	snprintf(hol, sizeof(hol), "%s/holidays.txt", HOSO_SOURCE_DATA_DIR);
	if (trk_calendar_load(app.cal, hol, &err) != HOSO_OK)
		fuzz_fail("holidays %s: %s", hol, err.message);
	trk_config cfg;
	trk_config_defaults(&cfg);
	if (trk_create(app.db, app.cal, &cfg, &app.trk, &err) != HOSO_OK)
		fuzz_fail("trk_create: %s", err.message);
	login(&app, "clerk", "clerk", NULL, "600000", &app.clerk);
	login(&app, "courier", "courier", NULL, "600000", &app.courier);
	login(&app, "officer", "agency", "000.00.12.H21", NULL, &app.officer);
	login(&app, "supervisor", "supervisor", NULL, "600000", &app.supervisor);
	return &app;
}
