#!/usr/bin/python3
"""Trains oncotrack's default multitask_unet3d model on prepared tensors (scripts/train/reproduce.sh runs the
whole chain: make_data.py -> `oncotrack model prepare` -> this script). Debian's system python3 with
python3-torch, numpy and scipy; CPU only.

    /usr/bin/python3 scripts/train/train.py --config scripts/train/config.json \
        --train DIR --train-truth DIR/truth.json --val DIR --val-truth DIR/truth.json \
        --out data/models/NAME.safetensors [--checkpoint WORK/segmentation.pt]

Two phases. (1) Segmentation: pairs (baseline, follow-up resampled into the baseline's grid) cropped to the
model's input size at the same place — a `response_fraction` of them centred on the union of both timepoints'
tumours (with jitter), the others on a tumour voxel or anywhere; loss per timepoint soft Dice + binary cross
entropy against the tumour fraction (as in Jin et al.). (2) Response: the branches frozen, the fusion blocks and
head trained with binary cross entropy against truth.json's "responder" on crops centred on the tumours' union.
Flips along x and y and a small intensity scale/shift are the augmentations. Adam with warm-up and cosine decay
per phase, fixed seeds. `--checkpoint F` keeps the phase-1 weights, so the response phase can be re-run alone.

Validation mirrors inference: sliding windows of the input size (step 0.5, Gaussian weights σ = 1/8 of the
tile) over each held-out timepoint's whole preprocessed volume, Dice of probability >= threshold against the
tumour fraction >= 0.5; the response pair cropped around the union of the *predicted* masks. The model, its
metadata (config, data, git commit, wall time, metrics) and a model card are written at the end.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn"))
import export  # noqa: E402
import reference  # noqa: E402
import safetensors_io  # noqa: E402

from fast_conv import use_fast_convolutions  # noqa: E402
from model_card import write_model_card  # noqa: E402


def geometry_matrix(geometry):
    """4×4 index (x, y, z) -> LPS mm."""
    d = np.asarray(geometry["direction"], dtype=np.float64)
    m = np.eye(4)
    m[:3, :3] = d @ np.diag(geometry["spacing_mm"])
    m[:3, 3] = geometry["origin_mm_lps"]
    return m


def read_timepoint(path):
    tensors, meta, _ = safetensors_io.read(path)
    geometry = json.loads(meta["oncotrack.geometry"])
    tumour = tensors.get("tumour", np.zeros_like(tensors["image"]))
    return tensors["image"][0, 0], tumour[0, 0], geometry


def into_grid(volume, source_geometry, target_geometry, target_shape):
    """Linear resampling of a [z,y,x] volume from its grid onto another (zeros outside)."""
    m = np.linalg.inv(geometry_matrix(source_geometry)) @ geometry_matrix(target_geometry)
    zz, yy, xx = np.meshgrid(*[np.arange(n) for n in target_shape], indexing="ij")
    xyz = np.stack([xx.ravel(), yy.ravel(), zz.ravel(), np.ones(xx.size)])
    src = (m @ xyz)[:3]
    out = ndimage.map_coordinates(volume.astype(np.float32), src[::-1], order=1, mode="constant",
                                  cval=float(volume.min()))
    return out.reshape(target_shape)


class Pair:
    def __init__(self, directory, sid, responder):
        img0, tum0, g0 = read_timepoint(os.path.join(directory, f"sub-{sid}_ses-baseline.safetensors"))
        img1, tum1, g1 = read_timepoint(os.path.join(directory, f"sub-{sid}_ses-week8.safetensors"))
        self.sid, self.responder, self.geometry0, self.geometry1 = sid, responder, g0, g1
        self.img0, self.tum0 = img0.astype(np.float16), tum0.astype(np.float16)
        self.native1 = (img1.astype(np.float16), tum1.astype(np.float16))
        self.img1 = into_grid(img1, g1, g0, img0.shape).astype(np.float16)
        self.tum1 = np.clip(into_grid(tum1, g1, g0, img0.shape), 0, 1).astype(np.float16)
        self.tumour_voxels = np.argwhere((self.tum0 >= 0.5) | (self.tum1 >= 0.5))


def load_pairs(directory, truth_file):
    truth = json.load(open(truth_file))["subjects_truth"]
    return [Pair(directory, sid, t["responder"]) for sid, t in sorted(truth.items())]


def crop(volume, start, size, fill):
    """volume[start : start + size] with `fill` outside."""
    out = np.full(size, fill, dtype=np.float32)
    src = [slice(max(s, 0), min(s + n, dim)) for s, n, dim in zip(start, size, volume.shape)]
    dst = [slice(a.start - s, a.stop - s) for a, s in zip(src, start)]
    if all(a.stop > a.start for a in src):
        out[tuple(dst)] = volume[tuple(src)]
    return out


def union_centre(mask):
    idx = np.argwhere(mask)
    if len(idx) == 0:
        return None
    return (idx.min(0) + idx.max(0)) / 2.0


def response_start(centre, shape, size):
    """Start of the response crop: input_size centred on `centre` (voxel), the volume centre when None."""
    if centre is None:
        centre = (np.asarray(shape) - 1) / 2.0
    return [int(round(c - (n - 1) / 2.0)) for c, n in zip(centre, size)]


def sample_batch(rng, pairs, size, batch, cfg):
    x0, x1, t0, t1, labels, use_response = [], [], [], [], [], []
    for _ in range(batch):
        p = pairs[rng.integers(len(pairs))]
        shape = p.img0.shape
        response = rng.uniform() < cfg["response_fraction"] and len(p.tumour_voxels) > 0
        if response:
            jitter = np.array(cfg["response_jitter"]) * rng.uniform(-1, 1, 3)
            start = response_start(union_centre((p.tum0 >= 0.5) | (p.tum1 >= 0.5)) + jitter, shape, size)
        else:
            if len(p.tumour_voxels) and rng.uniform() < cfg["tumour_crop_fraction"]:
                centre = p.tumour_voxels[rng.integers(len(p.tumour_voxels))] + rng.uniform(-0.4, 0.4, 3) * size
            else:
                centre = rng.uniform(0, 1, 3) * (np.asarray(shape) - 1)
            start = response_start(centre, shape, size)
        vols = [crop(v, start, size, float(v.min())) if i % 2 == 0 else crop(v, start, size, 0.0)
                for i, v in enumerate((p.img0, p.tum0, p.img1, p.tum1))]
        for axis in (1, 2):  # flips along y and x
            if rng.uniform() < 0.5:
                vols = [np.flip(v, axis) for v in vols]
        for i in (0, 2):
            vols[i] = vols[i] * rng.uniform(0.9, 1.1) + rng.uniform(-0.1, 0.1)
        x0.append(vols[0]), t0.append(vols[1]), x1.append(vols[2]), t1.append(vols[3])
        labels.append(float(p.responder))
        use_response.append(float(response))
    as_tensor = lambda vs: torch.from_numpy(np.ascontiguousarray(np.stack(vs)[:, None], dtype=np.float32))
    return (as_tensor(x0), as_tensor(x1), as_tensor(t0), as_tensor(t1), torch.tensor(labels)[:, None],
            torch.tensor(use_response)[:, None])


def segmentation_loss(logits, target):
    prob = torch.sigmoid(logits)
    dims = (1, 2, 3, 4)
    dice = 1 - (2 * (prob * target).sum(dims) + 1) / (prob.sum(dims) + target.sum(dims) + 1)
    return dice.mean() + F.binary_cross_entropy_with_logits(logits, target)


# --- validation: sliding windows as the C++ engine runs them (nn/sliding_window.h) ---

def tile_starts(n, tile, step):
    if n <= tile:
        return [0]
    count = math.ceil((n - tile) / (step * tile)) + 1
    return [round(i * (n - tile) / (count - 1)) for i in range(count)]


def gaussian_importance(size):
    axes = [np.exp(-0.5 * ((np.arange(n) - (n - 1) / 2.0) / (n / 8.0)) ** 2) for n in size]
    w = axes[0][:, None, None] * axes[1][None, :, None] * axes[2][None, None, :]
    return (w / w.max()).astype(np.float32)


@torch.no_grad()
def segment_volume(branch, volume, size, step, batch=4):
    """Probabilities over a whole [z,y,x] volume from tiles of `size` (batched: PyTorch 1.13 runs batch-1
    3-D convolutions on its slow path)."""
    shape = volume.shape
    padded = [max(s, n) for s, n in zip(shape, size)]
    v = np.full(padded, float(volume.min()), np.float32)
    v[: shape[0], : shape[1], : shape[2]] = volume
    acc, norm = np.zeros(padded, np.float32), np.zeros(padded, np.float32)
    w = gaussian_importance(size)
    starts = [(z, y, x) for z in tile_starts(padded[0], size[0], step) for y in tile_starts(padded[1], size[1], step)
              for x in tile_starts(padded[2], size[2], step)]
    boxes = [tuple(slice(a, a + n) for a, n in zip(start, size)) for start in starts]
    for i in range(0, len(boxes), batch):
        group = boxes[i:i + batch]
        tiles = torch.from_numpy(np.stack([v[b] for b in group])[:, None])
        probs = torch.sigmoid(branch(tiles)[1])[:, 0].numpy()
        for b, p in zip(group, probs):
            acc[b] += p * w
            norm[b] += w
    return (acc / norm)[: shape[0], : shape[1], : shape[2]]


def dice(a, b):
    s = a.sum() + b.sum()
    return 1.0 if s == 0 else 2.0 * float((a & b).sum()) / float(s)


def auc(scores, labels):
    scores, labels = np.asarray(scores), np.asarray(labels)
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater) / (len(pos) * len(neg))


@torch.no_grad()
def evaluate(model, pairs, hp, pre):
    """Dice per timepoint (whole volumes, sliding windows) and response AUC on held-out pairs."""
    model.eval()
    size, step = hp["input_size"], pre["segmentation"]["tile_step"]
    b0, b1 = (model.branch, model.branch) if hp["shared_branches"] else (model.branch0, model.branch1)
    threshold = pre["segmentation"]["threshold"]
    dices, scores, labels, rows = [], [], [], []
    for p in pairs:
        img1, tum1 = p.native1
        prob0 = segment_volume(b0, p.img0.astype(np.float32), size, step)
        prob1 = segment_volume(b1, img1.astype(np.float32), size, step)
        d0, d1 = dice(prob0 >= threshold, p.tum0 >= 0.5), dice(prob1 >= threshold, tum1 >= 0.5)
        union = (prob0 >= threshold) | (into_grid(prob1, p.geometry1, p.geometry0, prob0.shape) >= threshold)
        start = response_start(union_centre(union), p.img0.shape, size)
        x0 = torch.from_numpy(crop(p.img0.astype(np.float32), start, size, float(p.img0.min())))[None, None]
        x1 = torch.from_numpy(crop(p.img1.astype(np.float32), start, size, float(p.img1.min())))[None, None]
        prob = float(model(x0, x1)[2])
        # A timepoint without tumour in truth and prediction has Dice 1 by convention; count it only when
        # something is there (complete responses would otherwise inflate the figure).
        for d, t, q in ((d0, p.tum0, prob0), (d1, tum1, prob1)):
            if (t >= 0.5).any() or (q >= threshold).any():
                dices.append(d)
        scores.append(prob)
        labels.append(p.responder)
        rows.append({"subject": p.sid, "dice_baseline": round(d0, 4), "dice_follow_up": round(d1, 4),
                     "response_probability": round(prob, 4), "responder": p.responder})
    model.train()
    predicted = np.asarray(scores) >= pre["response"]["threshold"]
    return {"dice_median": float(np.median(dices)), "dice_mean": float(np.mean(dices)),
            "response_auc": auc(scores, labels),
            "response_accuracy": float(np.mean(predicted == (np.asarray(labels) == 1))),
            "cases": len(pairs), "per_case": rows}


def git_commit(outputs=()):
    """HEAD, with "-dirty" when tracked files other than `outputs` (this run's own files) are modified."""
    root = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    mine = {os.path.relpath(os.path.realpath(p), root) for p in outputs}
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        status = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, check=True).stdout.splitlines()
        dirty = [line for line in status if line[3:] not in mine]
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def learning_rate(step, steps, lr, cfg):
    warm = cfg["warmup_steps"]
    if step < warm:
        return lr * (step + 1) / warm
    t = (step - warm) / max(1, steps - warm)
    return lr * (cfg["final_lr_fraction"] + (1 - cfg["final_lr_fraction"]) * 0.5 * (1 + math.cos(math.pi * t)))


def run_phase(name, model, parameters, steps, lr, batches, loss_of, cfg):
    """Adam with warm-up and cosine decay over `steps` batches from `batches()`; logs the running loss."""
    optimiser = torch.optim.Adam(parameters, lr=lr, weight_decay=cfg["weight_decay"])
    started, running = time.time(), []
    for step in range(steps):
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(step, steps, lr, cfg)
        loss = loss_of(model, *batches())
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        running.append(float(loss))
        if (step + 1) % cfg["log_every"] == 0:
            print(f"{name} step {step + 1}/{steps}  loss {np.mean(running):.4f}  "
                  f"{(time.time() - started) / (step + 1):.2f} s/step", file=sys.stderr, flush=True)
            running = []


def train_segmentation(model, pairs, size, cfg, rng):
    """Phase 1: soft Dice + BCE on both timepoints of every sampled pair; the response head is not used."""
    def loss_of(m, x0, x1, t0, t1, _label, _use):
        logits0, logits1, _ = m.logits(x0, x1)
        return segmentation_loss(logits0, t0) + segmentation_loss(logits1, t1)
    run_phase("segmentation", model, model.parameters(), cfg["segmentation_steps"], cfg["lr"],
              lambda: sample_batch(rng, pairs, size, cfg["batch"], cfg), loss_of, cfg)


def train_response(model, pairs, size, cfg, rng):
    """Phase 2: the segmentation branches frozen, the fusion blocks and head trained with binary cross entropy
    on crops centred on the union of both timepoints' tumours (as `oncotrack predict` crops)."""
    response_cfg = dict(cfg, response_fraction=1.0)
    trainable = [p for name, p in model.named_parameters() if not name.startswith("branch")]
    for name, p in model.named_parameters():
        p.requires_grad_(not name.startswith("branch"))

    def loss_of(m, x0, x1, _t0, _t1, label, _use):
        return F.binary_cross_entropy_with_logits(m.logits(x0, x1)[2], label)
    run_phase("response", model, trainable, cfg["response_steps"], cfg["response_lr"],
              lambda: sample_batch(rng, pairs, size, cfg["batch"], response_cfg), loss_of, cfg)
    for p in model.parameters():
        p.requires_grad_(True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--train-truth", required=True)
    parser.add_argument("--val", required=True)
    parser.add_argument("--val-truth", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--checkpoint", help="segmentation-phase weights: loaded when the file exists (that phase is "
                        "then skipped), else written after it")
    parser.add_argument("--steps", type=int, help="override both phases' step counts (quick checks)")
    args = parser.parse_args()
    config = json.load(open(args.config))
    hp, pre, cfg = config["hparams"], config["preprocessing"], dict(config["train"])
    if args.steps:
        cfg["segmentation_steps"] = cfg["response_steps"] = args.steps
        config["train"] = cfg  # the record says what ran
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(cfg["seed"])
    rng = np.random.Generator(np.random.PCG64(cfg["seed"]))
    started = time.time()
    train_pairs = load_pairs(args.train, args.train_truth)
    val_pairs = load_pairs(args.val, args.val_truth)
    print(f"{len(train_pairs)} training and {len(val_pairs)} validation pairs loaded in "
          f"{time.time() - started:.0f} s", file=sys.stderr)

    model = reference.MultitaskUNet3D(hp)
    use_fast_convolutions(model)
    size = hp["input_size"]
    if args.checkpoint and os.path.exists(args.checkpoint):
        checkpoint = torch.load(args.checkpoint)
        missing, unexpected = model.load_state_dict(checkpoint["branches"], strict=False)
        if unexpected or any(k.startswith("branch") for k in missing):
            sys.exit(f"{args.checkpoint} does not fit this configuration: missing {missing}, unexpected {unexpected}")
        seg_seconds = checkpoint["seconds"]
        print(f"segmentation phase loaded from {args.checkpoint}", file=sys.stderr)
    else:
        started = time.time()
        train_segmentation(model, train_pairs, size, cfg, rng)
        seg_seconds = time.time() - started
        if args.checkpoint:
            torch.save({"branches": {k: v for k, v in model.state_dict().items() if k.startswith("branch")},
                        "seconds": seg_seconds}, args.checkpoint)
    started = time.time()
    # Its own generator, so re-running the response phase from a checkpoint samples exactly what a full run does.
    train_response(model, train_pairs, size, cfg, np.random.Generator(np.random.PCG64(cfg["seed"] + 1)))
    train_seconds = seg_seconds + time.time() - started
    metrics = evaluate(model, val_pairs, hp, pre)
    print(json.dumps({k: v for k, v in metrics.items() if k != "per_case"}), file=sys.stderr)
    training = {
        "commit": git_commit(), "config": config, "train_seconds": round(train_seconds),
        "segmentation_seconds": round(seg_seconds),
        "threads": cfg["threads"], "torch": torch.__version__,
        "data": {"train": {"dir": os.path.basename(os.path.normpath(args.train)), "pairs": len(train_pairs)},
                 "validation": {"dir": os.path.basename(os.path.normpath(args.val)), "pairs": len(val_pairs)},
                 "generator": config["data"]},
        "metrics": {k: v for k, v in metrics.items() if k != "per_case"}}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    export.export_model(model.eval(), "multitask_unet3d", hp, args.out, "F32", pre, training)
    write_model_card(os.path.splitext(args.out)[0] + ".md", config, training, metrics)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
