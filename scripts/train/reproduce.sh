#!/usr/bin/env bash
# Reproduces the bundled default model from nothing but Debian packages and this repository:
#   1. synthetic training and validation series (make_data.py, seeds and counts from config.json),
#   2. `oncotrack model prepare` with the model's preprocessing (the C++ code that segmentation uses),
#   3. training and export (train.py) to data/models/<name>.safetensors with its model card,
#   4. the brain atlas added to that file (brain_atlas.py, when config.json has "brain_mask").
# Usage: bash scripts/train/reproduce.sh [WORK_DIR]   (WORK_DIR default /tmp/oncotrack-train; ~3 GB)
# Needs: scripts/setup.sh --train (python3-torch, python3-scipy, python3-nibabel, libopenblas0, mricron-data).
# Time on 2 cores (v3, 2026-12-07, a fresh machine): build ~15 min, data ~25 min, prepare ~2 min, training
# 5000 + 4000 steps 56 min (0.49 and 0.22 s/step), validation and export ~4 min. v1, v2 and v4 (v3's
# weights) came out bit-identical when rerun from a clean clone (same PyTorch build, 2 threads; their cards).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-/tmp/oncotrack-train}"
config="$root/scripts/train/config.json"
py=/usr/bin/python3
bash "$root/scripts/setup.sh" --train
bash "$root/scripts/build.sh" --target oncotrack
oncotrack="$root/build/oncotrack"
name="$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['name'])" "$config")"
mkdir -p "$work"
$py -c "import json,sys; json.dump(json.load(open(sys.argv[1]))['preprocessing'], open(sys.argv[2], 'w'))" \
  "$config" "$work/preprocessing.json"
for split in train validation; do
  read -r seed subjects prefix < <($py -c "import json,sys; d=json.load(open(sys.argv[1]))['data'][sys.argv[2]];
print(d['seed'], d['subjects'], d['prefix'])" "$config" "$split")
  if [ ! -f "$work/$split/truth.json" ]; then
    $py "$root/scripts/train/make_data.py" --out "$work/$split" --subjects "$subjects" --seed "$seed" \
      --prefix "$prefix"
  fi
  "$oncotrack" -j 2 model prepare "$work/$split/manifest.csv" --preprocessing "$work/preprocessing.json" \
    --out "$work/$split-tensors"
done
rm -f "$work/segmentation.pt"  # a fresh reproduction (train.py would otherwise resume from it)
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184 \
  $py "$root/scripts/train/train.py" --config "$config" \
  --train "$work/train-tensors" --train-truth "$work/train/truth.json" \
  --val "$work/validation-tensors" --val-truth "$work/validation/truth.json" \
  --out "$root/data/models/$name.safetensors" --checkpoint "$work/segmentation.pt"
if $py -c "import json,sys; sys.exit('brain_mask' not in json.load(open(sys.argv[1])))" "$config"; then
  $py "$root/scripts/train/brain_atlas.py" "$root/data/models/$name.safetensors" --config "$config"
fi
"$oncotrack" model info "$root/data/models/$name.safetensors" > "$work/model_info.txt"  # no pipe: SIGPIPE
head -12 "$work/model_info.txt"
