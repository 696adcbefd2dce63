/* config.h — the daemon's settings: defaults, then the INI file, then command-line flags. */
#ifndef HOSO_CONFIG_H
#define HOSO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso.h"
#include "notify.h"
#include "trk.h"

typedef struct cfg {
	char db_path[1024];
	char listen_host[64];
	uint16_t listen_port;
	unsigned threads;
	size_t max_body;
	bool secure_cookies;
	char data_dir[1024];     /* demo catalogue, holidays */
	char font_dir[1024];
	char holidays[1024];
	char www_dir[1024];      /* public pages' CSS and JavaScript */
	unsigned track_rate;     /* public lookups a minute per client address; 0 = no limit */
	unsigned track_burst;    /* lookups a client may save up */
	unsigned login_rate;     /* failed logins a minute per client address; 0 = no limit */
	unsigned login_burst;    /* failed logins a client may make in a row */
	unsigned connection_timeout; /* seconds a connection may idle or stall (slowloris) */
	unsigned per_ip_connections; /* open connections one client address may hold */
	char trusted_proxies[512]; /* addresses (IPv4/IPv6, comma-separated) of the reverse
	                            * proxies whose X-Forwarded-For names the client */
	int log_level;           /* 0 error .. 3 debug */
	char user[64];           /* [server] user: switch to it after binding; "" = stay */
	trk_config trk;
	notify_config notify;    /* [notify]: the outbox worker */
} cfg;

/* Fills c with built-in defaults (data and fonts from the build tree when present). */
void cfg_defaults(cfg *c);

/* Applies an INI file. Errors say "[FILE:LINE] what is wrong" and leave c partly applied:
 * callers stop on error. */
hoso_status cfg_load(cfg *c, const char *path, hoso_err *err);

/* Same, from data[0..len) (need not be NUL-terminated); name stands for the file in messages. */
hoso_status cfg_load_buffer(cfg *c, const char *name, const char *data, size_t len,
                            hoso_err *err);

/* Applies one key of a section ("server", "tracking", "notify"); used by the loader and by flags. */
hoso_status cfg_set(cfg *c, const char *section, const char *key, const char *value,
                    hoso_err *err);

/* Parses "HOST:PORT" into c. */
hoso_status cfg_set_listen(cfg *c, const char *value, hoso_err *err);

/* Checks cross-field rules and that files named exist (holidays, fonts). */
hoso_status cfg_check(const cfg *c, hoso_err *err);

#endif
