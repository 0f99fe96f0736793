#!/usr/bin/env bash
# Build the C++ core and its GoogleTest suite with AddressSanitizer +
# UndefinedBehaviorSanitizer (+ LeakSanitizer where the sandbox allows it) in
# build/cpp-asan and run ctest there. Any finding aborts the failing test.
#
# Usage: scripts/sanitizers.sh
# Environment:
#   MAGPK_PYTHON           interpreter for the dependency discovery (cmeel-eigen,
#                          boost-headers); default .venv/bin/python, as in scripts/test.sh
#   MAGPK_JOBS             parallel build/test jobs (default 2)
#   MAGPK_ASAN_BUILD_TYPE  CMake build type (default Debug, compiled -O1 -g: assertions,
#                          including Eigen's index checks, stay on; on 2 cores it builds
#                          in ~50 s vs ~60-120 s for RelWithDebInfo, tests run in ~5 s)
#   MAGPK_ASAN_BUILD       build dir (default build/cpp-asan)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh" sanitizers.sh

ASAN_BUILD="${MAGPK_ASAN_BUILD:-$ROOT/build/cpp-asan}"
BUILD_TYPE="${MAGPK_ASAN_BUILD_TYPE:-Debug}"

start=$SECONDS

echo "-- sanitizers: configure $ASAN_BUILD ($BUILD_TYPE, ASan+UBSan; CMakePresets.json preset asan)"
cmake --preset asan -B "$ASAN_BUILD" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPython_EXECUTABLE="$PY"

# LeakSanitizer stops all threads (ptrace-like) to scan them at exit; some
# containers forbid that and LSan then dies with "LeakSanitizer has encountered
# a fatal error" / "does not work under ptrace". Probe with a tiny program built
# by the same compiler before building: gtest_discover_tests runs the test
# binary at build time, so the options must be right for the build too.
CXX_COMPILER="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$ASAN_BUILD/CMakeCache.txt")"
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <cstdlib>\nint main() { void* volatile p = std::malloc(16); std::free(p); return 0; }\n' \
    >"$probe_dir/probe.cpp"
"${CXX_COMPILER:-c++}" -fsanitize=address,undefined -g "$probe_dir/probe.cpp" -o "$probe_dir/probe"
detect_leaks=1
probe_out="$(ASAN_OPTIONS=detect_leaks=1 "$probe_dir/probe" 2>&1)" && probe_rc=0 || probe_rc=$?
if [[ $probe_rc -ne 0 ]] && ! grep -q "LeakSanitizer" <<<"$probe_out"; then
    echo "sanitizers.sh: an empty ASan/UBSan program fails here (exit $probe_rc):" >&2
    echo "$probe_out" >&2
    exit 1
elif [[ $probe_rc -ne 0 ]]; then
    detect_leaks=0
    echo "-- sanitizers: NOTE: LeakSanitizer cannot run in this environment (probe exit $probe_rc):"
    head -5 <<<"$probe_out" | sed 's/^/--   /'
    echo "-- sanitizers: NOTE: falling back to detect_leaks=0 (ASan + UBSan only, no leak checks)"
else
    echo "-- sanitizers: LeakSanitizer available (detect_leaks=1)"
fi
export ASAN_OPTIONS="detect_leaks=${detect_leaks}:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "-- sanitizers: build (-j$JOBS)"
cmake --build "$ASAN_BUILD" -j"$JOBS"
built=$SECONDS

echo "-- sanitizers: ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS"
ctest --test-dir "$ASAN_BUILD" --output-on-failure -j"$JOBS"

echo "-- sanitizers: no findings (build $((built - start)) s, tests $((SECONDS - built)) s, total $((SECONDS - start)) s)"
