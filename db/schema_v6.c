/* schema_v6.c — migration 6: idempotent pickup requests. A clerk who retries after a lost
 * answer sends the same client_id; the digest of the first body tells a true repeat (answered
 * with the first pickup) from a reuse of the id for something else (refused).
 * Never edit a step that has shipped: append a new one. */
#include "db_internal.h"

const char *const db_schema_v6[] = {
	"ALTER TABLE pickups ADD COLUMN client_id TEXT NOT NULL DEFAULT '';\n",
	"ALTER TABLE pickups ADD COLUMN request_digest TEXT NOT NULL DEFAULT '';\n",
	"CREATE UNIQUE INDEX pickups_client ON pickups(client_id) WHERE client_id <> '';\n",
	NULL,
};
