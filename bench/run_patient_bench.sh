#!/usr/bin/env bash
# End-to-end `oncotrack run` wall time and peak RSS per patient (issue 5's figure): one patient with two
# timepoints at 256×256×24 (TCIA Brain-Tumor-Progression case 01 from ../shared/data/real/btp, with the assumed
# geometry of tests/real/default_model_real_test.cpp: 0.9375 × 0.9375 × 6.5 mm) and the same scans resampled
# to 256×256×128 (1.19 mm between slices, trilinear; masks nearest), each run alone with the bundled model,
# registration and QC pictures, on THREADS threads (default 2). Prints one line per size and model.
# MODELS="A.safetensors B.safetensors" runs each of those instead of the bundled model, side by side.
# Usage: bench/run_patient_bench.sh [--repeat N]   (needs scripts/setup.sh --train for python3-nibabel/scipy)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
repeat=1
[ "${1:-}" = "--repeat" ] && repeat="$2"
btp="$root/../shared/data/real/btp/01"
[ -d "$btp" ] || { echo "no $btp" >&2; exit 1; }
bash "$root/scripts/build.sh" --target oncotrack
work="$(mktemp -d /tmp/oncotrack-patient-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$btp" "$work" <<'PY'
import sys, nibabel as nib, numpy as np
from scipy import ndimage
src, work = sys.argv[1], sys.argv[2]
for tp in ("Pre", "Post"):
    for kind, order in (("Scan_T1", 1), ("Mask", 0)):
        img = nib.load(f"{src}/{tp}_{kind}.nii.gz")
        data = np.asarray(img.dataobj, dtype=np.float32 if order else np.uint8)
        for slices in (24, 128):
            spacing = 6.5 * 24 / slices
            vol = data if slices == 24 else ndimage.zoom(data, (1, 1, slices / data.shape[2]), order=order)
            affine = np.diag([0.9375, 0.9375, spacing, 1.0])
            nib.save(nib.Nifti1Image(vol.astype(np.float32 if order else np.uint8), affine),
                     f"{work}/{slices}_{tp}_{kind}.nii.gz")
for slices in (24, 128):
    with open(f"{work}/manifest_{slices}.csv", "w") as m:
        m.write("subject,timepoint,day,sequence,path,mask\n")
        for tp, day in (("Pre", 0), ("Post", 100)):
            m.write(f"btp01,{tp.lower()},{day},t1c,{slices}_{tp}_Scan_T1.nii.gz,{slices}_{tp}_Mask.nii.gz\n")
PY
echo -e "size\tmodel\trun\twall_s\tpeak_rss_mb\tthreads"
for slices in 24 128; do
  for model in ${MODELS:-bundled}; do
    args=()
    [ "$model" = bundled ] || args=(--model "$model")
    for r in $(seq "$repeat"); do
      rm -rf "$work/out"
      /usr/bin/time -f "%e %M" -o "$work/time.txt" "$root/build/oncotrack" -q -j "$threads" run \
        "$work/manifest_$slices.csv" --out "$work/out" "${args[@]}" >/dev/null
      read -r wall rss_kb < "$work/time.txt"
      echo -e "256x256x$slices\t$(basename "$model" .safetensors)\t$r\t$wall\t$((rss_kb / 1024))\t$threads"
    done
  done
done
