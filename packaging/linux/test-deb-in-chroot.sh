#!/usr/bin/env bash
# Installs the .deb into a clean Debian bookworm root (debootstrap minbase) and checks that it
# works there: every tool answers --version with the package version, tern-cli generates text
# with the built-in model, the app starts offscreen and saves a PNG, tern-models lists the
# catalog and downloads over HTTPS, the menu entry and icons are in place, and `apt-get remove`
# takes it all away again.
#
#   sudo packaging/linux/test-deb-in-chroot.sh build/tern_0.1.0_amd64.deb [--with-recommends]
#
# Not part of ctest: it needs root, debootstrap and the Debian mirror, and takes minutes.
# The root lives in $TERN_CHROOT_DIR (default /work/chroots); the log goes to deb-test.log there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=chroot-lib.sh
. "$here/chroot-lib.sh"

DEB="${1:-}"
[ -n "$DEB" ] && [ -f "$DEB" ] || die "usage: $0 path/to/tern_<version>_<arch>.deb [--with-recommends]"
RECOMMENDS="--no-install-recommends"
[ "${2:-}" = "--with-recommends" ] && RECOMMENDS=""
require_root
"$here/install-packaging-deps.sh" >/dev/null

VERSION="$(dpkg-deb -f "$DEB" Version)"
mkdir -p "$TERN_CHROOT_DIR"
LOG="$TERN_CHROOT_DIR/deb-test.log"
exec > >(tee "$LOG") 2>&1
log "testing $(basename "$DEB") (version $VERSION, $(du -h "$DEB" | cut -f1))"

new_root deb-test
cp "$DEB" "$ROOT/tmp/"
debname="$(basename "$DEB")"

# Without recommends by default: proves that Depends alone is enough to run.
in_root "apt-get update -q >/dev/null && apt-get install -y -q $RECOMMENDS /tmp/$debname" \
  || die "apt-get could not install the package: Depends name something bookworm lacks?"
in_root "dpkg -s tern | sed -n '/^Depends/p;/^Recommends/p;/^Installed-Size/p'"

tools="$(in_root "dpkg -L tern | grep '^/usr/bin/' | xargs -n1 basename" | sort)"
log "installed commands: $(echo $tools)"
for t in tern tern-cli tern-convert tern-bench; do
  echo "$tools" | grep -qx "$t" || die "/usr/bin/$t is not in the package"
done
for t in $tools; do
  out="$(in_root "$t --version")"
  echo "$out"
  echo "$out" | grep -q " $VERSION\$" || die "$t --version says '$out', the package is $VERSION"
done

in_root "ls -l /usr/share/tern/models/ /usr/share/applications/tern.desktop /usr/share/icons/hicolor/scalable/apps/tern.svg /usr/share/icons/hicolor/48x48/apps/tern.png /usr/share/metainfo/tern.metainfo.xml"

log "tern-cli with the built-in model (found via /usr/bin/../share/tern/models)"
text="$(in_root 'tern-cli -p "Once upon a time" -n 16 --seed 1 -t 2')"
echo "$text"
[ -n "$(echo "$text" | tr -d '[:space:]')" ] || die "tern-cli printed nothing"

in_root 'tern-bench -p 16 -n 8 -r 1 -t 2'

log "the app, offscreen: loads the built-in model, saves a picture, quits"
in_root 'export XDG_RUNTIME_DIR=/tmp/xdg; mkdir -p -m 700 $XDG_RUNTIME_DIR; QT_QPA_PLATFORM=offscreen timeout 120 tern --screenshot /tmp/tern.png; echo "exit status $?"'
check_png_in_root /tmp/tern.png
cp "$ROOT/tmp/tern.png" "$TERN_CHROOT_DIR/deb-test-screenshot.png"

log "the app on X11 (xcb), against an Xvfb of this machine"
xcb_screenshot tern /tmp/tern-xcb.png

if echo "$tools" | grep -qx tern-models; then
  log "tern-models list"
  in_root 'tern-models list' || die "tern-models list failed"
  log "HTTPS from tern-models (Qt's TLS backend)"
  https_check tern-models
else
  log "tern-models is not in this package (its target did not exist when it was built)"
fi

log "Qt packages apt pulled in: $(in_root "dpkg -l | awk '/^ii/ && /qt6|qml6/ {print \$2}'" | tr '\n' ' ')"

in_root 'apt-get remove -y -q tern >/dev/null'
left="$(in_root 'ls /usr/bin/tern* /usr/share/tern /usr/share/applications/tern.desktop 2>/dev/null || true')"
[ -z "$left" ] || die "apt-get remove left files behind: $left"
log "PASS: $(basename "$DEB") installs, runs and uninstalls in a clean bookworm root (log: $LOG)"
