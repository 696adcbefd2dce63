#!/usr/bin/env bash
# Acceptances per second through the HTTP API (POST /api/v1/dossiers, durable commits) on
# SQLite and on PostgreSQL with 1 and N daemons on one database, in the same run; beside
# raw SQLite (one durable transaction per insert, build/bench/raw_sqlite) and raw
# PostgreSQL (pgbench, one client, one durable INSERT of a dossier-sized row per
# transaction) on the same disk.
#   bench/pg/accept.sh BASE-URI [RUNS=3] [SECONDS=8] [DAEMONS="1 3"]
# BASE-URI: a superuser libpq URI (scripts/pg-cluster.sh start prints one). Each run and
# configuration gets a fresh database. wrk -t2 -c64 for one daemon (as bench/accept/run.sh);
# for N daemons -tN -c(64 rounded down to a multiple of N), thread k on daemon k mod N
# (bench/pg/spread.lua), so one wrk's percentiles cover every daemon.
# HOSO_BUILD: the build directory (default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE=${1:?usage: bench/pg/accept.sh BASE-URI [RUNS] [SECONDS] [DAEMONS]}
RUNS=${2:-3}; SECS=${3:-8}; COUNTS=${4:-1 3}
B=${HOSO_BUILD:-build}
HOSO=$B/dispatch/hoso
. bench/pg/lib.sh
PGBENCH=$(dirname "$PSQL")/pgbench
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
TMP=$(mktemp -d -p "${BENCH_DIR:-/tmp}" bench-pg-accept.XXXXXX)
PGDBS=()
cleanup() { stop_daemons; for d in "${PGDBS[@]}"; do pg_dropdb "$d"; done; rm -rf "$TMP"; }
trap cleanup EXIT
printf '[server]\nlog_level = warn\n' >"$TMP/ini"
export WRK_SCRIPT=bench/accept/post.lua

# measure NAME: one wrk over DAEMON_URLS; appends "rate p50 p99 load" to $TMP/NAME
measure() {
  local name=$1 n=${#DAEMON_URLS[@]} t c load
  if [ "$n" -eq 1 ]; then t=2; c=64; else t=$n; c=$((64 / n * n)); fi
  export HOSO_TOKEN=$(curl -s -X POST "${DAEMON_URLS[0]}/api/v1/login" \
      -d '{"username":"clerk","password":"demo-clerk-2026"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
  load=$(loadavg)
  WRK_PATH=/api/v1/dossiers wrk_spread "${DAEMON_URLS[@]}" -- -t$t -c$c -d"${SECS}s" --latency \
      >"$TMP/wrk"
  if grep -q "Non-2xx" "$TMP/wrk"; then echo "errors during the run ($name):" >&2; cat "$TMP/wrk" >&2; exit 1; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk") $(awk '$1=="50%" {print $2}' "$TMP/wrk" | to_ms)" \
       "$(awk '$1=="99%" {print $2}' "$TMP/wrk" | to_ms) $load" >>"$TMP/$name"
}

# raw PostgreSQL: one client, one durable INSERT per transaction, for 3 s
cat >"$TMP/raw.sql" <<'EOF'
INSERT INTO raw (body) VALUES (repeat('Nguyễn Văn Anh, 12 Trần Hưng Đạo, Pleiku; ', 14));
EOF
for r in $(seq "$RUNS"); do
  echo "run $r: load $(loadavg)" >&2
  echo "$($B/bench/raw_sqlite "$TMP" 3000 | awk '{print $(NF-2)}' | tr -d '/s')" >>"$TMP/raw_sqlite"
  db=$(pg_newdb "$BASE"); PGDBS+=("$db")
  pg_sql "$db" "CREATE TABLE raw (id bigserial PRIMARY KEY, body text NOT NULL)"
  "$PGBENCH" -n -c 1 -T 3 -f "$TMP/raw.sql" "$db" 2>/dev/null |
      awk '/^tps/ {printf "%d\n", $3}' >>"$TMP/raw_pg"
  pg_dropdb "$db"
  rm -f "$TMP"/hoso.db*
  SERVE_FLAGS=--demo start_daemons 1 "$TMP/hoso.db" "$TMP/ini"
  measure sqlite
  stop_daemons
  for n in $COUNTS; do
    db=$(pg_newdb "$BASE"); PGDBS+=("$db")
    "$HOSO" init --db "$db" --demo >/dev/null 2>&1
    start_daemons "$n" "$db" "$TMP/ini"
    measure "pg$n"
    stop_daemons
    pg_dropdb "$db"
  done
done

col() { awk -v k="$2" '{print $k}' "$TMP/$1" | tr '\n' ' '; }
med() { awk -v k="$2" '{print $k}' "$TMP/$1" | median; }
SQL=$(med sqlite 1)
echo "machine: $(nproc) CPUs; daemons, PostgreSQL and wrk share them; $SECS s per measurement"
echo "raw SQLite, 1 durable txn/insert:        runs $(col raw_sqlite 1)-> median $(med raw_sqlite 1)/s"
echo "raw PostgreSQL, 1 client, 1 txn/insert:  runs $(col raw_pg 1)-> median $(med raw_pg 1)/s"
for cfg in sqlite $(for n in $COUNTS; do echo "pg$n"; done); do
  case $cfg in sqlite) name="SQLite, 1 daemon" ;; pg1) name="PostgreSQL, 1 daemon" ;;
               *) name="PostgreSQL, ${cfg#pg} daemons on one database" ;; esac
  M=$(med "$cfg" 1)
  echo "$name: runs $(col "$cfg" 1)-> median $M/s, p50 $(med "$cfg" 2) ms, p99 $(med "$cfg" 3) ms," \
       "ratio to SQLite $(awk -v a="$M" -v b="$SQL" 'BEGIN {printf "%.2f", a/b}'); load $(col "$cfg" 4)"
done
