#!/usr/bin/env bash
# Add shadematch to the desktop's application menu (for this user): run it from the unpacked
# bundle folder, wherever that folder lives. `--remove` takes the entry away again.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APPS="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
ICONS="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
if [ "${1:-}" = "--remove" ]; then
  rm -f "$APPS/shadematch.desktop" "$ICONS/shadematch.png"
  echo "shadematch: removed from the application menu"
  exit 0
fi
if [ ! -x "$HERE/shadematch" ]; then
  echo "shadematch: run this script from the shadematch folder (the program shadematch is not next to it)" >&2
  exit 1
fi
mkdir -p "$APPS" "$ICONS"
cp "$HERE/shadematch.png" "$ICONS/shadematch.png"
sed "s|^Exec=shadematch |Exec=\"$HERE/shadematch\" |" "$HERE/shadematch.desktop" > "$APPS/shadematch.desktop.tmp"
mv "$APPS/shadematch.desktop.tmp" "$APPS/shadematch.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$APPS" || true
echo "shadematch: added to the application menu ($APPS/shadematch.desktop)"
