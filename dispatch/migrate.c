/* migrate.c — `hoso migrate-db`: moves a province from its SQLite file to PostgreSQL.
 *
 * The source is opened as hoso opens a database and read at one moment (db_copy); the
 * target must be new and empty and is written in one transaction, so a failed move leaves
 * it empty. Every custody chain is then verified on the target with the function `hoso
 * verify` uses, and the row counts of both sides are compared. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trk_chain.h"

static const char migrate_usage[] =
	"Usage: hoso migrate-db --from sqlite:PATH --to postgres://USER@HOST/DB\n"
	"\n"
	"Copies every row of the SQLite database PATH into the PostgreSQL database named by the\n"
	"libpq URI (postgres://user:password@host:port/dbname?sslmode=..., or with\n"
	"?host=/socket/dir). The target must be a new, empty database: its schema is created\n"
	"here, and the copy is one transaction, so a failure leaves it empty. The source is\n"
	"read at one moment, even while a daemon writes to it; stop the daemon first if nothing\n"
	"written after that moment may be left behind. Ids, hashes and the serial key are kept:\n"
	"every custody chain carries on, and tracking numbers never repeat. At the end every\n"
	"chain is verified on the target (as `hoso verify`) and the row counts are compared.\n"
	"Then start the daemons with --db set to the URI.\n"
	"\n"
	"Options:\n"
	"  --from sqlite:PATH   the SQLite file (a plain PATH is accepted too)\n"
	"  --to URI             the PostgreSQL database\n"
	"  -q, --quiet          no progress on stderr\n"
	"  -h, --help           this text\n"
	"Exit status: 0 moved and verified, 1 refused or failed, 2 bad usage.\n";

static void progress(const char *table, int64_t rows, void *ctx)
{
	if (!*(const bool *)ctx)
		fprintf(stderr, "migrate-db: %s: %lld rows\n", table, (long long)rows);
}

int cmd_migrate_db(int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL;
	bool quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'q': quiet = true; break;
		case 'h': fputs(migrate_usage, stdout); return 0;
		default: fputs(migrate_usage, stderr); return 2;
		}
	}
	if (!from || !to || optind < argc) {
		fputs(migrate_usage, stderr);
		return 2;
	}
	if (!strncmp(from, "sqlite:", 7))
		from += 7;
	if (db_is_server(from) || !db_is_server(to)) {
		cli_fail("--from must be a SQLite file (sqlite:PATH) and --to a postgres:// URI");
		return 2;
	}
	char shown[1024];
	db_redact(to, shown, sizeof(shown));
	FILE *f = fopen(from, "rb");
	if (!f) {
		cli_fail("%s cannot be read: the source must be an existing hoso database", from);
		return 1;
	}
	fclose(f);

	int rc = 1;
	hoso_err err;
	hoso_err_clear(&err);
	db *src = NULL, *dst = NULL;
	if (db_open(from, &src, &err) != HOSO_OK) {
		cli_fail("%s: %s", from, err.message);
		goto close_dbs;
	}
	if (db_open(to, &dst, &err) != HOSO_OK) {
		cli_fail("%s: %s", shown, err.message);
		goto close_dbs;
	}
	if (db_copy(src, dst, progress, &quiet, &err) != HOSO_OK) {
		cli_fail("nothing was moved: %s", err.message);
		goto close_dbs;
	}
	db_count_report counts[32];
	size_t n = 0;
	if (db_copy_compare(src, dst, counts, 32, &n, &err) != HOSO_OK) {
		cli_fail("the copy is done but its row counts could not be compared: %s",
		         err.message);
		goto close_dbs;
	}
	bool same = true;
	for (size_t i = 0; i < n; i++) {
		if (counts[i].source != counts[i].target) {
			same = false;
			cli_fail("%s: %lld rows in the source, %lld in the target", counts[i].table,
			         (long long)counts[i].source, (long long)counts[i].target);
		}
	}
	trk_verify_report rep = {0};
	if (trk_chain_verify(dst, &rep, cli_print_break, NULL, &err) != HOSO_OK) {
		cli_fail("the copy is done but could not be verified: %s", err.message);
		goto close_dbs;
	}
	printf("moved %s to %s: %zu tables, %zu items, %zu events; %zu broken chains\n", from,
	       shown, n, rep.items, rep.events, rep.broken);
	rc = same && rep.broken == 0 ? 0 : 1;
close_dbs:
	db_close(dst);
	db_close(src);
	return rc;
}
