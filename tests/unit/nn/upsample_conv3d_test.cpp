// UpsampleConv3d against upsample_nearest2 followed by Conv3d (k 3, stride 1), over odd and even sizes,
// batches, Cin ≠ Cout, bias and activations, on every kernel ISA; bitwise invariance over thread counts; no
// new arena memory on a second pass; shape errors.
#include "oncotrack/nn/upsample_conv3d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "../../../src/nn/conv_kernel.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/resize.h"
#include "support/nn_tensors.h"

namespace oncotrack::nn {
namespace {

using detail::ConvIsa;
using testing::random_tensor;
using testing::same_bits;

// upsample_nearest2 then Conv3d, copied out of the arena.
Tensor reference(const Conv3d& conv, const Tensor& x, Activation act) {
  ThreadPool pool(2);
  Arena arena;
  Exec exec{pool, arena};
  const Tensor y = conv.forward(upsample_nearest2(x, exec), exec, act);
  return Tensor(y.shape(), std::vector<float>(y.begin(), y.end()));
}

TEST(UpsampleConv3d, MatchesUpsampleThenConvOnEveryKernelIsa) {
  const ConvIsa saved = detail::conv_isa();
  struct Case {
    int cin, cout;
    Shape input;
    bool bias;
    Activation act;
    Padding padding;
  };
  const Case cases[] = {{3, 5, {1, 3, 3, 4, 5}, true, {}, Padding::kSymmetric},
                        {20, 17, {2, 20, 2, 3, 7}, false, Activation::leaky_relu(0.3f), Padding::kTfSame},
                        {32, 16, {2, 32, 4, 4, 4}, true, Activation::relu(), Padding::kSymmetric},
                        {8, 40, {1, 8, 1, 1, 1}, true, Activation::sigmoid(), Padding::kTfSame},
                        {16, 33, {1, 16, 5, 6, 13}, true, Activation::leaky_relu(0.3f), Padding::kTfSame}};
  unsigned seed = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(to_string(c.input) + " -> " + std::to_string(c.cout));
    const Tensor w = random_tensor({c.cout, c.cin, 3, 3, 3}, seed++);
    const Tensor b = c.bias ? random_tensor({c.cout}, seed++) : Tensor();
    const Tensor x = random_tensor(c.input, seed++);
    const UpsampleConv3d up(w, b, 1, c.padding);
    EXPECT_EQ(up.in_channels(), c.cin);
    EXPECT_EQ(up.out_channels(), c.cout);
    Tensor first;
    for (ConvIsa isa : {ConvIsa::kPortable, ConvIsa::kAvx2, ConvIsa::kAvx512}) {
      if (!detail::conv_isa_supported(isa)) continue;
      SCOPED_TRACE(detail::conv_isa_name(isa));
      detail::set_conv_isa(isa);
      const Tensor expected = reference(Conv3d(w, b, 1, c.padding), x, c.act);
      const Tensor y = testing::run_with_threads(up, x, 2, c.act);
      ASSERT_EQ(y.shape(), expected.shape());
      double max_out = 0, max_err = 0;
      for (std::int64_t i = 0; i < y.size(); ++i) {
        max_out = std::max(max_out, std::fabs(static_cast<double>(expected.data()[i])));
        max_err = std::max(
            max_err, std::fabs(static_cast<double>(y.data()[i]) - static_cast<double>(expected.data()[i])));
      }
      EXPECT_LE(max_err, 1e-4 * max_out);
      if (first.empty()) first = y;
      EXPECT_TRUE(same_bits(first, y)) << "kernels of different ISAs disagree";
    }
  }
  detail::set_conv_isa(saved);
}

TEST(UpsampleConv3d, ThreadInvariance) {
  const UpsampleConv3d up(random_tensor({20, 24, 3, 3, 3}, 5), random_tensor({20}, 6), 1, Padding::kTfSame);
  const Tensor x = random_tensor({2, 24, 3, 5, 7}, 7);
  const Activation act = Activation::leaky_relu(0.3f);
  const Tensor one = testing::run_with_threads(up, x, 1, act);
  EXPECT_TRUE(same_bits(one, testing::run_with_threads(up, x, 2, act)));
  EXPECT_TRUE(same_bits(one, testing::run_with_threads(up, x, 3, act)));
}

TEST(UpsampleConv3d, SecondPassAllocatesNothingNew) {
  const UpsampleConv3d up(random_tensor({16, 8, 3, 3, 3}, 1), {}, 1, Padding::kSymmetric);
  const Tensor x = random_tensor({1, 8, 3, 4, 5}, 2);
  const auto [first, later] = testing::arena_capacity_over_passes(up, x);
  EXPECT_EQ(later, first);
}

TEST(UpsampleConv3d, RejectsBadShapes) {
  const auto message = testing::nn_error_of;
  EXPECT_NE(message([] {
              UpsampleConv3d(Tensor({8, 4, 1, 1, 1}), {}, 1, Padding::kSymmetric);
            }).find("expected [Cout,Cin,3,3,3], got [8,4,1,1,1]"),
            std::string::npos);
  EXPECT_NE(message([] {
              UpsampleConv3d(Tensor({8, 4, 3, 3, 3}), Tensor({4}), 1, Padding::kSymmetric);
            }).find("expected empty or [8], got [4]"),
            std::string::npos);
  EXPECT_NE(message([] {
              UpsampleConv3d(Tensor({8, 4, 3, 3, 3}), {}, 2, Padding::kSymmetric);
            }).find("stride"),
            std::string::npos);
  const UpsampleConv3d up(Tensor({8, 4, 3, 3, 3}), {}, 1, Padding::kSymmetric);
  EXPECT_NE(message([&] {
              up.output_shape({1, 3, 2, 2, 2});
            }).find("expected [N,4,D,H,W], got [1,3,2,2,2]"),
            std::string::npos);
  EXPECT_EQ(up.output_shape({2, 4, 3, 4, 5}), (Shape{2, 8, 6, 8, 10}));
}

}  // namespace
}  // namespace oncotrack::nn
