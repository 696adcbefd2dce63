/* Operator commands: init, import, user add, label, track, verify, backup. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "pdf.h"
#include "trk_chain.h"
#include "trk_import.h"
#include <unistd.h>

void cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("hoso: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

bool cli_env_open(cli_env *env, bool with_labels)
{
	hoso_err err;
	hoso_err_clear(&err);
	char who[96];
	const char *name = getenv("USER");
	snprintf(who, sizeof(who), "cli uid %u (%.60s)", (unsigned)getuid(), name ? name : "?");
	trk_set_operator(who); /* audit rows of operator commands name who ran them */
	if (!env->conf.db_path[0]) {
		cli_fail("no database: give --db PATH");
		return false;
	}
	if (db_open(env->conf.db_path, &env->db, &err) != HOSO_OK) {
		char shown[1024];
		db_redact(env->conf.db_path, shown, sizeof(shown));
		cli_fail("%s: %s", shown, err.message);
		return false;
	}
	env->cal = trk_calendar_create();
	if (!env->cal) {
		cli_fail("out of memory");
		return false;
	}
	if (env->conf.holidays[0] &&
	    trk_calendar_load(env->cal, env->conf.holidays, &err) != HOSO_OK) {
		cli_fail("holidays: %s", err.message);
		return false;
	}
	if (trk_create(env->db, env->cal, &env->conf.trk, &env->trk, &err) != HOSO_OK) {
		cli_fail("%s", err.message);
		return false;
	}
	if (with_labels && lbl_ctx_create(env->conf.font_dir, &env->labels, &err) != HOSO_OK) {
		cli_fail("labels: %s", err.message);
		return false;
	}
	return true;
}

void cli_env_close(cli_env *env)
{
	lbl_ctx_destroy(env->labels);
	trk_destroy(env->trk);
	trk_calendar_destroy(env->cal);
	db_close(env->db);
	memset(env, 0, sizeof(*env));
}

enum { OPT_DB = 1000, OPT_CONFIG, OPT_HELP, OPT_DEMO, OPT_ROLE, OPT_AGENCY, OPT_OFFICE,
       OPT_NAME, OPT_SIZE, OPT_OUT, OPT_NOTE };

/* Parses the options common to the operator commands plus a command's own; returns -1 to
 * go on, or an exit status. */
static int parse_common(int argc, char **argv, const char *usage, cfg *c,
                        const struct option *extra, void (*on_extra)(int, void *), void *ctx)
{
	struct option opts[16] = {
		{"db", required_argument, NULL, OPT_DB},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"help", no_argument, NULL, OPT_HELP},
	};
	size_t n = 3;
	for (size_t i = 0; extra && extra[i].name && n < 15; i++)
		opts[n++] = extra[i];
	memset(&opts[n], 0, sizeof(opts[n]));
	const char *db_flag = NULL;
	hoso_err err;
	hoso_err_clear(&err);
	optind = 1;
	int o;
	while ((o = getopt_long(argc, argv, extra && on_extra ? "o:" : "", opts, NULL)) != -1) {
		switch (o) {
		case OPT_DB: db_flag = optarg; break;
		case OPT_CONFIG:
			if (cfg_load(c, optarg, &err) != HOSO_OK) {
				cli_fail("%s", err.message);
				return 1;
			}
			break;
		case OPT_HELP: fputs(usage, stdout); return 0;
		case '?': fputs(usage, stderr); return 2;
		default:
			if (on_extra)
				on_extra(o == 'o' ? OPT_OUT : o, ctx);
			break;
		}
	}
	if (db_flag && cfg_set(c, "server", "db", db_flag, &err) != HOSO_OK) {
		cli_fail("--db: %s", err.message);
		return 2;
	}
	if (!c->db_path[0]) {
		cli_fail("no database: give --db PATH");
		fputs(usage, stderr);
		return 2;
	}
	return -1;
}

static const char init_usage[] =
	"Usage: hoso init --db PATH [--config FILE] [--demo]\n"
	"\n"
	"Creates the SQLite database if missing and applies every pending migration.\n"
	"  --demo   also add the demo catalogue (Gia Lai) and demo users where missing\n";

static void init_extra(int o, void *ctx)
{
	if (o == OPT_DEMO)
		*(bool *)ctx = true;
}

int cmd_init(int argc, char **argv)
{
	static const struct option extra[] = {{"demo", no_argument, NULL, OPT_DEMO}, {0}};
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	bool demo = false;
	int rc = parse_common(argc, argv, init_usage, &env.conf, extra, init_extra, &demo);
	if (rc >= 0)
		return rc;
	if (optind < argc) {
		cli_fail("unexpected argument \"%s\"", argv[optind]);
		return 2;
	}
	rc = 1;
	if (!cli_env_open(&env, false))
		goto out_env;
	if (demo && !cli_demo_seed(&env, true))
		goto out_env;
	char shown[1024];
	db_redact(env.conf.db_path, shown, sizeof(shown));
	printf("%s is at schema version %d\n", shown, db_schema_version(env.db));
	rc = 0;
out_env:
	cli_env_close(&env);
	return rc;
}

static const char import_usage[] =
	"Usage: hoso import --db PATH offices|agencies|procedures FILE.csv\n"
	"\n"
	"Imports UTF-8 CSV with a header row. Rows are matched by code: new codes are added,\n"
	"known ones updated. A bad row stops the import with FILE:LINE: column \"NAME\": reason,\n"
	"and nothing of that file is written.\n"
	"  offices     code,name,address,district,province,phone\n"
	"  agencies    code,name,desk_name,address,district,province,phone\n"
	"  procedures  code,name,agency_code,fee_vnd,days,components\n"
	"              components: entries separated by ';', each [?]name[@original|@copy]\n"
	"              ('?' marks an optional paper)\n";

int cmd_import(int argc, char **argv)
{
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	int rc = parse_common(argc, argv, import_usage, &env.conf, NULL, NULL, NULL);
	if (rc >= 0)
		return rc;
	if (argc - optind != 2) {
		cli_fail("import needs a kind and a file");
		fputs(import_usage, stderr);
		return 2;
	}
	const char *kind = argv[optind], *file = argv[optind + 1];
	if (strcmp(kind, "offices") && strcmp(kind, "agencies") && strcmp(kind, "procedures")) {
		cli_fail("unknown kind \"%s\": offices, agencies or procedures", kind);
		return 2;
	}
	rc = 1;
	if (!cli_env_open(&env, false))
		goto out_env;
	hoso_err err;
	hoso_err_clear(&err);
	size_t rows = 0;
	if (trk_import_csv(env.db, kind, file, &rows, &err) != HOSO_OK) {
		cli_fail("%s", err.message);
		goto out_env;
	}
	printf("imported %zu %s from %s\n", rows, kind, file);
	rc = 0;
out_env:
	cli_env_close(&env);
	return rc;
}

static const char user_usage[] =
	"Usage: hoso user add --db PATH --role clerk|courier|agency|supervisor|admin\n"
	"                     [--agency CODE] [--office CODE] [--name \"FULL NAME\"] USERNAME\n"
	"\n"
	"Creates a user. The password (10 to 256 bytes) is read from the first line of\n"
	"standard input. An agency officer must be bound to one agency with --agency.\n";

struct user_opts {
	const char *role, *agency, *office, *name;
};

static void user_extra(int o, void *ctx)
{
	struct user_opts *u = ctx;
	if (o == OPT_ROLE)
		u->role = optarg;
	else if (o == OPT_AGENCY)
		u->agency = optarg;
	else if (o == OPT_OFFICE)
		u->office = optarg;
	else if (o == OPT_NAME)
		u->name = optarg;
}

int cmd_user(int argc, char **argv)
{
	static const struct option extra[] = {
		{"role", required_argument, NULL, OPT_ROLE},
		{"agency", required_argument, NULL, OPT_AGENCY},
		{"office", required_argument, NULL, OPT_OFFICE},
		{"name", required_argument, NULL, OPT_NAME},
		{0},
	};
	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "--help"))) {
		fputs(user_usage, argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help")) {
		fputs(user_usage, stdout);
		return 0;
	}
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	struct user_opts u = {0};
	int rc = parse_common(argc - 1, argv + 1, user_usage, &env.conf, extra, user_extra, &u);
	if (rc >= 0)
		return rc;
	if (!u.role || argc - 1 - optind != 1) {
		cli_fail("user add needs --role and one USERNAME");
		fputs(user_usage, stderr);
		return 2;
	}
	const char *username = argv[1 + optind];
	char password[512];
	if (!fgets(password, sizeof(password), stdin)) {
		cli_fail("no password on standard input");
		return 2;
	}
	password[strcspn(password, "\r\n")] = '\0';
	rc = 1;
	if (!cli_env_open(&env, false))
		goto out_env;
	hoso_err err;
	hoso_err_clear(&err);
	if (trk_user_add(env.trk, username, password, u.role, u.agency, u.office, u.name, &err) !=
	    HOSO_OK) {
		cli_fail("%s", err.message);
		goto out_env;
	}
	printf("user %s added (%s)\n", username, u.role);
	rc = 0;
out_env:
	memset(password, 0, sizeof(password));
	cli_env_close(&env);
	return rc;
}

static const char label_usage[] =
	"Usage: hoso label --db PATH [--size a6|100x150|a4] -o FILE.pdf TRACKING_NUMBER...\n"
	"       hoso label --db PATH --note DOSSIER_ID -o FILE.pdf\n"
	"\n"
	"Writes the labels of the given items into one PDF (A4 puts four labels on a sheet),\n"
	"or the consignment note (Phiếu gửi hồ sơ) of a dossier.\n";

struct label_opts {
	const char *size, *out, *note;
};

static void label_extra(int o, void *ctx)
{
	struct label_opts *l = ctx;
	if (o == OPT_SIZE)
		l->size = optarg;
	else if (o == OPT_OUT)
		l->out = optarg;
	else if (o == OPT_NOTE)
		l->note = optarg;
}

int cmd_label(int argc, char **argv)
{
	static const struct option extra[] = {
		{"size", required_argument, NULL, OPT_SIZE},
		{"output", required_argument, NULL, OPT_OUT},
		{"note", required_argument, NULL, OPT_NOTE},
		{0},
	};
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	struct label_opts l = {0};
	int rc = parse_common(argc, argv, label_usage, &env.conf, extra, label_extra, &l);
	if (rc >= 0)
		return rc;
	lbl_size size = LBL_A6;
	if (l.size && !lbl_size_parse(l.size, &size)) {
		cli_fail("--size must be a6, 100x150 or a4");
		return 2;
	}
	char *end = NULL;
	long long note_id = l.note ? strtoll(l.note, &end, 10) : 0;
	if (!l.out || (l.note && (*end || note_id < 1)) || (!l.note && optind >= argc) ||
	    (l.note && optind < argc)) {
		cli_fail("give -o FILE and either tracking numbers or --note DOSSIER_ID");
		fputs(label_usage, stderr);
		return 2;
	}
	rc = 1;
	if (!cli_env_open(&env, true))
		goto out_env;
	hoso_err err;
	hoso_err_clear(&err);
	lbl_buf pdf = {0};
	hoso_status st;
	if (l.note)
		st = http_pdf_note(env.trk, env.labels, NULL, note_id, &pdf, &err);
	else
		st = http_pdf_labels(env.trk, env.labels, NULL, (const char *const *)(argv + optind),
		                     (size_t)(argc - optind), size, &pdf, &err);
	if (st != HOSO_OK) {
		cli_fail("%s", err.message);
		goto out_env;
	}
	FILE *f = fopen(l.out, "wb");
	if (!f || fwrite(pdf.data, 1, pdf.len, f) != pdf.len || fclose(f) != 0) {
		cli_fail("cannot write %s", l.out);
		lbl_buf_free(&pdf);
		goto out_env;
	}
	printf("wrote %s (%zu bytes)\n", l.out, pdf.len);
	lbl_buf_free(&pdf);
	rc = 0;
out_env:
	cli_env_close(&env);
	return rc;
}

static const char track_usage[] =
	"Usage: hoso track --db PATH TRACKING_NUMBER\n"
	"\n"
	"Prints the item and its timeline (every event with its custody-chain hash) as JSON.\n";

int cmd_track(int argc, char **argv)
{
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	int rc = parse_common(argc, argv, track_usage, &env.conf, NULL, NULL, NULL);
	if (rc >= 0)
		return rc;
	if (argc - optind != 1) {
		fputs(track_usage, stderr);
		return 2;
	}
	rc = 1;
	if (!cli_env_open(&env, false))
		goto out_env;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *item = NULL, *events = NULL;
	if (trk_item_get(env.trk, NULL, argv[optind], &item, &err) != HOSO_OK ||
	    trk_item_events(env.trk, NULL, argv[optind], &events, &err) != HOSO_OK) {
		json_decref(item);
		cli_fail("%s", err.message);
		goto out_env;
	}
	json_object_set(item, "events", json_object_get(events, "events"));
	json_dumpf(item, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(item);
	json_decref(events);
	rc = 0;
out_env:
	cli_env_close(&env);
	return rc;
}

static const char verify_usage[] =
	"Usage: hoso verify --db PATH\n"
	"\n"
	"Recomputes the custody chain of every item (SHA-256 of the previous hash and each\n"
	"event) and names each broken item. Exit status 0 only when every chain holds.\n";

void cli_print_break(const char *tn, int64_t seq, const char *why, void *ctx)
{
	(void)ctx;
	printf("BROKEN %s at event %lld: %s\n", tn, (long long)seq, why);
}

int cmd_verify(int argc, char **argv)
{
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	int rc = parse_common(argc, argv, verify_usage, &env.conf, NULL, NULL, NULL);
	if (rc >= 0)
		return rc;
	if (optind < argc) {
		fputs(verify_usage, stderr);
		return 2;
	}
	rc = 1;
	if (!cli_env_open(&env, false))
		goto out_env;
	hoso_err err;
	hoso_err_clear(&err);
	trk_verify_report rep = {0};
	if (trk_chain_verify(env.db, &rep, cli_print_break, NULL, &err) != HOSO_OK) {
		cli_fail("%s", err.message);
		goto out_env;
	}
	printf("%zu items, %zu events checked: %zu broken\n", rep.items, rep.events, rep.broken);
	rc = rep.broken ? 1 : 0;
out_env:
	cli_env_close(&env);
	return rc;
}

static const char backup_usage[] =
	"Usage: hoso backup --db PATH FILE\n"
	"\n"
	"Writes a consistent copy of the database to FILE (SQLite online backup), safe while\n"
	"the daemon is serving. FILE must not exist. A PostgreSQL database is refused: back it\n"
	"up with PostgreSQL's tools (pg_basebackup, pg_dump; see docs/DEPLOY.md).\n";

int cmd_backup(int argc, char **argv)
{
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	int rc = parse_common(argc, argv, backup_usage, &env.conf, NULL, NULL, NULL);
	if (rc >= 0)
		return rc;
	if (argc - optind != 1) {
		fputs(backup_usage, stderr);
		return 2;
	}
	const char *dest = argv[optind];
	FILE *exists = fopen(dest, "rb");
	if (exists) {
		fclose(exists);
		cli_fail("%s exists already; choose a new file", dest);
		return 1;
	}
	char shown[1024];
	db_redact(env.conf.db_path, shown, sizeof(shown));
	if (db_is_server(env.conf.db_path)) {
		cli_fail("%s is a PostgreSQL database: back it up with PostgreSQL's own tools "
		         "(pg_basebackup for the cluster, pg_dump for one database); see "
		         "docs/DEPLOY.md", shown);
		return 1;
	}
	if (access(env.conf.db_path, R_OK) != 0) {
		cli_fail("%s cannot be read", shown);
		return 1;
	}
	rc = 1;
	hoso_err err;
	hoso_err_clear(&err);
	if (db_open(env.conf.db_path, &env.db, &err) != HOSO_OK) {
		cli_fail("%s: %s", shown, err.message);
		goto out_env;
	}
	if (db_backup(env.db, dest, &err) != HOSO_OK) {
		cli_fail("%s", err.message);
		goto out_env;
	}
	printf("backed up %s to %s\n", shown, dest);
	rc = 0;
out_env:
	cli_env_close(&env);
	return rc;
}
