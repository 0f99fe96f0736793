#!/usr/bin/env bash
# Build the libFuzzer harness tests/fuzz/fuzz_simulation.cpp (Clang, ASan +
# UBSan, CMakePresets.json preset "fuzz", build/fuzz) and fuzz the whole
# simulation request: magpk::simulate() (3 inputs in 4) and the population
# request magpk::simulate_batch() (1 in 4: up to 3 subjects with IIV factors,
# threads = 1), both with Physiology overrides set by name through
# magpk::set_parameter() (in-range, boundary and out-of-range values, unknown
# names) and checked by magpk::validate() or left to the core. It starts from
# the committed seed corpus tests/fuzz/corpus (tests/fuzz/make_corpus.py). New
# inputs go to build/fuzz/corpus (the committed corpus is not modified), a
# finding to build/fuzz/artifacts/. Any finding (crash, sanitizer report, hang,
# leak, non-finite result, a batch differing from simulate()) fails the script.
# UBSan's alignment, object-size and pointer-overflow checks are off in this
# build (~10x more executions per second; tests/fuzz/CMakeLists.txt,
# MAGPK_FUZZ_NO_SANITIZE).
#
# Speed: each simulate() solves the subject's steady state first (closed form on
# a continuous diet; with meals a periodic steady state, ten one-day
# integrations: the slowest inputs) and runs the regimen and a baseline, so
# an execution takes ~1-2 ms: ~700 executions/s on one core of the test machine
# (60 s: ~40,000 executions, coverage ~3,000 edges from the seed corpus).
#
# Usage: scripts/fuzz.sh [libFuzzer options]     e.g. scripts/fuzz.sh -runs=1000000
#
# The default (scripts/test.sh) is a 60-s smoke run. A campaign of >= 10^6
# executions takes ~25-45 min of one core (400-700/s; the rate falls as the
# corpus collects slower inputs); do not start one on cores others need:
#     scripts/fuzz.sh -runs=1000000                    # one process, 10^6 executions
#     scripts/fuzz.sh -runs=1000000 -jobs=2 -workers=2 # two processes of 10^6 each
#     scripts/fuzz.sh -runs=500000 -jobs=2 -workers=2  # 10^6 in all, on two cores
# With -jobs=N libFuzzer runs N jobs in -workers=N processes, each with the given
# -runs (or -max_total_time) and all sharing build/fuzz/corpus; each job's output
# goes to build/fuzz/fuzz-<job>.log and the script adds up their executions. The
# corpus in build/fuzz/corpus is kept between runs, so a campaign can be resumed.
# Environment:
#   MAGPK_PYTHON        interpreter for the dependency discovery (cmeel-eigen,
#                       boost-headers); default .venv/bin/python, as in scripts/test.sh
#   MAGPK_JOBS          parallel build jobs (default 2)
#   MAGPK_FUZZ_TIME     seconds of fuzzing (default 60; ignored when -runs=N is given)
#   MAGPK_FUZZ_CXX      Clang C++ compiler with libFuzzer (default: the first of clang++,
#                       clang++-21 ... clang++-14 that has it; scripts/install_system_deps.sh)
#   MAGPK_FUZZ_BUILD    build dir (default build/fuzz)
# Reproduce a finding: MAGPK_FUZZ_VERBOSE=1 build/fuzz/tests/fuzz/magpk_fuzz_simulation <file>
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh" fuzz.sh

FUZZ_BUILD="${MAGPK_FUZZ_BUILD:-$ROOT/build/fuzz}"
FUZZ_TIME="${MAGPK_FUZZ_TIME:-60}"

find_fuzz_cxx() {
    local cxx resource
    for cxx in ${MAGPK_FUZZ_CXX:-} clang++ clang++-{21,20,19,18,17,16,15,14}; do
        command -v "$cxx" >/dev/null 2>&1 || continue
        resource="$("$cxx" -print-resource-dir 2>/dev/null)" || continue
        if compgen -G "$resource/lib/*/libclang_rt.fuzzer*.a" >/dev/null; then
            command -v "$cxx"
            return 0
        fi
    done
    return 1
}
if ! CXX="$(find_fuzz_cxx)"; then
    echo "fuzz.sh: no Clang with libFuzzer found (Debian: apt-get install clang libclang-rt-dev," \
         "or run scripts/install_system_deps.sh; or set MAGPK_FUZZ_CXX)" >&2
    exit 1
fi

start=$SECONDS
echo "-- fuzz: configure $FUZZ_BUILD ($CXX, ASan+UBSan+libFuzzer; CMakePresets.json preset fuzz)"
cmake --preset fuzz -B "$FUZZ_BUILD" -DCMAKE_CXX_COMPILER="$CXX" -DPython_EXECUTABLE="$PY" >/dev/null
echo "-- fuzz: build (-j$JOBS)"
cmake --build "$FUZZ_BUILD" -j"$JOBS" --target magpk_fuzz_simulation
built=$SECONDS
FUZZER="$FUZZ_BUILD/tests/fuzz/magpk_fuzz_simulation"

# LeakSanitizer needs ptrace-like thread suspension, which some containers forbid
# (as in scripts/sanitizers.sh): probe with the empty input, fall back to no leak checks.
detect_leaks=1
empty="$FUZZ_BUILD/empty-input"
: >"$empty"
if ! probe_out="$(ASAN_OPTIONS=detect_leaks=1 "$FUZZER" "$empty" 2>&1)"; then
    if grep -q "LeakSanitizer" <<<"$probe_out"; then
        detect_leaks=0
        echo "-- fuzz: NOTE: LeakSanitizer cannot run here; fuzzing without leak checks"
    else
        echo "$probe_out" >&2
        echo "fuzz.sh: the harness fails on the empty input" >&2
        exit 1
    fi
fi
export ASAN_OPTIONS="detect_leaks=${detect_leaks}:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

mkdir -p "$FUZZ_BUILD/corpus" "$FUZZ_BUILD/artifacts"
limit=(-max_total_time="$FUZZ_TIME")
for arg in "$@"; do
    [[ "$arg" == -runs=* ]] && limit=()
done
log="$FUZZ_BUILD/fuzz.log"
echo "-- fuzz: run ${limit[*]:-} $* (log: $log)"
# -timeout: an input running > 10 s is a hang (the harness bounds run length
# and solver steps); -rss_limit_mb: a request must not allocate without bound.
# Run in the build dir: with -jobs=N libFuzzer writes each job's output to
# fuzz-<job>.log in the working directory (build/fuzz/fuzz-0.log, ...).
rm -f "$FUZZ_BUILD"/fuzz-[0-9]*.log
rc=0
(cd "$FUZZ_BUILD" && "$FUZZER" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=512 \
    -print_final_stats=1 -detect_leaks="$detect_leaks" -artifact_prefix="$FUZZ_BUILD/artifacts/" \
    "$@" "$FUZZ_BUILD/corpus" "$ROOT/tests/fuzz/corpus") >"$log" 2>&1 || rc=$?
logs=("$log")
if compgen -G "$FUZZ_BUILD/fuzz-[0-9]*.log" >/dev/null; then
    logs=("$FUZZ_BUILD"/fuzz-[0-9]*.log)
fi
if [[ $rc -ne 0 ]] || grep -q -E '^==[0-9]+== ?ERROR|^SUMMARY: |deadly signal' "${logs[@]}"; then
    for one in "${logs[@]}"; do
        echo "== $one" >&2
        grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)' "$one" | tail -60 >&2
    done
    echo "fuzz.sh: FINDING (exit $rc); the input is in $FUZZ_BUILD/artifacts/" >&2
    exit 1
fi
# Totals over the jobs (one log without -jobs).
runs=0
rate=0
cov=0
for one in "${logs[@]}"; do
    runs=$((runs + $(sed -n 's/^stat::number_of_executed_units: *//p' "$one" | tail -1 | grep . || echo 0)))
    rate=$((rate + $(sed -n 's/^stat::average_exec_per_sec: *//p' "$one" | tail -1 | grep . || echo 0)))
    c="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$one" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' | tail -1 | grep . || echo 0)"
    if ((c > cov)); then cov=$c; fi
done
jobs_note=""
if [[ ${#logs[@]} -gt 1 ]]; then jobs_note=" over ${#logs[@]} jobs (logs: $FUZZ_BUILD/fuzz-*.log)"; fi
echo "-- fuzz: no findings in $runs executions$jobs_note ($rate/s, cov: $cov;" \
     "build $((built - start)) s, fuzzing $((SECONDS - built)) s)"
