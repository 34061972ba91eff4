#include "oncotrack/nn/dense.h"

#include <Eigen/Core>
#include <algorithm>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Dense::Dense(const Tensor& weight, const Tensor& bias) {
  if (weight.rank() != 2)
    throw NnError("dense weight must be 2-D", {}, "[out,in]", to_string(weight.shape()));
  if (!bias.empty()) require_shape(bias, {weight.dim(0)}, "dense bias");
  // Own the values even when given views.
  weight_ = Tensor(weight.shape(), std::vector<float>(weight.begin(), weight.end()));
  if (!bias.empty()) bias_ = Tensor(bias.shape(), std::vector<float>(bias.begin(), bias.end()));
}

Tensor Dense::forward(const Tensor& x, Exec& exec, Activation act) const {
  if (x.rank() != 2 || x.dim(1) != in_features())
    throw NnError("wrong dense input", {}, "[N," + std::to_string(in_features()) + "]", to_string(x.shape()));
  const std::int64_t n = x.dim(0), out = out_features(), in = in_features();
  Tensor y = exec.arena.tensor({n, out});
  Eigen::Map<const RowMajor> w(weight_.data(), out, in);
  // Row blocks on fixed boundaries: each block is one GEMM whose summation order does not depend on threads.
  constexpr std::int64_t kRows = 64;
  exec.pool.parallel_for((n + kRows - 1) / kRows, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t blk = b; blk < e; ++blk) {
      const std::int64_t r0 = blk * kRows, rows = std::min(kRows, n - r0);
      Eigen::Map<const RowMajor> xb(x.data() + r0 * in, rows, in);
      Eigen::Map<RowMajor> yb(y.data() + r0 * out, rows, out);
      yb.noalias() = xb * w.transpose();
      if (!bias_.empty()) yb.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias_.data(), out);
      activate(yb.data(), rows * out, act);
    }
  });
  return y;
}

}  // namespace oncotrack::nn
