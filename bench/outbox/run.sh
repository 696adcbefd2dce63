#!/usr/bin/env bash
# Outbox throughput: signed webhooks delivered per second by `hoso serve`'s outbox worker to
# a local receiver (bench/outbox/receiver.c, libmicrohttpd, checking every signature).
# First the receiver alone (wrk, 64 connections), then per run: a fresh database with N
# pending webhook rows, the daemon started, the time until every row is 'sent'.
#   bench/outbox/run.sh [RUNS=5] [ROWS=20000] [PARALLEL=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-5}; ROWS=${2:-20000}; PAR=${3:-64}
B=build
SECRET=bench-secret-0123456789abcdef
ninja -C $B >/dev/null
TMP=$(mktemp -d -p "${BENCH_DIR:-/tmp}" bench-outbox.XXXXXX)
RPID=; PID=
trap 'kill $PID $RPID 2>/dev/null || true; rm -rf "$TMP"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s.%N; }

receiver() {   # starts a receiver (args: output file, secret); sets RPID and PORT
  $B/bench/outbox/outbox_receiver 0 ${2:-} >"$1" &
  RPID=$!
  for _ in $(seq 50); do grep -q listening "$1" && break; sleep 0.1; done
  PORT=$(awk '/listening/ {print $2}' "$1")
}
if command -v wrk >/dev/null; then
  receiver "$TMP/alone.out"
  wrk -t2 -c64 -d5s -s bench/outbox/post.lua "http://127.0.0.1:$PORT/hook" >"$TMP/wrk"
  echo "receiver alone (wrk, 64 connections): $(awk '/Requests\/sec/ {print $2}' "$TMP/wrk") req/s"
  kill -TERM $RPID; wait $RPID || true
fi
receiver "$TMP/recv.out" "$SECRET"
cat >"$TMP/hoso.ini" <<INI
[notify]
parallel = $PAR
poll_ms = 50
timeout_ms = 10000
INI
rates=()
for r in $(seq "$RUNS"); do
  rm -f "$TMP"/hoso.db*
  $B/dispatch/hoso init --db "$TMP/hoso.db" --demo >/dev/null 2>&1
  echo "$SECRET" | $B/dispatch/hoso agency webhook set --db "$TMP/hoso.db" 000.00.12.H21 \
      "http://127.0.0.1:$PORT/hook" >/dev/null
  sqlite3 "$TMP/hoso.db" "
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
    INSERT INTO outbox (kind, target, payload, next_attempt_at, created_at, idem_key)
    SELECT 'webhook', '000.00.12.H21', json_object('agency_code', '000.00.12.H21',
      'dossier_id', i, 'params', json_object(), 'portal_code', '', 'state', 'DELIVERED',
      'template', 'delivered', 'tracking_number', 'DK402718118VN'), 0, 1795000000000,
      lower(hex(randomblob(16))) FROM n;"
  T0=$(now)
  $B/dispatch/hoso serve --db "$TMP/hoso.db" --listen 127.0.0.1:0 --config "$TMP/hoso.ini" \
      --log-level warn >"$TMP/out" 2>"$TMP/err" &
  PID=$!
  while :; do
    sent=$(sqlite3 "file:$TMP/hoso.db?mode=ro" "PRAGMA busy_timeout=5000;
           SELECT count(*) FROM outbox WHERE state = 'sent'" 2>/dev/null | tail -1)
    [ "${sent:-0}" -ge "$ROWS" ] && break
    kill -0 $PID 2>/dev/null || { echo "daemon died:" >&2; cat "$TMP/err" >&2; exit 1; }
    sleep 0.05
  done
  T1=$(now)
  kill -TERM $PID; wait $PID || true; PID=
  rate=$(awk -v n="$ROWS" -v a="$T0" -v b="$T1" 'BEGIN {printf "%.0f", n / (b - a)}')
  rates+=("$rate")
  echo "run $r: $ROWS webhooks in $(awk -v a="$T0" -v b="$T1" 'BEGIN {printf "%.2f", b - a}') s = $rate/s"
done
kill -TERM $RPID; wait $RPID || true; RPID=
echo "receiver: $(tail -1 "$TMP/recv.out") (expected $((RUNS * ROWS)) requests, 0 bad)"
echo "webhooks/s (start of daemon to last row sent, $PAR in flight): runs ${rates[*]} -> median $(printf '%s\n' "${rates[@]}" | median)/s (target >= 2000)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
