#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso_config.h"
#include "http.h"

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

void cfg_defaults(cfg *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
	c->listen_port = 8080;
	c->threads = 8;
	c->max_body = 1024 * 1024;
	c->log_level = 2;
	const char *data = is_dir(HOSO_SOURCE_DATA_DIR) ? HOSO_SOURCE_DATA_DIR
	                                                : HOSO_INSTALL_DATA_DIR;
	snprintf(c->data_dir, sizeof(c->data_dir), "%s", data);
	char fonts[1024];
	snprintf(fonts, sizeof(fonts), "%.1000s/fonts", HOSO_INSTALL_DATA_DIR);
	snprintf(c->font_dir, sizeof(c->font_dir), "%s",
	         is_dir(HOSO_BUILD_FONT_DIR) ? HOSO_BUILD_FONT_DIR : fonts);
	snprintf(c->holidays, sizeof(c->holidays), "%.1000s/holidays.txt", data);
	snprintf(c->www_dir, sizeof(c->www_dir), "%.1000s/www", HOSO_INSTALL_DATA_DIR);
	if (is_dir(HOSO_SOURCE_WWW_DIR))
		snprintf(c->www_dir, sizeof(c->www_dir), "%s", HOSO_SOURCE_WWW_DIR);
	c->track_rate = 60;
	c->track_burst = 30;
	c->login_rate = 2;
	c->login_burst = 20;
	c->connection_timeout = 30;
	c->per_ip_connections = 256;
	trk_config_defaults(&c->trk);
	notify_config_defaults(&c->notify);
}

static hoso_status parse_uint(const char *v, unsigned long min, unsigned long max,
                              unsigned long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max || v[0] == '-')
		return HOSO_INVALID;
	*out = n;
	return HOSO_OK;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "off"))
		*out = false;
	else
		return false;
	return true;
}

static bool two_letters(const char *v)
{
	return strlen(v) == 2 && isupper((unsigned char)v[0]) && isupper((unsigned char)v[1]);
}

/* "+07:00", "-03:30" or minutes ("420"). */
static bool parse_offset(const char *v, int *minutes)
{
	int h, m;
	char sign;
	if (sscanf(v, "%c%2d:%2d", &sign, &h, &m) == 3 && (sign == '+' || sign == '-') &&
	    strlen(v) == 6 && h <= 14 && m < 60) {
		*minutes = (sign == '-' ? -1 : 1) * (h * 60 + m);
		return true;
	}
	char *end = NULL;
	long n = strtol(v, &end, 10);
	if (*v && !*end && n >= -840 && n <= 840) {
		*minutes = (int)n;
		return true;
	}
	return false;
}

hoso_status cfg_set_listen(cfg *c, const char *value, hoso_err *err)
{
	const char *colon = strrchr(value, ':');
	unsigned long port;
	if (!colon || colon == value || (size_t)(colon - value) >= sizeof(c->listen_host) ||
	    parse_uint(colon + 1, 0, 65535, &port) != HOSO_OK)
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "listen",
		                    "listen must be HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a "
		                    "free one), not \"%.100s\"", value);
	snprintf(c->listen_host, sizeof(c->listen_host), "%.*s", (int)(colon - value), value);
	c->listen_port = (uint16_t)port;
	return HOSO_OK;
}

#define COPY(dst) do { \
	if (strlen(value) >= sizeof(dst)) \
		return hoso_err_set(err, HOSO_INVALID, "bad_value", key, "%s is too long", key); \
	snprintf(dst, sizeof(dst), "%s", value); \
	return HOSO_OK; \
} while (0)

static hoso_status set_server(cfg *c, const char *key, const char *value, hoso_err *err)
{
	unsigned long n;
	if (!strcmp(key, "db"))
		COPY(c->db_path);
	if (!strcmp(key, "listen"))
		return cfg_set_listen(c, value, err);
	if (!strcmp(key, "base_url")) {
		if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0)
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "base_url must start with http:// or https://");
		COPY(c->trk.public_base_url);
	}
	if (!strcmp(key, "threads")) {
		if (parse_uint(value, 1, 64, &n))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "threads must be 1 to 64");
		c->threads = (unsigned)n;
		return HOSO_OK;
	}
	if (!strcmp(key, "max_body")) {
		if (parse_uint(value, 1024, 64ul * 1024 * 1024, &n))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "max_body must be 1024 to 67108864 bytes");
		c->max_body = n;
		return HOSO_OK;
	}
	if (!strcmp(key, "secure_cookies")) {
		if (!parse_bool(value, &c->secure_cookies))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "secure_cookies must be true or false");
		return HOSO_OK;
	}
	if (!strcmp(key, "log_level")) {
		static const char *const levels[] = {"error", "warn", "info", "debug"};
		for (int i = 0; i < 4; i++)
			if (!strcmp(value, levels[i])) {
				c->log_level = i;
				return HOSO_OK;
			}
		return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
		                    "log_level must be error, warn, info or debug");
	}
	if (!strcmp(key, "data_dir"))
		COPY(c->data_dir);
	if (!strcmp(key, "font_dir"))
		COPY(c->font_dir);
	if (!strcmp(key, "www_dir"))
		COPY(c->www_dir);
	if (!strcmp(key, "user")) {
		if (!*value || strchr(value, '/') || strchr(value, ':'))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "user must be a user name");
		COPY(c->user);
	}
	if (!strcmp(key, "track_rate") || !strcmp(key, "track_burst")) {
		if (parse_uint(value, !strcmp(key, "track_burst"), 100000000, &n))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "%s must be a whole number from %d to 100000000%s", key,
			                    !strcmp(key, "track_burst"),
			                    !strcmp(key, "track_rate") ? " (0 turns the limit off)" : "");
		*(!strcmp(key, "track_rate") ? &c->track_rate : &c->track_burst) = (unsigned)n;
		return HOSO_OK;
	}
	if (!strcmp(key, "login_rate") || !strcmp(key, "login_burst")) {
		bool burst = !strcmp(key, "login_burst");
		if (parse_uint(value, burst, 100000000, &n))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "%s must be a whole number from %d to 100000000%s", key,
			                    burst, burst ? "" : " (0 turns the limit off)");
		*(burst ? &c->login_burst : &c->login_rate) = (unsigned)n;
		return HOSO_OK;
	}
	if (!strcmp(key, "connection_timeout")) {
		if (parse_uint(value, 1, 3600, &n))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "connection_timeout must be 1 to 3600 seconds");
		c->connection_timeout = (unsigned)n;
		return HOSO_OK;
	}
	if (!strcmp(key, "per_ip_connections")) {
		if (parse_uint(value, 1, 100000, &n))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "per_ip_connections must be 1 to 100000");
		c->per_ip_connections = (unsigned)n;
		return HOSO_OK;
	}
	if (!strcmp(key, "trusted_proxies")) {
		char bad[64];
		if (!http_proxy_list_valid(value, bad, sizeof(bad)))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "trusted_proxies must list IP addresses separated by commas "
			                    "(at most 16); \"%s\" is not one", bad);
		COPY(c->trusted_proxies);
	}
	return hoso_err_set(err, HOSO_INVALID, "unknown_key", key,
	                    "unknown key \"%s\" in [server]", key);
}

static hoso_status set_tracking(cfg *c, const char *key, const char *value, hoso_err *err)
{
	unsigned long n;
	if (!strcmp(key, "submission_prefix") || !strcmp(key, "result_prefix")) {
		if (!two_letters(value))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "%s must be two upper-case letters; domestic S10 items "
			                    "begin with B, D, N, P or Z", key);
		if (!strcmp(key, "submission_prefix"))
			COPY(c->trk.submission_prefix);
		COPY(c->trk.result_prefix);
	}
	if (!strcmp(key, "country")) {
		if (!two_letters(value))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "country must be two upper-case letters");
		COPY(c->trk.country);
	}
	if (!strcmp(key, "timezone_offset")) {
		if (!parse_offset(value, &c->trk.tz_offset_minutes))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "timezone_offset must look like +07:00");
		return HOSO_OK;
	}
	if (!strcmp(key, "holidays"))
		COPY(c->holidays);
	if (!strcmp(key, "token_hours")) {
		if (parse_uint(value, 1, 24 * 30, &n))
			return hoso_err_set(err, HOSO_INVALID, "bad_value", key,
			                    "token_hours must be 1 to 720");
		c->trk.token_hours = (int)n;
		return HOSO_OK;
	}
	if (!strcmp(key, "class1_provinces"))
		COPY(c->trk.class1_provinces);
	return hoso_err_set(err, HOSO_INVALID, "unknown_key", key,
	                    "unknown key \"%s\" in [tracking]", key);
}

hoso_status cfg_set(cfg *c, const char *section, const char *key, const char *value,
                    hoso_err *err)
{
	if (!strcmp(section, "server"))
		return set_server(c, key, value, err);
	if (!strcmp(section, "tracking"))
		return set_tracking(c, key, value, err);
	if (!strcmp(section, "notify"))
		return notify_config_set(&c->notify, key, value, err);
	return hoso_err_set(err, HOSO_INVALID, "unknown_section", section,
	                    "unknown section [%s]; expected [server], [tracking] or [notify]",
	                    section);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* The next line of data[*pos..len) into line[4096] as fgets() would cut it: up to and with
 * '\n', at most 4095 bytes. *at_end is true when the data ran out before either (feof()). */
static bool next_line(const char *data, size_t len, size_t *pos, char line[4096],
                      bool *at_end)
{
	if (*pos >= len)
		return false;
	size_t n = 0;
	while (n < 4095 && *pos + n < len) {
		n++;
		if (data[*pos + n - 1] == '\n')
			break;
	}
	memcpy(line, data + *pos, n);
	line[n] = '\0';
	*at_end = n < 4095 && data[*pos + n - 1] != '\n';
	*pos += n;
	return true;
}

hoso_status cfg_load_buffer(cfg *c, const char *name, const char *data, size_t len,
                            hoso_err *err)
{
	char line[4096], section[64] = "";
	int lineno = 0;
	size_t pos = 0;
	bool at_end = false;
	hoso_status st = HOSO_OK;
	while (next_line(data, len, &pos, line, &at_end)) {
		lineno++;
		if (!strchr(line, '\n') && !at_end) {
			st = hoso_err_set(err, HOSO_INVALID, "bad_line", "config",
			                  "[%s:%d] line is longer than 4095 bytes", name, lineno);
			break;
		}
		char *s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || close[1] != '\0' || close == s + 1 ||
			    (size_t)(close - s - 1) >= sizeof(section)) {
				st = hoso_err_set(err, HOSO_INVALID, "bad_line", "config",
				                  "[%s:%d] expected [section]", name, lineno);
				break;
			}
			*close = '\0';
			snprintf(section, sizeof(section), "%s", s + 1);
			if (strcmp(section, "server") && strcmp(section, "tracking") &&
			    strcmp(section, "notify")) {
				st = hoso_err_set(err, HOSO_INVALID, "unknown_section", "config",
				                  "[%s:%d] unknown section [%s]; expected [server], "
				                  "[tracking] or [notify]", name, lineno, section);
				break;
			}
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			st = hoso_err_set(err, HOSO_INVALID, "bad_line", "config",
			                  "[%s:%d] expected key = value", name, lineno);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		if (!section[0]) {
			/* Keys before any section belong to [server] ("db = ..." at the top). */
			snprintf(section, sizeof(section), "server");
		}
		hoso_err e;
		hoso_err_clear(&e);
		if ((st = cfg_set(c, section, key, value, &e)) != HOSO_OK) {
			hoso_err_set(err, st, e.code, "config", "[%s:%d] %s", name, lineno, e.message);
			break;
		}
	}
	return st;
}

/* A configuration file is a few hundred bytes; this bounds a mistaken path (/dev/zero). */
#define CFG_MAX_FILE (16u * 1024u * 1024u)

hoso_status cfg_load(cfg *c, const char *path, hoso_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return hoso_err_set(err, HOSO_INVALID, "config_unreadable", "config",
		                    "[%s] cannot be read: %s", path, strerror(errno));
	char *data = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= CFG_MAX_FILE) {
				free(data);
				fclose(f);
				return hoso_err_set(err, HOSO_INVALID, "bad_line", "config",
				                    "[%s] is larger than %u bytes", path, CFG_MAX_FILE);
			}
			size_t ncap = cap ? cap * 2 : 4096;
			char *p = realloc(data, ncap);
			if (!p) {
				free(data);
				fclose(f);
				return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", "config",
				                    "[%s] out of memory", path);
			}
			data = p;
			cap = ncap;
		}
		size_t n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;   /* end of file, or a read error, which ends the file as fgets() did */
	}
	fclose(f);
	hoso_status st = cfg_load_buffer(c, path, data, len, err);
	free(data);
	return st;
}

hoso_status cfg_check(const cfg *c, hoso_err *err)
{
	if (!c->db_path[0])
		return hoso_err_set(err, HOSO_INVALID, "missing_db", "db",
		                    "no database: give --db PATH or a db = line in the config file");
	if (!strcmp(c->trk.submission_prefix, c->trk.result_prefix))
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "result_prefix",
		                    "submission_prefix and result_prefix must differ");
	if (c->holidays[0] && access(c->holidays, R_OK) != 0)
		return hoso_err_set(err, HOSO_INVALID, "missing_file", "holidays",
		                    "holidays file %s cannot be read: %s", c->holidays,
		                    strerror(errno));
	char js[1100];
	snprintf(js, sizeof(js), "%s/track.js", c->www_dir);
	if (access(js, R_OK) != 0)
		return hoso_err_set(err, HOSO_INVALID, "missing_file", "www_dir",
		                    "public page file %s cannot be read: %s", js, strerror(errno));
	if (c->notify.retry_max_ms < c->notify.retry_base_ms)
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "retry_max_ms",
		                    "[notify] retry_max_ms must not be below retry_base_ms");
	if (c->notify.timeout_ms < c->notify.connect_timeout_ms)
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "timeout_ms",
		                    "[notify] timeout_ms must not be below connect_timeout_ms");
	errno = 0;
	if (c->user[0] && !getpwnam(c->user))
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "user",
		                    "user \"%s\" does not exist%s%s", c->user, errno ? ": " : "",
		                    errno ? strerror(errno) : "");
	char font[1100];
	snprintf(font, sizeof(font), "%s/hoso-sans.ttf", c->font_dir);
	if (access(font, R_OK) != 0)
		return hoso_err_set(err, HOSO_INVALID, "missing_file", "font_dir",
		                    "font %s cannot be read: %s", font, strerror(errno));
	return HOSO_OK;
}
