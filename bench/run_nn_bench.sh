#!/usr/bin/env bash
# Builds the convolution benchmark (its own build folder, -DONCOTRACK_BUILD_BENCH=ON, only that target) and runs
# oncotrack and PyTorch on the same layer list with the same thread count, then prints them side by side; then
# the two whole-network cases of the issue (bench/nn_network_bench.cpp, bench/nn_network_torch.py).
#   bench/run_nn_bench.sh                      # all layers, 2 threads, the best kernels this CPU supports
#   bench/run_nn_bench.sh --filter "seg 16->16" --isa portable --budget 3
# Extra arguments go to nn_conv_bench (see --help; --algorithm direct|winograd forces one algorithm for its
# stride-1 3x3x3 layers, --compare times both). Environment: ALGORITHM (auto, direct or winograd: the networks'
# stride-1 3x3x3 convs, default auto); THREADS (default 2); ARCH (-march of the build,
# default x86-64-v3; e.g. x86-64-v4 needs an AVX-512 CPU); BUILD_DIR (default <repo>/build-bench-nn[-ARCH]);
# TORCH_TUNABLES (GLIBC_TUNABLES for PyTorch). The default keeps freed tensors in the heap (mmap threshold at
# glibc's largest accepted value, 32 MiB, and no trimming) instead of mapping and first-touching fresh pages on
# every call, which is slow in these VMs; of the settings tried it was the fastest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
arch="${ARCH:-x86-64-v3}"
build="${BUILD_DIR:-$root/build-bench-nn$([ "$arch" = x86-64-v3 ] || echo "-$arch")}"
tunables="${TORCH_TUNABLES-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DONCOTRACK_BUILD_BENCH=ON -DONCOTRACK_BUILD_TESTS=OFF \
  -DONCOTRACK_ARCH="$arch" >&2
cmake --build "$build" -j"$(nproc)" --target nn_conv_bench nn_network_bench >&2
bench="$build/bench/nn_conv_bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bench" --list > "$work/layers.tsv"
filter=""
for ((i = 1; i <= $#; i++)); do
  if [ "${!i}" = --filter ]; then j=$((i + 1)); filter="${!j}"; fi
done
if [ -n "$filter" ]; then
  { head -n1 "$work/layers.tsv"; grep -F -- "$filter" "$work/layers.tsv" || true; } > "$work/selected.tsv"
else
  cp "$work/layers.tsv" "$work/selected.tsv"
fi
echo "PyTorch (GLIBC_TUNABLES=$tunables) ..." >&2
GLIBC_TUNABLES="$tunables" OMP_NUM_THREADS="$threads" \
  /usr/bin/python3 "$root/bench/nn_conv_torch.py" "$work/selected.tsv" --threads "$threads" > "$work/torch.tsv"
echo "$(head -n1 "$work/torch.tsv"), GLIBC_TUNABLES=$tunables"
"$bench" --threads "$threads" --torch "$work/torch.tsv" "$@" | tee "$work/conv.txt"
peak="$(sed -n 's/.*probe at [0-9]* threads (\([0-9.]*\) GFLOP\/s).*/\1/p' "$work/conv.txt")"

# Whole networks on the same weights and inputs: (a) full-size multitask_unet3d pair at 64x64x16, (b) one
# segmentation branch (U-Net 16-32-64-128) on a 96x96x48 tile. One process per case and tool (peak RSS is the
# case's own); PyTorch exports the weights and its outputs, oncotrack checks its outputs against them.
echo
printf '%-6s %10s %10s %8s %7s %10s %10s %10s %8s %7s %10s\n' case onco_ms GFLOP/s %peak RSS_MiB torch_ms \
  torch_cl_ms GFLOP/s RSS_MiB ratio max_err
for case in pair tile; do
  # PyTorch twice: contiguous tensors (batch-1 3-D convs on its im2col path) and channels-last (oneDNN); the
  # ratio uses the faster of the two.
  declare -A t_ms t_rss
  for fmt in contiguous channels_last_3d; do
    IFS=$'\t' read -r _ ms gflop rss _ < <(GLIBC_TUNABLES="$tunables" OMP_NUM_THREADS="$threads" \
      /usr/bin/python3 "$root/bench/nn_network_torch.py" "$work" --case "$case" --threads "$threads" \
      --memory-format "$fmt")
    t_ms[$fmt]="$ms"
    t_rss[$fmt]="$rss"
  done
  IFS=$'\t' read -r _ onco_ms onco_rss _ err < <("$build/bench/nn_network_bench" "$work" --case "$case" \
    --threads "$threads" --algorithm "${ALGORITHM:-auto}")
  awk -v c="$case" -v o="$onco_ms" -v t1="${t_ms[contiguous]}" -v t2="${t_ms[channels_last_3d]}" -v g="$gflop" \
    -v p="$peak" -v orss="$onco_rss" -v r1="${t_rss[contiguous]}" -v r2="${t_rss[channels_last_3d]}" -v e="$err" \
    'BEGIN { t = t1 < t2 ? t1 : t2; r = t1 < t2 ? r1 : r2;
      printf "%-6s %10.1f %10.1f %7.0f%% %7.0f %10.1f %10.1f %10.1f %8.0f %7.2f %10s\n",
      c, o, g / o * 1e3, 100 * g / o * 1e3 / p, orss, t1, t2, g / t * 1e3, r, o / t, e }'
done
echo "GFLOP/s and %peak of the networks use PyTorch's FLOP count; oncotrack computes the decoder's"
echo "convolutions over nearest-upsampled inputs with 8/27 of those multiply-adds (UpsampleConv3d)."
