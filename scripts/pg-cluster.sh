#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (HOSO_TEST_DB=postgres), with Debian's binaries.
#   ./scripts/pg-cluster.sh start DIR   # prints one line: the superuser's libpq URI
#   ./scripts/pg-cluster.sh stop DIR    # pg_ctl stop -m fast; harmless when nothing runs
# start creates DIR if needed and a cluster in DIR/data (log: DIR/postgres.log), or starts
# the one already there; it refuses when that cluster is running. The cluster listens only
# on a Unix socket in DIR (no TCP), trusts every local connection, and keeps PostgreSQL's
# durability defaults (fsync, synchronous_commit, full_page_writes on); max_connections is
# 300 because several daemons with connection pools run at once. Encoding UTF8, locale C:
# text sorts by code point, as SQLite's default collation does. The URI printed is
#   postgresql://USER@/postgres?host=DIR&port=5432
# USER is the OS user that ran initdb: initdb refuses root, so under root the cluster is the
# postgres system user's (DIR is chowned to it; DIR's parent must let it in) and USER is
# postgres. DIR stays mode 0755 so a daemon that dropped to another user reaches the socket.
set -euo pipefail

PORT=5432

usage() {
  echo "usage: $0 start DIR | stop DIR | --help"
}

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

case "${1:-}" in
  -h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; usage; exit 0 ;;
  start|stop) [ $# -eq 2 ] && [ -n "$2" ] || { usage >&2; exit 2; } ;;
  *) usage >&2; exit 2 ;;
esac
cmd=$1 dir=$2

initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
[ -n "$initdb" ] || die "no /usr/lib/postgresql/*/bin/initdb: install Debian's postgresql package (scripts/setup.sh)"
bin=$(dirname "$initdb")

# Percent-encodes a URI component (keeps / for the host path).
urienc() {
  local LC_ALL=C s=$1 out="" c i   # C: byte by byte, so UTF-8 becomes %XX%XX
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in
      [A-Za-z0-9/._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

# Runs a PostgreSQL program as USER ($1): directly when that is us, via runuser under root.
as() {
  local user=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

running() {   # user datadir: pg_ctl status exits 0 when a server runs on datadir
  as "$1" "$bin/pg_ctl" status -D "$2" >/dev/null 2>&1
}

if [ "$cmd" = stop ]; then
  [ -d "$dir" ] || exit 0
  dir=$(cd "$dir" && pwd -P)
  data=$dir/data
  [ -f "$data/PG_VERSION" ] || exit 0
  owner=$(stat -c %U "$data")
  cd "$dir"
  running "$owner" "$data" || exit 0
  as "$owner" "$bin/pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null
  exit 0
fi

# ---- start ----------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  user=postgres
  id -u "$user" >/dev/null 2>&1 || die "no system user postgres (it comes with Debian's postgresql package)"
else
  user=$(id -un)
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
case "$dir" in
  *\'*|*\\*) die "$dir: a quote or backslash in the path cannot go into postgresql.conf" ;;
esac
# The socket is DIR/.s.PGSQL.PORT; a Unix socket path holds at most 107 bytes.
[ $((${#dir} + 15)) -le 107 ] || die "$dir: too long for a Unix socket path (${#dir} bytes; keep it under 92)"
data=$dir/data
log=$dir/postgres.log

if [ "$(id -u)" -eq 0 ]; then
  chown "$user:" "$dir"
  chmod 0755 "$dir"
  if ! runuser -u "$user" -- test -w "$dir" -a -x "$dir"; then
    p="" rest=${dir#/}
    while :; do   # the first directory from / down that the user cannot pass
      p+=/${rest%%/*}
      runuser -u "$user" -- test -x "$p" || break
      [ "$rest" != "${rest#*/}" ] || break
      rest=${rest#*/}
    done
    die "user $user cannot reach $dir: $p is not traversable for it (chmod o+x it, or let this script create DIR in a directory it can reach, e.g. /tmp/NAME)"
  fi
fi
cd "$dir"

if [ -f "$data/PG_VERSION" ]; then
  owner=$(stat -c %U "$data")
  [ "$owner" = "$user" ] || die "$data belongs to $owner, not $user"
  if running "$user" "$data"; then
    die "a cluster is already running in $data (stop it first: $0 stop $dir)"
  fi
elif [ -e "$data" ]; then
  die "$data exists and is not a PostgreSQL cluster"
else
  # --no-sync: initdb's own files are not flushed (a throwaway cluster); the server keeps
  # fsync = on for everything written after it starts.
  if ! as "$user" "$bin/initdb" -D "$data" -U "$user" -A trust -E UTF8 --locale=C \
      --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed in $data"
  fi
  cat >>"$data/postgresql.conf" <<EOF

# ---- scripts/pg-cluster.sh: a private test cluster ----
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
port = $PORT
max_connections = 300
shared_buffers = 32MB
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
fi

if ! as "$user" "$bin/pg_ctl" start -D "$data" -l "$log" -w -t 60 >/dev/null 2>&1; then
  tail -n 30 "$log" >&2 2>/dev/null || true
  die "pg_ctl start failed in $data (log: $log)"
fi
echo "postgresql://$(urienc "$user")@/postgres?host=$(urienc "$dir")&port=$PORT"
