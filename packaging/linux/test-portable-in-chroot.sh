#!/usr/bin/env bash
# Unpacks the portable bundle in a clean Debian bookworm root that has no Qt at all and checks
# it works there: every tool answers --version, tern-cli generates text with the built-in
# model, the app starts offscreen (and on X11 when this machine has Xvfb) and saves a PNG,
# tern-models lists the catalog and downloads over HTTPS, and no Qt library is taken from
# outside the bundle.
#
#   sudo packaging/linux/test-portable-in-chroot.sh build/tern-0.1.0-linux-x86_64.tar.gz [--no-fonts]
#
# The root first gets only what the bundle says it takes from the system
# (share/tern/portable-system-libs.txt: glibc, OpenGL, X11/Wayland client libraries), mapped
# to Debian packages with this machine's dpkg -S, plus fonts (any desktop has fonts; --no-fonts
# leaves them out to check the app still starts).
# Not part of ctest: it needs root, debootstrap and the Debian mirror, and takes minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=chroot-lib.sh
. "$here/chroot-lib.sh"

TARBALL="${1:-}"
[ -n "$TARBALL" ] && [ -f "$TARBALL" ] || die "usage: $0 path/to/tern-<version>-linux-<arch>.tar.gz [--no-fonts]"
FONTS=1
[ "${2:-}" = "--no-fonts" ] && FONTS=0
require_root
"$here/install-packaging-deps.sh" >/dev/null
TARBALL="$(realpath "$TARBALL")"
NAME="$(basename "$TARBALL" .tar.gz)"
VERSION="$(echo "$NAME" | sed -E 's/^tern-([^-]+)-linux-.*/\1/')"

mkdir -p "$TERN_CHROOT_DIR"
LOG="$TERN_CHROOT_DIR/portable-test.log"
exec > >(tee "$LOG") 2>&1
log "testing $NAME ($(du -h "$TARBALL" | cut -f1))"

new_root portable-test
qt_pkgs() { in_root "dpkg -l | awk '/^ii/ {print \$2}' | grep -i -E 'qt|qml' || true"; }
[ -z "$(qt_pkgs)" ] || die "the pristine root already has Qt packages: $(qt_pkgs)"

mkdir -p "$ROOT/opt"
tar -C "$ROOT/opt" -xzf "$TARBALL"
B="/opt/$NAME"
[ -x "$ROOT$B/bin/tern" ] || die "$NAME/bin/tern missing from the bundle"

# Map the sonames the bundle expects from the system to Debian packages.
MULTIARCH="$(dpkg-architecture -qDEB_HOST_MULTIARCH)"
pkgs=()
while IFS= read -r soname; do
  [ -n "$soname" ] || continue
  # Only this architecture's copy (libc.so.6 is also in libc6-i386, for instance).
  pkg="$(dpkg -S "*/$soname" 2>/dev/null | grep "/$MULTIARCH/" | grep -v -i -E 'qt|qml|diversion' | head -1 | cut -d: -f1 || true)"
  [ -n "$pkg" ] || die "no Debian package on this machine provides $soname (needed by the bundle)"
  pkgs+=("$pkg")
done <"$ROOT$B/share/tern/portable-system-libs.txt"
[ $FONTS -eq 1 ] && pkgs+=(fontconfig-config fonts-dejavu-core)
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
log "system packages for the bundle's system libraries: ${pkgs[*]}"
in_root "apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends ${pkgs[*]} >/dev/null" \
  || die "could not install the system libraries into the root"
[ -z "$(qt_pkgs)" ] || die "installing the system libraries pulled in Qt: $(qt_pkgs)"
log "no Qt package in the root: dpkg -l | grep -i -E 'qt|qml' is empty"
in_root "ls /usr/lib/*/libQt6* /usr/lib/libQt6* 2>/dev/null | wc -l | sed 's/^/Qt libraries outside the bundle: /'"

# Every ELF file of the bundle resolves; Qt only from the bundle.
in_root "cd $B && for f in bin/* lib/* plugins/*/*.so \$(find qml -name '*.so'); do
  head -c4 \$f | grep -q ELF || continue
  ldd \$f | grep -q 'not found' && { echo \"UNRESOLVED in \$f:\"; ldd \$f | grep 'not found'; exit 1; }
  ldd \$f | grep libQt6 | grep -v ' => $B/' && { echo \"\$f takes Qt from outside the bundle\"; exit 1; }
done; echo 'all bundle ELF files resolve; Qt comes only from $B/lib'" || die "the bundle does not resolve in a root without Qt"

for t in "$ROOT$B"/bin/*; do
  [ -x "$t" ] && head -c4 "$t" | grep -q ELF || continue
  t="$(basename "$t")"
  out="$(in_root "$B/bin/$t --version")"
  echo "$out"
  echo "$out" | grep -q " $VERSION\$" || die "$t --version says '$out', the bundle is $VERSION"
done

log "tern-cli with the built-in model (found via bin/../share/tern/models)"
text="$(in_root "$B/bin/tern-cli -p 'Once upon a time' -n 16 --seed 1 -t 2")"
echo "$text"
[ -n "$(echo "$text" | tr -d '[:space:]')" ] || die "tern-cli printed nothing"

log "the app, offscreen, from a different working directory"
in_root "export XDG_RUNTIME_DIR=/tmp/xdg; mkdir -p -m 700 \$XDG_RUNTIME_DIR; cd /; QT_QPA_PLATFORM=offscreen QT_DEBUG_PLUGINS=0 timeout 120 $B/bin/tern --screenshot /tmp/tern.png; echo \"exit status \$?\""
check_png_in_root /tmp/tern.png
cp "$ROOT/tmp/tern.png" "$TERN_CHROOT_DIR/portable-test-screenshot.png"

log "the app on X11 (xcb plugin from the bundle, X11 client libraries from the system)"
xcb_screenshot "$B/bin/tern" /tmp/tern-xcb.png
[ -f "$ROOT/tmp/tern-xcb.png" ] && cp "$ROOT/tmp/tern-xcb.png" "$TERN_CHROOT_DIR/portable-test-screenshot-xcb.png"

if [ -x "$ROOT$B/bin/tern-models" ]; then
  log "tern-models list"
  in_root "$B/bin/tern-models list" || die "tern-models list failed"
  log "HTTPS from tern-models (the bundled OpenSSL through Qt's TLS plugin)"
  https_check "$B/bin/tern-models"
fi
log "PASS: $NAME runs in a bookworm root without Qt (log: $LOG)"
