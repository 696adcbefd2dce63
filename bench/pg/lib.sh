# shellcheck shell=bash
# Shell helpers for the PostgreSQL benchmarks (sourced by bench/pg/*.sh and
# bench/tracking/run.sh): databases on a cluster from scripts/pg-cluster.sh, N daemons on
# one database, and wrk spread over them.
#
#   pg_newdb BASE           prints the URI of a new empty database on BASE's cluster
#   pg_dropdb URI           drops it (connections closed by force)
#   pg_sql URI SQL          runs SQL with psql, stops on the first error
#   start_daemons N DB INI  starts N `hoso serve` on DB (extra flags in $SERVE_FLAGS);
#                           their PIDs in DAEMON_PIDS, their base URLs in DAEMON_URLS
#   stop_daemons            SIGTERM to the daemons start_daemons started, and waits
#   wrk_spread URLS... -- WRK-ARGS   one wrk whose threads are spread round-robin over
#                           the daemons (bench/pg/spread.lua); WRK_SCRIPT names the request
#                           script it wraps (track.lua, post.lua), empty for a plain GET
#   median                  median of the numbers on standard input
#   to_ms                   wrk's latency (850.00us, 2.10ms, 1.02s) in milliseconds
#   loadavg                 the 1-minute load average
PSQL=${PSQL:-$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)}
PSQL=${PSQL:-psql}
HOSO=${HOSO:-build/dispatch/hoso}
BENCH_PG_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

pg_sql() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# BASE with its database replaced by NAME (the query part, host and port, kept).
pg_uri() {
  local base=$1 name=$2 head query
  head=${base%%\?*}; query=${base#"$head"}
  printf '%s/%s%s' "${head%/*}" "$name" "$query"
}

pg_newdb() {
  local name="hoso_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  pg_sql "$1" "CREATE DATABASE \"$name\"" >/dev/null
  pg_uri "$1" "$name"
}

pg_dropdb() {
  local name=${1%%\?*}; name=${name##*/}
  pg_sql "$(pg_uri "$1" postgres)" "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
      >/dev/null 2>&1 || true
}

DAEMON_PIDS=(); DAEMON_URLS=()
start_daemons() {
  local n=$1 db=$2 ini=$3 i out pid url
  for i in $(seq "$n"); do
    out=$(mktemp)
    "$HOSO" serve --db "$db" --listen 127.0.0.1:0 --config "$ini" ${SERVE_FLAGS:-} \
        >"$out" 2>"$out.err" &
    pid=$!
    for _ in $(seq 300); do grep -q listening "$out" 2>/dev/null && break; sleep 0.1; done
    url=$(grep -o 'http://[0-9.:]*' "$out" | head -1)
    if [ -z "$url" ]; then
      echo "daemon $i on $db did not start:" >&2; cat "$out.err" >&2; rm -f "$out" "$out.err"
      return 1
    fi
    rm -f "$out" "$out.err"
    DAEMON_PIDS+=("$pid"); DAEMON_URLS+=("$url")
  done
}

stop_daemons() {
  local p
  for p in "${DAEMON_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${DAEMON_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  DAEMON_PIDS=(); DAEMON_URLS=()
}

# wrk_spread URL1 [URL2 ...] -- wrk options (-t, -c, -d, --latency ...)
# The URL given to wrk is the first daemon's; spread.lua points thread k at daemon k mod N.
wrk_spread() {
  local urls=() ports=()
  while [ "$1" != -- ]; do urls+=("$1"); shift; done
  shift
  local u
  for u in "${urls[@]}"; do ports+=("${u##*:}"); done
  HOSO_PORTS="${ports[*]}" WRK_SCRIPT=${WRK_SCRIPT:-} \
      wrk "$@" -s "$BENCH_PG_LIB/spread.lua" "${urls[0]}${WRK_PATH:-}"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
