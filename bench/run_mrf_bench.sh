#!/usr/bin/env bash
# CEST-MRF dictionary simulation rate (issue 6): `oncotrack mrf simulate` against the independent NumPy/SciPy
# reference (scripts/cest/reference_dictionary.py, scipy.linalg.expm) on the same grids and the same 30-image
# schedule (the mouse MT fingerprint of ../shared/data/real/cest_mrf), in one invocation. The reference runs the
# first LIMIT entries (default 40) of each grid; its signals are compared with oncotrack's. Then map
# quantification time for the 64×64 phantom slice (dot-product matching against the published grid).
# Usage: bench/run_mrf_bench.sh   (THREADS=2, LIMIT=40)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
limit="${LIMIT:-40}"
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
  start=$(date +%s.%N)
  "$bin" -q -j "$threads" mrf simulate "$schedule" "$g" --out "$work/$grid.safetensors"
  seconds=$(calc "$(date +%s.%N) - $start")
  entries=$(/usr/bin/python3 -c "import json,sys; print(json.loads(open(sys.argv[1],'rb').read()[8:8+int.from_bytes(open(sys.argv[1],'rb').read()[:8],'little')])['signals']['shape'][0])" "$work/$grid.safetensors")
  ref=$(/usr/bin/python3 "$root/scripts/cest/reference_dictionary.py" "$schedule" "$g" --limit "$limit" \
        --compare "$work/$grid.safetensors")
  ref_rate=$(echo "$ref" | awk '/entries_per_s/ {print $6}')
  diff=$(echo "$ref" | awk '/max_abs_difference/ {print $2}')
  rate=$(calc "$entries / $seconds")
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
