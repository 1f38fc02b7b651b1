#!/usr/bin/env bash
# Runs the test suite on CI.
#   .github/scripts/ctest-ci.sh BUILD_DIR DATA_DIR
# With the shared test data present (DATA_DIR/README.md), this is the README's
# `ctest --test-dir build --output-on-failure`, and every test must pass.
# Without it (hosted CI has no ../shared/data unless the TERN_TEST_DATA_URL variable points to
# a copy), the tests that need the data fail by design (the project never skips them
# silently). Here they are allowed to fail, listed in a warning, and every other test must
# pass: a failure counts as "needs data" only if its output mentions the missing data folder,
# says "shared test data not found", or is a test whose fixture failed for that reason.
set -euo pipefail
BUILD="${1:?usage: ctest-ci.sh BUILD_DIR DATA_DIR}"
DATA="${2:?usage: ctest-ci.sh BUILD_DIR DATA_DIR}"
if [ -f "$DATA/README.md" ]; then
  exec ctest --test-dir "$BUILD" --output-on-failure
fi
echo "::warning::Shared test data not found at $DATA: tests that need it are expected to fail; all others must pass."
set +e
ctest --test-dir "$BUILD" --output-on-failure
rc=$?
set -e
[ $rc -eq 0 ] && exit 0
failed_log="$BUILD/Testing/Temporary/LastTestsFailed.log"
[ -f "$failed_log" ] || { echo "ctest failed ($rc) without a list of failed tests"; exit 1; }
needs_data=()
unexpected=()
while IFS=: read -r _ name; do
  [ -n "$name" ] || continue
  out="$(ctest --test-dir "$BUILD" -R "^${name//./\\.}\$" --output-on-failure 2>&1 || true)"
  if grep -q -F -e "$DATA" -e "shared test data not found" -e "Failed test dependencies" <<<"$out" \
     || grep -q -E 'shared[/\\]data' <<<"$out"; then
    needs_data+=("$name")
  else
    unexpected+=("$name")
  fi
done <"$failed_log"
echo "::warning::Not verified for lack of test data: ${needs_data[*]:-none}"
if [ ${#unexpected[@]} -gt 0 ]; then
  echo "::error::Tests failing for reasons other than missing test data: ${unexpected[*]}"
  exit 1
fi
