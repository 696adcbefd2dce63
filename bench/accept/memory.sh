#!/usr/bin/env bash
# Peak memory of the daemon after many acceptances: starts `hoso serve` on a fresh database,
# drives COUNT acceptances through the HTTP API (wrk, 64 connections, each of its threads
# stops after its share; bounded by MAX_SECONDS too), then prints VmHWM and VmRSS from
# /proc/PID/status with the number of dossiers in the database. Target: VmHWM < 50 MB.
#   bench/accept/memory.sh [COUNT=100000] [MAX_SECONDS=600]
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-100000}; MAXS=${2:-600}
B=build
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "install sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
ninja -C $B >/dev/null
TMP=$(mktemp -d -p "${BENCH_DIR:-$PWD}" bench-memory.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT

$B/dispatch/hoso serve --db "$TMP/hoso.db" --listen 127.0.0.1:0 --demo --log-level warn \
    >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 100); do grep -q listening "$TMP/out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$TMP/out" | head -1)
[ -n "$URL" ] || { echo "the daemon did not start:" >&2; cat "$TMP/err" >&2; exit 1; }
export HOSO_TOKEN=$(curl -s -X POST "$URL/api/v1/login" \
    -d '{"username":"clerk","password":"demo-clerk-2026"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
status() { awk -v k="$1" '$1==k":" {print $2}' /proc/$PID/status; }
echo "before: VmHWM $(status VmHWM) kB, VmRSS $(status VmRSS) kB"

THREADS=2
cat bench/accept/post.lua - >"$TMP/count.lua" <<LUA
-- each wrk thread stops after its share of the acceptances
local share = math.ceil($COUNT / $THREADS)
local done, bad = 0, 0
function response(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
  done = done + 1
  if done >= share then wrk.thread:stop() end
end
LUA
START=$(date +%s.%N)
wrk -t$THREADS -c64 -d"${MAXS}s" -s "$TMP/count.lua" "$URL/api/v1/dossiers" >"$TMP/wrk" &
WRK=$!
# wrk sleeps its whole duration even when its threads stopped: end it once the count is in.
while kill -0 $WRK 2>/dev/null; do
  sleep 1
  N=$(sqlite3 "file:$TMP/hoso.db?mode=ro" "SELECT count(*) FROM dossiers" 2>/dev/null || echo 0)
  [ "${N:-0}" -ge "$COUNT" ] && { sleep 1; kill -INT $WRK 2>/dev/null || true; }
done
wait $WRK || true
END=$(date +%s.%N)
if grep -q "Non-2xx" "$TMP/wrk"; then echo "errors during the run:" >&2; cat "$TMP/wrk" >&2; exit 1; fi
HWM=$(status VmHWM); RSS=$(status VmRSS)
kill -TERM $PID; wait $PID || true; PID=
N=$(sqlite3 "$TMP/hoso.db" "SELECT count(*) FROM dossiers")
HWM=${HWM:?}
echo "requests: $(awk '/requests in/ {print $1}' "$TMP/wrk") in $(awk -v a="$START" -v b="$END" 'BEGIN {printf "%.1f", b-a}') s"
echo "dossiers in the database: $N"
echo "after:  VmHWM $HWM kB ($((HWM / 1024)) MB), VmRSS $RSS kB ($((RSS / 1024)) MB)"
awk -v h="$HWM" 'BEGIN {printf "peak RSS %.1f MB (target < 50 MB): %s\n", h/1024, h < 50*1024 ? "ok" : "OVER"}'
