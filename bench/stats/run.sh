#!/usr/bin/env bash
# The supervisor's figures of the day (GET /api/v1/stats/today) on a province's worth of
# history: N dossiers from bench/tracking's gen_db, 95 % of their items then marked
# delivered (their deadlines cleared), as a database looks after a year or two.
#   bench/stats/run.sh [RUNS=5] [N=1000000]
#   REF=/path/to/older/hoso bench/stats/run.sh ...   # the same requests on another build
# REF must open the same schema (build it from the commit before a migration, and run it
# first: this script gives each binary its own copy of the database).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-5}; N=${2:-1000000}
B=${HOSO_BUILD:-build}
ninja -C "$B" >/dev/null
TMP=$(mktemp -d -p "${BENCH_DIR:-/tmp}" bench-stats.XXXXXX)
trap 'pkill -f "serve --db $TMP/" 2>/dev/null || true; rm -rf "$TMP"' EXIT

base="$TMP/base.db"
"${REF:-$B/dispatch/hoso}" init --db "$base" --demo >/dev/null 2>&1
"$B/bench/tracking/gen_db" "$base" "$N" "$TMP/list" >/dev/null
sqlite3 "$base" "UPDATE items SET state = 'DELIVERED' WHERE rowid % 20 != 0;
  UPDATE item_progress SET next_deadline = '' WHERE tracking_number IN
    (SELECT tracking_number FROM items WHERE state = 'DELIVERED');"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

measure() {   # label binary
  local db="$TMP/$1.db" out="$TMP/$1.out" times=()
  cp "$base" "$db"
  local t0; t0=$(date +%s.%N)
  "$2" init --db "$db" >/dev/null 2>&1   # migrations, timed
  local mig; mig=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
  "$2" serve --db "$db" --listen 127.0.0.1:0 --log-level warn >"$out" 2>&1 &
  for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.1; done
  local url; url=$(grep -o 'http://[0-9.:]*' "$out" | head -1)
  local tok; tok=$(curl -s -X POST "$url/api/v1/login" \
      -d '{"username":"supervisor","password":"demo-supervisor-2026"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
  curl -s -o /dev/null -H "Authorization: Bearer $tok" "$url/api/v1/stats/today"   # warm-up
  for _ in $(seq "$RUNS"); do
    times+=("$(curl -s -o "$TMP/$1.json" -w '%{time_total}' -H "Authorization: Bearer $tok" \
        "$url/api/v1/stats/today")")
  done
  pkill -f "serve --db $db" || true
  echo "$1: stats/today runs ${times[*]} s -> median $(printf '%s\n' "${times[@]}" | median) s (migrations at open: ${mig} s)"
}

echo "$N dossiers, load $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${REF:-}" ] && measure ref "$REF"
measure new "$B/dispatch/hoso"
[ -n "${REF:-}" ] && { cmp -s "$TMP/ref.json" "$TMP/new.json" && echo "same answer" || echo "ANSWERS DIFFER"; }
exit 0
