/* `hoso serve`: configuration, start-up, signals and clean shutdown. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "log.h"
#include "outbox.h"
#include "privdrop.h"
#include "ratelimit.h"

static const char serve_usage[] =
	"Usage: hoso serve --db PATH [--listen HOST:PORT] [--config FILE] [--demo]\n"
	"                  [--base-url URL] [--threads N] [--log-level LEVEL] [--user NAME]\n"
	"                  [--check-config]\n"
	"\n"
	"Runs the daemon: the JSON API under /api/v1/, /healthz and /metrics, and the outbox\n"
	"worker that sends webhooks, SMS and portal updates ([notify] in the config file). The\n"
	"database is created (a SQLite file) and migrated on first start. Stops cleanly on\n"
	"SIGTERM or SIGINT. Several daemons may serve one PostgreSQL database at once.\n"
	"\n"
	"  --db PATH          SQLite database file, or a PostgreSQL database as a libpq\n"
	"                     URI: postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?...] (or\n"
	"                     `db =` in the config file); a password is shown as ***\n"
	"  --listen HOST:PORT address to listen on (default 127.0.0.1:8080; port 0 picks a\n"
	"                     free port, printed on standard output when ready)\n"
	"  --config FILE      INI file with [server], [tracking] and [notify] sections;\n"
	"                     flags win\n"
	"  --demo             add the demo catalogue (Gia Lai) and demo users where missing;\n"
	"                     never deletes or overwrites other data\n"
	"  --base-url URL     public base of the tracking URLs printed in QR codes\n"
	"                     (default http://HOST:PORT)\n"
	"  --threads N        worker threads (default 8)\n"
	"  --log-level LEVEL  error, warn, info (default) or debug\n"
	"  --user NAME        started as root: switch to this user (initgroups, setgid,\n"
	"                     setuid) once the port is bound, before serving; a database\n"
	"                     created by this start is given to that user\n"
	"  --check-config     check the configuration and files it names, then exit\n"
	"                     (0 when valid, 1 with the reason otherwise)\n";

enum { OPT_DB = 1000, OPT_LISTEN, OPT_CONFIG, OPT_DEMO, OPT_BASE, OPT_THREADS, OPT_LOG,
       OPT_CHECK, OPT_HELP, OPT_USER };

/* Loads the config file first, then flags over it, whatever their order on the line. */
static int parse(int argc, char **argv, cfg *c, bool *demo, bool *check)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"demo", no_argument, NULL, OPT_DEMO},
		{"base-url", required_argument, NULL, OPT_BASE},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"log-level", required_argument, NULL, OPT_LOG},
		{"check-config", no_argument, NULL, OPT_CHECK},
		{"user", required_argument, NULL, OPT_USER},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	hoso_err err;
	int o;
	for (int pass = 0; pass < 2; pass++) {
		optind = 1;
		opterr = pass == 0;
		while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
			hoso_err_clear(&err);
			hoso_status st = HOSO_OK;
			if (o == '?' || o == ':') {
				fputs(serve_usage, stderr);
				return 2;
			}
			if (o == OPT_HELP) {
				fputs(serve_usage, stdout);
				return 0;
			}
			if (pass == 0) {
				if (o == OPT_CONFIG && cfg_load(c, optarg, &err) != HOSO_OK) {
					cli_fail("%s", err.message);
					return 1;
				}
				continue;
			}
			switch (o) {
			case OPT_DB: st = cfg_set(c, "server", "db", optarg, &err); break;
			case OPT_LISTEN: st = cfg_set_listen(c, optarg, &err); break;
			case OPT_DEMO: *demo = true; break;
			case OPT_BASE: st = cfg_set(c, "server", "base_url", optarg, &err); break;
			case OPT_THREADS: st = cfg_set(c, "server", "threads", optarg, &err); break;
			case OPT_LOG: st = cfg_set(c, "server", "log_level", optarg, &err); break;
			case OPT_CHECK: *check = true; break;
			case OPT_USER: st = cfg_set(c, "server", "user", optarg, &err); break;
			default: break;
			}
			if (st != HOSO_OK) {
				cli_fail("--%s", err.message);
				return 2;
			}
		}
	}
	if (optind < argc) {
		cli_fail("unexpected argument \"%s\"", argv[optind]);
		fputs(serve_usage, stderr);
		return 2;
	}
	return -1;
}

int cmd_serve(int argc, char **argv)
{
	cli_env env;
	memset(&env, 0, sizeof(env));
	cfg_defaults(&env.conf);
	bool demo = false, check = false, base_set;
	int rc = parse(argc, argv, &env.conf, &demo, &check);
	if (rc >= 0)
		return rc;
	hoso_err err;
	hoso_err_clear(&err);
	if (cfg_check(&env.conf, &err) != HOSO_OK) {
		cli_fail("configuration: %s", err.message);
		return 1;
	}
	privdrop drop = {.uid = 0};
	if (env.conf.user[0] && privdrop_prepare(env.conf.user, &drop, &err) != HOSO_OK) {
		cli_fail("configuration: %s", err.message);
		return 1;
	}
	if (check) {
		char shown[1024];
		db_redact(env.conf.db_path, shown, sizeof(shown));
		printf("configuration is valid: db %s, listen %s:%u%s%s\n", shown,
		       env.conf.listen_host, (unsigned)env.conf.listen_port,
		       env.conf.user[0] ? ", user " : "", env.conf.user);
		return 0;
	}
	log_set_level((enum log_level)env.conf.log_level);
	base_set = strcmp(env.conf.trk.public_base_url, "http://127.0.0.1:8080") != 0;

	/* Block the stop signals before any thread starts, so only sigwait() sees them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (outbox_global_init(&err) != HOSO_OK) {
		cli_fail("%s", err.message);
		return 1;
	}
	outbox_worker *outbox = NULL;
	http_limiter *limiter = NULL, *login_limiter = NULL;
	rc = 1;
	bool db_was_new = access(env.conf.db_path, F_OK) != 0;
	if (!cli_env_open(&env, true))
		goto out_env;
	if (demo && !cli_demo_seed(&env, true))
		goto out_env;
	privdrop_chown_db(&drop, env.conf.db_path, db_was_new);
	trk_set_operator(""); /* from here on, audit rows name the API's users */
	http_app app = {
		.trk = env.trk,
		.labels = env.labels,
		.max_body = env.conf.max_body,
		.secure_cookies = env.conf.secure_cookies,
		.www_dir = env.conf.www_dir,
		.connection_timeout = env.conf.connection_timeout,
		.per_ip_connections = env.conf.per_ip_connections,
		.trusted_proxies = env.conf.trusted_proxies,
	};
	if (env.conf.track_rate) {
		limiter = http_limiter_create(env.conf.track_rate, env.conf.track_burst);
		if (!limiter) {
			cli_fail("out of memory for the lookup rate limiter");
			goto out_env;
		}
	}
	app.track_limiter = limiter;
	if (env.conf.login_rate) {
		login_limiter = http_limiter_create(env.conf.login_rate, env.conf.login_burst);
		if (!login_limiter) {
			cli_fail("out of memory for the login rate limiter");
			goto out_env;
		}
	}
	app.login_limiter = login_limiter;
	http_server *server = NULL;
	if (http_server_start(&app, env.conf.listen_host, env.conf.listen_port, env.conf.threads,
	                      &server, &err) != HOSO_OK) {
		cli_fail("%s", err.message);
		goto out_env;
	}
	/* Bound: leave root before any request is served or the outbox starts (glibc applies
	 * the ids to every thread, libmicrohttpd's included). */
	if (env.conf.user[0] && privdrop_apply(&drop, env.conf.db_path, &err) != HOSO_OK) {
		cli_fail("%s", err.message);
		http_server_stop(server);
		goto out_env;
	}
	if (drop.needed)
		log_info("running as user %s (uid %u, gid %u)", drop.name, (unsigned)drop.uid,
		         (unsigned)drop.gid);
	env.conf.notify.tz_offset_minutes = env.conf.trk.tz_offset_minutes;
	if (outbox_start(env.db, &env.conf.notify, &outbox, &err) != HOSO_OK) {
		cli_fail("%s", err.message);
		http_server_stop(server);
		goto out_env;
	}
	char url[128];
	snprintf(url, sizeof(url), "http://%s:%u", env.conf.listen_host,
	         (unsigned)http_server_port(server));
	if (!base_set)
		trk_set_public_base_url(env.trk, url);
	printf("hoso: listening on %s\n", url);
	fflush(stdout);
	char shown[1024];
	db_redact(env.conf.db_path, shown, sizeof(shown));
	log_info("serving %s on %s with %u threads", shown, url, env.conf.threads);

	int sig = 0;
	sigwait(&stop, &sig);
	log_info("signal %d: stopping; requests in flight finish first", sig);
	http_server_stop(server);
	outbox_stop(outbox);       /* before the database closes; results known are written */
	outbox = NULL;
	log_info("stopped");
	rc = 0;
out_env:
	outbox_stop(outbox);
	http_limiter_destroy(limiter);
	http_limiter_destroy(login_limiter);
	cli_env_close(&env);
	outbox_global_cleanup();
	return rc;
}
