// The Winograd F(2×2×2, 3×3×3) path of Conv3d (src/nn/conv_winograd.h) against a direct double-precision
// convolution written here: odd and even sizes (every D, H, W from {1, 2, 3, 5, 8}), channel counts that are
// not multiples of 16, both padding modes, bias, activations, two samples; forward_concat; bitwise invariance
// over thread counts and kernel ISAs; the algorithm switch.
//
// Tolerance: max |y − reference| ≤ 1e-5 × max |reference| (the output scale). Derivation: an output is
// Aᵀ[Σ_ci U ⊙ V]A with U rounded once from double, V from 3 levels of additions (input transform), the ci sum
// one FMA chain of length cin, and 6 levels of additions in the output transform; each operation adds a
// relative rounding of at most u = 2⁻²⁴ ≈ 6e-8 to a partial result, so |error| ≤ (cin + 10)·u·Σ|terms|. The
// terms are up to (2·1.5·3)³ ≈ 730 times larger than the products x·g they stand for (row sums of |Bᵀ|, |G|,
// |Aᵀ| per axis), and for random signs Σ|terms| exceeds the output by about √(27·cin): a worst case of order
// 1e-3 × scale, while rounding errors of random sign grow like the square root of their number, giving an
// expected ~1e-7 .. 1e-6 × scale for the channel counts here (observed: ≤ 4e-7; the direct path ≤ 8e-7 on the
// op fixtures). 1e-5 leaves that a factor 25 of room, is ten times stricter than the 1e-4 × scale of the
// PyTorch fixtures, and a wrong transform coefficient, a misplaced tile or a dropped channel gives errors of
// order 1e-1 .. 1 × scale (checked by breaking the transform).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../../../src/nn/conv_kernel.h"
#include "../../../src/nn/conv_winograd.h"
#include "oncotrack/nn/conv3d.h"
#include "oncotrack/nn/elementwise.h"
#include "support/nn_tensors.h"

namespace oncotrack::nn {
namespace {

using detail::ConvAlgorithm;
using detail::ConvIsa;
using testing::random_tensor;
using testing::concat_mismatch;
using testing::same_bits;

constexpr double kTolerance = 1e-5;  // × output scale, see the header comment

// Restores the default algorithm and kernels when a test that switched them ends.
struct SwitchGuard {
  ConvAlgorithm algorithm = detail::conv_algorithm();
  ConvIsa isa = detail::conv_isa();
  ~SwitchGuard() {
    detail::set_conv_algorithm(algorithm);
    detail::set_conv_isa(isa);
  }
};

double apply(double v, Activation act) {
  switch (act.kind) {
    case Activation::Kind::kRelu:
      return std::max(v, 0.0);
    case Activation::Kind::kLeakyRelu:
      return v < 0 ? static_cast<double>(act.alpha) * v : v;
    default:
      return v;
  }
}

// Stride-1 3×3×3 convolution with zero padding 1 on every side, in double: [N,Cout,D,H,W].
std::vector<double> reference(const Tensor& x, const Tensor& w, const Tensor& b, Activation act) {
  const std::int64_t n_samples = x.dim(0), cin = x.dim(1), cout = w.dim(0);
  const std::int64_t depth = x.dim(2), height = x.dim(3), width = x.dim(4);
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(n_samples * cout * depth * height * width));
  for (std::int64_t n = 0; n < n_samples; ++n)
    for (std::int64_t co = 0; co < cout; ++co)
      for (std::int64_t d = 0; d < depth; ++d)
        for (std::int64_t h = 0; h < height; ++h)
          for (std::int64_t c = 0; c < width; ++c) {
            double acc = b.empty() ? 0.0 : static_cast<double>(b.data()[co]);
            for (std::int64_t ci = 0; ci < cin; ++ci)
              for (int kd = 0; kd < 3; ++kd)
                for (int kh = 0; kh < 3; ++kh)
                  for (int kw = 0; kw < 3; ++kw) {
                    const std::int64_t id = d + kd - 1, ih = h + kh - 1, iw = c + kw - 1;
                    if (id < 0 || ih < 0 || iw < 0 || id >= depth || ih >= height || iw >= width) continue;
                    acc += static_cast<double>(x.at(n, ci, id, ih, iw)) *
                           static_cast<double>(w.data()[(((co * cin + ci) * 3 + kd) * 3 + kh) * 3 + kw]);
                  }
            out.push_back(apply(acc, act));
          }
  return out;
}

// max |y − expected| / max |expected|.
double relative_error(const Tensor& y, const std::vector<double>& expected) {
  double err = 0, scale = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    err = std::max(err, std::fabs(static_cast<double>(y.data()[i]) - expected[i]));
    scale = std::max(scale, std::fabs(expected[i]));
  }
  return err / scale;
}

Tensor run(const Conv3d& conv, const Tensor& x, int threads, Activation act = {}) {
  return testing::run_with_threads(conv, x, threads, act);
}

std::vector<ConvIsa> isas() {
  std::vector<ConvIsa> out;
  for (ConvIsa isa : {ConvIsa::kPortable, ConvIsa::kAvx2, ConvIsa::kAvx512})
    if (detail::conv_isa_supported(isa)) out.push_back(isa);
  return out;
}

TEST(ConvWinograd, MatchesDirectReferenceOnEveryOddAndEvenSize) {
  SwitchGuard guard;
  detail::set_conv_algorithm(ConvAlgorithm::kWinograd);
  const std::int64_t sizes[] = {1, 2, 3, 5, 8};
  unsigned seed = 1;
  double worst = 0;
  for (std::int64_t d : sizes)
    for (std::int64_t h : sizes)
      for (std::int64_t w : sizes) {
        const bool odd = (d + h + w) % 2 != 0;
        const Padding padding = odd ? Padding::kTfSame : Padding::kSymmetric;
        const Activation act = seed % 3 == 0 ? Activation::leaky_relu(0.3f)
                                             : (seed % 3 == 1 ? Activation::relu() : Activation::none());
        const std::int64_t n = seed % 2 + 1;
        const Tensor weight = random_tensor({5, 3, 3, 3, 3}, seed),
                     x = random_tensor({n, 3, d, h, w}, seed + 1);
        const Tensor bias = seed % 4 == 0 ? Tensor() : random_tensor({5}, seed + 2);
        seed += 3;
        const Conv3d conv(weight, bias, 1, padding);
        const Tensor y = run(conv, x, 2, act);
        ASSERT_EQ(y.shape(), (Shape{n, 5, d, h, w}));
        const double err = relative_error(y, reference(x, weight, bias, act));
        EXPECT_LE(err, kTolerance) << to_string(x.shape());
        worst = std::max(worst, err);
      }
  std::printf("[          ] 3->5, 125 sizes: max error / output scale %.3g\n", worst);
}

TEST(ConvWinograd, MatchesDirectReferenceForPartialChannelBlocks) {
  SwitchGuard guard;
  struct Case {
    int cin, cout;
    Shape input;
    Padding padding;
    bool bias;
    Activation act;
  };
  const Case cases[] = {{17, 20, {2, 17, 5, 8, 3}, Padding::kSymmetric, true, Activation::leaky_relu(0.3f)},
                        {16, 33, {1, 16, 8, 5, 8}, Padding::kTfSame, true, Activation::relu()},
                        {3, 5, {2, 3, 8, 8, 8}, Padding::kTfSame, false, Activation::none()},
                        {40, 18, {1, 40, 3, 5, 17}, Padding::kSymmetric, true, Activation::leaky_relu(-2.0f)},
                        // Several tile-column blocks per row (64 channels: 19 tiles per task).
                        {64, 16, {1, 64, 2, 3, 70}, Padding::kSymmetric, true, Activation::none()}};
  unsigned seed = 500;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.cin) + "->" + std::to_string(c.cout) + " " + to_string(c.input));
    const Tensor weight = random_tensor({c.cout, c.cin, 3, 3, 3}, seed);
    const Tensor bias = c.bias ? random_tensor({c.cout}, seed + 1) : Tensor();
    const Tensor x = random_tensor(c.input, seed + 2);
    seed += 3;
    const Conv3d conv(weight, bias, 1, c.padding);
    const std::vector<double> expected = reference(x, weight, bias, c.act);
    detail::set_conv_algorithm(ConvAlgorithm::kWinograd);
    const Tensor wino = run(conv, x, 2, c.act);
    const double err = relative_error(wino, expected);
    EXPECT_LE(err, kTolerance);
    std::printf("[          ] %d->%d %s: max error / output scale %.3g\n", c.cin, c.cout,
                to_string(c.input).c_str(), err);
    detail::set_conv_algorithm(ConvAlgorithm::kDirect);
    const Tensor direct = run(conv, x, 2, c.act);
    EXPECT_LE(relative_error(direct, expected), kTolerance);
    // The switch really selects another algorithm: the roundings differ.
    EXPECT_FALSE(same_bits(wino, direct));
  }
}

TEST(ConvWinograd, FusedActivationEqualsScalarActivation) {
  SwitchGuard guard;
  detail::set_conv_algorithm(ConvAlgorithm::kWinograd);
  const Conv3d conv(random_tensor({24, 5, 3, 3, 3}, 7), random_tensor({24}, 8), 1, Padding::kSymmetric);
  const Tensor x = random_tensor({1, 5, 6, 7, 9}, 9);
  const Tensor plain = run(conv, x, 2);
  for (Activation act :
       {Activation::relu(), Activation::leaky_relu(0.3f), Activation::sigmoid(), Activation::tanh()}) {
    Tensor expected = plain;
    activate(expected.data(), expected.size(), act);
    EXPECT_TRUE(same_bits(run(conv, x, 2, act), expected)) << static_cast<int>(act.kind);
  }
}

TEST(ConvWinograd, BitwiseIdenticalForOneTwoAndThreeThreadsAndEveryIsa) {
  SwitchGuard guard;
  detail::set_conv_algorithm(ConvAlgorithm::kWinograd);
  struct Layer {
    int cin, cout;
    Shape input;
  };
  const Layer layers[] = {{20, 40, {1, 20, 6, 10, 12}},
                          {16, 16, {2, 16, 5, 9, 11}},
                          {64, 24, {1, 64, 3, 4, 70}},
                          {128, 17, {1, 128, 1, 4, 4}}};
  unsigned seed = 100;
  for (const Layer& l : layers) {
    SCOPED_TRACE(to_string(l.input));
    const Conv3d conv(random_tensor({l.cout, l.cin, 3, 3, 3}, seed), random_tensor({l.cout}, seed + 1), 1,
                      Padding::kTfSame);
    const Tensor x = random_tensor(l.input, seed + 2);
    seed += 3;
    Tensor first;
    for (ConvIsa isa : isas()) {
      SCOPED_TRACE(detail::conv_isa_name(isa));
      detail::set_conv_isa(isa);
      for (int threads : {1, 2, 3}) {
        const Tensor y = run(conv, x, threads, Activation::leaky_relu(0.3f));
        if (first.empty()) first = y;
        EXPECT_TRUE(same_bits(first, y)) << threads << " threads";
      }
    }
  }
}

// forward_concat reads both tensors in place: bitwise forward() on the concatenation, for one and two
// samples, split points inside and at the edge of a block of 16 channels, any thread count.
TEST(ConvWinograd, ConvolvingAConcatenationInPlaceEqualsConcatenatingFirst) {
  SwitchGuard guard;
  detail::set_conv_algorithm(ConvAlgorithm::kWinograd);
  Arena arena;
  unsigned seed = 40;
  for (std::int64_t n : {1, 2})
    for (std::int64_t first : {5, 16}) {
      const Tensor a = random_tensor({n, first, 6, 7, 9}, seed),
                   b = random_tensor({n, 11, 6, 7, 9}, seed + 1);
      const Conv3d conv(random_tensor({6, first + 11, 3, 3, 3}, seed + 2), random_tensor({6}, seed + 3), 1,
                        Padding::kTfSame);
      seed += 4;
      EXPECT_EQ(concat_mismatch(conv, a, b, arena), -1) << "n" << n << " split " << first;
    }
}

TEST(ConvWinograd, SecondPassAllocatesNothingNew) {
  SwitchGuard guard;
  detail::set_conv_algorithm(ConvAlgorithm::kWinograd);
  const Conv3d conv(random_tensor({16, 8, 3, 3, 3}, 1), {}, 1, Padding::kSymmetric);
  const auto [first, later] = testing::arena_capacity_over_passes(conv, random_tensor({1, 8, 6, 6, 6}, 2));
  EXPECT_EQ(later, first);
}

TEST(ConvWinograd, AutoChoosesByChannelsAndSize) {
  SwitchGuard guard;
  detail::set_conv_algorithm(ConvAlgorithm::kAuto);
  EXPECT_FALSE(detail::use_winograd(1, 16, 48, 96, 96));  // the first conv of a network stays direct
  EXPECT_FALSE(detail::use_winograd(8, 16, 48, 96, 96));
  EXPECT_TRUE(detail::use_winograd(16, 16, 48, 96, 96));
  EXPECT_TRUE(detail::use_winograd(32, 16, 48, 96, 96));
  EXPECT_TRUE(detail::use_winograd(128, 128, 2, 8, 8));   // 16 tiles
  EXPECT_FALSE(detail::use_winograd(256, 256, 1, 4, 4));  // 4 tiles
  EXPECT_TRUE(detail::use_winograd(64, 64, 1, 7, 7));     // 1·4·4 tiles, partial ones included
  EXPECT_FALSE(detail::use_winograd(64, 64, 1, 6, 6));    // 9 tiles

  detail::set_conv_algorithm(ConvAlgorithm::kDirect);
  EXPECT_FALSE(detail::use_winograd(16, 16, 48, 96, 96));
  detail::set_conv_algorithm(ConvAlgorithm::kWinograd);
  EXPECT_TRUE(detail::use_winograd(1, 16, 1, 1, 1));
}

}  // namespace
}  // namespace oncotrack::nn
