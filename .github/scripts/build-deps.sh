#!/usr/bin/env bash
# Windows and macOS CI: builds the two non-Qt dependencies from pinned upstream tags into
# PREFIX (pass it to CMake as CMAKE_PREFIX_PATH). Debian gets them from apt instead
# (install-build-deps.sh). Catch2 must be v2: the tests use <catch2/catch.hpp>, and Homebrew
# and vcpkg only carry v3.
#   .github/scripts/build-deps.sh PREFIX
set -euo pipefail
PREFIX="${1:?usage: build-deps.sh PREFIX}"
CATCH2_TAG="${CATCH2_TAG:-v2.13.10}"
FMT_TAG="${FMT_TAG:-10.2.1}"
SRC="$(mktemp -d)"
git clone -q --depth 1 --branch "$CATCH2_TAG" https://github.com/catchorg/Catch2.git "$SRC/catch2"
cmake -S "$SRC/catch2" -B "$SRC/catch2-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCATCH_BUILD_TESTING=OFF -DCATCH_INSTALL_DOCS=OFF -DCMAKE_INSTALL_PREFIX="$PREFIX"
cmake --install "$SRC/catch2-build"
git clone -q --depth 1 --branch "$FMT_TAG" https://github.com/fmtlib/fmt.git "$SRC/fmt"
# Static fmt: nothing extra to deploy next to the executables.
cmake -S "$SRC/fmt" -B "$SRC/fmt-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DFMT_TEST=OFF -DFMT_DOC=OFF -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DCMAKE_INSTALL_PREFIX="$PREFIX"
cmake --build "$SRC/fmt-build"
cmake --install "$SRC/fmt-build"
echo "Catch2 $CATCH2_TAG and fmt $FMT_TAG installed in $PREFIX"
