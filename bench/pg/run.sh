#!/usr/bin/env bash
# Issue 7's benchmark: acceptances, events and public tracking lookups on PostgreSQL with 1
# and 3 daemons on one database, each beside the SQLite figures of the same run.
#   bench/pg/run.sh [RUNS=3] [SECONDS=8] [ITEMS=1000000] [PARTS="accept events tracking"]
# Starts a throwaway cluster (scripts/pg-cluster.sh, PostgreSQL's durability defaults) in a
# temporary directory under /tmp and stops it at the end; PG_BASE=URI uses a running one
# instead. Every configuration of every run gets a fresh database, except the tracking
# one: the SQLite file of bench/tracking (ITEMS dossiers, made once by gen_db into
# $BENCH_DIR/bench-tracking-ITEMS) is copied into one PostgreSQL database
# (bench/pg/load_tracking.sh; PG_TRACK_DB=URI reuses one already filled).
#   HOSO_BUILD   build directory (default build)
#   DAEMONS      daemon counts on PostgreSQL (default "1 3")
# The daemons, PostgreSQL and the load generators share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}; SECS=${2:-8}; ITEMS=${3:-1000000}; PARTS=${4:-accept events tracking}
export HOSO_BUILD=${HOSO_BUILD:-build}
DAEMONS=${DAEMONS:-1 3}
export BENCH_DIR=${BENCH_DIR:-/tmp}
HOSO=$HOSO_BUILD/dispatch/hoso
. bench/pg/lib.sh
ninja -C "$HOSO_BUILD" >/dev/null

CLUSTER=
BASE=${PG_BASE:-}
if [ -z "$BASE" ]; then
  CLUSTER=$(mktemp -d /tmp/hoso-bench-pg.XXXXXX)
  chmod 755 "$CLUSTER"
  BASE=$(scripts/pg-cluster.sh start "$CLUSTER/c")
fi
TRACK_DB=
cleanup() {
  if [ -n "$TRACK_DB" ] && [ -z "${PG_TRACK_DB:-}" ]; then pg_dropdb "$TRACK_DB"; fi
  if [ -n "$CLUSTER" ]; then scripts/pg-cluster.sh stop "$CLUSTER/c" || true; rm -rf "$CLUSTER"; fi
}
trap cleanup EXIT
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
     "$("$(dirname "$PSQL")/postgres" --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== PostgreSQL settings: $("$PSQL" -X -At -d "$BASE" -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ' ')
    FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'max_connections')")"

for part in $PARTS; do
  case $part in
    accept)
      echo "== acceptances: bench/pg/accept.sh BASE $RUNS $SECS \"$DAEMONS\""
      bench/pg/accept.sh "$BASE" "$RUNS" "$SECS" "$DAEMONS" ;;
    events)
      echo "== events: bench/events/run.py --runs $RUNS --pg BASE --daemons ${DAEMONS// /,}"
      python3 bench/events/run.py --runs "$RUNS" --build "$HOSO_BUILD" --pg "$BASE" \
          --daemons "${DAEMONS// /,}" --max-seconds "$SECS" ;;
    tracking)
      DIR=$BENCH_DIR/bench-tracking-$ITEMS
      if [ ! -s "$DIR/list" ]; then   # as bench/tracking/run.sh makes it
        mkdir -p "$DIR"; rm -f "$DIR"/hoso.db*
        "$HOSO" init --db "$DIR/hoso.db" --demo >/dev/null 2>&1
        "$HOSO_BUILD/bench/tracking/gen_db" "$DIR/hoso.db" "$ITEMS" "$DIR/list.all"
        shuf -n 200000 "$DIR/list.all" >"$DIR/list"
      fi
      TRACK_DB=${PG_TRACK_DB:-}
      if [ -z "$TRACK_DB" ]; then
        TRACK_DB=$(pg_newdb "$BASE")
        echo "== copying $DIR/hoso.db into PostgreSQL"
        bench/pg/load_tracking.sh "$DIR/hoso.db" "$TRACK_DB"
      fi
      echo "== tracking: PG_DB=... DAEMONS=\"$DAEMONS\" bench/tracking/run.sh $RUNS $SECS $ITEMS"
      echo "== PostgreSQL database $("$PSQL" -X -At -d "$TRACK_DB" -c "SELECT pg_size_pretty(pg_database_size(current_database())) || ', ' || (SELECT count(*) FROM items) || ' items'")," \
           "SQLite file $(du -h "$DIR/hoso.db" | cut -f1)"
      PG_DB=$TRACK_DB DAEMONS=$DAEMONS bench/tracking/run.sh "$RUNS" "$SECS" "$ITEMS" ;;
    *) echo "unknown part $part (accept, events, tracking)" >&2; exit 2 ;;
  esac
done
