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
# Rebuild only when a source file changed since the last install (hash kept in .venv).
STAMP="$VENV/.magpk-source-hash"
HASH="$(cd "$ROOT" && git ls-files -z cpp python cmake CMakeLists.txt pyproject.toml 2>/dev/null \
        | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$HASH" ]] && "$PY" -c "import magpk" 2>/dev/null; then
    echo "magpk is installed and up to date (no source change since the last build)" >&2
else
    echo "Building and installing magpk (C++ core; about 2 minutes on 2 cores)..." >&2
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet .
    echo "$HASH" > "$STAMP"
    echo "done" >&2
fi
if [[ $# -eq 0 ]]; then
    set -- --forms oxide,hydroxide,chloride,citrate,glycinate,buffered_glycinate,lactate,solution \
           --dose 300mg --every 24h --count 1
fi
exec "$VENV/bin/magpk" compare "$@"
