/* hoso — carries administrative-procedure dossiers by public post. Command dispatcher. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hoso_config.h"

static const char usage[] =
	"Usage: hoso COMMAND [OPTIONS]\n"
	"\n"
	"hoso carries administrative-procedure dossiers (hồ sơ thủ tục hành chính) between\n"
	"applicants, post offices and government agencies, and tracks every handoff.\n"
	"\n"
	"Commands:\n"
	"  serve     run the daemon (HTTP API and pages)\n"
	"  init      create or migrate a database (optionally with the demo catalogue)\n"
	"  import    import post offices, agencies or procedures from a CSV file\n"
	"  user add  create a user (password read from standard input)\n"
	"  label     print item labels or a consignment note to a PDF file\n"
	"  track     show an item and its timeline as JSON\n"
	"  verify    recompute every custody chain; exit 0 only when all hold\n"
	"  backup    write a consistent copy of a live database\n"
	"  restore   put a verified backup in place of a stopped database\n"
	"  migrate-db  move a SQLite database into PostgreSQL, every chain verified\n"
	"  agency webhook set  set an agency's webhook URL (secret read from standard input)\n"
	"  outbox    list notifications, or send failed ones again (outbox retry)\n"
	"\n"
	"Every command takes --db PATH (or a `db =` line in --config FILE) and --help. PATH is a\n"
	"SQLite file, or a PostgreSQL database as a libpq URI (postgres://user@host/dbname).\n"
	"Exit status: 0 success, 1 the work failed, 2 bad usage.\n";

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} commands[] = {
		{"serve", cmd_serve},   {"init", cmd_init},     {"import", cmd_import},
		{"user", cmd_user},     {"label", cmd_label},   {"track", cmd_track},
		{"verify", cmd_verify}, {"backup", cmd_backup}, {"agency", cmd_agency},
		{"outbox", cmd_outbox}, {"routes", cmd_routes}, {"restore", cmd_restore}, /* routes: not listed, see README */
		{"migrate-db", cmd_migrate_db},
	};
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hoso %s\n", HOSO_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hoso: unknown command \"%s\"\n\n%s", argv[1], usage);
	return 2;
}
