#!/usr/bin/env bash
# Sets everything up on Debian 12 and runs every test: the unit, API and document tests
# on a normal build, then all of them again under AddressSanitizer + UndefinedBehavior-
# Sanitizer (LeakSanitizer included), which fails on any leak or undefined behaviour, then
# every fuzz target for FUZZ_SECONDS (default 20) each. The browser tests (suite "browser":
# the staff pages in Debian's headless Chromium) run in both builds; HOSO_SKIP_BROWSER=1
# leaves them out. Screenshots land in build/screenshots and build-asan/screenshots.
# The storage and API tests run twice in each build: on SQLite files (suites db, api) and
# on PostgreSQL (suites db-pg, api-pg), in a throwaway cluster started here as an ordinary
# user with a Unix socket in a temporary folder, and stopped at the end
# (scripts/pg-cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${HOSO_SKIP_BROWSER:-0}" = 1 ]; then ./scripts/setup.sh; else ./scripts/setup.sh --browser; fi

PGDIR=$(mktemp -d /tmp/hoso-pg.XXXXXX)
chmod 755 "$PGDIR"
trap './scripts/pg-cluster.sh stop "$PGDIR/c" >/dev/null 2>&1 || true; rm -rf "$PGDIR"' EXIT
HOSO_TEST_PG=$(./scripts/pg-cluster.sh start "$PGDIR/c")
export HOSO_TEST_PG
echo "== PostgreSQL for suite api-pg: $HOSO_TEST_PG"

status=0
passed=0
failed=0
run_suite() {   # build-dir label
  local dir=$1 label=$2 log
  log=$(mktemp)
  echo "== $label: meson test -C $dir"
  local skip=()
  [ "${HOSO_SKIP_BROWSER:-0}" = 1 ] && skip=(--no-suite browser)
  if meson test -C "$dir" --print-errorlogs --num-processes 2 "${skip[@]}" >"$log" 2>&1; then :; else status=1; fi
  cat "$log"
  local ok fail
  ok=$(awk '/^Ok:/ {print $2}' "$log"); fail=$(awk '/^Fail:/ {print $2}' "$log")
  local to; to=$(awk '/^Timeout:/ {print $2}' "$log")
  passed=$((passed + ${ok:-0})); failed=$((failed + ${fail:-0} + ${to:-0}))
  [ -n "$ok" ] || { echo "$label: no test summary" >&2; status=1; }
  rm -f "$log"
}

run_suite build "release build"

if [ "${HOSO_SKIP_SANITIZERS:-0}" != 1 ]; then
  if [ ! -f build-asan/build.ninja ]; then
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
      --buildtype=debug >/dev/null
  fi
  ninja -C build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  run_suite build-asan "ASan+UBSan build"
fi

# Third stage: each libFuzzer target for a bounded time from its committed corpus
# (build-fuzz, clang; fuzz/run.sh). HOSO_SKIP_FUZZ=1 skips it.
if [ "${HOSO_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing: fuzz/run.sh, ${FUZZ_SECONDS:-20}s a target"
  if FUZZ_SECONDS=${FUZZ_SECONDS:-20} ./fuzz/run.sh; then :; else status=1; fi
fi

echo "$passed passed, $failed failed"
exit $status
