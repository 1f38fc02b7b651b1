#!/usr/bin/env bash
# Makes Tern-<version>-<arch>.AppImage from the portable bundle (make-portable.sh), which is
# already relocatable (RPATH $ORIGIN/..., qt.conf), so the AppImage only adds AppRun, the
# desktop entry and the icon at the AppDir's root, and squashes it with appimagetool.
#
#   packaging/linux/make-appimage.sh build/tern-0.1.0-linux-x86_64.tar.gz [OUTDIR]
#
# Needs appimagetool (https://github.com/AppImage/appimagetool, with its type-2 runtime). It is
# NOT packaged in Debian, and this project downloads nothing at build time, so fetch it
# yourself, check it, and put it on PATH (or set APPIMAGETOOL=/path/to/appimagetool).
# Without it the script still builds and checks the AppDir, and says what is missing.
# linuxdeploy + linuxdeploy-plugin-qt are not needed: make-portable.sh does their job.
set -euo pipefail
die() { echo "make-appimage.sh: error: $*" >&2; exit 1; }
log() { echo "make-appimage.sh: $*" >&2; }

TARBALL="${1:-}"
[ -n "$TARBALL" ] && [ -f "$TARBALL" ] || die "usage: $0 tern-<version>-linux-<arch>.tar.gz [OUTDIR]"
OUT="${2:-$(dirname "$TARBALL")}"
NAME="$(basename "$TARBALL" .tar.gz)"                     # tern-0.1.0-linux-x86_64
VERSION="$(echo "$NAME" | sed -E 's/^tern-([^-]+)-linux-.*/\1/')"
ARCH="${NAME##*-}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

APPDIR="$WORK/Tern.AppDir"
mkdir -p "$APPDIR"
tar -C "$WORK" -xzf "$TARBALL"
mv "$WORK/$NAME" "$APPDIR/usr"
cp "$APPDIR/usr/share/applications/tern.desktop" "$APPDIR/tern.desktop"
cp "$APPDIR/usr/share/icons/hicolor/256x256/apps/tern.png" "$APPDIR/tern.png"
ln -s tern.png "$APPDIR/.DirIcon"
cat >"$APPDIR/AppRun" <<'APPRUN'
#!/bin/sh
# AppImage entry point: the chat app by default; `Tern.AppImage tern-cli ...` (or any of the
# bundled tools) runs that tool instead.
here="$(dirname "$(readlink -f "$0")")"
case "${1:-}" in
  tern-cli|tern-convert|tern-bench|tern-models)
    tool="$1"; shift; exec "$here/usr/bin/$tool" "$@" ;;
esac
exec "$here/usr/bin/tern" "$@"
APPRUN
chmod +x "$APPDIR/AppRun"
"$APPDIR/AppRun" --version | grep -q " $VERSION\$" || die "AppRun --version does not print $VERSION"
"$APPDIR/AppRun" tern-cli --version | grep -q " $VERSION\$" || die "AppRun tern-cli --version failed"
log "AppDir ready and runs: $APPDIR"

TOOL="${APPIMAGETOOL:-$(command -v appimagetool || command -v appimagetool-"$ARCH".AppImage || true)}"
if [ -z "$TOOL" ]; then
  die "appimagetool not found. It is not packaged in Debian; download it from
  https://github.com/AppImage/appimagetool/releases (appimagetool-$ARCH.AppImage), verify it,
  make it executable, and run again with APPIMAGETOOL=/path/to/it (on machines without FUSE,
  also export APPIMAGE_EXTRACT_AND_RUN=1)."
fi
mkdir -p "$OUT"
OUTFILE="$OUT/Tern-$VERSION-$ARCH.AppImage"
case "$ARCH" in x86_64) AARCH=x86_64 ;; arm64) AARCH=aarch64 ;; *) AARCH="$ARCH" ;; esac
ARCH="$AARCH" "$TOOL" --no-appstream "$APPDIR" "$OUTFILE"
log "wrote $OUTFILE"
