#!/usr/bin/python3
"""PyTorch side of bench/nn_conv_bench.cpp: times the same layers (conv3d with bias, symmetric padding; transposed
conv k2 s2) and prints "key<TAB>milliseconds" per layer, the median over runs after warm-up, for the faster of
contiguous and channels-last tensors (PyTorch 1.13 runs batch-1 3-D convolutions of contiguous tensors on its
im2col path, of channels-last ones on oneDNN; which wins depends on the layer).

Usage: nn_conv_torch.py LAYERS.tsv [--threads N] [--budget SECONDS]   (LAYERS.tsv from `nn_conv_bench --list`)
Debian's system interpreter with python3-torch 1.13; bench/run_nn_bench.sh sets GLIBC_TUNABLES.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def median_seconds(fn, min_runs, budget_s):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < budget_s and len(times) < 50):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("layers")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--budget", type=float, default=1.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, mkldnn {torch.backends.mkldnn.is_available()}")
    with open(args.layers) as f, torch.no_grad():
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            key, cin, cout, k, stride, n, c, d, h, w = line.rstrip("\n").split("\t")
            cin, cout, k, stride = int(cin), int(cout), int(k), int(stride)
            x0 = torch.rand(int(n), int(c), int(d), int(h), int(w)) * 2 - 1
            bias = torch.rand(cout) * 2 - 1
            shape = (cin, cout, 2, 2, 2) if k == 2 else (cout, cin, k, k, k)
            w0 = torch.rand(*shape) * 2 - 1
            best = float("inf")
            for fmt in (torch.contiguous_format, torch.channels_last_3d):
                x, weight = x0.to(memory_format=fmt), w0.to(memory_format=fmt)
                if k == 2:
                    fn = lambda: F.conv_transpose3d(x, weight, bias, stride=2)  # noqa: E731
                else:
                    fn = lambda: F.conv3d(x, weight, bias, stride=stride, padding=k // 2)  # noqa: E731
                best = min(best, median_seconds(fn, 5, args.budget))
            print(f"{key}\t{best * 1e3:.4f}", flush=True)


if __name__ == "__main__":
    main()
