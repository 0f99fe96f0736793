#!/usr/bin/env bash
# Run all magpk benchmarks with their default sizes (about 20 minutes, most of it
# memory.py: 100,000 subjects once per thread count, peaking at a few hundred MB).
# Not part of the test suite.
# Usage: benchmarks/run_all.sh            (uses $PYTHON, default: python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep 'Model name' || true
"$PY" --version
echo

for script in accuracy single_subject population memory uncertainty; do
  echo "== benchmarks/${script}.py"
  "$PY" "benchmarks/${script}.py"
  echo
done
