#!/usr/bin/python3
"""PyTorch side of the whole-network benchmark (bench/run_nn_bench.sh). For each case it builds the reference
model (scripts/nn/reference.py) with random weights, exports them to CASE.safetensors in OUT so oncotrack runs the
very same weights, writes the inputs and PyTorch's outputs to CASE.io.safetensors, times the forward pass and
prints one line: "case<TAB>ms_median<TAB>gflop<TAB>peak_rss_mib<TAB>rss_before_mib" (one case per process, so
peak RSS is the case's own).

Cases (the issue's benchmark):
  pair  full-size multitask_unet3d (16 base filters, 5 levels, separate branches) on a 64x64x16 pair
  tile  one segmentation branch, U-Net 16-32-64-128 (depth 4), on a 96x96x48 tile

PyTorch 1.13 runs batch-1 3-D convolutions of contiguous tensors on its slow im2col path and those of
channels-last tensors on oneDNN; which is faster depends on the layer, so run_nn_bench.sh runs both
(--memory-format) and compares oncotrack with the faster.

Usage: nn_network_torch.py OUT --case pair|tile [--threads N] [--repeat R] [--memory-format contiguous|channels_last_3d]
(Debian's /usr/bin/python3 with python3-torch)
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "nn"))
import export  # noqa: E402
import reference  # noqa: E402
import safetensors_io  # noqa: E402

BASE = {"in_channels": 1, "base_filters": 16, "n_labels": 1, "segmentation_levels": 3, "leaky_relu_alpha": 0.3,
        "norm_eps": 1e-5, "padding": "tf_same", "fusion_filters": 32}
CASES = {
    "pair": dict(BASE, depth=5, input_size=[16, 64, 64], shared_branches=False,
                 fusion_taps=["level2", "bottleneck", "segmentation"]),
    "tile": dict(BASE, depth=4, input_size=[48, 96, 96], shared_branches=True,
                 fusion_taps=["level2", "bottleneck", "segmentation"]),
}


def conv_flops(model, run):
    """Multiply-adds x2 of every convolution and linear layer in one call of run()."""
    total = [0]

    def hook(module, inputs, output):
        w = module.weight
        total[0] += 2 * output.numel() * w[0].numel() if w.dim() == 5 else 2 * output.numel() * w.shape[1]

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (torch.nn.Conv3d, torch.nn.Linear))]
    run()
    for h in handles:
        h.remove()
    return total[0]


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--case", choices=sorted(CASES), required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-format", choices=["contiguous", "channels_last_3d"], default="contiguous")
    args = parser.parse_args()
    fmt = torch.channels_last_3d if args.memory_format == "channels_last_3d" else torch.contiguous_format
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(0)
    for name, hp in [(args.case, CASES[args.case])]:
        model = reference.random_weights(reference.MultitaskUNet3D(hp), generator).eval()
        export.export_model(model, "multitask_unet3d", hp, os.path.join(args.out, name + ".safetensors"))
        d, h, w = hp["input_size"]
        x0 = torch.randn(1, 1, d, h, w, generator=generator)
        x1 = 0.6 * x0 + 0.8 * torch.randn(1, 1, d, h, w, generator=generator)
        io = {"input0": x0.numpy(), "input1": x1.numpy()}
        model = model.to(memory_format=fmt)
        x0, x1 = x0.to(memory_format=fmt), x1.to(memory_format=fmt)
        branch = model.branch if hp["shared_branches"] else model.branch0
        with torch.no_grad():
            if name == "pair":
                run = lambda: model(x0, x1)  # noqa: E731
            else:
                run = lambda: torch.sigmoid(branch(x0)[1])  # noqa: E731
            rss_before = rss_mib()
            outputs = run()
            flops = conv_flops(model, run)
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                run()
                times.append(time.perf_counter() - t0)
        if name == "pair":
            io.update(seg0=outputs[0].contiguous().numpy(), seg1=outputs[1].contiguous().numpy(),
                      prob=outputs[2].numpy())
        else:
            io.update(seg0=outputs.contiguous().numpy())
        safetensors_io.write(os.path.join(args.out, name + ".io.safetensors"), io, {}, "F32")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name}\t{statistics.median(times) * 1e3:.2f}\t{flops / 1e9:.3f}\t{peak:.1f}\t{rss_before:.1f}",
              flush=True)


if __name__ == "__main__":
    main()
