#!/usr/bin/env bash
# Install the system packages needed to build the C++ tests: GoogleTest, and
# Clang with libFuzzer for the fuzz harness (scripts/fuzz.sh).
# Idempotent: does nothing (silently) when everything is already installed.
set -euo pipefail

have_gtest() {
    [[ -f /usr/include/gtest/gtest.h ]] || dpkg -s libgtest-dev >/dev/null 2>&1
}

# A clang++ whose resource folder holds the libFuzzer runtime (the same test as
# scripts/fuzz.sh's choice of compiler).
have_libfuzzer() {
    local cxx resource
    for cxx in ${MAGPK_FUZZ_CXX:-} clang++ clang++-{21,20,19,18,17,16,15,14}; do
        command -v "$cxx" >/dev/null 2>&1 || continue
        resource="$("$cxx" -print-resource-dir 2>/dev/null)" || continue
        compgen -G "$resource/lib/*/libclang_rt.fuzzer*.a" >/dev/null && return 0
    done
    return 1
}

packages=()
have_gtest || packages+=(libgtest-dev)
# Debian's default Clang and its runtime libraries (libFuzzer, sanitizers).
have_libfuzzer || packages+=(clang libclang-rt-dev)

if [[ ${#packages[@]} -eq 0 ]]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_system_deps: missing ${packages[*]} and apt-get is unavailable;" \
         "install GoogleTest (headers + CMake config) and Clang with libFuzzer manually." >&2
    exit 1
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
echo "install_system_deps: installing ${packages[*]}"
if ! $SUDO apt-get install -y -q --no-install-recommends "${packages[@]}"; then
    echo "install_system_deps: retrying after apt-get update"
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

have_gtest
have_libfuzzer
