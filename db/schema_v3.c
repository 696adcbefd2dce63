/* schema_v3.c — migration 3: public tracking and complaints (db_public.h). The lock on the
 * phone-digit check of each dossier (kept across restarts) and the applicants' complaints
 * (Circular 17/2017 Art 8). Never edit a step that has shipped: append a new one. */
#include "db_internal.h"

const char *const db_schema_v3[] = {
	/* wrong phone-digit tries, one row per dossier, keyed by its first item's number */
	"CREATE TABLE track_lockouts (\n"
	"  tracking_number TEXT PRIMARY KEY NOT NULL REFERENCES items(tracking_number),\n"
	"  failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),\n"
	"  locked_until    INTEGER NOT NULL DEFAULT 0,\n"
	"  updated_at      INTEGER NOT NULL DEFAULT 0\n"
	") WITHOUT ROWID;\n",
	"CREATE TABLE complaints (\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  number           TEXT NOT NULL UNIQUE,\n"
	"  tracking_number  TEXT NOT NULL REFERENCES items(tracking_number),\n"
	"  dossier_id       INTEGER NOT NULL REFERENCES dossiers(id),\n"
	"  office_code      TEXT NOT NULL DEFAULT '',\n"
	"  agency_code      TEXT NOT NULL DEFAULT '',\n"
	"  text             TEXT NOT NULL CHECK (length(text) > 0),\n"
	"  contact_phone    TEXT NOT NULL DEFAULT '',\n"
	"  state            TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered')),\n"
	"  inter_province   INTEGER NOT NULL DEFAULT 0 CHECK (inter_province IN (0, 1)),\n"
	"  created_at       INTEGER NOT NULL,\n"
	"  due_date         TEXT NOT NULL,\n"
	"  answer           TEXT NOT NULL DEFAULT '',\n"
	"  answered_by      INTEGER NOT NULL DEFAULT 0,\n"
	"  answered_by_name TEXT NOT NULL DEFAULT '',\n"
	"  answered_at      INTEGER NOT NULL DEFAULT 0\n"
	");\n",
	/* the supervisors' lists (state, then earliest deadline) and an item's complaints */
	"CREATE INDEX complaints_state ON complaints(state, due_date, id);\n",
	"CREATE INDEX complaints_item ON complaints(tracking_number, id);\n",
	NULL,
};
