#!/usr/bin/env bash
# Public tracking lookups per second (GET /api/v1/track/{number}, random existing numbers)
# beside the same daemon's /healthz in the same run, with wrk on loopback at 64 connections.
#   bench/tracking/run.sh [RUNS=5] [SECONDS=10] [ITEMS=1000000]
# The database (ITEMS dossiers, ~1.25 ITEMS items, ~2.25 ITEMS events) is generated once by
# build/bench/tracking/gen_db into $BENCH_DIR (default: the source root) and reused.
# The lookup rate limit is raised through the config file (track_rate), not turned off.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-5}; SECS=${2:-10}; ITEMS=${3:-1000000}
B=build
HOSO=${HOSO:-$B/dispatch/hoso}   # the daemon under test (e.g. an experimental build)
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
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
trap 'kill $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
printf '[server]\ntrack_rate = 100000000\ntrack_burst = 100000000\nlog_level = warn\n' >"$TMP/ini"
"$HOSO" serve --db "$DIR/hoso.db" --listen 127.0.0.1:0 --config "$TMP/ini" \
    ${THREADS:+--threads $THREADS} >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 100); do grep -q listening "$TMP/out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$TMP/out" | head -1)
export TRACK_LIST="$DIR/list"
curl -sf "$URL/api/v1/track/$(head -1 "$DIR/list")" >/dev/null || { echo "lookup failed" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }
wrk -t2 -c64 -d2s "$URL/healthz" >/dev/null   # warm up
wrk -t2 -c64 -d2s -s bench/tracking/track.lua "$URL" >/dev/null
hz=(); tr=(); p99h=(); p99t=(); p50t=()
for r in $(seq "$RUNS"); do
  wrk -t2 -c64 -d"${SECS}s" --latency "$URL/healthz" >"$TMP/h"
  wrk -t2 -c64 -d"${SECS}s" --latency -s bench/tracking/track.lua "$URL" >"$TMP/t"
  if grep -q "Non-2xx" "$TMP/h" "$TMP/t"; then echo "errors during the run:" >&2; cat "$TMP/t" >&2; exit 1; fi
  hz+=("$(awk '/Requests\/sec/ {print $2}' "$TMP/h")")
  tr+=("$(awk '/Requests\/sec/ {print $2}' "$TMP/t")")
  p99h+=("$(awk '$1=="99%" {print $2}' "$TMP/h" | ms)")
  p50t+=("$(awk '$1=="50%" {print $2}' "$TMP/t" | ms)")
  p99t+=("$(awk '$1=="99%" {print $2}' "$TMP/t" | ms)")
done
HZ=$(printf '%s\n' "${hz[@]}" | median)
TR=$(printf '%s\n' "${tr[@]}" | median)
P99=$(printf '%s\n' "${p99t[@]}" | median)
echo "items in the database: $(sqlite3 "$DIR/hoso.db" 'select count(*) from items' 2>/dev/null || echo '?')"
echo "load before/after: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
echo "/healthz, 64 connections:        runs ${hz[*]} -> median $HZ/s (p99 ms: ${p99h[*]})"
echo "/api/v1/track, 64 connections:   runs ${tr[*]} -> median $TR/s"
echo "track latency ms p50: ${p50t[*]}   p99: ${p99t[*]} -> median p99 $P99 ms"
awk -v t="$TR" -v h="$HZ" -v p="$P99" 'BEGIN {printf "ratio track/healthz = %.2f (target >= 0.30), p99 %.2f ms (target < 10)\n", t/h, p}'
kill -TERM $PID; wait $PID || true
