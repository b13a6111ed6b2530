#!/usr/bin/env bash
# Shared set-up for scripts/start.sh and scripts/test.sh: system libraries Qt needs on Linux,
# a virtual environment in .venv, and shadematch installed into it (a normal, non-editable install).
#   usage: source scripts/setup_environment.sh [EXTRA]   (EXTRA: "test" adds the test dependencies)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRA="${1:-}"

install_debian_packages() {
  # Installs the Debian/Ubuntu packages named in "$@" that are not installed yet.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "shadematch: please install these system packages first: ${missing[*]}" >&2; return 1; fi
  fi
  echo "shadematch: installing system packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ "$(uname -s)" = "Linux" ] && command -v dpkg >/dev/null 2>&1; then
  # Libraries the Qt platform plugins load (offscreen and xcb), fonts, and poppler for tests.
  QT_LIBS=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0 libdbus-1-3
           libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
           libxcb-xinerama0 libxcb-xkb1 libxcb-shape0 libxcb-randr0 fonts-dejavu-core)
  [ "$EXTRA" = "test" ] && QT_LIBS+=(poppler-utils)
  install_debian_packages "${QT_LIBS[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  "$PYTHON" -m venv "$ROOT/.venv"
fi
VENV_PY="$ROOT/.venv/bin/python"
"$VENV_PY" -m pip install -q --upgrade pip >/dev/null
if [ -n "$EXTRA" ]; then
  "$VENV_PY" -m pip install -q "$ROOT[$EXTRA]"
else
  "$VENV_PY" -m pip install -q "$ROOT"
fi
export VENV_PY ROOT
