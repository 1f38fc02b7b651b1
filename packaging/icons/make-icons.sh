#!/usr/bin/env bash
# Regenerates every raster icon from resources/icons/tern.svg. The outputs are committed, so a
# build never needs these tools; run this only after editing the SVG.
#   resources/icons/hicolor/<N>x<N>/apps/tern.png  freedesktop icon theme sizes (Linux)
#   resources/icons/tern.ico                        Windows (exe resource, NSIS installer)
#   resources/icons/tern.icns                       macOS bundle icon
# Tools (Debian): librsvg2-bin (rsvg-convert), icoutils (icotool), icnsutils (png2icns);
# packaging/linux/install-packaging-deps.sh installs them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
icons="$here/../../resources/icons"
svg="$icons/tern.svg"
for tool in rsvg-convert icotool png2icns; do
  command -v "$tool" >/dev/null || {
    echo "error: $tool not found; run packaging/linux/install-packaging-deps.sh" >&2; exit 1; }
done
[ -f "$svg" ] || { echo "error: $svg is missing" >&2; exit 1; }

sizes=(16 24 32 48 64 128 256 512)
for s in "${sizes[@]}"; do
  mkdir -p "$icons/hicolor/${s}x${s}/apps"
  rsvg-convert -w "$s" -h "$s" "$svg" -o "$icons/hicolor/${s}x${s}/apps/tern.png"
done
mkdir -p "$icons/hicolor/scalable/apps"
cp "$svg" "$icons/hicolor/scalable/apps/tern.svg"

png() { echo "$icons/hicolor/${1}x${1}/apps/tern.png"; }
# Windows shows 16-48 in lists and 256 in large views; 256 is stored as PNG (-r) as Vista+ expects.
icotool -c -o "$icons/tern.ico" "$(png 16)" "$(png 24)" "$(png 32)" "$(png 48)" "$(png 64)" \
  "$(png 128)" -r "$(png 256)"
# png2icns picks the icns slot from each PNG's size (it has no 24/64 slots).
png2icns "$icons/tern.icns" "$(png 16)" "$(png 32)" "$(png 48)" "$(png 128)" "$(png 256)" "$(png 512)" >/dev/null
echo "icons written to $icons"
