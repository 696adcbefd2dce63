/* Dropping root after the listening socket is bound (`[server] user`, `--user`). */
#define _GNU_SOURCE
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"

hoso_status privdrop_prepare(const char *user, privdrop *p, hoso_err *err)
{
	memset(p, 0, sizeof(*p));
	if (strlen(user) >= sizeof(p->name))
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "user", "user name is too long");
	snprintf(p->name, sizeof(p->name), "%s", user);
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return hoso_err_set(err, HOSO_INVALID, "bad_value", "user",
		                    "user \"%s\" does not exist%s%s", user, errno ? ": " : "",
		                    errno ? strerror(errno) : "");
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (getresuid(&r, &e, &s) == 0 && getresgid(&rg, &eg, &sg) == 0 && r == p->uid &&
	    e == p->uid && s == p->uid && rg == p->gid && eg == p->gid && sg == p->gid)
		return HOSO_OK; /* already that user (systemd's User=): nothing to switch */
	if (geteuid() != 0)
		return hoso_err_set(err, HOSO_INVALID, "not_root", "user",
		                    "switching to user \"%s\" needs root; running as uid %u",
		                    user, (unsigned)geteuid());
	p->needed = true;
	return HOSO_OK;
}

void privdrop_chown_db(const privdrop *p, const char *db_path, bool db_was_new)
{
	if (!p->needed || !db_was_new || db_is_server(db_path))
		return;
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char path[1100];
		struct stat st;
		snprintf(path, sizeof(path), "%s%s", db_path, suffixes[i]);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0)
			(void)!chown(path, p->uid, p->gid); /* a failure shows in the check after the drop */
	}
}

hoso_status privdrop_apply(const privdrop *p, const char *db_path, hoso_err *err)
{
	if (p->needed) {
		if (initgroups(p->name, p->gid) != 0)
			return hoso_err_set(err, HOSO_INTERNAL, "privdrop", "user",
			                    "initgroups(%s): %s", p->name, strerror(errno));
		if (setgid(p->gid) != 0)
			return hoso_err_set(err, HOSO_INTERNAL, "privdrop", "user", "setgid(%u): %s",
			                    (unsigned)p->gid, strerror(errno));
		if (setuid(p->uid) != 0)
			return hoso_err_set(err, HOSO_INTERNAL, "privdrop", "user", "setuid(%u): %s",
			                    (unsigned)p->uid, strerror(errno));
	}
	uid_t r = 0, e = 0, s = 0;
	gid_t rg = 0, eg = 0, sg = 0;
	if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0 || r != p->uid ||
	    e != p->uid || s != p->uid || rg != p->gid || eg != p->gid || sg != p->gid)
		return hoso_err_set(err, HOSO_INTERNAL, "privdrop", "user",
		                    "switching to user \"%s\" did not take: uids %u/%u/%u gids "
		                    "%u/%u/%u", p->name, (unsigned)r, (unsigned)e, (unsigned)s,
		                    (unsigned)rg, (unsigned)eg, (unsigned)sg);
	if (p->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return hoso_err_set(err, HOSO_INTERNAL, "privdrop", "user",
		                    "switching to user \"%s\" did not take: root can be regained",
		                    p->name);
	if (db_is_server(db_path))
		return HOSO_OK; /* no file of ours: the server keeps the data */
	if (access(db_path, R_OK | W_OK) != 0)
		return hoso_err_set(err, HOSO_INVALID, "privdrop", "user",
		                    "database %s is not writable by user \"%s\": %s (give it to "
		                    "that user: chown)", db_path, p->name, strerror(errno));
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s", db_path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK | X_OK) != 0)
		return hoso_err_set(err, HOSO_INVALID, "privdrop", "user",
		                    "directory %s of the database is not writable by user \"%s\": "
		                    "%s (SQLite creates its -wal and -shm files there)", dir, p->name,
		                    strerror(errno));
	return HOSO_OK;
}
