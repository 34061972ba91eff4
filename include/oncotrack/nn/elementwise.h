#pragma once
// Element-wise and channel operations on tensors of equal shape ([N,C,...]); results from exec.arena unless
// the name says in place. All throw NnError naming both shapes when they do not fit.
#include <vector>

#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

Tensor add(const Tensor& a, const Tensor& b, Exec& exec);
Tensor subtract(const Tensor& a, const Tensor& b, Exec& exec);  // a − b
void add_in_place(Tensor& a, const Tensor& b, ThreadPool& pool);
// Concatenation along the channel axis (axis 1) of tensors that agree on every other axis.
Tensor concat_channels(const std::vector<const Tensor*>& parts, Exec& exec);

}  // namespace oncotrack::nn
