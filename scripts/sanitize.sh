#!/usr/bin/env bash
# CI step: the network engine's unit tests (hostile weights files, operators, kernels) under AddressSanitizer and
# UBSan. Builds only target unit_nn in ./build-asan (nn needs no ITK, so no ITK-heavy translation unit is
# compiled) and runs them all (~15 s); any sanitizer report fails the step. Debug (-O0): under the sanitizers
# nlohmann_json's parser alone takes ~55 s per translation unit to compile at -O2, ~15 s at -O0.
# Usage: scripts/asan_nn.sh [gtest filter]   (default: every test)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-asan"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DONCOTRACK_SANITIZE=ON >&2
cmake --build "$build" --target unit_nn -j"$(nproc)" >&2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$build/tests/unit_nn" --gtest_filter="${1:-*}"
