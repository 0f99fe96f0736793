#!/usr/bin/env bash
# Build the C++ core and the population engine's threading tests
# (tests/cpp/test_population_threads.cpp, executable magpk_thread_tests) with
# ThreadSanitizer in build/cpp-tsan (CMakePresets.json preset tsan: Debug,
# -O1 -g -fsanitize=thread) and run them: magpk::simulate_batch with 1, 2, 3, 4
# and 8 threads. Only the core and that one executable are built (~1-2 min on
# 2 cores); the tests run in seconds. Any TSan report (data race, lock-order
# inversion, ...) fails the script (TSAN_OPTIONS=halt_on_error=1).
#
# Usage: scripts/tsan.sh
# Environment:
#   MAGPK_PYTHON      interpreter for the dependency discovery (cmeel-eigen,
#                     boost-headers); default .venv/bin/python, as in scripts/test.sh
#   MAGPK_JOBS        parallel build jobs (default 2)
#   MAGPK_TSAN_BUILD  build dir (default build/cpp-tsan)
#   MAGPK_TSAN_CXX    C++ compiler (default: CMake's choice, c++; clang++ works too)
#   MAGPK_TSAN_NO_ASLR=1  always run under `setarch $(uname -m) -R` (see below; by
#                     default only when TSan cannot start with ASLR on)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh" tsan.sh

TSAN_BUILD="${MAGPK_TSAN_BUILD:-$ROOT/build/cpp-tsan}"

start=$SECONDS
echo "-- tsan: configure $TSAN_BUILD (Debug -O1 -g, -fsanitize=thread; CMakePresets.json preset tsan)"
compiler_arg=()
[[ -n "${MAGPK_TSAN_CXX:-}" ]] && compiler_arg=(-DCMAKE_CXX_COMPILER="$MAGPK_TSAN_CXX")
cmake --preset tsan -B "$TSAN_BUILD" "${compiler_arg[@]}" -DPython_EXECUTABLE="$PY" >/dev/null

# Probe TSan with a tiny program holding a deliberate data race, built by the same
# compiler: it must report the race. On Linux >= 6.6 with vm.mmap_rnd_bits > 28
# (e.g. 32, the default of some distributions and CI images) the TSan runtime of
# GCC <= 13 / LLVM < 18 dies before main() with "FATAL: ThreadSanitizer: unexpected
# memory mapping". The documented workaround without root (google/sanitizers#1716;
# LLVM 18 re-executes itself the same way) is to run the program with address-space
# randomization off: `setarch $(uname -m) -R`. Lowering vm.mmap_rnd_bits to 28 with
# sysctl also works but needs root, which containers rarely have.
CXX_COMPILER="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$TSAN_BUILD/CMakeCache.txt")"
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
cat >"$probe_dir/probe.cpp" <<'EOF'
#include <thread>
int counter = 0;  // written by two threads without synchronization: a data race
int main() {
  std::thread a([] { for (int i = 0; i < 1000; ++i) ++counter; });
  std::thread b([] { for (int i = 0; i < 1000; ++i) ++counter; });
  a.join();
  b.join();
  return counter > 0 ? 0 : 1;
}
EOF
"${CXX_COMPILER:-c++}" -std=c++17 -fsanitize=thread -O1 -g "$probe_dir/probe.cpp" -o "$probe_dir/probe"
run=()
[[ "${MAGPK_TSAN_NO_ASLR:-0}" == 1 ]] && run=(setarch "$(uname -m)" -R)
probe() { TSAN_OPTIONS=halt_on_error=1 "${run[@]}" "$probe_dir/probe" 2>&1 || true; }
probe_out="$(probe)"
if [[ ${#run[@]} -eq 0 ]] &&
    grep -q "unexpected memory mapping\|ADDR_NO_RANDOMIZE\|failed to mmap the shadow" <<<"$probe_out"; then
    echo "-- tsan: NOTE: TSan cannot map its shadow memory with ASLR on here:"
    head -2 <<<"$probe_out" | sed 's/^/--   /'
    if ! command -v setarch >/dev/null 2>&1; then
        echo "tsan.sh: setarch (util-linux) is needed to run TSan without ASLR" >&2
        exit 1
    fi
    run=(setarch "$(uname -m)" -R)
    echo "-- tsan: NOTE: running the tests under '${run[*]}' (ASLR off; google/sanitizers#1716)"
    probe_out="$(probe)"
fi
if ! grep -q "WARNING: ThreadSanitizer: data race" <<<"$probe_out"; then
    echo "$probe_out" >&2
    echo "tsan.sh: ThreadSanitizer did not report the probe's deliberate data race" >&2
    exit 1
fi
echo "-- tsan: probe OK (TSan reports a deliberate race${run[*]:+ under ${run[*]}})"

echo "-- tsan: build magpk_core + magpk_thread_tests (-j$JOBS)"
cmake --build "$TSAN_BUILD" -j"$JOBS" --target magpk_thread_tests
built=$SECONDS

# halt_on_error=1: the first report ends the run with exit code 66.
# second_deadlock_stack=1: lock-order reports show both acquisitions.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
echo "-- tsan: TSAN_OPTIONS=$TSAN_OPTIONS"
"${run[@]}" "$TSAN_BUILD/tests/cpp/magpk_thread_tests" --gtest_brief=1

echo "-- tsan: no findings (build $((built - start)) s, tests $((SECONDS - built)) s, total $((SECONDS - start)) s)"
