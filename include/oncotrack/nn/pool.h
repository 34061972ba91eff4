#pragma once
// Pooling of [N,C,D,H,W], results from exec.arena.
//  - max_pool2 / avg_pool2: kernel 2, stride 2, no padding; odd sizes drop the last plane (PyTorch's floor
//  mode):
//    output n' = n / 2 (throws NnError when an axis has fewer than 2 voxels).
//  - global_avg_pool: mean over D,H,W (accumulated in double) → [N,C].
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

Tensor max_pool2(const Tensor& x, Exec& exec);
Tensor avg_pool2(const Tensor& x, Exec& exec);
Tensor global_avg_pool(const Tensor& x, Exec& exec);

}  // namespace oncotrack::nn
