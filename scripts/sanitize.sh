#!/usr/bin/env bash
# CI step: every module's unit suite (hostile headers and weights files, write failures, parsers ...) and the
# hostile batch suites (tests/cli/hostile_*: broken inputs, an unwritable or full output folder, non-UTF-8 names,
# symlinks, a 10 000-row manifest, run end to end by the oncotrack binary built the same way) under
# AddressSanitizer + UBSan, in ./build-asan. Debug (-O0): under the sanitizers nlohmann_json's parser alone
# takes ~55 s per translation unit to compile at -O2. Any sanitizer report fails the step (abort_on_error).
# Left to the Release suite: the Colin27.* registration-accuracy tests (full-size brains, 1 to 10 min each here)
# and the 10 000-row validate (2.5 min; the 10 000-row manifest parse is a unit test and runs here). Usage: scripts/sanitize.sh [CTEST_REGEX]   (default: the unit label plus the Hostile* batch suites)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-asan"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DONCOTRACK_SANITIZE=ON >&2
targets=(oncotrack cli_tests)
for module in core nn cest io analysis report synth preprocess registration pipeline; do targets+=("unit_$module"); done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >&2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
if [ -n "${1:-}" ]; then
  ctest --test-dir "$build" -j"$(nproc)" --output-on-failure -R "$1"
else
  ctest --test-dir "$build" -j"$(nproc)" --output-on-failure -L unit -E '^Colin27\.'
  ctest --test-dir "$build" -j"$(nproc)" --output-on-failure -R '^Hostile(Batch|Output)\.' -E 'TenThousandRow'
fi
