#!/usr/bin/env bash
# ctest kernels.aarch64: cross-builds the kernels and tern-kernels-tests for AArch64 (Debian's
# g++-aarch64-linux-gnu) into BUILD_DIR, incrementally, then runs the tests under qemu-user
# twice, so that both ARM levels are checked bit for bit against the scalar references:
#   -cpu max         has the dot-product extension: levels scalar, neon, dotprod
#   -cpu cortex-a57  ARMv8.0, no dot product:       levels scalar, neon
# and checks in each log that exactly those levels ran. Exit 77 (ctest SKIP_RETURN_CODE) when
# the cross compiler, its target libraries or qemu-aarch64 are missing
# (packaging/linux/install-build-deps.sh installs them).
#
# usage: run-aarch64-tests.sh BUILD_DIR [CMAKE [GENERATOR]]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build_dir="${1:?usage: run-aarch64-tests.sh BUILD_DIR [CMAKE [GENERATOR]]}"
cmake_exe="${2:-cmake}"
generator="${3:-}"
triple=aarch64-linux-gnu
sysroot="/usr/$triple"
qemu="qemu-aarch64"

skip() {
  echo "SKIP: $* -- the AArch64 kernels were NOT built or tested" \
       "(install g++-aarch64-linux-gnu and qemu-user: packaging/linux/install-build-deps.sh)"
  exit 77
}
command -v "$triple-g++" >/dev/null || skip "cross compiler $triple-g++ not found"
[[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ]] || skip "no AArch64 C library in $sysroot (libc6-dev-arm64-cross)"
command -v "$qemu" >/dev/null || skip "$qemu (package qemu-user) not found"

# Host compiler settings must not leak into the cross build.
unset CXX CXXFLAGS CPPFLAGS LDFLAGS CMAKE_TOOLCHAIN_FILE

t0=$SECONDS
# Configuring again is cheap (the compiler checks are cached) and repairs a folder whose first
# configure failed; the build is incremental.
args=(-S "$here" -B "$build_dir")
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  [[ -n "$generator" ]] && args+=(-G "$generator")
  args+=(-DCMAKE_TOOLCHAIN_FILE="$here/$triple.cmake" -DCMAKE_BUILD_TYPE=Release)
fi
"$cmake_exe" "${args[@]}"
"$cmake_exe" --build "$build_dir"
echo "== cross build: $((SECONDS - t0)) s"

tests="$build_dir/tests/kernels/tern-kernels-tests"
status=0
run_cpu() {  # run_cpu CPU EXPECTED_LEVELS
  local cpu="$1" want="$2" log="$build_dir/tern-kernels-tests.$1.log" t=$SECONDS rc=0
  echo "== $qemu -cpu $cpu: expecting levels: $want"
  "$qemu" -L "$sysroot" -cpu "$cpu" "$tests" >"$log" 2>&1 || rc=$?
  # A broken kernel can fail thousands of checks: the head and the summary, the rest in $log.
  if [[ $(wc -l <"$log") -gt 300 ]]; then
    head -n 200 "$log"
    echo "[... $(wc -l <"$log") lines in all, see $log ...]"
    tail -n 30 "$log"
  else
    cat "$log"
  fi
  echo "== -cpu $cpu: exit $rc, $((SECONDS - t)) s"
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: tern-kernels-tests under -cpu $cpu"
    status=1
  fi
  # Printed by tests/kernels/test_cpu_dispatch.cpp: "kernel levels tested on this CPU (...): ..."
  local got
  got="$(sed -n 's/^kernel levels tested on this CPU ([^)]*)://p' "$log" | head -n 1)"
  if [[ "$got" != " $want" ]]; then
    echo "FAIL: -cpu $cpu tested levels '${got# }', expected '$want'"
    status=1
  fi
}
run_cpu max "scalar neon dotprod"
run_cpu cortex-a57 "scalar neon"
[[ $status -eq 0 ]] && echo "== kernels.aarch64: passed"
exit $status
