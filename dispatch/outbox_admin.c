/* The operator's outbox: `hoso agency webhook set`, `hoso outbox list|retry`, and the
 * handlers of GET /api/v1/outbox and POST /api/v1/outbox/{id}/retry. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "handlers.h"
#include "trk_outbox.h"

static const char agency_usage[] =
	"Usage: hoso agency webhook set --db PATH [--config FILE] AGENCY_CODE URL\n"
	"\n"
	"Sets the webhook of an agency: every notification for that agency (result collected,\n"
	"delivered, returned) is POSTed to URL as JSON, signed with the secret read from the\n"
	"first line of standard input (16 to 255 bytes): header X-Hoso-Signature:\n"
	"sha256=<hex HMAC-SHA256 of the body>. See docs/API.md, \"Webhooks\".\n"
	"  URL   http:// or https://, at most 1000 bytes\n";

static const char outbox_usage[] =
	"Usage: hoso outbox list  --db PATH [--config FILE] [--state pending|sent|failed]\n"
	"                         [--limit N]\n"
	"       hoso outbox retry --db PATH [--config FILE] [ID...]\n"
	"\n"
	"list   prints outbox rows as JSON, newest first (default: the failed ones)\n"
	"retry  sends failed notifications again: the rows given, or every failed row; a\n"
	"       running daemon picks them up within its poll interval\n";

enum { O_DB = 2000, O_CONFIG, O_HELP, O_STATE, O_LIMIT };

struct opts {
	const char *state;
	long limit;
};

/* Parses --db, --config, --help (and --state, --limit); -1 to go on, or an exit status. */
static int parse(int argc, char **argv, const char *usage, cfg *c, struct opts *o)
{
	static const struct option longs[] = {
		{"db", required_argument, NULL, O_DB},
		{"config", required_argument, NULL, O_CONFIG},
		{"help", no_argument, NULL, O_HELP},
		{"state", required_argument, NULL, O_STATE},
		{"limit", required_argument, NULL, O_LIMIT},
		{NULL, 0, NULL, 0},
	};
	const char *db_flag = NULL;
	hoso_err err;
	hoso_err_clear(&err);
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case O_DB: db_flag = optarg; break;
		case O_CONFIG:
			if (cfg_load(c, optarg, &err) != HOSO_OK) {
				cli_fail("%s", err.message);
				return 1;
			}
			break;
		case O_HELP: fputs(usage, stdout); return 0;
		case O_STATE: o->state = optarg; break;
		case O_LIMIT: {
			char *end = NULL;
			o->limit = strtol(optarg, &end, 10);
			if (*end || o->limit < 1 || o->limit > 500) {
				cli_fail("--limit must be 1 to 500");
				return 2;
			}
			break;
		}
		default: fputs(usage, stderr); return 2;
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

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

int cmd_agency(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(agency_usage, stdout);
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "webhook") || strcmp(argv[2], "set")) {
		cli_fail("unknown agency command: the only one is `hoso agency webhook set`");
		fputs(agency_usage, stderr);
		return 2;
	}
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	struct opts o = {0};
	int rc = parse(argc - 2, argv + 2, agency_usage, &env.conf, &o);
	if (rc >= 0)
		return rc;
	if (argc - 2 - optind != 2) {
		cli_fail("agency webhook set needs AGENCY_CODE and URL");
		fputs(agency_usage, stderr);
		return 2;
	}
	const char *code = argv[2 + optind], *url = argv[3 + optind];
	char secret[512];
	if (!fgets(secret, sizeof(secret), stdin)) {
		cli_fail("no secret on standard input");
		return 2;
	}
	secret[strcspn(secret, "\r\n")] = '\0';
	rc = 1;
	if (!cli_env_open(&env, false))
		goto out_env;
	hoso_err err;
	hoso_err_clear(&err);
	if (trk_agency_webhook_set(env.trk, code, url, secret, &err) != HOSO_OK) {
		cli_fail("%s", err.message);
		rc = err.status == HOSO_INVALID ? 2 : 1;
		goto out_env;
	}
	printf("webhook of agency %s set to %s\n", code, url);
	rc = 0;
out_env:
	memset(secret, 0, sizeof(secret));
	cli_env_close(&env);
	return rc;
}

/* Parses a row id; false when it is not a positive whole number. */
static bool parse_id(const char *s, int64_t *id)
{
	char *end = NULL;
	errno = 0;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v < 1)
		return false;
	*id = v;
	return true;
}

static int outbox_retry(cli_env *env, int argc, char **argv)
{
	hoso_err err;
	hoso_err_clear(&err);
	if (optind >= argc) {
		int64_t count = 0;
		if (trk_outbox_retry_failed(env->trk, &count, &err) != HOSO_OK) {
			cli_fail("%s", err.message);
			return 1;
		}
		printf("%lld failed notifications queued again\n", (long long)count);
		return 0;
	}
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		int64_t id = 0;
		parse_id(argv[i], &id);
		json_t *row = NULL;
		hoso_err_clear(&err);
		if (trk_outbox_retry(env->trk, id, &row, &err) != HOSO_OK) {
			cli_fail("%s", err.message);
			rc = 1;
			continue;
		}
		json_decref(row);
		printf("notification %lld queued again\n", (long long)id);
	}
	return rc;
}

int cmd_outbox(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(outbox_usage, stdout);
		return 0;
	}
	bool list = argc >= 2 && !strcmp(argv[1], "list");
	if (argc < 2 || (!list && strcmp(argv[1], "retry"))) {
		cli_fail("outbox needs list or retry");
		fputs(outbox_usage, stderr);
		return 2;
	}
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	struct opts o = {"failed", 50};
	int rc = parse(argc - 1, argv + 1, outbox_usage, &env.conf, &o);
	if (rc >= 0)
		return rc;
	for (int i = 1 + optind; !list && i < argc; i++) {
		int64_t id;
		if (!parse_id(argv[i], &id)) {
			cli_fail("\"%s\" is not an outbox row id (a positive whole number)", argv[i]);
			return 2;
		}
	}
	if (list && 1 + optind < argc) {
		cli_fail("unexpected argument \"%s\"", argv[1 + optind]);
		return 2;
	}
	rc = 1;
	if (!cli_env_open(&env, false))
		goto out_env;
	if (list) {
		hoso_err err;
		hoso_err_clear(&err);
		json_t *out = NULL;
		if (trk_outbox_list(env.trk, o.state, 0, (size_t)o.limit, &out, &err) != HOSO_OK) {
			cli_fail("%s", err.message);
			rc = err.status == HOSO_INVALID ? 2 : 1;
			goto out_env;
		}
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
		rc = 0;
	} else {
		optind += 1;
		rc = outbox_retry(&env, argc, argv);
	}
out_env:
	cli_env_close(&env);
	return rc;
}

/* ---- HTTP ---------------------------------------------------------------------------- */

void http_on_outbox_list(http_req *req)
{
	const char *state = http_req_query(req, "state");
	const char *limit_s = http_req_query(req, "limit");
	const char *before_s = http_req_query(req, "before");
	int64_t before = 0, limit = 50;
	if (limit_s && (!parse_id(limit_s, &limit) || limit > 500)) {
		http_reply_fail(req, HOSO_INVALID, "invalid_value", "limit",
		                "limit must be a whole number from 1 to 500");
		return;
	}
	if (before_s && !parse_id(before_s, &before)) {
		http_reply_fail(req, HOSO_INVALID, "invalid_value", "before",
		                "before must be the next cursor of the previous page");
		return;
	}
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_outbox_list(http_req_app(req)->trk, state ? state : "failed", before,
	                                 (size_t)limit, &out, &err);
	http_reply_result(req, st, &err, out, 200);
}

void http_on_outbox_retry(http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	hoso_status st = trk_outbox_retry(http_req_app(req)->trk, id, &out, &err);
	http_reply_result(req, st, &err, out, 200);
}
