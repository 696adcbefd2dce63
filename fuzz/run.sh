#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz: clang, ASan + UBSan, -Dfuzz=true) and runs each
# for FUZZ_SECONDS (default 60) from a copy of its committed corpus (fuzz/corpus/<target>/
# and fuzz/regressions/<target>/; the repository is never written). Prints the executions
# of each target and fails when one crashes, leaks or breaks an invariant; the input is
# saved in FUZZ_CRASH_DIR (default build-fuzz/crashes/<target>/) and printed in base64. Add it to fuzz/regressions/<target>/
# once fixed: tests/fuzz replays those on every build.
#
#   fuzz/run.sh [TARGET...]      FUZZ_SECONDS=600 fuzz/run.sh fuzz_labels
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
BUILD=${FUZZ_BUILD:-build-fuzz}
ALL=(fuzz_json_bodies fuzz_s10 fuzz_csv fuzz_config fuzz_labels)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")

if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang meson setup "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    >/dev/null
fi
ninja -C "$BUILD" "${TARGETS[@]/#/fuzz/}"

bin_dir=$(cd "$BUILD/fuzz" && pwd)
CRASH_DIR=${FUZZ_CRASH_DIR:-$BUILD/crashes}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The targets' databases go there too (a crash skips their own clean-up); tmpfs if any.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export HOSO_FUZZ_TMP=$(mktemp -d /dev/shm/hoso-fuzz-run-XXXXXX)
  trap 'rm -rf "$work" "$HOSO_FUZZ_TMP"' EXIT
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

status=0
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp fuzz/corpus/"$t"/* "$work/$t/corpus/"
  if [ -d fuzz/regressions/"$t" ]; then cp fuzz/regressions/"$t"/* "$work/$t/corpus/"; fi
  max_len=4096
  [ "$t" = fuzz_labels ] && max_len=8192
  echo "== $t: ${SECONDS_EACH}s"
  log="$work/$t/log"
  rc=0
  (cd "$work/$t" && "$bin_dir/$t" -max_total_time="$SECONDS_EACH" \
     -print_final_stats=1 -max_len="$max_len" -timeout=30 -rss_limit_mb=3072 \
     -artifact_prefix="$work/$t/artifacts/" corpus) >"$log" 2>&1 || rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1 || true)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}' || true)
  corpus=$(find "$work/$t/corpus" -type f | wc -l)
  if [ "$rc" -ne 0 ] || ls "$work/$t/artifacts/"* >/dev/null 2>&1; then
    status=1
    mkdir -p "$CRASH_DIR/$t"
    cp "$work/$t/artifacts/"* "$CRASH_DIR/$t/" 2>/dev/null || true
    grep -E -A40 'ERROR|runtime error|fuzz: ' "$log" | head -60 >&2 || tail -40 "$log" >&2
    for f in "$work/$t/artifacts/"*; do
      [ -f "$f" ] && echo "$t: crash input saved as $CRASH_DIR/$t/$(basename "$f"):" \
        "$(base64 -w0 "$f" | head -c 2000)" >&2
    done
    summary+=("$(printf '%-18s %10s executions  FAILED (exit %s)' "$t" "${execs:-?}" "$rc")")
  else
    summary+=("$(printf '%-18s %10s executions  cov %-6s corpus %-5s ok' "$t" "${execs:-?}" \
      "${cov:-?}" "$corpus")")
  fi
done
echo "== fuzzing, ${SECONDS_EACH}s a target"
printf '%s\n' "${summary[@]}"
exit $status
