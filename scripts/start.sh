#!/usr/bin/env bash
# Install shadematch (and on Linux the system libraries Qt needs) and start it.
#   bash scripts/start.sh [PHOTO|FOLDER|SESSION]   -- with no argument the bundled demo photo opens.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup_environment.sh"
exec "$ROOT/.venv/bin/shadematch" "$@"
