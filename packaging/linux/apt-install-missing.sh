#!/usr/bin/env bash
# apt_install_missing PKG...: installs those of the Debian packages that are not installed yet
# (asks for sudo when not root). Sourced by install-build-deps.sh and install-packaging-deps.sh,
# so both skip apt entirely when everything is there.
apt_install_missing() {
  local sudo="" missing=() p
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}
