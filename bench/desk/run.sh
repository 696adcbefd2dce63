#!/usr/bin/env bash
# The staff pages' load times on a throttled phone profile (bench/desk/run.mjs).
#   bench/desk/run.sh [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
./scripts/setup.sh --browser >/dev/null
export HOSO_SOURCE_ROOT=$PWD HOSO_BUILD_ROOT=$PWD/build HOSO_BIN=$PWD/build/dispatch/hoso
exec node bench/desk/run.mjs "${1:-5}"
