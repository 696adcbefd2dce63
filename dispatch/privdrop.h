/* privdrop.h — `hoso serve --user NAME`: switch to an unprivileged user after binding. */
#ifndef HOSO_PRIVDROP_H
#define HOSO_PRIVDROP_H

#include <stdbool.h>
#include <sys/types.h>

#include "hoso.h"

typedef struct privdrop {
	char name[64];
	uid_t uid;
	gid_t gid;
	bool needed;     /* false: already running as that user, nothing to switch */
} privdrop;

/* Looks the user up; fails when it does not exist, or when switching to it needs root and
 * the process is not root. */
hoso_status privdrop_prepare(const char *user, privdrop *p, hoso_err *err);

/* Gives files the daemon created as root (the database and its -wal and -shm, when path was
 * new) to the user, so that connections opened after the switch can write them. */
void privdrop_chown_db(const privdrop *p, const char *db_path, bool db_was_new);

/* initgroups, setgid, setuid: process-wide (glibc applies them to every thread). Then checks
 * that real, effective and saved ids are the user's, that setuid(0) fails, and that the
 * database and its directory are writable. */
hoso_status privdrop_apply(const privdrop *p, const char *db_path, hoso_err *err);

#endif
