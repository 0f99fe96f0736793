#!/usr/bin/env bash
# Set up (virtualenv + pip install .) and run the main job: a comparison of
# supplement forms for a default adult, printed as a table, with the `magpk`
# command line. Extra arguments replace the defaults (see `magpk compare --help`).
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
if [[ $# -eq 0 ]]; then
    set -- --forms oxide,hydroxide,chloride,citrate,glycinate,buffered_glycinate,lactate,solution \
           --dose 300mg --every 24h --count 1
fi
exec "$VENV/bin/magpk" compare "$@"
