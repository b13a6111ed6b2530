#!/usr/bin/env bash
# Package the built bundle dist/shadematch as a Debian package, dist/shadematch_VERSION_ARCH.deb:
# the bundle in /opt/shadematch, the command /usr/bin/shadematch, the desktop entry and icon.
# Needs dpkg-deb (Debian/Ubuntu). Run by `bash scripts/build_bundle.sh --deb`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="$ROOT/dist/shadematch"
say() { echo "shadematch: $*" >&2; }
if ! command -v dpkg-deb >/dev/null 2>&1; then
  say "dpkg-deb is not installed (it comes with Debian/Ubuntu): no .deb built"; exit 1
fi
if [ ! -x "$BUNDLE/shadematch" ]; then
  say "no bundle in $BUNDLE: run bash scripts/build_bundle.sh first"; exit 1
fi
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/shadematch/__init__.py")"
ARCH="$(dpkg --print-architecture)"
STAGE="$ROOT/build/deb/shadematch_${VERSION}_${ARCH}"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/256x256/apps"
cp -a "$BUNDLE" "$STAGE/opt/shadematch"
rm -f "$STAGE/opt/shadematch/install-desktop-entry.sh"  # the package installs the entry itself
ln -s /opt/shadematch/shadematch "$STAGE/usr/bin/shadematch"
cp "$ROOT/packaging/linux/shadematch.desktop" "$STAGE/usr/share/applications/shadematch.desktop"
cp "$ROOT/packaging/shadematch.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/shadematch.png"
SIZE_KB="$(du -sk "$STAGE" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: shadematch
Version: $VERSION
Architecture: $ARCH
Maintainer: shadematch <shadematch@localhost>
Installed-Size: $SIZE_KB
Depends: libc6 (>= 2.34), libegl1, libgl1, libfontconfig1, libxkbcommon0, libxkbcommon-x11-0, libdbus-1-3, libxcb-cursor0
Section: graphics
Priority: optional
Description: SMP pigment shade matching by measurement
 Measure hair and scalp colour in client photos and rank scalp
 micropigmentation pigment shades by delta-E; keeps client records and
 writes PDF shade reports. Runs offline.
CONTROL
OUT="$ROOT/dist/shadematch_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUT" >/dev/null
say "built $OUT ($(du -m "$OUT" | cut -f1) MB)"
