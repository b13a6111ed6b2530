#!/usr/bin/env bash
# Install shadematch with its test dependencies (and on Linux the system libraries) when needed and
# run every test against the installed package. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SHADEMATCH_VENV:-$ROOT/.venv}"
bash "$ROOT/scripts/setup_environment.sh" test
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
# tests/test_packaging.py checks that the package the suite imports is the installed one.
export SHADEMATCH_TESTS_INSTALLED=1
# The installed package is tested (not the source folder): pytest is run from the venv's bin.
exec "$VENV/bin/pytest" -q "$@"
