#!/usr/bin/env bash
# Copies the tracking benchmark's SQLite database (made by build/bench/tracking/gen_db, see
# bench/tracking/README.md) into a PostgreSQL database, so that both backends are measured
# on the same rows: the same dossiers, items, events (with their hash chains) and progress
# rows, byte for byte.
#   bench/pg/load_tracking.sh SQLITE-DB PG-URI
# PG-URI: an empty database (bench/pg/lib.sh pg_newdb). `hoso init --demo` creates the
# schema and the demo catalogue; then each table is streamed with sqlite3 -csv into psql's
# \copy (bytea as \x hex), with session_replication_role = replica so the foreign keys are
# not checked row by row (gen_db's rows hold them already); the identity sequences are
# moved past the copied ids, and VACUUM ANALYZE leaves the planner statistics fresh.
# HOSO_BUILD: the build directory (default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=${1:?usage: bench/pg/load_tracking.sh SQLITE-DB PG-URI}
DB=${2:?usage: bench/pg/load_tracking.sh SQLITE-DB PG-URI}
HOSO=${HOSO_BUILD:-build}/dispatch/hoso
. bench/pg/lib.sh
"$HOSO" init --db "$DB" --demo >/dev/null 2>&1
for t in dossiers items events item_progress; do
  # the PostgreSQL columns in order, bytea ones as SQLite expressions giving \x hex
  cols=$("$PSQL" -X -At -d "$DB" -c "SELECT string_agg(column_name, ',' ORDER BY ordinal_position)
      FROM information_schema.columns WHERE table_name = '$t' AND table_schema = 'public'")
  sel=$("$PSQL" -X -At -d "$DB" -c "SELECT string_agg(CASE WHEN data_type = 'bytea'
      THEN '''\\x'' || lower(hex(' || column_name || '))' ELSE column_name END, ','
      ORDER BY ordinal_position)
      FROM information_schema.columns WHERE table_name = '$t' AND table_schema = 'public'")
  start=$(date +%s)
  sqlite3 -csv -noheader "file:$SRC?mode=ro" "SELECT $sel FROM $t" |
      "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "SET session_replication_role = replica" \
          -c "\\copy $t ($cols) FROM STDIN WITH (FORMAT csv)"
  echo "$t: $("$PSQL" -X -At -d "$DB" -c "SELECT count(*) FROM $t") rows in $(( $(date +%s) - start )) s"
done
pg_sql "$DB" "SELECT setval(pg_get_serial_sequence('dossiers', 'id'), max(id)) FROM dossiers;
  SELECT setval(pg_get_serial_sequence('events', 'seq'), max(seq)) FROM events" >/dev/null
pg_sql "$DB" "VACUUM ANALYZE"
echo "PostgreSQL database: $("$PSQL" -X -At -d "$DB" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")," \
     "SQLite file: $(du -h "$SRC" | cut -f1)"
