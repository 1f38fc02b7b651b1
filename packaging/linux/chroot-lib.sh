# Shared helpers for the clean-root installer tests (test-deb-in-chroot.sh,
# test-portable-in-chroot.sh). Sourced, not run.
#
# A minimal Debian bookworm root (debootstrap --variant=minbase) is made once and cached as a
# tarball under $TERN_CHROOT_DIR (default /work/chroots, outside the repository). Every test
# unpacks a fresh copy of it, so no test sees what another one installed, and debootstrap only
# downloads once.
#
# Needs: root, debootstrap, and network access to the Debian mirror apt already uses.

TERN_CHROOT_DIR="${TERN_CHROOT_DIR:-/work/chroots}"
TERN_SUITE="${TERN_SUITE:-bookworm}"
TERN_MIRROR="${TERN_MIRROR:-http://deb.debian.org/debian}"
TERN_BASE_TARBALL="$TERN_CHROOT_DIR/$TERN_SUITE-minbase.tar.gz"

die() { echo "error: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mount and chroot need it); try: sudo $0 $*"
}

# make_base_tarball: debootstrap the pristine root once; later calls reuse the tarball.
make_base_tarball() {
  command -v debootstrap >/dev/null || die "debootstrap is missing: run packaging/linux/install-packaging-deps.sh"
  mkdir -p "$TERN_CHROOT_DIR"
  if [ -s "$TERN_BASE_TARBALL" ]; then
    log "reusing $TERN_BASE_TARBALL"
    return
  fi
  local tmp="$TERN_CHROOT_DIR/.base-$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  log "debootstrap --variant=minbase $TERN_SUITE from $TERN_MIRROR (first run only)"
  if ! debootstrap --variant=minbase "$TERN_SUITE" "$tmp" "$TERN_MIRROR" >"$TERN_CHROOT_DIR/debootstrap.log" 2>&1; then
    tail -20 "$TERN_CHROOT_DIR/debootstrap.log" >&2
    rm -rf "$tmp"
    die "debootstrap failed (full log: $TERN_CHROOT_DIR/debootstrap.log); is the mirror $TERN_MIRROR reachable?"
  fi
  # The security and updates suites, like a real installed system, so apt resolves the same
  # versions a user would get.
  cat >"$tmp/etc/apt/sources.list" <<EOF
deb $TERN_MIRROR $TERN_SUITE main
deb $TERN_MIRROR $TERN_SUITE-updates main
deb http://deb.debian.org/debian-security $TERN_SUITE-security main
EOF
  rm -rf "$tmp/var/cache/apt/archives/"*.deb
  tar -C "$tmp" -czf "$TERN_BASE_TARBALL.part" .
  mv "$TERN_BASE_TARBALL.part" "$TERN_BASE_TARBALL"
  rm -rf "$tmp"
  log "cached $TERN_BASE_TARBALL ($(du -h "$TERN_BASE_TARBALL" | cut -f1))"
}

# new_root NAME: unpack a fresh copy of the pristine root into $TERN_CHROOT_DIR/NAME, mount
# /proc, /sys, /dev (and /dev/pts) and register a trap that unmounts them whatever happens.
# Sets ROOT.
ROOT=""
MOUNTED=()
XVFB_PID=""
cleanup_mounts() {
  local i
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; XVFB_PID=""; fi
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount -l "${MOUNTED[$i]}" 2>/dev/null || echo "warning: could not unmount ${MOUNTED[$i]}" >&2
  done
  MOUNTED=()
}
new_root() {
  local name="$1"
  make_base_tarball
  ROOT="$TERN_CHROOT_DIR/$name"
  # Never leave a root with live mounts behind: refuse to delete one that still has them.
  if grep -q " $ROOT/" /proc/mounts; then die "$ROOT still has mounts; unmount them first"; fi
  rm -rf "$ROOT"
  mkdir -p "$ROOT"
  tar -C "$ROOT" -xzf "$TERN_BASE_TARBALL"
  trap cleanup_mounts EXIT INT TERM
  mount -t proc proc "$ROOT/proc" && MOUNTED+=("$ROOT/proc")
  mount -t sysfs sys "$ROOT/sys" && MOUNTED+=("$ROOT/sys")
  mount --bind /dev "$ROOT/dev" && MOUNTED+=("$ROOT/dev")
  mount --bind /dev/pts "$ROOT/dev/pts" && MOUNTED+=("$ROOT/dev/pts")
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  log "fresh root at $ROOT"
}

# in_root CMD...: run a shell command inside the root, echoed first so the log shows it.
in_root() {
  echo "+ (chroot) $*" >&2
  chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive /bin/bash -c "$*"
}

# check_png FILE (inside the root): the file exists and starts with the PNG signature.
check_png_in_root() {
  local f="$ROOT$1"
  [ -s "$f" ] || die "no screenshot at $1: the app did not render"
  [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || die "$1 is not a PNG"
  log "$1 is a PNG of $(stat -c %s "$f") bytes ($(file -b "$f" 2>/dev/null || echo 'file(1) not installed'))"
}

# xcb_screenshot CMD OUT: when this machine has Xvfb, start one (display :97, no TCP), share its
# socket with the root and run "CMD --screenshot OUT" there on the xcb platform plugin, so the
# X11 path is checked too, not only offscreen. No Mesa in the root, so Qt Quick's software
# renderer is used. Skipped (with a note) without Xvfb.
xcb_screenshot() {
  local cmd="$1" out="$2"
  if ! command -v Xvfb >/dev/null; then
    log "Xvfb not installed here (Debian: xvfb): skipping the X11 (xcb) check"
    return 0
  fi
  rm -f /tmp/.X11-unix/X97 /tmp/.X97-lock
  Xvfb :97 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 50); do [ -S /tmp/.X11-unix/X97 ] && break; sleep 0.1; done
  [ -S /tmp/.X11-unix/X97 ] || die "Xvfb did not start"
  mkdir -p "$ROOT/tmp/.X11-unix"
  mount --bind /tmp/.X11-unix "$ROOT/tmp/.X11-unix" && MOUNTED+=("$ROOT/tmp/.X11-unix")
  in_root "export XDG_RUNTIME_DIR=/tmp/xdg; mkdir -p -m 700 \$XDG_RUNTIME_DIR; DISPLAY=:97 QT_QPA_PLATFORM=xcb QT_QUICK_BACKEND=software timeout 120 $cmd --screenshot $out; echo \"exit status \$?\""
  umount -l "$ROOT/tmp/.X11-unix" && unset 'MOUNTED[${#MOUNTED[@]}-1]'
  kill "$XVFB_PID" 2>/dev/null || true
  wait "$XVFB_PID" 2>/dev/null || true
  XVFB_PID=""
  check_png_in_root "$out"
}

# https_check TERN_MODELS: checks that the Qt network stack can fetch over HTTPS (Qt's OpenSSL
# TLS backend, which Qt loads with dlopen, plus the system's CA certificates), by pulling a small
# file from the Debian mirror into a throwaway models folder (and seeing it refused as a model). The root gets ca-certificates,
# which every desktop has, and this machine's own local CAs (/usr/local/share/ca-certificates,
# e.g. a TLS-inspecting proxy's), so the check works behind such a proxy too.
https_check() {
  local tool="$1"
  in_root 'apt-get install -y -q --no-install-recommends ca-certificates >/dev/null' \
    || die "could not install ca-certificates in the root"
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    in_root 'update-ca-certificates >/dev/null'
  fi
  # The mirror's README is not a model: tern-models fetches it whole over TLS, then refuses to
  # install it. That refusal (and no TLS error) is the proof that HTTPS works.
  local out
  out="$(in_root "$tool --models-dir /tmp/https-check pull https://deb.debian.org/debian/README 2>&1" || true)"
  echo "$out"
  grep -q "was downloaded but is not a model Tern can run" <<<"$out" \
    || die "$tool could not download over HTTPS (TLS backend or CA certificates missing?)"
  rm -rf "$ROOT/tmp/https-check"
}
