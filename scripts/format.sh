#!/usr/bin/env bash
# Check (default) or apply (--fix) the C++ formatting of .clang-format on the
# project's C++ sources (cpp/, tests/; git-tracked and new, not ignored files).
# clang-format comes from PyPI at a pinned version, so that every machine
# formats alike; it is installed into the Python environment if missing.
#
# Usage: scripts/format.sh [--fix]
# Environment:
#   MAGPK_PYTHON  Python environment to hold clang-format (default .venv/bin/python)
set -euo pipefail

CLANG_FORMAT_VERSION="23.1.5"

source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh" format.sh
CLANG_FORMAT="$(dirname "$PY")/clang-format"
if [[ ! -x "$CLANG_FORMAT" ]] ||
    [[ "$("$CLANG_FORMAT" --version)" != *"version $CLANG_FORMAT_VERSION"* ]]; then
    "$PY" -m pip install --quiet "clang-format==$CLANG_FORMAT_VERSION"
fi

files=()
while IFS= read -r -d '' file; do
    [[ -f "$file" ]] && files+=("$file")
done < <(git ls-files -z --cached --others --exclude-standard -- \
    'cpp/*.cpp' 'cpp/*.hpp' 'tests/*.cpp' 'tests/*.hpp')
if [[ ${#files[@]} -eq 0 ]]; then
    echo "format.sh: no C++ files found (not a git checkout?)" >&2
    exit 1
fi

if [[ "${1:-}" == "--fix" ]]; then
    "$CLANG_FORMAT" -i "${files[@]}"
    echo "-- format: formatted ${#files[@]} files ($("$CLANG_FORMAT" --version))"
elif "$CLANG_FORMAT" --dry-run --Werror "${files[@]}"; then
    echo "-- format: ${#files[@]} C++ files match .clang-format ($("$CLANG_FORMAT" --version))"
else
    echo "format.sh: the files above differ from .clang-format; run scripts/format.sh --fix" >&2
    exit 1
fi
