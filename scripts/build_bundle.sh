#!/usr/bin/env bash
# Build the one-folder application bundle with PyInstaller: dist/shadematch/, whose program
# dist/shadematch/shadematch (shadematch.exe on Windows) is the desktop application and takes the
# same sub-commands as the installed `shadematch`. The build environment is .build-venv (made and
# kept up to date by setup_environment.sh with the `bundle` extra), never .venv.
#   bash scripts/build_bundle.sh [--smoke-test] [--deb]
#     --smoke-test: then run packaging/smoke_test.py on it; --deb: then package it as a .deb
# Linux and macOS (each builds for its own platform only); on Windows the README gives the
# PowerShell steps with the same spec, packaging/shadematch.spec.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "shadematch: $*" >&2; }
SMOKE=0
DEB=0
for arg in "$@"; do
  case "$arg" in
    --smoke-test) SMOKE=1 ;;
    --deb) DEB=1 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) say "build_bundle.sh: unknown option '$arg' (use --smoke-test, --deb or --help)"; exit 2 ;;
  esac
done
export SHADEMATCH_VENV="$ROOT/.build-venv"
bash "$ROOT/scripts/setup_environment.sh" bundle
PY="$SHADEMATCH_VENV/bin/python"

say "building dist/shadematch with PyInstaller (takes a few minutes)"
started=$SECONDS
rm -rf "$ROOT/dist/shadematch"
# From outside the checkout: PyInstaller's analysis must import the shadematch installed in the
# build environment (with its shipped data in shadematch/_data), not the source folder.
mkdir -p "$ROOT/build/pyinstaller"
cd "$ROOT/build/pyinstaller"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" "$ROOT/packaging/shadematch.spec"

BUNDLE="$ROOT/dist/shadematch"
if [ "$(uname -s)" = "Linux" ] && command -v strip >/dev/null && command -v readelf >/dev/null; then
  # Debug information only (libpython and the standard library's extension modules carry ~27 MB
  # of it). Not PyInstaller's strip=True: a full strip breaks the libraries wheels vendor
  # (auditwheel/patchelf layouts: "ELF load command address/offset not page-aligned").
  find "$BUNDLE/_internal" -type f \( -name '*.so' -o -name '*.so.*' \) -print0 |
    while IFS= read -r -d '' lib; do
      if readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info'; then strip --strip-debug "$lib"; fi
    done
fi
if [ "$(uname -s)" = "Linux" ]; then  # the desktop entry and icon, and a script that installs them
  cp "$ROOT/packaging/shadematch.png" "$ROOT/packaging/linux/shadematch.desktop" "$BUNDLE/"
  install -m 755 "$ROOT/packaging/linux/install-desktop-entry.sh" "$BUNDLE/install-desktop-entry.sh"
fi
size_mb="$(du -sk "$BUNDLE" | awk '{printf "%.0f", $1 / 1024}')"
say "built $BUNDLE in $((SECONDS - started)) s: ${size_mb} MB; the program is $BUNDLE/shadematch"
if [ "$SMOKE" = 1 ]; then
  "$PY" "$ROOT/packaging/smoke_test.py" "$BUNDLE"
fi
if [ "$DEB" = 1 ]; then
  bash "$ROOT/packaging/linux/build_deb.sh"
fi
