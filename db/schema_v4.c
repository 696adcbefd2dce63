/* schema_v4.c — migration 4: notifications. Each agency's webhook (URL and HMAC secret),
 * and what the outbox worker needs on each row: a stable idempotency key sent with every
 * try, a lease (claimed_until) so that a row a dead worker held is tried again, and the start
 * of the retry window (reset when an operator sends a failed row again).
 * Never edit a step that has shipped: append a new one. */
#include "db_internal.h"

const char *const db_schema_v4[] = {
	"CREATE TABLE agency_webhooks (\n"
	"  agency_code TEXT PRIMARY KEY NOT NULL REFERENCES agencies(code),\n"
	"  url         TEXT NOT NULL,\n"
	"  secret      TEXT NOT NULL,\n"
	"  updated_at  INTEGER NOT NULL\n"
	");\n",
	"ALTER TABLE outbox ADD COLUMN idem_key TEXT NOT NULL DEFAULT '';\n",
	"ALTER TABLE outbox ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;\n",
	"ALTER TABLE outbox ADD COLUMN window_start INTEGER NOT NULL DEFAULT 0;\n",
	"UPDATE outbox SET idem_key = lower(hex(randomblob(16))) WHERE idem_key = '';\n",
	/* the failed list, newest first, without a scan of the sent rows */
	"CREATE INDEX outbox_state_id ON outbox(state, id);\n",
	NULL,
};
