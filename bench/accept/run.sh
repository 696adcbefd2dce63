#!/usr/bin/env bash
# Acceptances per second through the HTTP API (64 concurrent clients, durable commits),
# beside raw SQLite (one durable transaction per insert) on the same disk in the same run,
# and beside the SQL floor: the statements of one acceptance replayed with nothing else
# (bench/accept/sql_floor.c), in groups of 8 and 64 — the most any daemon could do here.
#   bench/accept/run.sh [RUNS=3] [SECONDS=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}; SECS=${2:-10}
B=build
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
ninja -C $B >/dev/null
TMP=$(mktemp -d -p "${BENCH_DIR:-$PWD}" bench-accept.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

raw=(); api=(); p50=(); p99=(); f8=(); f64=()
$B/dispatch/hoso init --db "$TMP/demo.db" --demo >/dev/null 2>&1
floor() { # group -> acceptances a second
  cp "$TMP/demo.db" "$TMP/floor.db"
  $B/bench/sql_floor "$TMP/floor.db" 6000 "$1" | awk '{print $(NF-2)}' | tr -d '/s'
  rm -f "$TMP"/floor.db*
}
for r in $(seq "$RUNS"); do
  raw+=("$($B/bench/raw_sqlite "$TMP" 3000 | awk '{print $(NF-2)}' | tr -d '/s')")
  f8+=("$(floor 8)")
  f64+=("$(floor 64)")
  rm -f "$TMP"/hoso.db*
  $B/dispatch/hoso serve --db "$TMP/hoso.db" --listen 127.0.0.1:0 --demo --log-level warn \
      >"$TMP/out" 2>"$TMP/err" &
  PID=$!
  for _ in $(seq 100); do grep -q listening "$TMP/out" 2>/dev/null && break; sleep 0.1; done
  URL=$(grep -o 'http://[0-9.:]*' "$TMP/out" | head -1)
  export HOSO_TOKEN=$(curl -s -X POST "$URL/api/v1/login" \
      -d '{"username":"clerk","password":"demo-clerk-2026"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
  wrk -t2 -c64 -d"${SECS}s" --latency -s bench/accept/post.lua "$URL/api/v1/dossiers" >"$TMP/wrk"
  if grep -q "Non-2xx" "$TMP/wrk"; then echo "errors during the run:" >&2; cat "$TMP/wrk" >&2; exit 1; fi
  api+=("$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk")")
  p50+=("$(awk '$1=="50%" {print $2}' "$TMP/wrk")")
  p99+=("$(awk '$1=="99%" {print $2}' "$TMP/wrk")")
  kill -TERM $PID; wait $PID || true
done
RAW=$(printf '%s\n' "${raw[@]}" | median)
API=$(printf '%s\n' "${api[@]}" | median)
F8=$(printf '%s\n' "${f8[@]}" | median)
F64=$(printf '%s\n' "${f64[@]}" | median)
echo "raw SQLite, 1 durable txn/insert: runs ${raw[*]} -> median $RAW/s"
echo "SQL floor, groups of 8:            runs ${f8[*]} -> median $F8/s"
echo "SQL floor, groups of 64:           runs ${f64[*]} -> median $F64/s"
echo "API acceptances, 64 clients:       runs ${api[*]} -> median $API/s"
echo "latency p50: ${p50[*]}   p99: ${p99[*]}"
awk -v a="$API" -v r="$RAW" -v f="$F8" -v g="$F64" 'BEGIN {
  printf "ratio API/raw = %.2f (target >= 0.60)\n", a/r
  printf "ratio SQL floor/raw = %.2f (groups of 8), %.2f (groups of 64); API/floor(8) = %.2f\n",
         f/r, g/r, a/f }'
