/* schema_v7.c — migration 7: what the supervisor's figures of the day read, by index
 * rather than every row ever written. Items by state and then the time of their last event:
 * the items still on their way plus those that finished inside the window (the old index on
 * state alone is its prefix, so it goes). Dossiers by date of acceptance: today's
 * acceptances of every office (a key that only grows, so cheap to keep).
 * Never edit a step that has shipped: append a new one. */
#include "db_internal.h"

const char *const db_schema_v7[] = {
	"CREATE INDEX items_state_time ON items(state, updated_at);\n",
	"DROP INDEX items_state;\n",
	"CREATE INDEX dossiers_date ON dossiers(accepted_date);\n",
	NULL,
};
