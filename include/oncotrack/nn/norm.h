#pragma once
// Instance normalisation of [N,C,D,H,W] (or any [N,C,...]) in place, with an activation fused after it:
//   y = act((x − μ_nc) / √(σ²_nc + eps) · γ_c + β_c),
// μ and σ² (biased, as PyTorch's InstanceNorm3d) over the spatial axes of each sample and channel,
// accumulated in double in a fixed order (bitwise identical for any thread count). γ, β: [C], or both empty
// (no affine).
#include "oncotrack/nn/activation.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

// Throws NnError when γ/β do not have C entries.
void instance_norm(Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Activation act,
                   ThreadPool& pool);

}  // namespace oncotrack::nn
