#!/usr/bin/env bash
# Start shadematch from this checkout, installing it first when needed (see setup_environment.sh:
# the first start, or after pyproject.toml changed; later starts go straight to the app, offline).
#   bash scripts/start.sh [PHOTO|FOLDER|SESSION]   with no argument: the demo (first run) or the
#                                                  last camera folder and session
#   bash scripts/start.sh COMMAND ...              the command line (match, report, --help ...)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SHADEMATCH_VENV:-$ROOT/.venv}"
bash "$ROOT/scripts/setup_environment.sh"   # no arguments: the app's own, never the user's
exec "$VENV/bin/shadematch" "$@"
