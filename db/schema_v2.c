/* schema_v2.c — migration 2: the custody chain's side records (db_custody.h): each item's
 * progress, handover manifests and their lines, home pickups and event attachments.
 * Applied after schema_v1 on existing files. Never edit a step that has shipped: append a
 * new one. */
#include "db_internal.h"

const char *const db_schema_v2[] = {
	"CREATE TABLE item_progress (\n"
	"  tracking_number   TEXT PRIMARY KEY NOT NULL REFERENCES items(tracking_number),\n"
	"  office_code       TEXT NOT NULL DEFAULT '',\n"
	"  agency_code       TEXT NOT NULL DEFAULT '',\n"
	"  state             TEXT NOT NULL DEFAULT '',\n"
	"  due_date          TEXT NOT NULL DEFAULT '',\n"
	"  filed_at          INTEGER NOT NULL DEFAULT 0,\n"
	"  receipt_number    TEXT NOT NULL DEFAULT '',\n"
	"  appointment_date  TEXT NOT NULL DEFAULT '',\n"
	"  attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),\n"
	"  next_attempt_date TEXT NOT NULL DEFAULT '',\n"
	"  hold_until        TEXT NOT NULL DEFAULT '',\n"
	"  custodian         TEXT NOT NULL DEFAULT '',\n"
	"  manifest_id       INTEGER NOT NULL DEFAULT 0,\n"
	"  fee_due_vnd       INTEGER NOT NULL DEFAULT 0 CHECK (fee_due_vnd >= 0),\n"
	"  result_ready_at   INTEGER NOT NULL DEFAULT 0,\n"
	/* the smallest non-empty of due_date, appointment_date, next_attempt_date and
	 * hold_until, '' when all are empty; kept by db_progress_put() */
	"  next_deadline     TEXT NOT NULL DEFAULT ''\n"
	") WITHOUT ROWID;\n", /* its indexes end with tracking_number: due lists need no sort */
	/* the due lists; db_progress_due() repeats this predicate word for word (custody.c,
	 * PROGRESS_DUE_WHERE) so that SQLite can use the index */
	/* next_deadline is '' for items in a final state (db_progress_put). */
	"CREATE INDEX item_progress_due ON item_progress(next_deadline)\n"
	"  WHERE next_deadline <> '';\n",
	"CREATE INDEX item_progress_office ON item_progress(office_code, next_deadline);\n",
	"CREATE INDEX item_progress_agency ON item_progress(agency_code, next_deadline);\n",
	"CREATE TABLE manifests (\n"
	"  id                INTEGER PRIMARY KEY,\n"
	"  agency_code       TEXT NOT NULL,\n"
	"  office_code       TEXT NOT NULL,\n"
	"  created_by        INTEGER NOT NULL DEFAULT 0,\n"
	"  created_by_name   TEXT NOT NULL DEFAULT '',\n"
	"  created_at        INTEGER NOT NULL,\n"
	"  state             TEXT NOT NULL DEFAULT 'open'\n"
	"                    CHECK (state IN ('open', 'confirmed', 'partial')),\n"
	"  confirmed_by      INTEGER NOT NULL DEFAULT 0,\n"
	"  confirmed_by_name TEXT NOT NULL DEFAULT '',\n"
	"  confirmed_at      INTEGER NOT NULL DEFAULT 0,\n"
	"  total_fee_vnd     INTEGER NOT NULL DEFAULT 0 CHECK (total_fee_vnd >= 0),\n"
	"  fees_received_vnd INTEGER NOT NULL DEFAULT 0 CHECK (fees_received_vnd >= 0)\n"
	");\n",
	"CREATE INDEX manifests_agency ON manifests(agency_code, id);\n",
	"CREATE INDEX manifests_office ON manifests(office_code, id);\n",
	"CREATE TABLE manifest_items (\n"
	"  manifest_id     INTEGER NOT NULL REFERENCES manifests(id),\n"
	"  position        INTEGER NOT NULL CHECK (position >= 1),\n"
	"  tracking_number TEXT NOT NULL REFERENCES items(tracking_number),\n"
	"  dossier_id      INTEGER NOT NULL REFERENCES dossiers(id),\n"
	"  fee_vnd         INTEGER NOT NULL DEFAULT 0 CHECK (fee_vnd >= 0),\n"
	"  documents       INTEGER NOT NULL DEFAULT 0 CHECK (documents >= 0),\n"
	"  status          TEXT NOT NULL DEFAULT 'pending'\n"
	"                  CHECK (status IN ('pending', 'received', 'missing', 'damaged')),\n"
	"  note            TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY (manifest_id, tracking_number)\n"
	");\n",
	/* an item's lines (with their status: the fees list looks for 'received' ones) */
	"CREATE INDEX manifest_items_item ON manifest_items(tracking_number, status);\n",
	/* discrepancies, in the order db_manifest_discrepancies() lists them; it repeats the
	 * predicate word for word (manifests.c) */
	"CREATE INDEX manifest_items_discrepancy\n"
	"  ON manifest_items(manifest_id DESC, position, tracking_number)\n"
	"  WHERE status IN ('missing', 'damaged');\n",
	/* agency fees not yet paid over (db_fees_unpaid), oldest first */
	"CREATE INDEX dossiers_fee_office ON dossiers(office_code, accepted_at)\n"
	"  WHERE fee_vnd > 0;\n",
	"CREATE INDEX dossiers_fee_agency ON dossiers(agency_code, accepted_at)\n"
	"  WHERE fee_vnd > 0;\n",
	"CREATE INDEX dossiers_fee ON dossiers(accepted_at) WHERE fee_vnd > 0;\n",
	"CREATE TABLE pickups (\n"
	"  id              INTEGER PRIMARY KEY,\n"
	"  state           TEXT NOT NULL DEFAULT 'requested'\n"
	"                  CHECK (state IN ('requested', 'assigned', 'done', 'failed',\n"
	"                                   'cancelled')),\n"
	"  source          TEXT NOT NULL CHECK (source IN ('counter', 'agency', 'portal')),\n"
	"  applicant_name  TEXT NOT NULL DEFAULT '',\n"
	"  applicant_phone TEXT NOT NULL DEFAULT '',\n"
	"  address         TEXT NOT NULL DEFAULT '',\n"
	"  procedure_code  TEXT NOT NULL DEFAULT '',\n"
	"  window_from     TEXT NOT NULL DEFAULT '',\n"
	"  window_to       TEXT NOT NULL DEFAULT '',\n"
	"  notes           TEXT NOT NULL DEFAULT '',\n"
	"  office_code     TEXT NOT NULL DEFAULT '',\n"
	"  assigned_to     INTEGER NOT NULL DEFAULT 0,\n"
	"  assigned_name   TEXT NOT NULL DEFAULT '',\n"
	"  created_by      INTEGER NOT NULL DEFAULT 0,\n"
	"  created_at      INTEGER NOT NULL,\n"
	"  updated_at      INTEGER NOT NULL,\n"
	"  dossier_id      INTEGER NOT NULL DEFAULT 0,\n"
	"  failure_reason  TEXT NOT NULL DEFAULT ''\n"
	");\n",
	"CREATE INDEX pickups_office ON pickups(office_code, state, window_from);\n",
	"CREATE INDEX pickups_courier ON pickups(assigned_to, state, window_from);\n",
	/* bytes attached to an event (a receiver's signature); the event's data JSON carries
	 * their SHA-256, so the custody chain covers them */
	"CREATE TABLE attachments (\n"
	"  event_id TEXT PRIMARY KEY NOT NULL REFERENCES events(id),\n"
	"  kind     TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 15),\n"
	"  data     BLOB NOT NULL,\n"
	"  size     INTEGER NOT NULL CHECK (size = length(data))\n"
	");\n",
	NULL,
};
