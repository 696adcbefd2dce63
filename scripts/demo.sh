#!/usr/bin/env bash
# Sets everything up on Debian 12 and starts the daemon with the demo catalogue.
#   ./scripts/demo.sh [--listen 127.0.0.1:8080] [--db PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
DB=${HOSO_DB:-$PWD/hoso-demo.db}
LISTEN=${HOSO_LISTEN:-127.0.0.1:8080}
while [ $# -gt 0 ]; do
  case "$1" in
    --listen) LISTEN=$2; shift 2 ;;
    --db) DB=$2; shift 2 ;;
    *) echo "usage: $0 [--listen HOST:PORT] [--db PATH]" >&2; exit 2 ;;
  esac
done
echo "hoso: database $DB"
exec ./build/dispatch/hoso serve --db "$DB" --listen "$LISTEN" --demo
