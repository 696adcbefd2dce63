/* schema_v5.c — migration 5: failed logins, for the lockout of a username after repeated
 * wrong passwords (the audit table itself came with schema 1). Rows older than the lockout
 * window are deleted as new ones come in.
 * Never edit a step that has shipped: append a new one. */
#include "db_internal.h"

const char *const db_schema_v5[] = {
	"CREATE TABLE login_failures (\n"
	"  id       INTEGER PRIMARY KEY,\n"
	"  username TEXT NOT NULL,\n"
	"  client   TEXT NOT NULL DEFAULT '',\n"
	"  at       INTEGER NOT NULL\n"
	");\n",
	"CREATE INDEX login_failures_user_at ON login_failures(username, at);\n",
	"CREATE INDEX login_failures_at ON login_failures(at);\n",
	NULL,
};
