# Shared set-up of the build scripts (sourced by sanitizers.sh, tsan.sh, fuzz.sh and
# format.sh; not run on its own): the repository root as the working directory, the
# interpreter whose site-packages hold the PyPI build dependencies (cmeel-eigen,
# boost-headers, clang-format), and the build parallelism.
#   source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh" <script name for messages>
# Environment: MAGPK_PYTHON (default .venv/bin/python, as in scripts/test.sh),
# MAGPK_JOBS (default 2).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${MAGPK_PYTHON:-$ROOT/.venv/bin/python}"
JOBS="${MAGPK_JOBS:-2}"
if [[ ! -x "$PY" ]]; then
    echo "$1: no Python interpreter at $PY (run scripts/test.sh first or set MAGPK_PYTHON)" >&2
    exit 1
fi
