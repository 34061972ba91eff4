#!/usr/bin/env bash
# CEST-MRF dictionary simulation rate (issue 6): `oncotrack mrf simulate` against the independent NumPy/SciPy
# reference (scripts/cest/reference_dictionary.py, scipy.linalg.expm) on the same grids and the same 30-image
# schedule (the mouse MT fingerprint of ../shared/data/real/cest_mrf), in one invocation. The reference runs the
# first LIMIT entries (default 200) of each grid; its signals are compared with oncotrack's. Then map
# quantification time for the 64×64 phantom slice (dot-product matching against the published grid). Last, the
# network trained in C++ against dot-product matching on noisy held-out fingerprints (bench/mrf_accuracy_bench.cpp,
# its own build folder with -DONCOTRACK_BUILD_BENCH=ON): training time, validation loss, NRMSE per parameter.
# Usage: bench/run_mrf_bench.sh   (THREADS=2, LIMIT=200, EPOCHS=30, BUILD_DIR=<repo>/build-bench)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
limit="${LIMIT:-200}"
real="$root/../shared/data/real/cest_mrf"
schedule="$real/mouse_mt/schedule.json"
[ -f "$schedule" ] || { echo "no $schedule" >&2; exit 1; }
bash "$root/scripts/build.sh" --target oncotrack >/dev/null
bin="$root/build/oncotrack"
work="$(mktemp -d /tmp/oncotrack-mrf-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
calc() { /usr/bin/python3 -c "print($1)"; }
echo -e "grid\tentries\toncotrack_entries_per_s\treference_entries_per_s\tratio\tmax_abs_difference"
for grid in two_pools_mt three_pools_mt; do
  g="$root/bench/cest/${grid}_grid.json"
  # Both rates are of the simulation alone: oncotrack's as it logs it (no process start or file write), the
  # reference's after an untimed first entry.
  log=$("$bin" -j "$threads" mrf simulate "$schedule" "$g" --out "$work/$grid.safetensors" 2>&1 >/dev/null)
  entries=$(echo "$log" | sed -n 's/.*(\([0-9]*\) entries, .*/\1/p')
  rate=$(echo "$log" | sed -n 's/.* s, \([0-9.]*\) entries\/s).*/\1/p')
  ref=$(/usr/bin/python3 "$root/scripts/cest/reference_dictionary.py" "$schedule" "$g" --limit "$limit" \
        --compare "$work/$grid.safetensors")
  ref_rate=$(echo "$ref" | awk '/entries_per_s/ {print $6}')
  diff=$(echo "$ref" | awk '/max_abs_difference/ {print $2}')
  printf "%s\t%d\t%.0f\t%.2f\t%.0f\t%s\n" "$grid" "$entries" "$rate" "$ref_rate" "$(calc "$rate / $ref_rate")" "$diff"
done
phantom="$real/phantom_9p4t"
"$bin" -q -j "$threads" mrf simulate "$phantom/schedule.json" "$root/data/cest/arginine_phantom_9p4t_grid.json" \
  --out "$work/phantom.safetensors"
start=$(date +%s.%N)
"$bin" -q -j "$threads" mrf quantify "$phantom/mrf_series.nii.gz" "$phantom/schedule.json" \
  --dict "$work/phantom.safetensors" --out "$work/maps" >/dev/null
printf "quantify 64x64 slice (all 4096 voxels) against the published phantom grid: %.2f s\n" \
  "$(calc "$(date +%s.%N) - $start")"
build="${BUILD_DIR:-$root/build-bench}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DONCOTRACK_BUILD_BENCH=ON -DONCOTRACK_BUILD_TESTS=OFF >&2
cmake --build "$build" -j"$(nproc)" --target mrf_accuracy_bench >&2
# The L-arginine phantom's protocol and ranges (water T1/T2 vary too), held-out tissues drawn inside them.
cat > "$work/accuracy_grid.json" <<'GRID'
{"water": {"t1_s": {"from": 1.5, "to": 3.3, "step": 0.3}, "t2_s": {"from": 0.6, "to": 1.2, "step": 0.2}},
 "cest": [{"name": "arginine", "shift_ppm": 3.0, "exchange_rate_per_s": {"from": 100, "to": 1400, "step": 25},
           "concentration_mm": {"from": 10, "to": 120, "step": 5}, "protons": 3, "t1_s": 2.8, "t2_s": 0.04}]}
GRID
"$build/bench/mrf_accuracy_bench" --schedule "$phantom/schedule.json" --grid "$work/accuracy_grid.json" \
  --threads "$threads" --epochs "${EPOCHS:-30}"
