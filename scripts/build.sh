#!/usr/bin/env bash
# Installs what is missing, configures (Release, tests included) and builds into ./build.
# Extra arguments go to `cmake --build`, e.g. scripts/build.sh --target oncotrack
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$root/build" -j"$(nproc)" "$@" >&2
