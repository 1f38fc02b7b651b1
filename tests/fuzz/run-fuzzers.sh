#!/usr/bin/env bash
# Runs the fuzz targets for longer than ctest does, one after the other, each for SECONDS:
#   tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]      (default: all five targets)
# BUILD_DIR is a -DTERN_FUZZ=ON build (README.md "Development"). Each target grows its own corpus
# in BUILD_DIR/tests/fuzz/corpus-work/<target>, seeded from tests/fuzz/corpus/<target> (which it
# never writes to), so a second run continues where the first stopped. Crashes are saved as
# BUILD_DIR/tests/fuzz/artifacts/<target>-crash-*; reproduce one with
#   BUILD_DIR/tests/fuzz/<target> <that file>
# Prints executions and coverage (libFuzzer's cov: and ft:) per target; exits non-zero if any
# target found a crash, leak, timeout or excessive allocation.
set -euo pipefail
BUILD="${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]}"
SECONDS_EACH="${2:?usage: run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]}"
shift 2
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_gguf_model fuzz_tokenizer fuzz_tokenizer_json fuzz_json fuzz_chat_template)
SRC="$(cd "$(dirname "$0")" && pwd)"
OUT="$BUILD/tests/fuzz"
mkdir -p "$OUT/artifacts"
failed=()
summary=()
for t in "${TARGETS[@]}"; do
  exe="$OUT/$t"
  [ -x "$exe" ] || { echo "run-fuzzers: $exe not built (cmake --build $BUILD --target tern_fuzzers)" >&2; exit 2; }
  work="$OUT/corpus-work/$t"
  log="$OUT/$t.log"
  mkdir -p "$work"
  echo "== $t: ${SECONDS_EACH}s, corpus $work"
  # Same limits as the ctest runs (tests/fuzz/CMakeLists.txt). The first directory receives new
  # inputs; the seed directory is only read.
  if "$exe" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=60 \
       -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" "$work" "$SRC/corpus/$t" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
  fi
  # The last status line ("#N DONE cov: C ft: F corp: ...") has the totals.
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  summary+=("$(printf '%-20s %-6s %s' "$t" "$status" "$last")")
  [ "$status" = ok ] || tail -n 40 "$log"
done
echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzzers: findings in ${failed[*]}: see $OUT/artifacts and $OUT/<target>.log" >&2
  exit 1
fi
