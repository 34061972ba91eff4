#pragma once
// ×2 upsampling of [N,C,D,H,W] along the three spatial axes, results from exec.arena.
//  - nearest: y[d,h,w] = x[d/2,h/2,w/2] (Keras UpSampling3D, PyTorch mode "nearest").
//  - trilinear: PyTorch's align_corners=False: source coordinate s = (t + 0.5)/2 − 0.5 clamped at 0,
//  neighbours
//    floor(s) and floor(s)+1 (clamped to the last voxel), weights from the fraction.
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

Tensor upsample_nearest2(const Tensor& x, Exec& exec);
Tensor upsample_trilinear2(const Tensor& x, Exec& exec);

}  // namespace oncotrack::nn
