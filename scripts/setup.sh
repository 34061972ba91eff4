#!/usr/bin/env bash
# Installs the Debian 12 packages oncotrack needs, only those missing. Idempotent; safe to run every time.
set -euo pipefail

packages=(
  build-essential cmake git pkg-config
  libinsighttoolkit5-dev libeigen3-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libgtest-dev
  libgdcm-tools zlib1g-dev
  python3-jsonschema   # tests only: validates reports against data/report.schema.json
  mricron-data         # tests only: the Colin27 T1 brain (ch2) for registration ground truth
  snakemake            # tests only: scripts/workflow/Snakefile is run on a synthetic cohort
  chromium             # tests only: the HTML reports are opened in headless Chromium
)
# `scripts/setup.sh --bench` adds what bench/ compares against (elastix; PyTorch for the Debian system python3,
# which also regenerates tests/fixtures/nn with scripts/nn/make_fixtures.py).
# `scripts/setup.sh --train` adds what scripts/train needs to make the training data and the default model.
if [ "${1:-}" = "--bench" ]; then
  packages+=(elastix python3-torch libopenblas0)
fi
# `scripts/setup.sh --fuzz` adds clang and its runtimes (libFuzzer, sanitizers) for scripts/fuzz.sh.
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev)
fi
if [ "${1:-}" = "--train" ]; then
  packages+=(python3-torch libopenblas0 python3-scipy python3-nibabel)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
