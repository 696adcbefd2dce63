/* The demo catalogue (data/demo/) and demo users, added only where missing. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "trk_import.h"

/* Demo logins: printed at start-up, never to be used on a real deployment. */
static const struct {
	const char *username, *password, *role, *agency, *office, *name;
} demo_users[] = {
	{"clerk", "demo-clerk-2026", "clerk", NULL, "600000", "Nguyễn Thị Hồng"},
	{"courier", "demo-courier-2026", "courier", NULL, "600000", "Trần Văn Dũng"},
	{"officer", "demo-officer-2026", "agency", "000.00.12.H21", NULL, "Lê Thị Thu Hà"},
	{"supervisor", "demo-supervisor-2026", "supervisor", NULL, "600000", "Phạm Quốc Việt"},
	{"admin", "demo-admin-2026", "admin", NULL, NULL, "Quản trị hệ thống"},
};

bool cli_demo_seed(cli_env *env, bool print_logins)
{
	static const char *const kinds[] = {"offices", "agencies", "procedures"};
	hoso_err err;
	for (size_t i = 0; i < 3; i++) {
		char path[1200];
		size_t rows = 0;
		hoso_err_clear(&err);
		snprintf(path, sizeof(path), "%s/demo/%s.csv", env->conf.data_dir, kinds[i]);
		if (trk_import_csv_ex(env->db, kinds[i], path, TRK_IMPORT_KEEP_EXISTING, &rows,
		                      &err) != HOSO_OK) {
			cli_fail("demo catalogue: %s", err.message);
			return false;
		}
		if (rows)
			log_info("demo: added %zu %s", rows, kinds[i]);
	}
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
		if (trk_user_exists(env->trk, demo_users[i].username))
			continue;
		hoso_err_clear(&err);
		if (trk_user_add(env->trk, demo_users[i].username, demo_users[i].password,
		                 demo_users[i].role, demo_users[i].agency, demo_users[i].office,
		                 demo_users[i].name, &err) != HOSO_OK) {
			cli_fail("demo user %s: %s", demo_users[i].username, err.message);
			return false;
		}
	}
	if (print_logins) {
		printf("hoso: demo logins (username / password, role):\n");
		for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
			printf("  %-11s %-22s %s%s%s\n", demo_users[i].username, demo_users[i].password,
			       demo_users[i].role, demo_users[i].agency ? " of " : "",
			       demo_users[i].agency ? demo_users[i].agency : "");
		fflush(stdout);
	}
	return true;
}
