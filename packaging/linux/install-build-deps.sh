#!/usr/bin/env bash
# Installs what building and testing Tern needs on Debian 12 / Ubuntu 23.04+ (Qt 6.4+) (apt, plus
# `npm ci` for tests/server's pinned Node packages; nothing else is downloaded). The app's
# FileDialog (export) needs qtquick-dialogs, which in turn needs labs-folderlistmodel.
# Safe to run again: apt skips what is already installed.
set -euo pipefail
# shellcheck source=apt-install-missing.sh
. "$(dirname "$0")/apt-install-missing.sh"
PACKAGES=(
  cmake ninja-build g++ pkg-config
  catch2 libfmt-dev libsqlite3-dev
  qt6-base-dev qt6-declarative-dev libqt6sql6-sqlite
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtqml-workerscript
  qml6-module-qttest
  qml6-module-qtquick-dialogs qml6-module-qt-labs-folderlistmodel
  busybox openssl libssl-dev
  libcpp-httplib-dev nlohmann-json3-dev curl
)
# tern-server's client tests (tests/server) run the official OpenAI Node.js client: Node.js from
# apt unless a node is already installed (e.g. a newer one from elsewhere).
if ! command -v node >/dev/null; then
  PACKAGES+=(nodejs npm)
fi
# ctest kernels.aarch64 (tests/kernels/aarch64/): the ARM kernels cross-built and run under
# qemu-user. x86-64 hosts only (an AArch64 host tests them natively).
if [ "$(dpkg --print-architecture)" = amd64 ]; then
  PACKAGES+=(g++-aarch64-linux-gnu qemu-user)
fi
apt_install_missing "${PACKAGES[@]}"
# The Node packages those tests use, exactly as package-lock.json pins them. This is the one
# place they are downloaded; the tests themselves never fetch anything.
(cd "$(dirname "$0")/../../tests/server" && npm ci --no-audit --no-fund)
