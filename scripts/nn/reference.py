"""PyTorch reference of the oncotrack network architectures (the contract the C++ engine `nn` reproduces).

State-dict names are the tensor names of the weights files. Layout NCDHW, float32.

multitask_unet3d (Jin et al. 2021 / Heng14 3D_RP-Net, Isensee-2017-style U-Net): two 3-D U-Net branches (baseline
and follow-up, or one shared) with residual context modules, nearest-x2 upsampling, deep supervision, and a
response head on differences (or concatenations) of tapped features.  mlp: fully connected layers.

Also `seeded_weights(model, seed)`: the counter-based weight generator that the C++ twin
tests/support/nn_seeded_weights.h reproduces bit for bit (specified in its docstring).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

UNET_KEYS = ("in_channels", "base_filters", "depth", "input_size", "n_labels", "segmentation_levels",
             "leaky_relu_alpha", "norm_eps", "padding", "shared_branches", "fusion_taps", "fusion_filters")
OPTIONAL_UNET_KEYS = ("fusion",)  # "difference" (default) or "concatenation"
MLP_KEYS = ("sizes", "hidden_activation", "output_activation")
PADDINGS = ("tf_same", "symmetric")


def check_keys(hparams, keys, arch, optional=()):
    missing = [k for k in keys if k not in hparams]
    unknown = sorted(set(hparams) - set(keys) - set(optional))
    if missing or unknown:
        raise ValueError(f"{arch} hparams: missing {missing}, unknown {unknown}")


def tf_same_pads(sizes, kernel, stride):
    """F.pad argument (W before/after, H before/after, D before/after) of TensorFlow "same" padding."""
    pads = []
    for n in reversed(sizes):
        out = -(-n // stride)
        total = max((out - 1) * stride + kernel - n, 0)
        pads += [total // 2, total - total // 2]
    return pads


class PaddedConv3d(nn.Conv3d):
    """Conv3d with cubic kernel and the spec's padding modes: "symmetric" = PyTorch padding k//2 both sides;
    "tf_same" = explicit F.pad (floor(total/2) before, the rest after) then an unpadded convolution."""

    def __init__(self, cin, cout, kernel, stride=1, padding="symmetric", bias=True):
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
        super().__init__(cin, cout, kernel, stride, padding=kernel // 2 if padding == "symmetric" else 0,
                         bias=bias)
        self.mode = padding

    def forward(self, x):
        if self.mode == "tf_same":
            x = F.pad(x, tf_same_pads(x.shape[2:], self.kernel_size[0], self.stride[0]))
        return super().forward(x)


class ConvBlock(nn.Module):
    """Conv3d (bias) -> InstanceNorm3d (affine) -> LeakyReLU.  Names: conv.weight, conv.bias, norm.weight,
    norm.bias."""

    def __init__(self, cin, cout, kernel, stride, hp):
        super().__init__()
        self.conv = PaddedConv3d(cin, cout, kernel, stride, hp["padding"])
        self.norm = nn.InstanceNorm3d(cout, eps=hp["norm_eps"], affine=True)
        self.alpha = hp["leaky_relu_alpha"]

    def forward(self, x):
        return F.leaky_relu(self.norm(self.conv(x)), self.alpha)


class ConvAct(nn.Module):
    """Conv3d (bias) -> LeakyReLU, no normalisation (fusion blocks with "fusion": "concatenation", whose pooled
    features must keep their magnitude).  Names: conv.weight, conv.bias."""

    def __init__(self, cin, cout, kernel, hp):
        super().__init__()
        self.conv = PaddedConv3d(cin, cout, kernel, 1, hp["padding"])
        self.alpha = hp["leaky_relu_alpha"]

    def forward(self, x):
        return F.leaky_relu(self.conv(x), self.alpha)


class EncoderLevel(nn.Module):
    def __init__(self, cin, cout, stride, hp):
        super().__init__()
        self.down = ConvBlock(cin, cout, 3, stride, hp)
        self.context = nn.ModuleList([ConvBlock(cout, cout, 3, 1, hp) for _ in range(2)])

    def forward(self, x):
        d = self.down(x)
        return d + self.context[1](self.context[0](d))


class DecoderLevel(nn.Module):
    def __init__(self, f_below, f, hp):
        super().__init__()
        self.up = ConvBlock(f_below, f, 3, 1, hp)
        self.local = nn.ModuleList([ConvBlock(2 * f, f, 3, 1, hp), ConvBlock(f, f, 1, 1, hp)])

    def forward(self, skip, current):
        u = self.up(F.interpolate(current, scale_factor=2, mode="nearest"))
        return self.local[1](self.local[0](torch.cat([skip, u], dim=1)))


class Branch(nn.Module):
    """One U-Net. forward -> (encoder outputs out_0..out_{depth-1}, segmentation logits)."""

    def __init__(self, hp):
        super().__init__()
        f = [hp["base_filters"] * 2 ** i for i in range(hp["depth"])]
        self.enc = nn.ModuleList([EncoderLevel(hp["in_channels"] if i == 0 else f[i - 1], f[i],
                                               1 if i == 0 else 2, hp) for i in range(hp["depth"])])
        self.dec = nn.ModuleList([DecoderLevel(f[j + 1], f[j], hp) for j in range(hp["depth"] - 1)])
        self.seg = nn.ModuleList([PaddedConv3d(f[j], hp["n_labels"], 1, 1, hp["padding"])
                                  for j in range(hp["segmentation_levels"])])

    def forward(self, x):
        outs = []
        for level in self.enc:
            x = level(x)
            outs.append(x)
        current, seg = outs[-1], {}
        for j in reversed(range(len(self.dec))):
            current = self.dec[j](outs[j], current)
            if j < len(self.seg):
                seg[j] = self.seg[j](current)
        logits = seg[len(self.seg) - 1]
        for j in reversed(range(len(self.seg) - 1)):
            logits = F.interpolate(logits, scale_factor=2, mode="nearest") + seg[j]
        return outs, logits


def check_unet_hparams(hp):
    check_keys(hp, UNET_KEYS, "multitask_unet3d", OPTIONAL_UNET_KEYS)
    if hp.get("fusion", "difference") not in ("difference", "concatenation"):
        raise ValueError(f"fusion must be \"difference\" or \"concatenation\", not {hp['fusion']!r}")
    depth = hp["depth"]
    if depth < 2 or not 1 <= hp["segmentation_levels"] <= depth - 1:
        raise ValueError("need depth >= 2 and 1 <= segmentation_levels <= depth - 1")
    if len(hp["input_size"]) != 3 or any(n % 2 ** (depth - 1) for n in hp["input_size"]):
        raise ValueError(f"input_size {hp['input_size']} must be 3 sizes divisible by 2^(depth-1)")
    if hp["padding"] not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}")
    for tap in hp["fusion_taps"]:
        tap_channels(hp, tap)


def tap_channels(hp, tap):
    if tap == "bottleneck":
        return hp["base_filters"] * 2 ** (hp["depth"] - 1)
    if tap in ("segmentation", "probability"):
        return hp["n_labels"]
    if tap.startswith("level") and tap[5:].isdigit() and int(tap[5:]) < hp["depth"]:
        return hp["base_filters"] * 2 ** int(tap[5:])
    raise ValueError(f"unknown fusion tap {tap!r}")


class MultitaskUNet3D(nn.Module):
    """forward(x0, x1) with x0 (baseline), x1 (follow-up) [N, in_channels, D, H, W] ->
    (seg0, seg1 [N, n_labels, D, H, W] probabilities, p [N, 1])."""

    def __init__(self, hparams):
        super().__init__()
        check_unet_hparams(hparams)
        self.hp = dict(hparams)
        if hparams["shared_branches"]:
            self.branch = Branch(hparams)
        else:
            self.branch0, self.branch1 = Branch(hparams), Branch(hparams)
        self.concatenate = hparams.get("fusion", "difference") == "concatenation"
        if self.concatenate:
            blocks = [ConvAct(2 * tap_channels(hparams, t), hparams["fusion_filters"], 3, hparams)
                      for t in hparams["fusion_taps"]]
        else:
            blocks = [ConvBlock(tap_channels(hparams, t), hparams["fusion_filters"], 3, 1, hparams)
                      for t in hparams["fusion_taps"]]
        self.fusion = nn.ModuleList(blocks)
        self.head = nn.Linear(hparams["fusion_filters"] * len(hparams["fusion_taps"]), 1)

    def tap(self, outs, logits, name):
        if name == "segmentation":
            return logits
        if name == "probability":
            return torch.sigmoid(logits)
        return outs[-1] if name == "bottleneck" else outs[int(name[5:])]

    def logits(self, x0, x1):
        """forward() before its sigmoids (for training losses): (seg logits0, seg logits1, response logit)."""
        b0, b1 = (self.branch, self.branch) if self.hp["shared_branches"] else (self.branch0, self.branch1)
        outs0, logits0 = b0(x0)
        outs1, logits1 = b1(x1)
        def joined(t):
            a, b = self.tap(outs0, logits0, t), self.tap(outs1, logits1, t)
            return torch.cat([a, b], dim=1) if self.concatenate else a - b
        pooled = [block(joined(t)).mean(dim=(2, 3, 4)) for block, t in zip(self.fusion, self.hp["fusion_taps"])]
        return logits0, logits1, self.head(torch.cat(pooled, dim=1))

    def forward(self, x0, x1):
        logits0, logits1, response = self.logits(x0, x1)
        return torch.sigmoid(logits0), torch.sigmoid(logits1), torch.sigmoid(response)


def activation(name, allowed):
    """Activation function from its spec name ("relu", "tanh", "sigmoid", "none", "leaky_relu:<alpha>")."""
    kind = name.split(":")[0]
    if kind not in allowed or (kind == "leaky_relu") != (":" in name):
        raise ValueError(f"activation {name!r} not one of {allowed}")
    if kind == "leaky_relu":
        alpha = float(name.split(":", 1)[1])
        return lambda x: F.leaky_relu(x, alpha)
    return {"none": lambda x: x, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[kind]


class MLP(nn.Module):
    """[N, sizes[0]] -> [N, sizes[-1]]; names layers.{i}.weight [sizes[i+1], sizes[i]], layers.{i}.bias."""

    def __init__(self, hparams):
        super().__init__()
        check_keys(hparams, MLP_KEYS, "mlp")
        sizes = hparams["sizes"]
        if len(sizes) < 2:
            raise ValueError("mlp sizes needs at least 2 entries")
        self.hp = dict(hparams)
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])])
        self.hidden = activation(hparams["hidden_activation"], ("relu", "tanh", "sigmoid", "leaky_relu"))
        self.output = activation(hparams["output_activation"], ("none", "sigmoid", "relu", "tanh"))

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.hidden(layer(x))
        return self.output(self.layers[-1](x))


def build(architecture, hparams):
    models = {"multitask_unet3d": MultitaskUNet3D, "mlp": MLP}
    if architecture not in models:
        raise ValueError(f"unknown architecture {architecture!r}")
    return models[architecture](hparams)


# ---- weight initialisation shared by the seeded generator and the random fixtures -------------------------------

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
TENSOR_STRIDE = 0x100000001B3


def splitmix64(x):
    """SplitMix64 *with* the initial increment: z = x + 0x9E3779B97F4A7C15, then the finaliser (all mod 2^64).
    numpy uint64 arrays (wrapping arithmetic)."""
    z = x + np.uint64(GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def init_rule(name, shape):
    """(scale, offset) of a parameter: value = offset + (u - 0.5) * 2 * scale, u uniform in [0, 1).
    Norm parameters (module named "norm"): weight offset 1, scale 0.1; bias offset 0, scale 0.1.
    Other biases: scale 0.1. Other weights (conv [Cout,Cin,k,k,k], linear [out,in]): scale = sqrt(3 / fan_in),
    fan_in = product of all dims but the first, computed in double then rounded to float32."""
    parts = name.split(".")
    if len(parts) >= 2 and parts[-2] == "norm":
        return np.float32(0.1), np.float32(1.0 if parts[-1] == "weight" else 0.0)
    if parts[-1] == "bias":
        return np.float32(0.1), np.float32(0.0)
    fan_in = int(np.prod(shape[1:], dtype=np.int64))
    return np.float32(math.sqrt(3.0 / fan_in)), np.float32(0.0)


def seeded_values(seed, tensor_index, count, scale, offset):
    """The generator's values (float32 array) of elements 0..count-1 of one tensor. Spec:
      h = splitmix64(seed * 0x9E3779B97F4A7C15 + tensor_index * 0x100000001B3 + element)   (uint64, wrapping;
          splitmix64 WITH the initial "+= 0x9E3779B97F4A7C15" before the finaliser)
      u = (h >> 40) / 2^24                         (24 bits: exact in float and double, in [0, 1))
      value = float32(double(offset) + (u - 0.5) * 2.0 * double(scale))   (evaluated in double, rounded once)"""
    with np.errstate(over="ignore"):
        base = np.uint64((seed * GOLDEN + tensor_index * TENSOR_STRIDE) & MASK64)
        h = splitmix64(base + np.arange(count, dtype=np.uint64))
    u = (h >> np.uint64(40)).astype(np.float64) / float(1 << 24)
    return (np.float64(offset) + (u - 0.5) * 2.0 * np.float64(scale)).astype(np.float32)


def seeded_weights(model, seed):
    """Set every parameter of `model` from the counter-based generator (seeded_values), tensors indexed
    0, 1, ... in byte-wise sorted name order, elements in C order, (scale, offset) from init_rule.
    Returns the model."""
    state = model.state_dict()
    new = {}
    for t, name in enumerate(sorted(state)):
        shape = tuple(state[name].shape)
        scale, offset = init_rule(name, shape)
        values = seeded_values(seed, t, int(np.prod(shape, dtype=np.int64)), scale, offset)
        new[name] = torch.from_numpy(values.reshape(shape))
    model.load_state_dict(new)
    return model


def random_weights(model, generator):
    """Like seeded_weights but u drawn from torch.rand(generator=...) (for fixtures whose weights are stored)."""
    state = model.state_dict()
    new = {}
    for name in sorted(state):
        scale, offset = init_rule(name, tuple(state[name].shape))
        u = torch.rand(state[name].shape, generator=generator, dtype=torch.float64)
        new[name] = (float(offset) + (u - 0.5) * 2.0 * float(scale)).float()
    model.load_state_dict(new)
    return model
