#!/usr/bin/env bash
# Public tracking lookups per second (GET /api/v1/track/{number}, random existing numbers)
# beside the same daemon's /healthz in the same run, with wrk on loopback at 64 connections.
#   bench/tracking/run.sh [RUNS=5] [SECONDS=10] [ITEMS=1000000]
# The database (ITEMS dossiers, ~1.25 ITEMS items, ~2.25 ITEMS events) is generated once by
# build/bench/tracking/gen_db into $BENCH_DIR (default: the source root) and reused.
# The lookup rate limit is raised through the config file (track_rate), not turned off.
#
# PostgreSQL beside it: PG_DB=URI (a database holding the same rows, bench/pg/load_tracking.sh
# copies them; bench/pg/run.sh does it all) and DAEMONS="1 3" (daemon counts). Each run then
# measures, after SQLite's /healthz and lookups, the same two loads against 1 and N daemons
# serving PG_DB: one wrk whose threads are spread over the daemons (bench/pg/spread.lua;
# -t2 -c64 for one daemon, -tN -c(64 rounded down to a multiple of N) for N), and each
# figure is also given as a ratio to SQLite's of the same run.
# HOSO_BUILD: the build directory (default build); HOSO: the daemon under test.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-5}; SECS=${2:-10}; ITEMS=${3:-1000000}
B=${HOSO_BUILD:-build}
HOSO=${HOSO:-$B/dispatch/hoso}   # the daemon under test (e.g. an experimental build)
PG_DB=${PG_DB:-}; DAEMONS=${DAEMONS:-1 3}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
. bench/pg/lib.sh
ninja -C $B >/dev/null
DIR=${BENCH_DIR:-$PWD}/bench-tracking-$ITEMS
mkdir -p "$DIR"
if [ ! -s "$DIR/list" ]; then
  rm -f "$DIR"/hoso.db*
  $B/dispatch/hoso init --db "$DIR/hoso.db" --demo 2>/dev/null
  /usr/bin/time -f "generated in %e s" $B/bench/tracking/gen_db "$DIR/hoso.db" "$ITEMS" "$DIR/list.all"
  shuf -n 200000 "$DIR/list.all" >"$DIR/list"
fi
TMP=$(mktemp -d)
trap 'stop_daemons; rm -rf "$TMP"' EXIT
printf '[server]\ntrack_rate = 100000000\ntrack_burst = 100000000\nlog_level = warn\n' >"$TMP/ini"
if [ -n "${THREADS:-}" ]; then SERVE_FLAGS="--threads $THREADS"; fi
start_daemons 1 "$DIR/hoso.db" "$TMP/ini"
CONFIGS=(sqlite); URLS_sqlite=("${DAEMON_URLS[0]}")
MAXN=0
if [ -n "$PG_DB" ]; then
  for n in $DAEMONS; do [ "$n" -gt "$MAXN" ] && MAXN=$n; CONFIGS+=("pg$n"); done
  start_daemons "$MAXN" "$PG_DB" "$TMP/ini"   # DAEMON_URLS[1..MAXN]: PostgreSQL's
fi
export TRACK_LIST="$DIR/list"
for u in "${DAEMON_URLS[@]}"; do
  curl -sf "$u/api/v1/track/$(head -1 "$DIR/list")" >/dev/null || { echo "lookup failed on $u" >&2; exit 1; }
done

urls() {   # the daemons of configuration $1
  case $1 in sqlite) echo "${DAEMON_URLS[0]}" ;; pg*) echo "${DAEMON_URLS[@]:1:${1#pg}}" ;; esac
}
# one NAME CFG: one wrk run of load NAME (healthz or track) on CFG; appends
# "rate p50 p99 load" to $TMP/CFG.NAME
one() {
  local name=$1 cfg=$2 us n t c load
  us=($(urls "$cfg")); n=${#us[@]}
  if [ "$n" -eq 1 ]; then t=2; c=64; else t=$n; c=$((64 / n * n)); fi
  load=$(loadavg)
  if [ "$name" = healthz ]; then
    WRK_SCRIPT= WRK_PATH=/healthz wrk_spread "${us[@]}" -- -t$t -c$c -d"${SECS}s" --latency >"$TMP/w"
  else
    WRK_SCRIPT=bench/tracking/track.lua wrk_spread "${us[@]}" -- -t$t -c$c -d"${SECS}s" --latency >"$TMP/w"
  fi
  if grep -q "Non-2xx" "$TMP/w"; then echo "errors during the run ($cfg $name):" >&2; cat "$TMP/w" >&2; exit 1; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$TMP/w") $(awk '$1=="50%" {print $2}' "$TMP/w" | to_ms)" \
       "$(awk '$1=="99%" {print $2}' "$TMP/w" | to_ms) $load" >>"$TMP/$cfg.$name"
}
for cfg in "${CONFIGS[@]}"; do   # warm up
  us=($(urls "$cfg"))
  WRK_SCRIPT= WRK_PATH=/healthz wrk_spread "${us[@]}" -- -t${#us[@]} -c$((64 / ${#us[@]} * ${#us[@]})) -d2s >/dev/null
  WRK_SCRIPT=bench/tracking/track.lua wrk_spread "${us[@]}" -- -t${#us[@]} -c$((64 / ${#us[@]} * ${#us[@]})) -d2s >/dev/null
done
for r in $(seq "$RUNS"); do
  echo "run $r: load $(loadavg)" >&2
  for cfg in "${CONFIGS[@]}"; do
    one healthz "$cfg"
    one track "$cfg"
  done
done

col() { awk -v k="$2" '{print $k}' "$TMP/$1" | tr '\n' ' ' | sed 's/ $//'; }
med() { awk -v k="$2" '{print $k}' "$TMP/$1" | median; }
echo "items in the database: $(sqlite3 "$DIR/hoso.db" 'select count(*) from items' 2>/dev/null || echo '?')"
echo "load before/after: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs (daemons, database and wrk share them)"
HZ=$(med sqlite.healthz 1); TR=$(med sqlite.track 1); P99=$(med sqlite.track 3)
echo "/healthz, 64 connections:        runs $(col sqlite.healthz 1) -> median $HZ/s (p99 ms: $(col sqlite.healthz 3))"
echo "/api/v1/track, 64 connections:   runs $(col sqlite.track 1) -> median $TR/s"
echo "track latency ms p50: $(col sqlite.track 2)   p99: $(col sqlite.track 3) -> median p99 $P99 ms"
echo "load at each run: $(col sqlite.track 4)"
awk -v t="$TR" -v h="$HZ" -v p="$P99" 'BEGIN {printf "ratio track/healthz = %.2f (target >= 0.30), p99 %.2f ms (target < 10)\n", t/h, p}'
for cfg in "${CONFIGS[@]:1}"; do
  n=${cfg#pg}
  PHZ=$(med "$cfg.healthz" 1); PTR=$(med "$cfg.track" 1)
  echo "PostgreSQL, $n daemon(s) on one database:"
  echo "  /healthz:      runs $(col "$cfg.healthz" 1) -> median $PHZ/s (p99 ms: $(col "$cfg.healthz" 3)); ratio to SQLite's $(awk -v a="$PHZ" -v b="$HZ" 'BEGIN {printf "%.2f", a/b}')"
  echo "  /api/v1/track: runs $(col "$cfg.track" 1) -> median $PTR/s, p50 $(med "$cfg.track" 2) ms, p99 $(med "$cfg.track" 3) ms;" \
       "ratio to SQLite's lookups $(awk -v a="$PTR" -v b="$TR" 'BEGIN {printf "%.2f", a/b}'), track/healthz $(awk -v a="$PTR" -v b="$PHZ" 'BEGIN {printf "%.2f", a/b}')"
  echo "  load at each run: $(col "$cfg.track" 4)"
done
