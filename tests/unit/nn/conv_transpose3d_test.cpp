// ConvTranspose3d (kernel 2, stride 2) against a direct scatter written here; bitwise invariance over thread
// counts and kernel ISAs; shape errors.
#include "oncotrack/nn/conv_transpose3d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../../src/nn/conv_kernel.h"
#include "oncotrack/nn/error.h"
#include "support/nn_tensors.h"

namespace oncotrack::nn {
namespace {

using detail::ConvIsa;

// out[n,co,2d+a,2h+b,2w+c] = bias[co] + Σ_ci x[n,ci,d,h,w]·weight[ci,co,a,b,c], in double.
std::vector<double> reference(const Tensor& x, const Tensor& w, const Tensor& b) {
  const std::int64_t n_samples = x.dim(0), cin = x.dim(1), d = x.dim(2), h = x.dim(3), wd = x.dim(4);
  const std::int64_t cout = w.dim(1);
  std::vector<double> out(static_cast<std::size_t>(n_samples * cout * 8 * d * h * wd));
  for (std::int64_t n = 0; n < n_samples; ++n)
    for (std::int64_t co = 0; co < cout; ++co)
      for (std::int64_t z = 0; z < 2 * d; ++z)
        for (std::int64_t y = 0; y < 2 * h; ++y)
          for (std::int64_t xo = 0; xo < 2 * wd; ++xo) {
            double acc = b.empty() ? 0.0 : static_cast<double>(b.data()[co]);
            for (std::int64_t ci = 0; ci < cin; ++ci)
              acc += static_cast<double>(x.at(n, ci, z / 2, y / 2, xo / 2)) *
                     static_cast<double>(w.data()[((ci * cout + co) * 2 + z % 2) * 4 + y % 2 * 2 + xo % 2]);
            out[static_cast<std::size_t>((((n * cout + co) * 2 * d + z) * 2 * h + y) * 2 * wd + xo)] = acc;
          }
  return out;
}

Tensor run(const ConvTranspose3d& conv, const Tensor& x, int threads, Activation act = {}) {
  return testing::run_with_threads(conv, x, threads, act);
}
using testing::random_tensor;
using testing::same_bits;

TEST(ConvTranspose3d, MatchesDirectScatterOnEveryKernelIsa) {
  const detail::ConvIsa saved = detail::conv_isa();
  struct Case {
    int cin, cout;
    Shape input;
    bool bias;
  };
  const Case cases[] = {{3, 5, {1, 3, 3, 4, 5}, true},
                        {20, 17, {2, 20, 2, 3, 7}, false},
                        {32, 16, {1, 32, 4, 4, 4}, true},
                        {1, 40, {1, 1, 1, 1, 1}, true}};
  unsigned seed = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(to_string(c.input) + " -> " + std::to_string(c.cout));
    const Tensor w = random_tensor({c.cin, c.cout, 2, 2, 2}, seed++);
    const Tensor b = c.bias ? random_tensor({c.cout}, seed++) : Tensor();
    const Tensor x = random_tensor(c.input, seed++);
    const ConvTranspose3d conv(w, b);
    EXPECT_EQ(conv.in_channels(), c.cin);
    EXPECT_EQ(conv.out_channels(), c.cout);
    const std::vector<double> expected = reference(x, w, b);
    double max_out = 0;
    for (double v : expected) max_out = std::max(max_out, std::fabs(v));
    Tensor first;
    for (ConvIsa isa : {ConvIsa::kPortable, ConvIsa::kAvx2, ConvIsa::kAvx512}) {
      if (!detail::conv_isa_supported(isa)) continue;
      SCOPED_TRACE(detail::conv_isa_name(isa));
      detail::set_conv_isa(isa);
      const Tensor y = run(conv, x, 2);
      ASSERT_EQ(y.shape(), (Shape{c.input[0], c.cout, 2 * c.input[2], 2 * c.input[3], 2 * c.input[4]}));
      double max_err = 0;
      for (std::int64_t i = 0; i < y.size(); ++i)
        max_err = std::max(
            max_err, std::fabs(static_cast<double>(y.data()[i]) - expected[static_cast<std::size_t>(i)]));
      EXPECT_LE(max_err, 1e-5 * max_out);
      if (first.empty()) first = y;
      EXPECT_TRUE(same_bits(first, y)) << "kernels of different ISAs disagree";
    }
  }
  detail::set_conv_isa(saved);
}

TEST(ConvTranspose3d, FusedActivationAndThreadInvariance) {
  const ConvTranspose3d conv(random_tensor({24, 20, 2, 2, 2}, 5), random_tensor({20}, 6));
  const Tensor x = random_tensor({2, 24, 3, 5, 6}, 7);
  Tensor expected = run(conv, x, 1);
  activate(expected.data(), expected.size(), Activation::leaky_relu(0.3f));
  const Tensor one = run(conv, x, 1, Activation::leaky_relu(0.3f));
  EXPECT_TRUE(same_bits(one, expected));
  EXPECT_TRUE(same_bits(one, run(conv, x, 2, Activation::leaky_relu(0.3f))));
  EXPECT_TRUE(same_bits(one, run(conv, x, 3, Activation::leaky_relu(0.3f))));
}

TEST(ConvTranspose3d, RejectsBadShapes) {
  const auto message = testing::nn_error_of;
  EXPECT_NE(message([] {
              ConvTranspose3d(Tensor({4, 8, 3, 3, 3}), {});
            }).find("expected [Cin,Cout,2,2,2], got [4,8,3,3,3]"),
            std::string::npos);
  EXPECT_NE(message([] {
              ConvTranspose3d(Tensor({4, 8, 2, 2, 2}), Tensor({4}));
            }).find("expected empty or [8], got [4]"),
            std::string::npos);
  const ConvTranspose3d conv(Tensor({4, 8, 2, 2, 2}), {});
  EXPECT_NE(message([&] {
              conv.output_shape({1, 3, 2, 2, 2});
            }).find("expected [N,4,D,H,W], got [1,3,2,2,2]"),
            std::string::npos);
  EXPECT_EQ(conv.output_shape({2, 4, 3, 4, 5}), (Shape{2, 8, 6, 8, 10}));
}

}  // namespace
}  // namespace oncotrack::nn
