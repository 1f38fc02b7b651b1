#!/usr/bin/env bash
# Installs what MAKING and TESTING the Linux installers needs, on top of install-build-deps.sh
# (which is only about building and running the tests). Debian 12 / Ubuntu 23.04+, apt only.
#   dpkg-dev       dpkg-shlibdeps, used by CPack DEB (CPACK_DEBIAN_PACKAGE_SHLIBDEPS)
#   file           CPack DEB uses it to find ELF files for shlibdeps; tests use it too
#   patchelf       rpaths in the portable bundle (make-portable.sh)
#   debootstrap    clean Debian roots for test-*-in-chroot.sh
#   librsvg2-bin icoutils icnsutils   only for packaging/icons/make-icons.sh (icons are committed)
#   desktop-file-utils appstream      optional validation of tern.desktop / the metainfo
#   qt6-wayland    so make-portable.sh can bundle the native Wayland platform plugin
set -euo pipefail
# shellcheck source=apt-install-missing.sh
. "$(dirname "$0")/apt-install-missing.sh"
PACKAGES=(dpkg-dev file patchelf debootstrap librsvg2-bin icoutils icnsutils desktop-file-utils appstream qt6-wayland)
apt_install_missing "${PACKAGES[@]}"
