#pragma once
// Foreground (head / body) mask of an MR image, for registration metrics, NCC QC, intensity normalisation and
// cropping. Not a brain extraction: scalp, skull and air cavities enclosed by tissue are inside.
//
// Method, with h = the finest voxel spacing (so a mouse at 0.25 mm and a head at 1 mm are treated alike):
// Gaussian smoothing (sigma h mm along every axis) → threshold at p2 + 10 % of (p98 − p2) of the smoothed
// intensities (the robust range of FSL BET) → largest 6-connected component → closing with a box of ±2h →
// holes filled slice by slice across each of the three index axes (dark ventricles, sinuses and bowel gas
// stay inside even where the field of view cuts through the head or body; every 3D hole is a hole of each
// slice through it). Objects touching the body (a phantom tube lying against a mouse) are included.
//
// Single-threaded, deterministic, linear time (~0.3 s for 320×320×36). Throws Error when the image is empty
// or its buffer does not match its geometry; an image without contrast (p98 == p2) gives an empty mask.
#include "oncotrack/core/geometry.h"

namespace oncotrack::preprocess {

Mask body_mask(const ImageF& image);

}  // namespace oncotrack::preprocess
