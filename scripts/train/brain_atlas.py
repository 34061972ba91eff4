"""Adds the brain atlas that `oncotrack` uses for its brain mask at inference (pipeline/brain_mask.h) to a
weights file, in place: the Colin27 T1 head (ch2) of Debian's mricron-data, averaged over 2x2x2 mm blocks,
and the signed distance (mm, negative inside) to the surface of its brain (ch2bet > 0, holes filled), computed
at 1 mm and averaged the same way; tensors preprocessing.brain_atlas.image and .distance_mm, [z,y,x], stored F16;
metadata preprocessing.brain_mask (atlas grid in LPS) and training.brain_atlas (sources, SHA-256, commit).

Usage: /usr/bin/python3 scripts/train/brain_atlas.py MODEL.safetensors --config scripts/train/config.json
"""
import argparse
import hashlib
import json
import os
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn"))
import export  # noqa: E402
import safetensors_io  # noqa: E402
from train import git_commit  # noqa: E402

TEMPLATES = "/usr/share/mricron/templates"
HEAD, BRAIN = os.path.join(TEMPLATES, "ch2.nii.gz"), os.path.join(TEMPLATES, "ch2bet.nii.gz")
RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0])


def block_mean(volume, factor):
    """Mean over factor^3 blocks; trailing voxels that do not fill a block are dropped."""
    n = [s // factor for s in volume.shape]
    v = volume[:n[0] * factor, :n[1] * factor, :n[2] * factor].astype(np.float64)
    return v.reshape(n[0], factor, n[1], factor, n[2], factor).mean(axis=(1, 3, 5))


def signed_distance_mm(brain, spacing):
    """Distance from each voxel centre to the brain surface (half a voxel beyond the outermost centres)."""
    outside = ndimage.distance_transform_edt(~brain, sampling=spacing)
    inside = ndimage.distance_transform_edt(brain, sampling=spacing)
    half = 0.5 * min(spacing)
    return np.where(brain, -(inside - half), outside - half)


def atlas(factor):
    """(image, distance) arrays indexed [i,j,k] and the LPS geometry of the block grid."""
    head, brain = nib.load(HEAD), nib.load(BRAIN)
    if not np.allclose(head.affine, brain.affine) or head.shape != brain.shape:
        raise ValueError(f"{HEAD} and {BRAIN} are not on one grid")
    mask = ndimage.binary_fill_holes(np.asarray(brain.dataobj) > 0)
    spacing = np.asarray(head.header.get_zooms()[:3], dtype=np.float64)
    image = block_mean(np.asarray(head.dataobj), factor)
    distance = block_mean(signed_distance_mm(mask, spacing), factor)
    lps = RAS_TO_LPS @ head.affine[:3, :3]
    columns = lps * factor  # index axes of the block grid, mm per block
    origin = RAS_TO_LPS @ (head.affine[:3, :3] @ np.full(3, (factor - 1) / 2) + head.affine[:3, 3])
    block_spacing = np.linalg.norm(columns, axis=0)
    geometry = {"size": list(image.shape), "spacing_mm": block_spacing.tolist(), "origin_mm_lps": origin.tolist(),
                "direction": (columns / block_spacing).tolist()}
    return image, distance, geometry, int(mask.sum())


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    spec = json.load(open(args.config))["brain_mask"]
    factor = int(spec["atlas_block_voxels"])
    image, distance, geometry, brain_voxels = atlas(factor)
    tensors, metadata, dtypes = safetensors_io.read(args.model)
    if set(dtypes.values()) != {"F32"}:
        raise ValueError(f"{args.model}: expected F32 tensors, got {sorted(set(dtypes.values()))}")
    tensors = {k: v for k, v in tensors.items() if not k.startswith("preprocessing.")}
    tensors["preprocessing.brain_atlas.image"] = image.transpose(2, 1, 0).astype(np.float32)
    tensors["preprocessing.brain_atlas.distance_mm"] = distance.transpose(2, 1, 0).astype(np.float32)
    name = f"Colin27 T1 head (mricron-data ch2), {factor} mm blocks; brain: ch2bet > 0, holes filled"
    pre = json.loads(metadata["oncotrack.preprocessing"])
    pre["brain_mask"] = {"enabled": True, "dilation_mm": spec["dilation_mm"], "atlas": name,
                         "atlas_geometry": geometry}
    training = json.loads(metadata["oncotrack.training"])
    card = os.path.splitext(args.model)[0] + ".md"  # train.py has just rewritten both in reproduce.sh
    training["brain_atlas"] = {"commit": git_commit((args.model, card)), "script": "scripts/train/brain_atlas.py",
                               "sources": {p: sha256(p) for p in (HEAD, BRAIN)},
                               "brain_ml_1mm": brain_voxels / 1000.0}
    metadata["oncotrack.preprocessing"] = export.dumps(pre)
    metadata["oncotrack.training"] = export.dumps(training)
    # The atlas as F16 (intensities 0-255, distances within 0.06 mm): a third of the file's size.
    dtypes = {k: "F16" if k.startswith("preprocessing.") else "F32" for k in tensors}
    safetensors_io.write(args.model, tensors, metadata, dtypes)
    print(f"{args.model}: brain atlas {geometry['size']} added", file=sys.stderr)


if __name__ == "__main__":
    main()
