#!/usr/bin/env bash
# Set up (virtualenv + pip install .) and run the main job: a comparison of
# supplement forms for a default adult, printed as a table.
# Extra arguments go to `python -m magpk` (see --help).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
if [[ ! -x "$PY" ]]; then
    python3 -m venv "$VENV"
fi
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet .
exec "$PY" -m magpk "$@"
