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
# Python lint and type checkers, pinned so that every machine checks alike.
RUFF_VERSION="0.17.6"
MYPY_VERSION="2.4.1"
PYBIND11_STUBGEN_VERSION="3.0.0"
PANDAS_STUBS_VERSION="3.1.0.261029"
TYPES_TQDM_VERSION="4.70.0.20261106"

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

section "Build the magpk wheel once (build/wheelhouse; compiles the C++ core)"
# One wheel for both environments below: the C++ core is compiled once.
WHEELHOUSE="$ROOT/build/wheelhouse"
rm -rf "$WHEELHOUSE"
"$PY" -m pip wheel --no-deps --wheel-dir "$WHEELHOUSE" .
WHEELS=("$WHEELHOUSE"/magpk-*.whl)
WHEEL="${WHEELS[0]}"

section "Install magpk with test, docs, fit and sbml extras into .venv (pip install <wheel>[test,docs,fit,sbml])"
"$PY" -m pip install --force-reinstall --no-deps "$WHEEL"
"$PY" -m pip install "$WHEEL[test,docs,fit,sbml]"

section "Python lint (ruff $RUFF_VERSION; pyproject.toml [tool.ruff])"
"$PY" -m pip install --quiet "ruff==$RUFF_VERSION" "mypy==$MYPY_VERSION" \
    "pybind11-stubgen==$PYBIND11_STUBGEN_VERSION" "pandas-stubs==$PANDAS_STUBS_VERSION" \
    "types-tqdm==$TYPES_TQDM_VERSION"
"$VENV/bin/ruff" check

section "Python types (mypy --strict on python/magpk; _core stub up to date)"
# python/magpk/_core.pyi types the compiled core for mypy and users; it must be what
# pybind11-stubgen makes of the installed magpk._core (after a binding change, copy the new
# stub over: cp build/core-stub/magpk/_core.pyi python/magpk/).
rm -rf "$ROOT/build/core-stub"
"$PY" -m pybind11_stubgen --exit-code -o "$ROOT/build/core-stub" magpk._core
if ! diff -u "$ROOT/python/magpk/_core.pyi" "$ROOT/build/core-stub/magpk/_core.pyi"; then
    echo "test.sh: python/magpk/_core.pyi is stale; regenerated stub: build/core-stub/magpk/_core.pyi" >&2
    exit 1
fi
"$PY" -m mypy  # pyproject.toml [tool.mypy]: strict, files = python/magpk

section "Runtime-only environment (build/venv-runtime: the wheel + numpy, pandas, tqdm)"
# tests/python/test_documented_examples.py runs the README's and docs' examples here, where
# only magpk's runtime dependencies are installed (no pip, no extras; .venv's versions).
RUNTIME_VENV="$ROOT/build/venv-runtime"
"$PY" -m venv --clear --without-pip "$RUNTIME_VENV"
"$PY" -m pip freeze --exclude magpk | { grep -E '^[A-Za-z0-9._-]+==' || true; } \
    > "$ROOT/build/venv-runtime-constraints.txt"
"$PY" -m pip --python "$RUNTIME_VENV/bin/python" install --quiet \
    --constraint "$ROOT/build/venv-runtime-constraints.txt" "$WHEEL"
export MAGPK_RUNTIME_PYTHON="$RUNTIME_VENV/bin/python"

section "C++ header dependencies in .venv (cmeel-eigen, boost-headers)"
"$PY" -m pip install --quiet cmeel-eigen boost-headers

section "C++ formatting (.clang-format; scripts/format.sh, clang-format pinned there)"
MAGPK_PYTHON="$PY" bash "$ROOT/scripts/format.sh"

section "System dependencies (GoogleTest; Clang + libFuzzer)"
bash "$ROOT/scripts/install_system_deps.sh"

section "Configure + build C++ tests (build/cpp-tests; CMakePresets.json preset release)"
cmake --preset release -B "$CPP_BUILD" -DPython_EXECUTABLE="$PY"
cmake --build "$CPP_BUILD" -j"$JOBS"

section "C++ tests (ctest: GoogleTest + the installed package's consumer, tests/cmake)"
ctest --test-dir "$CPP_BUILD" --output-on-failure

section "C++ tests under ASan + UBSan (scripts/sanitizers.sh, build/cpp-asan)"
MAGPK_PYTHON="$PY" MAGPK_JOBS="$JOBS" bash "$ROOT/scripts/sanitizers.sh"

section "Population engine threads under ThreadSanitizer (scripts/tsan.sh, build/cpp-tsan)"
MAGPK_PYTHON="$PY" MAGPK_JOBS="$JOBS" bash "$ROOT/scripts/tsan.sh"

section "Fuzzing simulate() + simulate_batch() for 60 s (scripts/fuzz.sh: libFuzzer + ASan + UBSan, build/fuzz)"
MAGPK_PYTHON="$PY" MAGPK_JOBS="$JOBS" MAGPK_FUZZ_TIME=60 bash "$ROOT/scripts/fuzz.sh"

section "Python tests (pytest)"
# Run from the repo root: the installed wheel (not python/) provides magpk.
# MAGPK_RUNTIME_PYTHON (exported above) is where test_documented_examples.py runs the docs' examples.
"$PY" -m pytest tests/python

section "Documentation site (Sphinx + myst-nb, warnings as errors; build/docs-html)"
# Executes the notebooks and the pages' code cells (outputs cached in build/docs-jupyter-cache,
# cleared when the installed package changes) and generates the model page's tables.
"$PY" -m sphinx -W --keep-going -b html docs "$ROOT/build/docs-html"

section "All tests passed"
