"""Generate the PyTorch fixtures of the C++ network engine into tests/fixtures/nn/ (see its README.md).

  /usr/bin/python3 scripts/nn/make_fixtures.py [--out DIR]

Deterministic: every case draws from its own torch.Generator seeded by the CRC-32 of its name, 2 threads,
deterministic algorithms; rerunning writes identical bytes (on the same platform and torch version).
"""
import argparse
import hashlib
import json
import pathlib
import zlib

import numpy as np
import torch
import torch.nn.functional as F

import export
import reference
import safetensors_io

ROOT = pathlib.Path(__file__).resolve().parents[2]
LEAKY = 0.3

UNET_SMALL = {
    "in_channels": 1, "base_filters": 4, "depth": 3, "input_size": [8, 16, 16], "n_labels": 1,
    "segmentation_levels": 2, "leaky_relu_alpha": LEAKY, "norm_eps": 1e-5, "padding": "tf_same",
    "shared_branches": False, "fusion_taps": ["level1", "bottleneck", "segmentation"], "fusion_filters": 8,
}
UNET_SMALL_SHARED = dict(UNET_SMALL, in_channels=2, padding="symmetric", shared_branches=True,
                         fusion_taps=["level0", "bottleneck", "segmentation"])
UNET_SMALL_CONCAT = dict(UNET_SMALL, padding="symmetric", shared_branches=True, fusion="concatenation",
                         fusion_taps=["level1", "bottleneck", "probability", "segmentation"])
UNET_FULL = {
    "in_channels": 1, "base_filters": 16, "depth": 5, "input_size": [16, 64, 64], "n_labels": 1,
    "segmentation_levels": 3, "leaky_relu_alpha": LEAKY, "norm_eps": 1e-5, "padding": "tf_same",
    "shared_branches": False, "fusion_taps": ["level2", "bottleneck", "segmentation"], "fusion_filters": 32,
}
MLP_SMALL = {"sizes": [8, 32, 16, 3], "hidden_activation": "tanh", "output_activation": "sigmoid"}
FULL_SEED = 1
TRAINING = {"data": "none", "note": "random weights: test fixture of the nn engine"}


def dumps(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def generator(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode()))


def randn(gen, shape, scale=1.0, shift=0.0):
    return torch.randn(shape, generator=gen) * scale + shift


def uniform(gen, shape, low, high):
    return torch.rand(shape, generator=gen) * (high - low) + low


def smooth_images(gen, shape):
    """Smooth random images: white noise blurred twice by a 3x3x3 box, z-scored per sample and channel."""
    x = torch.randn(shape, generator=gen)
    for _ in range(2):
        x = F.avg_pool3d(x, 3, 1, 1, count_include_pad=False)
    mean = x.mean(dim=(2, 3, 4), keepdim=True)
    return (x - mean) / x.std(dim=(2, 3, 4), keepdim=True)


def activation_fn(name):
    return reference.activation(name, ("none", "relu", "tanh", "sigmoid", "leaky_relu"))


def numpy_tensors(tensors):
    return {k: v.detach().contiguous().float().numpy() for k, v in tensors.items() if v is not None}


class Writer:
    def __init__(self, out):
        self.out = out
        (out / "ops").mkdir(parents=True, exist_ok=True)
        (out / "models").mkdir(parents=True, exist_ok=True)

    def op(self, name, meta, tensors):
        """ops/<name>.safetensors with the tensors and metadata oncotrack.fixture = {"op": ..., params}."""
        safetensors_io.write(self.out / "ops" / f"{name}.safetensors", numpy_tensors(tensors),
                             {"oncotrack.fixture": dumps(meta)})

    def model_io(self, name, meta, inputs, outputs):
        """models/<name>.io.safetensors: inputs, expected outputs, and their scales (max abs) in the metadata."""
        scale = {k: float(np.abs(v.detach().numpy()).max()) for k, v in outputs.items()}
        safetensors_io.write(self.out / "models" / f"{name}.io.safetensors",
                             numpy_tensors({**inputs, **outputs}),
                             {"oncotrack.fixture": dumps(dict(meta, kind="model_io", scale=scale))})


# ---- operators -------------------------------------------------------------------------------------------------

def conv_name(op, n, cin, cout, size, k, s, padding, bias, act):
    name = f"{op}_k{k}_s{s}_" + (padding.replace("_", "") + "_" if padding else "")
    name += f"{'x'.join(map(str, size))}_c{cin}to{cout}"
    name += "_n2" if n == 2 else ""
    name += "" if bias else "_nobias"
    return name + ("" if act == "none" else "_" + act.split(":")[0])


def conv_ops(w):
    cases = [  # N, Cin, Cout, [D,H,W], k, stride, padding, bias, fused activation
        (1, 3, 5, [7, 9, 6], 1, 1, "symmetric", True, "none"),
        (1, 3, 5, [7, 9, 6], 1, 2, "tf_same", False, "none"),
        (1, 3, 5, [7, 9, 6], 3, 1, "symmetric", True, "none"),
        (1, 4, 6, [8, 8, 8], 3, 1, "tf_same", False, "none"),
        (1, 3, 5, [7, 9, 6], 3, 2, "symmetric", True, "none"),
        (1, 3, 5, [7, 9, 6], 3, 2, "tf_same", True, "none"),
        (2, 4, 6, [8, 8, 8], 3, 2, "symmetric", False, "none"),
        (2, 4, 6, [8, 8, 8], 3, 2, "tf_same", True, "none"),
        (1, 16, 24, [6, 6, 6], 3, 1, "symmetric", True, "none"),
        (1, 1, 4, [8, 8, 8], 3, 1, "symmetric", True, "sigmoid"),
        (1, 3, 5, [7, 9, 6], 3, 2, "tf_same", True, f"leaky_relu:{LEAKY}"),
    ]
    for n, cin, cout, size, k, s, padding, bias, act in cases:
        name = conv_name("conv3d", n, cin, cout, size, k, s, padding, bias, act)
        g = generator(name)
        conv = reference.PaddedConv3d(cin, cout, k, s, padding, bias)
        with torch.no_grad():
            conv.weight.copy_(uniform(g, conv.weight.shape, -1, 1) * (cin * k ** 3) ** -0.5)
            if bias:
                conv.bias.copy_(uniform(g, conv.bias.shape, -0.5, 0.5))
            x = randn(g, [n, cin, *size])
            y = activation_fn(act)(conv(x))
        w.op(name, {"op": "conv3d", "kernel": k, "stride": s, "padding": padding, "bias": bias, "activation": act},
             {"input": x, "weight": conv.weight, "bias": conv.bias, "expected": y})

    for bias in (True, False):
        eps = 1e-3
        name = conv_name("conv3d_bn", 1, 4, 6, [7, 9, 6], 3, 1, "symmetric", bias, "none")
        g = generator(name)
        conv = reference.PaddedConv3d(4, 6, 3, 1, "symmetric", bias)
        with torch.no_grad():
            conv.weight.copy_(uniform(g, conv.weight.shape, -1, 1) * (4 * 27) ** -0.5)
            if bias:
                conv.bias.copy_(uniform(g, [6], -0.5, 0.5))
            x = randn(g, [1, 4, 7, 9, 6])
            gamma, beta = uniform(g, [6], 0.5, 1.5), uniform(g, [6], -0.5, 0.5)
            mean, var = uniform(g, [6], -0.3, 0.3), uniform(g, [6], 0.2, 2.0)
            y = F.batch_norm(conv(x), mean, var, gamma, beta, training=False, eps=eps)
        w.op(name, {"op": "conv3d_bn", "kernel": 3, "stride": 1, "padding": "symmetric", "bias": bias, "eps": eps},
             {"input": x, "weight": conv.weight, "bias": conv.bias, "gamma": gamma, "beta": beta, "mean": mean,
              "var": var, "expected": y})

    for n, cin, cout, size, bias in [(1, 3, 5, [4, 5, 3], True), (2, 4, 2, [3, 3, 3], False)]:
        name = conv_name("conv_transpose3d", n, cin, cout, size, 2, 2, None, bias, "none")
        g = generator(name)
        weight = uniform(g, [cin, cout, 2, 2, 2], -1, 1) * cin ** -0.5
        b = uniform(g, [cout], -0.5, 0.5) if bias else None
        x = randn(g, [n, cin, *size])
        y = F.conv_transpose3d(x, weight, b, stride=2)
        w.op(name, {"op": "conv_transpose3d", "kernel": 2, "stride": 2, "bias": bias},
             {"input": x, "weight": weight, "bias": b, "expected": y})


def norm_ops(w):
    for affine, eps, act in [(True, 1e-5, "none"), (False, 1e-3, "none"), (True, 1e-5, f"leaky_relu:{LEAKY}")]:
        name = "instance_norm" + ("_affine" if affine else "") + ("" if act == "none" else "_leaky_relu")
        g = generator(name)
        x = randn(g, [2, 3, 5, 6, 7], 2.0) + uniform(g, [2, 3, 1, 1, 1], -3, 3)
        gamma = uniform(g, [3], 0.5, 1.5) if affine else None
        beta = uniform(g, [3], -0.5, 0.5) if affine else None
        y = activation_fn(act)(F.instance_norm(x, weight=gamma, bias=beta, eps=eps))
        w.op(name, {"op": "instance_norm", "affine": affine, "eps": eps, "activation": act},
             {"input": x, "gamma": gamma, "beta": beta, "expected": y})


def elementwise_ops(w):
    shape = [2, 3, 5, 6, 7]
    activations = {
        "relu": ({"op": "relu"}, torch.relu),
        "leaky_relu": ({"op": "leaky_relu", "alpha": LEAKY}, lambda x: F.leaky_relu(x, LEAKY)),
        "sigmoid": ({"op": "sigmoid"}, torch.sigmoid),
        "tanh": ({"op": "tanh"}, torch.tanh),
        "softmax_channels": ({"op": "softmax_channels"}, lambda x: torch.softmax(x, dim=1)),
    }
    for name, (meta, fn) in activations.items():
        x = randn(generator(name), shape, 4.0)
        w.op(name, meta, {"input": x, "expected": fn(x)})

    for name, fn in [("add", torch.add), ("subtract", torch.sub)]:
        g = generator(name)
        a, b = randn(g, shape), randn(g, shape)
        w.op(name, {"op": name}, {"input": a, "input2": b, "expected": fn(a, b)})

    for channels in ([3, 2], [1, 3, 2]):
        name = f"concat_channels_{len(channels)}"
        g = generator(name)
        parts = [randn(g, [2, c, 4, 5, 3]) for c in channels]
        keys = ["input", "input2", "input3"][:len(parts)]
        w.op(name, {"op": "concat_channels", "inputs": len(parts)},
             {**dict(zip(keys, parts)), "expected": torch.cat(parts, dim=1)})


def resize_pool_ops(w):
    for mode, shapes in [("nearest", [[2, 3, 3, 5, 4]]), ("trilinear", [[2, 3, 3, 5, 4], [1, 2, 1, 3, 5]])]:
        for shape in shapes:
            name = f"upsample_{mode}2_{'x'.join(map(str, shape[2:]))}"
            x = randn(generator(name), shape)
            extra = {"align_corners": False} if mode == "trilinear" else {}
            y = F.interpolate(x, scale_factor=2, mode=mode, **extra)
            w.op(name, {"op": f"upsample_{mode}2", "scale_factor": 2, **extra}, {"input": x, "expected": y})

    for kind, fn in [("max", F.max_pool3d), ("avg", F.avg_pool3d)]:
        for shape in ([2, 3, 8, 8, 8], [1, 3, 7, 9, 5]):
            name = f"{kind}_pool2_{'x'.join(map(str, shape[2:]))}"
            x = randn(generator(name), shape)
            w.op(name, {"op": f"{kind}_pool2", "kernel": 2, "stride": 2, "ceil_mode": False},
                 {"input": x, "expected": fn(x, 2, 2)})

    x = randn(generator("global_avg_pool"), [2, 5, 6, 7, 8], 1.0, 1.0)
    w.op("global_avg_pool", {"op": "global_avg_pool"}, {"input": x, "expected": x.mean(dim=(2, 3, 4))})

    for bias, act in [(True, "none"), (False, "none"), (True, "tanh")]:
        name = "dense_12to7" + ("" if bias else "_nobias") + ("" if act == "none" else "_" + act)
        g = generator(name)
        weight = uniform(g, [7, 12], -1, 1) * 12 ** -0.5
        b = uniform(g, [7], -0.5, 0.5) if bias else None
        x = randn(g, [5, 12])
        w.op(name, {"op": "dense", "bias": bias, "activation": act},
             {"input": x, "weight": weight, "bias": b, "expected": activation_fn(act)(F.linear(x, weight, b))})


# ---- models ----------------------------------------------------------------------------------------------------

def unet_pair(name, hp, n):
    g = generator(name + ".inputs")
    x0 = smooth_images(g, [n, hp["in_channels"], *hp["input_size"]])
    x1 = smooth_images(g, list(x0.shape))
    return x0, (0.6 * x0 + 0.8 * x1)


def stored_model(w, name, arch, hp, dtype, weights_seed, inputs):
    """Random weights -> models/<name>.safetensors (via export.py) -> reload -> expected outputs."""
    model = reference.random_weights(reference.build(arch, hp), torch.Generator().manual_seed(weights_seed))
    path = w.out / "models" / f"{name}.safetensors"
    export.export_model(model, arch, hp, path, dtype, {}, TRAINING)
    loaded, _ = export.load_model(path)
    with torch.no_grad():
        outputs = loaded(*inputs.values())
    if arch == "mlp":
        outputs = {"output": outputs}
    else:
        outputs = dict(zip(("seg0", "seg1", "prob"), outputs))
    meta = {"model": path.name, "architecture": arch, "hparams": hp, "storage_dtype": dtype}
    w.model_io(name, meta, inputs, outputs)


def model_fixtures(w):
    x0, x1 = unet_pair("unet_small_separate", UNET_SMALL, 1)
    for name, dtype in [("unet_small_separate", "F32"), ("unet_small_separate_bf16", "BF16")]:
        stored_model(w, name, "multitask_unet3d", UNET_SMALL, dtype, 101, {"input0": x0, "input1": x1})

    x0, x1 = unet_pair("unet_small_shared", UNET_SMALL_SHARED, 2)
    stored_model(w, "unet_small_shared", "multitask_unet3d", UNET_SMALL_SHARED, "F32", 102,
                 {"input0": x0, "input1": x1})

    x0, x1 = unet_pair("unet_small_concat", UNET_SMALL_CONCAT, 2)
    stored_model(w, "unet_small_concat", "multitask_unet3d", UNET_SMALL_CONCAT, "F32", 104,
                 {"input0": x0, "input1": x1})

    x = randn(generator("mlp_small.inputs"), [5, 8])
    for name, dtype in [("mlp_small", "F32"), ("mlp_small_f16", "F16")]:
        stored_model(w, name, "mlp", MLP_SMALL, dtype, 103, {"input": x})

    model = reference.seeded_weights(reference.MultitaskUNet3D(UNET_FULL), FULL_SEED).eval()
    state = model.state_dict()
    weights = [state[k].numpy() for k in sorted(state)]
    abs_sum = sum(float(np.abs(a.astype(np.float64)).sum()) for a in weights)
    digest = hashlib.sha256(b"".join(a.astype("<f4").tobytes() for a in weights)).hexdigest()
    x0, x1 = unet_pair("unet_full_seeded", UNET_FULL, 1)
    with torch.no_grad():
        seg0, seg1, prob = model(x0, x1)
    meta = {"model": None, "architecture": "multitask_unet3d", "hparams": UNET_FULL,
            "weights": {"generator": "seeded_weights (scripts/nn/reference.py, tests/support/nn_seeded_weights.h)",
                        "seed": FULL_SEED, "abs_sum": abs_sum, "sha256_f32le": digest}}
    w.model_io("unet_full_seeded", meta, {"input0": x0, "input1": x1}, {"seg0": seg0, "seg1": seg1, "prob": prob})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "fixtures" / "nn")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(0)
    w = Writer(args.out)
    with torch.no_grad():
        conv_ops(w)
        norm_ops(w)
        elementwise_ops(w)
        resize_pool_ops(w)
    model_fixtures(w)


if __name__ == "__main__":
    main()
