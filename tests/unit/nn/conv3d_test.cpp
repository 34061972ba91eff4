// Conv3d against a direct double-precision convolution written here, over kernel sizes, strides, both padding
// modes, odd and even sizes, batches, bias and activations; bitwise invariance over thread counts and kernel
// ISAs; shape errors; batch-norm folding.
#include "oncotrack/nn/conv3d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../../src/nn/conv_kernel.h"
#include "oncotrack/nn/elementwise.h"
#include "oncotrack/nn/error.h"
#include "support/nn_tensors.h"

namespace oncotrack::nn {
namespace {

using detail::ConvIsa;

std::int64_t reference_pad(std::int64_t n, std::int64_t out, int k, int s, Padding padding) {
  if (padding == Padding::kSymmetric) return k / 2;
  return std::max<std::int64_t>((out - 1) * s + k - n, 0) / 2;
}

double apply(double v, Activation act) {
  switch (act.kind) {
    case Activation::Kind::kNone:
      return v;
    case Activation::Kind::kRelu:
      return std::max(v, 0.0);
    case Activation::Kind::kLeakyRelu:
      return v < 0 ? static_cast<double>(act.alpha) * v : v;
    case Activation::Kind::kSigmoid:
      return 1.0 / (1.0 + std::exp(-v));
    case Activation::Kind::kTanh:
      return std::tanh(v);
  }
  return v;
}

// Direct convolution in double; the output shape comes from the header's formulas, restated here.
std::vector<double> reference_conv(const Tensor& x, const Tensor& w, const Tensor& b, int s, Padding padding,
                                   Activation act, Shape& out_shape) {
  const int k = static_cast<int>(w.dim(2));
  const std::int64_t cout = w.dim(0), cin = w.dim(1);
  out_shape = {x.dim(0), cout, 0, 0, 0};
  std::int64_t pad[5] = {};
  for (int a = 2; a < 5; ++a) {
    const std::int64_t n = x.dim(a);
    out_shape[a] = padding == Padding::kSymmetric ? (n + 2 * (k / 2) - k) / s + 1 : (n + s - 1) / s;
    pad[a] = reference_pad(n, out_shape[a], k, s, padding);
  }
  std::vector<double> out(static_cast<std::size_t>(element_count(out_shape)));
  std::size_t i = 0;
  for (std::int64_t n = 0; n < out_shape[0]; ++n)
    for (std::int64_t co = 0; co < cout; ++co)
      for (std::int64_t d = 0; d < out_shape[2]; ++d)
        for (std::int64_t h = 0; h < out_shape[3]; ++h)
          for (std::int64_t wo = 0; wo < out_shape[4]; ++wo) {
            double acc = b.empty() ? 0.0 : static_cast<double>(b.data()[co]);
            for (std::int64_t ci = 0; ci < cin; ++ci)
              for (int kd = 0; kd < k; ++kd)
                for (int kh = 0; kh < k; ++kh)
                  for (int kw = 0; kw < k; ++kw) {
                    const std::int64_t id = d * s + kd - pad[2], ih = h * s + kh - pad[3],
                                       iw = wo * s + kw - pad[4];
                    if (id < 0 || ih < 0 || iw < 0 || id >= x.dim(2) || ih >= x.dim(3) || iw >= x.dim(4))
                      continue;
                    acc += static_cast<double>(x.at(n, ci, id, ih, iw)) *
                           static_cast<double>(w.data()[(((co * cin + ci) * k + kd) * k + kh) * k + kw]);
                  }
            out[i++] = apply(acc, act);
          }
  return out;
}

struct Case {
  int cin, cout, k, stride;
  Shape input;
  Padding padding;
  bool bias;
  Activation act;
};

std::string describe(const Case& c) {
  return std::to_string(c.cin) + "->" + std::to_string(c.cout) + " k" + std::to_string(c.k) + " s" +
         std::to_string(c.stride) + " " + to_string(c.input) +
         (c.padding == Padding::kSymmetric ? " symmetric" : " tf_same") + (c.bias ? " bias" : "") + " act" +
         std::to_string(static_cast<int>(c.act.kind));
}

std::vector<Case> cases() {
  std::vector<Case> out;
  const Shape sizes[] = {{1, 0, 7, 9, 6}, {1, 0, 8, 8, 8}, {2, 0, 5, 4, 3}};
  const Activation acts[] = {Activation::none(), Activation::relu(), Activation::leaky_relu(0.3f),
                             Activation::sigmoid(), Activation::tanh()};
  int i = 0;
  for (int k : {1, 3})
    for (int stride : {1, 2})
      for (Padding padding : {Padding::kSymmetric, Padding::kTfSame})
        for (const Shape& size : sizes) {
          const int cin = 1 + i % 5 * 4,
                    cout = 3 + i % 4 * 7;  // 1..17 in, 3..24 out (partial channel blocks)
          Shape input = size;
          input[1] = cin;
          out.push_back({cin, cout, k, stride, input, padding, i % 3 != 0, acts[i % 5]});
          ++i;
        }
  out.push_back({40, 33, 3, 1, {1, 40, 3, 5, 17}, Padding::kSymmetric, true, Activation::leaky_relu(0.3f)});
  out.push_back({16, 1, 1, 1, {2, 16, 4, 6, 10}, Padding::kSymmetric, true, Activation::none()});
  out.push_back({3, 16, 3, 2, {1, 3, 1, 1, 1}, Padding::kTfSame, true, Activation::relu()});
  out.push_back({3, 16, 3, 1, {1, 3, 1, 2, 1}, Padding::kSymmetric, false, Activation::none()});
  return out;
}

std::vector<ConvIsa> isas() {
  std::vector<ConvIsa> out;
  for (ConvIsa isa : {ConvIsa::kPortable, ConvIsa::kAvx2, ConvIsa::kAvx512})
    if (detail::conv_isa_supported(isa)) out.push_back(isa);
  return out;
}

// Restores the default kernels when a test that switched them ends.
struct IsaGuard {
  ConvIsa saved = detail::conv_isa();
  ~IsaGuard() { detail::set_conv_isa(saved); }
};

Tensor run(const Conv3d& conv, const Tensor& x, int threads, Activation act = {}) {
  return testing::run_with_threads(conv, x, threads, act);
}
using testing::random_tensor;
using testing::concat_mismatch;
using testing::same_bits;

TEST(Conv3d, MatchesDirectConvolutionOnEveryKernelIsa) {
  IsaGuard guard;
  unsigned seed = 1;
  for (const Case& c : cases()) {
    SCOPED_TRACE(describe(c));
    const Tensor w = random_tensor({c.cout, c.cin, c.k, c.k, c.k}, seed++);
    const Tensor b = c.bias ? random_tensor({c.cout}, seed++) : Tensor();
    const Tensor x = random_tensor(c.input, seed++);
    const Conv3d conv(w, b, c.stride, c.padding);
    Shape expected_shape;
    const std::vector<double> expected = reference_conv(x, w, b, c.stride, c.padding, c.act, expected_shape);
    ASSERT_EQ(conv.output_shape(x.shape()), expected_shape);
    double max_out = 0;
    for (double v : expected) max_out = std::max(max_out, std::fabs(v));
    Tensor first;
    for (ConvIsa isa : isas()) {
      SCOPED_TRACE(detail::conv_isa_name(isa));
      detail::set_conv_isa(isa);
      const Tensor y = run(conv, x, 2, c.act);
      ASSERT_EQ(y.shape(), expected_shape);
      double max_err = 0;
      for (std::int64_t i = 0; i < y.size(); ++i)
        max_err = std::max(
            max_err, std::fabs(static_cast<double>(y.data()[i]) - expected[static_cast<std::size_t>(i)]));
      EXPECT_LE(max_err, 1e-4 * max_out);
      if (first.empty()) first = y;
      EXPECT_TRUE(same_bits(first, y)) << "kernels of different ISAs disagree";
    }
  }
}

TEST(Conv3d, FusedActivationEqualsScalarActivation) {
  const Tensor w = random_tensor({24, 5, 3, 3, 3}, 7), b = random_tensor({24}, 8),
               x = random_tensor({1, 5, 6, 7, 9}, 9);
  const Conv3d conv(w, b, 1, Padding::kSymmetric);
  const Tensor plain = run(conv, x, 2);
  for (Activation act : {Activation::relu(), Activation::leaky_relu(0.3f), Activation::leaky_relu(-2.0f),
                         Activation::sigmoid(), Activation::tanh()}) {
    Tensor expected = plain;
    activate(expected.data(), expected.size(), act);
    EXPECT_TRUE(same_bits(run(conv, x, 2, act), expected)) << static_cast<int>(act.kind);
  }
}

TEST(Conv3d, BitwiseIdenticalForOneTwoAndThreeThreads) {
  struct Layer {
    int cin, cout, k, stride;
    Shape input;
  };
  const Layer layers[] = {{20, 40, 3, 1, {1, 20, 6, 10, 12}},
                          {16, 32, 3, 2, {2, 16, 8, 9, 10}},
                          {16, 24, 1, 1, {1, 16, 10, 20, 30}},
                          {64, 64, 3, 1, {1, 64, 1, 4, 4}}};
  unsigned seed = 100;
  for (const Layer& l : layers) {
    SCOPED_TRACE(to_string(l.input));
    const Conv3d conv(random_tensor({l.cout, l.cin, l.k, l.k, l.k}, seed), random_tensor({l.cout}, seed + 1),
                      l.stride, Padding::kTfSame);
    const Tensor x = random_tensor(l.input, seed + 2);
    seed += 3;
    const Tensor one = run(conv, x, 1, Activation::leaky_relu(0.3f));
    EXPECT_TRUE(same_bits(one, run(conv, x, 2, Activation::leaky_relu(0.3f))));
    EXPECT_TRUE(same_bits(one, run(conv, x, 3, Activation::leaky_relu(0.3f))));
  }
}

TEST(Conv3d, TfSameDiffersFromSymmetricOnlyForStrideTwo) {
  const Tensor w = random_tensor({8, 4, 3, 3, 3}, 11), x = random_tensor({1, 4, 8, 8, 8}, 12);
  const Tensor s2_sym = run(Conv3d(w, {}, 2, Padding::kSymmetric), x, 1);
  const Tensor s2_tf = run(Conv3d(w, {}, 2, Padding::kTfSame), x, 1);
  ASSERT_EQ(s2_sym.shape(), (Shape{1, 8, 4, 4, 4}));
  ASSERT_EQ(s2_tf.shape(), s2_sym.shape());
  EXPECT_FALSE(same_bits(s2_sym, s2_tf));  // symmetric starts reading at -1, tf_same at 0
  EXPECT_TRUE(same_bits(run(Conv3d(w, {}, 1, Padding::kSymmetric), x, 1),
                        run(Conv3d(w, {}, 1, Padding::kTfSame), x, 1)));
  // Odd size: symmetric gives floor((n-1)/2)+1, tf_same ceil(n/2) — equal, with the same padding.
  const Conv3d odd(w, {}, 2, Padding::kTfSame);
  EXPECT_EQ(odd.output_shape({1, 4, 7, 5, 3}), (Shape{1, 8, 4, 3, 2}));
  EXPECT_EQ(Conv3d(w, {}, 2, Padding::kSymmetric).output_shape({1, 4, 7, 5, 3}), (Shape{1, 8, 4, 3, 2}));
}

TEST(Conv3d, ReportsShapeAndFlops) {
  const Conv3d conv(Tensor({32, 16, 3, 3, 3}), Tensor({32}), 2, Padding::kTfSame);
  EXPECT_EQ(conv.in_channels(), 16);
  EXPECT_EQ(conv.out_channels(), 32);
  EXPECT_EQ(conv.kernel(), 3);
  EXPECT_EQ(conv.stride(), 2);
  EXPECT_EQ(conv.padding(), Padding::kTfSame);
  EXPECT_EQ(conv.output_shape({2, 16, 48, 96, 96}), (Shape{2, 32, 24, 48, 48}));
  EXPECT_DOUBLE_EQ(conv.flops({1, 16, 48, 96, 96}), 2.0 * 32 * 24 * 48 * 48 * 16 * 27);
}

TEST(Conv3d, SecondPassAllocatesNothingNew) {
  const Conv3d conv(random_tensor({16, 8, 3, 3, 3}, 1), {}, 1, Padding::kSymmetric);
  const Tensor x = random_tensor({1, 8, 6, 6, 6}, 2);
  const auto [first, later] = testing::arena_capacity_over_passes(conv, x);
  EXPECT_EQ(later, first);
}

void expect_error(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no NnError; expected one mentioning " << fragment;
  } catch (const NnError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Conv3d, RejectsBadShapesWithClearMessages) {
  expect_error(
      [] {
        Conv3d(Tensor({8, 4, 3, 3}), {}, 1, Padding::kSymmetric);
      },
      "expected [Cout,Cin,k,k,k] with k 1 or 3, got [8,4,3,3]");
  expect_error([] { Conv3d(Tensor({8, 4, 5, 5, 5}), {}, 1, Padding::kSymmetric); }, "got [8,4,5,5,5]");
  expect_error([] { Conv3d(Tensor({8, 4, 3, 3, 1}), {}, 1, Padding::kSymmetric); }, "got [8,4,3,3,1]");
  expect_error(
      [] {
        Conv3d(Tensor({8, 4, 3, 3, 3}), Tensor({4}), 1, Padding::kSymmetric);
      },
      "expected empty or [8], got [4]");
  expect_error([] { Conv3d(Tensor({8, 4, 3, 3, 3}), {}, 3, Padding::kSymmetric); }, "expected 1 or 2, got 3");
  const Conv3d conv(Tensor({8, 4, 3, 3, 3}), {}, 1, Padding::kSymmetric);
  expect_error([&] { run(conv, Tensor({1, 5, 4, 4, 4}), 1); }, "expected [N,4,D,H,W], got [1,5,4,4,4]");
  expect_error([&] { conv.output_shape({4, 4, 4, 4}); }, "got [4,4,4,4]");
}

TEST(Conv3d, FoldedBatchNormMatchesConvThenBatchNorm) {
  Tensor w = random_tensor({12, 5, 3, 3, 3}, 21), b = random_tensor({12}, 22);
  const Tensor gamma = random_tensor({12}, 23), beta = random_tensor({12}, 24),
               mean = random_tensor({12}, 25);
  Tensor variance = random_tensor({12}, 26);
  for (float& v : variance) v = v * v + 0.1f;
  const Tensor x = random_tensor({1, 5, 5, 6, 7}, 27);
  const float eps = 1e-5f;
  for (bool with_bias : {true, false}) {
    Tensor wf = w, bf = with_bias ? b : Tensor();
    const Tensor plain = run(Conv3d(w, with_bias ? b : Tensor(), 1, Padding::kSymmetric), x, 1);
    fold_batch_norm(wf, bf, gamma, beta, mean, variance, eps);
    ASSERT_EQ(bf.shape(), (Shape{12}));
    const Tensor folded = run(Conv3d(wf, bf, 1, Padding::kSymmetric), x, 1);
    const std::int64_t per = plain.size() / 12;
    double max_err = 0, max_out = 0;
    for (std::int64_t i = 0; i < plain.size(); ++i) {
      const std::int64_t c = i / per;
      const double bn = (double{plain.data()[i]} - double{mean.data()[c]}) /
                            std::sqrt(double{variance.data()[c]} + double{eps}) * double{gamma.data()[c]} +
                        double{beta.data()[c]};
      max_err = std::max(max_err, std::fabs(bn - double{folded.data()[i]}));
      max_out = std::max(max_out, std::fabs(bn));
    }
    EXPECT_LE(max_err, 1e-5 * max_out) << with_bias;
  }
  Tensor bad_bias;
  expect_error([&] { fold_batch_norm(w, bad_bias, Tensor({11}), beta, mean, variance, eps); }, "got [11]");
}

// The decoder's conv over concat(skip, upsampled) reads both tensors in place: bitwise the same as
// concatenating, for k3 and k1, stride 1 and 2, one and two samples, and any thread count.
TEST(Conv3d, ConvolvingAConcatenationInPlaceEqualsConcatenatingFirst) {
  ThreadPool pool(2);
  Arena arena;
  Exec exec{pool, arena};
  unsigned seed = 40;
  for (int k : {1, 3})
    for (int stride : {1, 2})
      for (std::int64_t n : {1, 2}) {
        const Tensor a = random_tensor({n, 5, 6, 7, 9}, seed), b = random_tensor({n, 3, 6, 7, 9}, seed + 1);
        const Conv3d conv(random_tensor({6, 8, k, k, k}, seed + 2), random_tensor({6}, seed + 3), stride,
                          Padding::kTfSame);
        seed += 4;
        EXPECT_EQ(concat_mismatch(conv, a, b, arena), -1) << "k" << k << " s" << stride << " n" << n;
      }
  const Conv3d conv(random_tensor({6, 8, 3, 3, 3}, 1), Tensor(), 1, Padding::kSymmetric);
  expect_error(
      [&] {
        conv.forward_concat(random_tensor({1, 5, 6, 7, 9}, 2), random_tensor({1, 3, 6, 7, 8}, 3), exec);
      },
      "cannot be concatenated");
  expect_error(
      [&] {
        conv.forward_concat(random_tensor({1, 5, 6, 7, 9}, 2), random_tensor({1, 4, 6, 7, 9}, 3), exec);
      },
      "got [1,9,6,7,9]");
}

}  // namespace
}  // namespace oncotrack::nn
