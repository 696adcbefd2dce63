/* cli.h — the `hoso` commands. Each returns the process exit status: 0 success, 1 the work
 * failed, 2 bad usage. */
#ifndef HOSO_CLI_H
#define HOSO_CLI_H

#include "config.h"
#include "db.h"
#include "lbl.h"
#include "trk.h"
#include "trk_calendar.h"

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_track(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv); /* restore.c */
int cmd_agency(int argc, char **argv);  /* outbox_admin.c */
int cmd_outbox(int argc, char **argv);
int cmd_routes(int argc, char **argv);  /* security.c */
int cmd_migrate_db(int argc, char **argv); /* migrate.c */

/* What a command works with, opened from a configuration. */
typedef struct cli_env {
	cfg conf;
	db *db;
	trk_calendar *cal;
	trk *trk;
	lbl_ctx *labels;
} cli_env;

/* Opens the database, calendar and use cases (and the label fonts when with_labels).
 * Prints the reason on stderr and returns false on failure. */
bool cli_env_open(cli_env *env, bool with_labels);

/* Releases what cli_env_open opened; safe on a partly opened env. */
void cli_env_close(cli_env *env);

/* Adds the demo catalogue and demo users where missing; prints the demo logins. */
bool cli_demo_seed(cli_env *env, bool print_logins);

/* For trk_chain_verify: prints "BROKEN TN at event SEQ: why" on standard output. */
void cli_print_break(const char *tn, int64_t seq, const char *why, void *ctx);

/* Prints "hoso: " + message to stderr. */
void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
