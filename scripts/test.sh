#!/usr/bin/env bash
# Set up everything and run ALL tests (C++ GoogleTest + Python pytest).
# Usage: scripts/test.sh       (from anywhere; works on a fresh machine)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
PY="$VENV/bin/python"
CPP_BUILD="$ROOT/build/cpp-tests"
JOBS="${MAGPK_JOBS:-2}"

section() {
    printf '\n==============================================================\n'
    printf '== %s\n' "$*"
    printf '==============================================================\n'
}

section "Python virtual environment (.venv)"
if [[ ! -x "$PY" ]]; then
    python3 -m venv "$VENV"
fi
"$PY" -m pip install --quiet --upgrade pip
"$PY" --version

section "Build and install magpk with test extras (pip install .[test])"
"$PY" -m pip install ".[test]"

section "C++ header dependencies in .venv (cmeel-eigen, boost-headers)"
"$PY" -m pip install --quiet cmeel-eigen boost-headers

section "System dependencies (GoogleTest)"
bash "$ROOT/scripts/install_system_deps.sh"

section "Configure + build C++ tests (build/cpp-tests)"
cmake -S "$ROOT" -B "$CPP_BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMAGPK_BUILD_TESTS=ON \
    -DMAGPK_BUILD_PYTHON=OFF \
    -DPython_EXECUTABLE="$PY"
cmake --build "$CPP_BUILD" -j"$JOBS"

section "C++ tests (ctest)"
ctest --test-dir "$CPP_BUILD" --output-on-failure

section "C++ tests under ASan + UBSan (scripts/sanitizers.sh, build/cpp-asan)"
MAGPK_PYTHON="$PY" MAGPK_JOBS="$JOBS" bash "$ROOT/scripts/sanitizers.sh"

section "Python tests (pytest)"
# Run from the repo root: the installed wheel (not python/) provides magpk.
"$PY" -m pytest tests/python

section "All tests passed"
