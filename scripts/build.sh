#!/usr/bin/env bash
# Configures and builds oncotrack (Release, tests included) into ./build. Usage: scripts/build.sh [cmake args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release "$@" >&2
cmake --build "$root/build" -j"$(nproc)" >&2
