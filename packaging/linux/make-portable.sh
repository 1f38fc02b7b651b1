#!/usr/bin/env bash
# Makes the portable Linux bundle tern-<version>-linux-<arch>.tar.gz: an unpack-and-run folder
# that works on a Linux without Qt installed.
#
#   packaging/linux/make-portable.sh --build-dir build [--version V] [--arch A] [--out DIR]
#   (or: cmake --build build --target portable, which passes all of these)
#
# Layout of tern-<version>-linux-<arch>/:
#   bin/       tern, tern-cli, tern-convert, tern-bench, tern-models, and qt.conf
#   lib/       Qt and every other library the binaries and plugins need, except the system
#              ones listed below
#   plugins/   Qt plugins: platforms (xcb, wayland, offscreen), xcb/wayland GL integration,
#              input contexts, image formats, SQLite driver, TLS backends
#   qml/       the QML modules the app imports, and what those import in turn
#   share/     the built-in model, the catalog, desktop file and icons
#
# What is NOT bundled, on purpose: these come from the system. They must match the kernel,
# the GPU driver or the display server, or the system's GPU driver loads them itself, so a
# bundled copy would clash with the one the driver brings:
#   - glibc (libc, libm, libpthread, libdl, librt, ld-linux, ...) and the compiler runtime
#     (libstdc++, libgcc_s): the bundle needs glibc >= the build machine's (2.36 on Debian 12);
#     any such system has a new enough libstdc++, and Mesa's LLVM needs the system's own one.
#   - OpenGL/EGL: libGL, libEGL, libGLX, libOpenGL, libGLdispatch, libdrm, libgbm
#   - X11 and Wayland client libraries: libX11*, libxcb*, libXau, libXdmcp, libXext, libXrender,
#     libSM, libICE, libwayland-*, and what the display and GL stacks load with them (libffi,
#     libexpat, libz, libzstd, libbsd, libmd)
# The list of system sonames the bundle expects is written to share/tern/portable-system-libs.txt
# (test-portable-in-chroot.sh installs exactly those).
#
# Needs: patchelf, ldd, and Qt 6 with its QML modules installed where qtpaths6 says (Debian:
# install-build-deps.sh + install-packaging-deps.sh).
set -euo pipefail

die() { echo "make-portable.sh: error: $*" >&2; exit 1; }
log() { echo "make-portable.sh: $*" >&2; }

BUILD_DIR=""
VERSION=""
ARCH="$(uname -m)"
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --version) VERSION="$2"; shift 2 ;;
    --arch) ARCH="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ -n "$BUILD_DIR" ] || die "--build-dir is required"
BUILD_DIR="$(cd "$BUILD_DIR" && pwd)" || die "no build directory $BUILD_DIR"
[ -f "$BUILD_DIR/CMakeCache.txt" ] || die "$BUILD_DIR is not a configured CMake build directory"
[ -x "$BUILD_DIR/app/tern" ] || die "$BUILD_DIR/app/tern is missing: build first (cmake --build $BUILD_DIR)"
if [ -z "$VERSION" ]; then
  VERSION="$("$BUILD_DIR/app/tern" --version | awk '{print $2}')"
fi
OUT="${OUT:-$BUILD_DIR}"
for tool in patchelf ldd; do
  command -v "$tool" >/dev/null || die "$tool not found; run packaging/linux/install-packaging-deps.sh"
done

# Where Qt lives: ask qtpaths6 (Debian: /usr/lib/qt6/bin/qtpaths6), else the usual Debian paths.
QTPATHS="$(command -v qtpaths6 || true)"
[ -n "$QTPATHS" ] || QTPATHS="$(ls /usr/lib/qt6/bin/qtpaths6 /usr/lib/qt6/bin/qtpaths 2>/dev/null | head -1 || true)"
[ -n "$QTPATHS" ] || die "qtpaths6 not found (Debian package qt6-base-dev-tools)"
QT_PLUGINS="$("$QTPATHS" --query QT_INSTALL_PLUGINS)"
QT_QML="$("$QTPATHS" --query QT_INSTALL_QML)"
SRC_DIR="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD_DIR/CMakeCache.txt")"
[ -d "$SRC_DIR/qml" ] || die "cannot find the QML sources at $SRC_DIR/qml"

NAME="tern-$VERSION-linux-$ARCH"
STAGE="$BUILD_DIR/portable/$NAME"
rm -rf "$STAGE"
mkdir -p "$STAGE"

# 1. Our own files, exactly as `cmake --install` lays them out (bin/, share/). The tools find the
# model at <exe>/../share/tern/models, so this layout is already relocatable.
log "installing into $STAGE"
cmake --install "$BUILD_DIR" --prefix "$STAGE" >/dev/null || die "cmake --install failed"

# 2. Qt plugins the app can use on a desktop.
PLUGIN_SUBDIRS=(
  platforms/libqxcb.so platforms/libqoffscreen.so platforms/libqminimal.so
  platforms/libqwayland-egl.so platforms/libqwayland-generic.so
  xcbglintegrations
  wayland-shell-integration wayland-decoration-client wayland-graphics-integration-client
  platforminputcontexts imageformats iconengines sqldrivers/libqsqlite.so tls
)
mkdir -p "$STAGE/plugins"
for p in "${PLUGIN_SUBDIRS[@]}"; do
  if [ -e "$QT_PLUGINS/$p" ]; then
    mkdir -p "$STAGE/plugins/$(dirname "$p")"
    cp -a "$QT_PLUGINS/$p" "$STAGE/plugins/$(dirname "$p")/"
  else
    case "$p" in
      platforms/libqxcb.so|platforms/libqoffscreen.so|sqldrivers/libqsqlite.so)
        die "required Qt plugin $QT_PLUGINS/$p is missing" ;;
      platforms/libqwayland*)
        log "note: $p not installed (Debian: qt6-wayland); the bundle will use XWayland on Wayland" ;;
    esac
  fi
done

# 3. QML modules: those our QML imports, then, transitively, what each module's qmldir imports or
# depends on and what its own QML files import (Qt's dialogs import Qt.labs.folderlistmodel from
# QML files, which qmlimportscanner does not follow). QtQml.WorkerScript is always needed by
# QtQml at run time. Controls styles other than Basic (the app's) and Fusion (Qt's Linux
# default) are left out, so QT_QUICK_CONTROLS_STYLE=Material will not work with this bundle.
SKIP_MODULES_RE='^(TernCore|TernUi|QtQuick\.Controls\.(Material|Imagine|Universal|Windows|macOS|iOS)(\..*)?)$'
qml_imports() {  # module names imported by the .qml files under $1 (not descending into other modules)
  grep -rhoE '^[[:space:]]*import[[:space:]]+[A-Za-z][A-Za-z0-9_.]*' --include='*.qml' "$1" 2>/dev/null \
    | awk '{print $2}' || true
}
declare -A seen=()
queue=(QtQml.WorkerScript)
mapfile -t -O ${#queue[@]} queue < <(qml_imports "$SRC_DIR/qml" | sort -u)
while [ ${#queue[@]} -gt 0 ]; do
  name="${queue[0]}"
  queue=("${queue[@]:1}")
  [ -n "${seen[$name]:-}" ] && continue
  seen[$name]=1
  [[ "$name" =~ $SKIP_MODULES_RE ]] && continue
  rel="${name//.//}"
  path="$QT_QML/$rel"
  if [ ! -d "$path" ]; then
    case "$name" in QtQml) continue ;; esac  # built into libQt6Qml, no folder in Debian
    log "note: QML module $name is not installed at $path; leaving it out"
    continue
  fi
  mkdir -p "$STAGE/qml/$rel"
  # Files at the module's level, plus subfolders that are not modules themselves (modules are
  # copied only when something imports them, so unused styles stay out).
  find "$path" -mindepth 1 -maxdepth 1 -type f -exec cp -a {} "$STAGE/qml/$rel/" \;
  while IFS= read -r -d '' sub; do
    if [ ! -f "$sub/qmldir" ]; then
      cp -a "$sub" "$STAGE/qml/$rel/"
      mapfile -t -O ${#queue[@]} queue < <(qml_imports "$sub")
    elif [[ "$(basename "$sub")" =~ ^(impl|quickimpl)$ ]]; then
      # Implementation modules that the module's C++ plugin loads (QtQuick.Dialogs.quickimpl).
      queue+=("$name.$(basename "$sub")")
    fi
  done < <(find "$path" -mindepth 1 -maxdepth 1 -type d -print0)
  if [ -f "$path/qmldir" ]; then
    mapfile -t -O ${#queue[@]} queue < <(awk '$1 == "import" || $1 == "depends" {print $2}
      $1 == "optional" && $2 == "import" {print $3}' "$path/qmldir")
  fi
  mapfile -t -O ${#queue[@]} queue < <(find "$path" -mindepth 1 -maxdepth 1 -name '*.qml' -exec grep -hoE '^[[:space:]]*import[[:space:]]+[A-Za-z][A-Za-z0-9_.]*' {} + 2>/dev/null | awk '{print $2}' || true)
  echo "$name" >>"$STAGE/.qml-modules"
done
for required in QtQuick QtQuick.Controls QtQuick.Controls.Basic QtQuick.Layouts QtQuick.Templates QtQml.WorkerScript; do
  grep -qx "$required" "$STAGE/.qml-modules" || die "QML module $required not found under $QT_QML"
done
log "QML modules: $(sort "$STAGE/.qml-modules" | tr '\n' ' ')"
rm -f "$STAGE/.qml-modules"

# 4. Libraries: everything ldd resolves for our binaries, plugins and QML plugins, minus the
# system set (see the header).
SYSTEM_RE='^(ld-linux.*|libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil|libnsl|libanl|libBrokenLocale|libthread_db|libcrypt|libnss_.*|libstdc\+\+|libgcc_s|libGL|libEGL|libGLX|libGLESv2|libOpenGL|libGLdispatch|libdrm|libgbm|libX11|libX11-xcb|libxcb.*|libXau|libXdmcp|libXext|libXrender|libXfixes|libXi|libSM|libICE|libwayland-.*|libffi|libexpat|libz|libzstd|libbsd|libmd|libvulkan)\.so(\..*)?$'
mkdir -p "$STAGE/lib"
# Loaded with dlopen by Qt's TLS plugin, so ldd cannot see them: OpenSSL 3 for HTTPS downloads
# (tern-models, the Models page). Without them Qt falls back to no TLS at all.
for soname in libssl.so.3 libcrypto.so.3; do
  path="$(ldconfig -p | awk -v s="$soname" '$1 == s && !found {print $NF; found = 1}')"
  if [ -n "$path" ]; then cp -L "$path" "$STAGE/lib/$soname"; else log "note: $soname not found; HTTPS will not work"; fi
done
elf_files() {
  find "$STAGE/bin" "$STAGE/plugins" "$STAGE/qml" "$STAGE/lib" -type f \( -name '*.so*' -o -perm -u+x \) \
    -exec sh -c 'head -c 4 "$1" | grep -q "ELF"' _ {} \; -print
}
: >"$BUILD_DIR/portable/system-libs.txt"
# Iterate until no new library appears (ldd already lists the full closure of each file, but a
# bundled library's own needs must be checked against the bundle, not the system).
while :; do
  added=0
  while IFS= read -r f; do
    while IFS= read -r dep; do
      soname="${dep%% *}"
      target="$(echo "$dep" | awk '{print $3}')"
      if [[ "$soname" =~ $SYSTEM_RE ]]; then
        echo "$soname" >>"$BUILD_DIR/portable/system-libs.txt"
        continue
      fi
      [ "$target" = "not" ] && die "$f needs $soname, which is not installed on this machine"
      [ -e "$STAGE/lib/$soname" ] && continue
      [ -f "$target" ] || continue
      cp -L "$target" "$STAGE/lib/$soname"
      chmod u+w "$STAGE/lib/$soname"
      added=1
    done < <(ldd "$f" 2>/dev/null | awk '/=>/ {print $1, "=>", $3}')
  done < <(elf_files)
  [ $added -eq 0 ] && break
done
mkdir -p "$STAGE/share/tern"
sort -u "$BUILD_DIR/portable/system-libs.txt" >"$STAGE/share/tern/portable-system-libs.txt"

# 5. RUNPATHs: every ELF looks in the bundle's lib/ first, relative to where it lies.
log "setting RUNPATHs"
while IFS= read -r f; do
  dir="$(dirname "$f")"
  rel="$(realpath --relative-to="$dir" "$STAGE/lib")"
  if [ "$rel" = "." ]; then rp='$ORIGIN'; else rp="\$ORIGIN/$rel"; fi
  patchelf --set-rpath "$rp" --force-rpath "$f" 2>/dev/null \
    || patchelf --set-rpath "$rp" "$f" || die "patchelf failed on $f"
done < <(elf_files)

# 6. qt.conf: Qt looks for it next to the executable and takes its paths relative to bin/.. .
# Without it Qt would use the build machine's /usr/lib/.../qt6 paths compiled into libQt6Core.
cat >"$STAGE/bin/qt.conf" <<'EOF'
[Paths]
Prefix = ..
Libraries = lib
Plugins = plugins
QmlImports = qml
EOF

# 7. A README for the user and a helper to add the menu entry.
cat >"$STAGE/README.txt" <<EOF
Tern $VERSION, portable build for Linux ($ARCH)

Run:        ./bin/tern          (the chat app)
            ./bin/tern-cli -p "Once upon a time" -n 32
Menu entry: ./install-desktop-entry.sh   (adds Tern to your applications menu, for you only)

Needs glibc 2.36 or newer (Debian 12, Ubuntu 23.04, Fedora 37 or newer), OpenGL (Mesa or your
GPU driver) and the X11 or Wayland client libraries, which every desktop Linux has.
Everything else, Qt included, is inside this folder. share/tern/portable-system-libs.txt lists
exactly what is taken from the system.
EOF
cat >"$STAGE/install-desktop-entry.sh" <<'EOF'
#!/bin/sh
# Adds Tern (this portable folder) to the current user's applications menu.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"
mkdir -p "$apps"
sed "s|^Exec=tern|Exec=\"$here/bin/tern\"|" "$here/share/applications/tern.desktop" >"$apps/tern.desktop"
for d in "$here"/share/icons/hicolor/*/apps; do
  size="$(basename "$(dirname "$d")")"
  mkdir -p "$icons/$size/apps" && cp "$d"/tern.* "$icons/$size/apps/"
done
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "Tern added to the applications menu ($apps/tern.desktop)"
EOF
chmod +x "$STAGE/install-desktop-entry.sh"

# 8. Sanity checks before packing: the bundle itself resolves all non-system libraries.
missing="$(while IFS= read -r f; do ldd "$f" 2>/dev/null | grep 'not found' | sed "s|^|$f: |" || true; done < <(elf_files))"
[ -z "$missing" ] || die "unresolved libraries in the bundle:"$'\n'"$missing"
for f in "$STAGE"/bin/*; do
  [ -f "$f" ] && [ -x "$f" ] || continue
  head -c 4 "$f" | grep -q ELF || continue
  if ldd "$f" | awk '/=>/ {print $3}' | grep -q 'libQt6'; then
    ldd "$f" | awk '/libQt6/ {print $3}' | xargs -r realpath | grep -v "^$STAGE/lib/" \
      && die "$(basename "$f") still takes Qt from the system"
  fi
done

mkdir -p "$OUT"
TARBALL="$OUT/$NAME.tar.gz"
tar -C "$(dirname "$STAGE")" -czf "$TARBALL" "$NAME"
log "wrote $TARBALL ($(du -h "$TARBALL" | cut -f1); $(ls "$STAGE/lib" | wc -l) libraries bundled)"
echo "$TARBALL"
