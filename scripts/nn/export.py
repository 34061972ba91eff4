"""Export a reference model (reference.py) to an oncotrack weights file, and load one back.

Metadata keys (all values strings; JSON compact with sorted keys):
  oncotrack.format_version "1", oncotrack.architecture, oncotrack.hparams, oncotrack.preprocessing,
  oncotrack.training.
Tensors: the model's state_dict, stored as F32, F16 or BF16 (round-to-nearest-even).

Usage (re-encode an existing weights file with another storage dtype):
  /usr/bin/python3 scripts/nn/export.py IN.safetensors OUT.safetensors --dtype BF16
"""
import argparse
import json

import torch

import reference
import safetensors_io

FORMAT_VERSION = "1"


def dumps(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def model_metadata(arch, hparams, preprocessing, training):
    return {
        "oncotrack.format_version": FORMAT_VERSION,
        "oncotrack.architecture": arch,
        "oncotrack.hparams": dumps(hparams),
        "oncotrack.preprocessing": dumps(preprocessing),
        "oncotrack.training": dumps(training),
    }


def export_model(model, arch, hparams, path, dtype="F32", preprocessing=None, training=None):
    """Write `model`'s parameters (stored as `dtype`) and the oncotrack metadata to `path`."""
    if dict(model.hp) != dict(hparams):
        raise ValueError("hparams differ from the ones the model was built with")
    tensors = {name: t.detach().cpu().float().numpy() for name, t in model.state_dict().items()}
    safetensors_io.write(path, tensors, model_metadata(arch, hparams, preprocessing or {}, training or {}), dtype)


def load_model(path):
    """Build the reference model described by a weights file and load its (float32-converted) tensors.
    Returns (model, metadata)."""
    tensors, metadata, _ = safetensors_io.read(path)
    if metadata.get("oncotrack.format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: unsupported format version {metadata.get('oncotrack.format_version')!r}")
    model = reference.build(metadata["oncotrack.architecture"], json.loads(metadata["oncotrack.hparams"]))
    weights = {name: a for name, a in tensors.items() if not name.startswith("preprocessing.")}  # e.g. an atlas
    model.load_state_dict({name: torch.from_numpy(a.copy()) for name, a in weights.items()}, strict=True)
    return model.eval(), metadata


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--dtype", default="F32", choices=sorted(safetensors_io.DTYPE_SIZES))
    args = parser.parse_args()
    model, metadata = load_model(args.source)
    export_model(model, metadata["oncotrack.architecture"], model.hp, args.target, args.dtype,
                 json.loads(metadata.get("oncotrack.preprocessing", "{}")),
                 json.loads(metadata.get("oncotrack.training", "{}")))


if __name__ == "__main__":
    main()
