#!/usr/bin/env bash
# Make sure a virtual environment holds shadematch and its dependencies, doing only what is needed:
#   - no environment, or pyproject.toml changed since it was set up (or the extra was never
#     installed): the full install, with progress (system libraries Qt needs on Debian/Ubuntu,
#     the venv, the dependencies: this is the only step that needs the network);
#   - the package's files (shadematch/, palettes/, assets/) changed: shadematch alone is
#     reinstalled from the checkout, offline, in a few seconds;
#   - nothing changed: nothing is done (no pip, no network).
# A normal, non-editable install. Run it, do not source it:
#   bash scripts/setup_environment.sh [EXTRA]   EXTRA: an optional-dependency group of pyproject.toml
#                                                (test, bundle); the app alone when omitted
# Environment: PYTHON (the interpreter for a new venv, default python3),
#              SHADEMATCH_VENV (the venv folder, default .venv in the checkout).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRA="${1:-}"
case "$EXTRA" in
  ""|test|bundle) ;;
  *) echo "shadematch: setup_environment.sh: unknown extra '$EXTRA' (use test or bundle, or nothing)" >&2
     exit 2 ;;
esac
VENV="${SHADEMATCH_VENV:-$ROOT/.venv}"
VENV_PY="$VENV/bin/python"
STAMPS="$VENV/shadematch-install"       # what was installed, from which pyproject.toml and files
DEPS_STAMP="$STAMPS/deps-${EXTRA:-app}"   # holds the cksum of pyproject.toml it was made from
PACKAGE_STAMP="$STAMPS/package"   # the cksum of the file list; its time: when that install began
LOG="$STAMPS/pip.log"
say() { echo "shadematch: $*" >&2; }

deps_fingerprint() { cksum < "$ROOT/pyproject.toml"; }
package_files() {  # the files a wheel is built from (bytecode caches left out)
  (cd "$ROOT" && find shadematch palettes assets -type f ! -path '*/__pycache__/*' ! -name '*.py[co]' \
     | LC_ALL=C sort)
}

# -- what is needed ------------------------------------------------------------------------------
deps_current() {  # the dependencies of "$1" (an extra, or app) are installed for this pyproject.toml
  [ -f "$STAMPS/deps-$1" ] && [ "$(cat "$STAMPS/deps-$1")" = "$(deps_fingerprint)" ]
}
need_full=1
if [ -x "$VENV_PY" ] && "$VENV_PY" -c "" >/dev/null 2>&1; then
  if deps_current "${EXTRA:-app}"; then need_full=0
  elif [ -z "$EXTRA" ]; then  # every extra holds the app's dependencies too
    for extra in test bundle; do deps_current "$extra" && need_full=0; done
  fi
fi
editable_install() {  # `pip install -e .` was used (development): the venv follows the checkout
  grep -qs '"editable": *true' "$VENV"/lib/python*/site-packages/shadematch-*.dist-info/direct_url.json \
                               "$VENV"/Lib/site-packages/shadematch-*.dist-info/direct_url.json
}
need_package=0
if [ "$need_full" = 0 ] && ! editable_install; then
  if [ ! -f "$PACKAGE_STAMP" ] || [ "$(cat "$PACKAGE_STAMP")" != "$(package_files | cksum)" ] \
     || [ -n "$(cd "$ROOT" && find shadematch palettes assets -type f -newer "$PACKAGE_STAMP" \
                  ! -path '*/__pycache__/*' ! -name '*.py[co]' -print -quit)" ]; then
    need_package=1
  fi
fi
[ "$need_full" = 0 ] && [ "$need_package" = 0 ] && exit 0

# -- helpers -------------------------------------------------------------------------------------
install_debian_packages() {
  # Installs the Debian/Ubuntu packages named in "$@" that are not installed yet.
  local missing=() pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      say "please install these system packages first (as root: apt-get install ${missing[*]}), then run this again"
      return 1; fi
  fi
  say "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

pip_with_progress() {
  # pip install "$@", showing one line per package downloaded or taken from the cache; the whole
  # output goes to $LOG, and its end is shown when pip fails.
  local status=0
  mkdir -p "$STAMPS"
  : > "$LOG"
  set +e
  "$VENV_PY" -m pip install --disable-pip-version-check --progress-bar off "$@" 2>&1 | tee -a "$LOG" \
  | while IFS= read -r line; do
      case "$line" in
        Collecting\ *) line="${line#Collecting }"; echo "  ${line%% (from*}" >&2 ;;
        Processing\ /*.whl*) line="${line##*/}"; echo "  ${line%% (from*} (local)" >&2 ;;
        *Downloading\ *\(*\)) echo "    downloading (${line##*(}" >&2 ;;
        Building\ wheels\ for*) echo "  building shadematch from $ROOT" >&2 ;;
        Installing\ collected\ packages:*)
          n="$(echo "${line#*:}" | tr ',' '\n' | wc -l | tr -d ' ')"
          if [ "$n" -gt 5 ]; then
            echo "  unpacking $n packages into $VENV (the longest step: a minute without output is normal)" >&2
          fi ;;
        Successfully\ installed*) echo "  done" >&2 ;;
        ERROR:*) echo "  $line" >&2 ;;
      esac
    done
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    say "pip failed (exit $status). Its last lines:"
    grep -v '^WARNING: Location' "$LOG" | tail -n 8 | sed 's/^/    /' >&2
    say "the whole log is $LOG. The first install downloads the dependencies: check the"
    say "internet connection (or the proxy settings) and run the same command again."
  fi
  return "$status"
}

build_requirements() {
  # [build-system] requires of pyproject.toml (installed into the venv so that reinstalling
  # shadematch after a change needs no network: pip then builds without an isolated environment).
  "$VENV_PY" - "$ROOT/pyproject.toml" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
try:
    import tomllib
    requires = tomllib.loads(text)["build-system"]["requires"]
except ImportError:  # Python 3.10
    block = re.search(r"\[build-system\][^\[]*?requires\s*=\s*\[([^\]]*)\]", text, re.S).group(1)
    requires = re.findall(r"[\"']([^\"']+)[\"']", block)
print("\n".join(requires))
PY
}

# -- the package alone ---------------------------------------------------------------------------
if [ "$need_package" = 1 ]; then
  say "the program's files changed since they were installed: reinstalling shadematch (offline, a few seconds)"
  started="$(mktemp)"
  files="$(package_files | cksum)"
  pip_with_progress -q --no-deps --no-build-isolation --no-index --force-reinstall "$ROOT"
  echo "$files" > "$PACKAGE_STAMP"
  # the stamp's time is when the install began: a file edited during it is seen next time
  touch -r "$started" "$PACKAGE_STAMP"
  rm -f "$started"
  exit 0
fi

# -- the full install ----------------------------------------------------------------------------
if [ -d "$VENV" ]; then
  say "pyproject.toml changed (or the environment is incomplete): updating $VENV"
else
  say "first start: setting up $VENV (downloads about 250 MB and takes 1-3 minutes; later starts skip this)"
fi
if [ "$(uname -s)" = "Linux" ] && command -v dpkg >/dev/null 2>&1; then
  say "[1/3] system libraries Qt needs"
  # Libraries the Qt platform plugins load (offscreen and xcb), fonts; for the tests poppler and
  # PostgreSQL.
  QT_LIBS=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0 libdbus-1-3
           libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
           libxcb-xinerama0 libxcb-xkb1 libxcb-shape0 libxcb-randr0 fonts-dejavu-core)
  # The tests also run the records against a real PostgreSQL server started in a temporary
  # folder (tests/records/pg_server.py): its server binaries.
  [ "$EXTRA" = "test" ] && QT_LIBS+=(poppler-utils postgresql)
  install_debian_packages "${QT_LIBS[@]}"
else
  say "[1/3] system libraries: nothing to do on $(uname -s)"
fi

if [ ! -x "$VENV_PY" ] || ! "$VENV_PY" -c "" >/dev/null 2>&1; then
  PYTHON="${PYTHON:-python3}"
  if ! command -v "$PYTHON" >/dev/null 2>&1; then
    say "no '$PYTHON' found: install Python 3.10 or newer (or set PYTHON=/path/to/python3), then run this again"
    exit 1
  fi
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    say "$("$PYTHON" --version 2>&1) is too old: shadematch needs Python 3.10 or newer (set PYTHON=/path/to/python3.11)"
    exit 1
  fi
  say "[2/3] creating the virtual environment with $("$PYTHON" --version 2>&1)"
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV"; then
    rm -rf "$VENV"
    say "could not create $VENV; on Debian/Ubuntu install python3-venv (apt-get install python3-venv) and run this again"
    exit 1
  fi
else
  say "[2/3] the virtual environment exists"
fi

say "[3/3] installing shadematch${EXTRA:+ with its $EXTRA dependencies} and what it needs"
started="$(mktemp)"
files="$(package_files | cksum)"
rm -f "$DEPS_STAMP" "$PACKAGE_STAMP"
# the build backend goes into the venv first, so that shadematch is built without an isolated
# build environment, now and on every later reinstall (which then needs no network)
build_reqs=()
while IFS= read -r req; do [ -n "$req" ] && build_reqs+=("$req"); done < <(build_requirements)
pip_with_progress "${build_reqs[@]}"
pip_with_progress --no-build-isolation "$ROOT${EXTRA:+[$EXTRA]}"
deps_fingerprint > "$DEPS_STAMP"
echo "$files" > "$PACKAGE_STAMP"
touch -r "$started" "$PACKAGE_STAMP"
rm -f "$started"
say "installed into $VENV"
