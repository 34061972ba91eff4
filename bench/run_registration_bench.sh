#!/usr/bin/env bash
# Builds the registration benchmark (its own build folder, -DONCOTRACK_BUILD_BENCH=ON) and runs it with the
# same thread count for oncotrack and elastix (default 2). Extra arguments go to registration_bench, e.g.
#   bench/run_registration_bench.sh --cases rigid,open-ms --keep
# Environment: THREADS (default 2), BUILD_DIR (default <repo>/build-bench).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
build="${BUILD_DIR:-$root/build-bench}"
bash "$root/scripts/setup.sh" --bench
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DONCOTRACK_BUILD_BENCH=ON -DONCOTRACK_BUILD_TESTS=OFF >&2
cmake --build "$build" -j"$(nproc)" --target registration_bench >&2
exec "$build/bench/registration_bench" --threads "$threads" "$@"
