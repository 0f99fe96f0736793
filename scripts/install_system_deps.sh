#!/usr/bin/env bash
# Install the system packages needed to build the C++ tests (GoogleTest).
# Idempotent: does nothing (silently) when everything is already installed.
set -euo pipefail

have_gtest() {
    [[ -f /usr/include/gtest/gtest.h ]] || dpkg -s libgtest-dev >/dev/null 2>&1
}

if have_gtest; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_system_deps: GoogleTest is missing and apt-get is unavailable;" \
         "install GoogleTest (headers + CMake config) manually." >&2
    exit 1
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
echo "install_system_deps: installing libgtest-dev"
if ! $SUDO apt-get install -y -q --no-install-recommends libgtest-dev; then
    echo "install_system_deps: retrying after apt-get update"
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends libgtest-dev
fi

have_gtest
