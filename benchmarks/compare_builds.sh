#!/usr/bin/env bash
# Portable vs native builds side by side. The portable build is the default wheel
# (installed in $PYTHON's environment, default .venv/bin/python); this script builds
# a second wheel with -C cmake.define.MAGPK_NATIVE_ARCH=ON (-march=native) into
# build/venv-native, then runs the same benchmarks with both: single_subject.py
# (core time per 30-day subject) and population.py (subject-months per second, 1 and
# 2 threads). Each run prints magpk.show_config() first, so the tables say which
# build they measured. Not part of the test suite; ~5 min on 2 cores (most of it the
# native compile).
# Usage: benchmarks/compare_builds.sh [--n 2000]     (arguments go to population.py)
set -euo pipefail
cd "$(dirname "$0")/.."
PORTABLE_PY="${PYTHON:-.venv/bin/python}"
NATIVE_VENV="build/venv-native"
NATIVE_PY="$NATIVE_VENV/bin/python"

if [[ ! -x "$NATIVE_PY" ]]; then
  "$PORTABLE_PY" -m venv "$NATIVE_VENV"
fi
rm -rf build/wheelhouse-native
"$NATIVE_PY" -m pip install --quiet --upgrade pip
"$NATIVE_PY" -m pip wheel --quiet --no-deps --wheel-dir build/wheelhouse-native \
  -C cmake.define.MAGPK_NATIVE_ARCH=ON -C build-dir=build/native-{wheel_tag} .
wheels=(build/wheelhouse-native/magpk-*.whl)
"$NATIVE_PY" -m pip install --quiet --force-reinstall --no-deps "${wheels[0]}"
"$NATIVE_PY" -m pip install --quiet "${wheels[0]}" scipy   # scipy: the scipy model in single_subject.py

for build in portable native; do
  py="$PORTABLE_PY"
  [[ "$build" == native ]] && py="$NATIVE_PY"
  echo "== $build build"
  "$py" -c "import magpk; magpk.show_config()"
  "$py" benchmarks/single_subject.py --scipy-repeats 1
  "$py" benchmarks/population.py "$@"
  echo
done
