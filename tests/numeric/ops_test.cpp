// Every operator against its PyTorch fixtures (tests/fixtures/nn/ops): max abs error ≤ 1e-4 × output scale.
// Stride-1 3x3x3 convolutions are checked with both algorithms (direct and Winograd, src/nn/conv_winograd.h).
// Each fixture file is one test case; a file whose op is unknown here fails, so no fixture goes unchecked.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "../../src/nn/conv_winograd.h"
#include "oncotrack/nn/conv3d.h"
#include "oncotrack/nn/conv_transpose3d.h"
#include "oncotrack/nn/dense.h"
#include "oncotrack/nn/elementwise.h"
#include "oncotrack/nn/norm.h"
#include "oncotrack/nn/pool.h"
#include "oncotrack/nn/resize.h"
#include "support/nn_fixture.h"

namespace oncotrack::nn {
namespace {

namespace fs = std::filesystem;
using testing::expect_close;
using testing::fixture_json;

std::vector<std::string> op_fixtures() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(testing::nn_fixture_dir() / "ops"))
    if (e.path().extension() == ".safetensors") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Tensor optional(const SafetensorsFile& f, const std::string& name) {
  return f.find(name) ? f.tensor(name) : Tensor();
}

Activation activation_of(const nlohmann::json& meta) {
  return Activation::parse(meta.value("activation", std::string("none")));
}

Tensor run_op(const SafetensorsFile& f, const nlohmann::json& meta, Exec& exec) {
  const std::string op = meta.at("op");
  const Tensor x = f.tensor("input");
  if (op == "conv3d" || op == "conv3d_bn") {
    Tensor w = f.tensor("weight"), b = optional(f, "bias");
    if (op == "conv3d_bn")
      fold_batch_norm(w, b, f.tensor("gamma"), f.tensor("beta"), f.tensor("mean"), f.tensor("var"),
                      meta.at("eps").get<float>());
    const Padding padding = meta.at("padding") == "tf_same" ? Padding::kTfSame : Padding::kSymmetric;
    return Conv3d(w, b, meta.at("stride").get<int>(), padding).forward(x, exec, activation_of(meta));
  }
  if (op == "conv_transpose3d")
    return ConvTranspose3d(f.tensor("weight"), optional(f, "bias")).forward(x, exec);
  if (op == "instance_norm") {
    Tensor y = exec.arena.tensor(x.shape());
    std::copy(x.begin(), x.end(), y.begin());
    instance_norm(y, optional(f, "gamma"), optional(f, "beta"), meta.at("eps").get<float>(),
                  activation_of(meta), exec.pool);
    return y;
  }
  if (op == "relu" || op == "leaky_relu" || op == "sigmoid" || op == "tanh" || op == "softmax_channels") {
    Tensor y = exec.arena.tensor(x.shape());
    std::copy(x.begin(), x.end(), y.begin());
    if (op == "softmax_channels")
      softmax_channels(y, exec.pool);
    else
      activate(
          y,
          op == "leaky_relu" ? Activation::leaky_relu(meta.at("alpha").get<float>()) : Activation::parse(op),
          exec.pool);
    return y;
  }
  if (op == "add") return add(x, f.tensor("input2"), exec);
  if (op == "subtract") return subtract(x, f.tensor("input2"), exec);
  if (op == "concat_channels") {
    const Tensor b = f.tensor("input2"), c = optional(f, "input3");
    std::vector<const Tensor*> parts{&x, &b};
    if (!c.empty()) parts.push_back(&c);
    return concat_channels(parts, exec);
  }
  if (op == "upsample_nearest2") return upsample_nearest2(x, exec);
  if (op == "upsample_trilinear2") return upsample_trilinear2(x, exec);
  if (op == "max_pool2") return max_pool2(x, exec);
  if (op == "avg_pool2") return avg_pool2(x, exec);
  if (op == "global_avg_pool") return global_avg_pool(x, exec);
  if (op == "dense")
    return Dense(f.tensor("weight"), optional(f, "bias")).forward(x, exec, activation_of(meta));
  ADD_FAILURE() << "no engine operator for fixture op \"" << op << "\"";
  return {};
}

class OpFixture : public ::testing::TestWithParam<std::string> {};

// Restores the default algorithm after a test that forced one.
struct AlgorithmGuard {
  detail::ConvAlgorithm saved = detail::conv_algorithm();
  ~AlgorithmGuard() { detail::set_conv_algorithm(saved); }
};

// Stride-1 3x3x3 convolutions run twice, with the direct algorithm and with Winograd forced (each must meet the
// tolerance on its own); every other fixture once, with the default choice.
TEST_P(OpFixture, MatchesPyTorch) {
  const auto f = SafetensorsFile::read(testing::nn_fixture_dir() / "ops" / (GetParam() + ".safetensors"));
  const nlohmann::json meta = fixture_json(f, "oncotrack.fixture");
  const std::string op = meta.at("op");
  const bool k3_s1 = (op == "conv3d" || op == "conv3d_bn") && f.tensor("weight").dim(2) == 3 &&
                     meta.at("stride").get<int>() == 1;
  AlgorithmGuard guard;
  std::vector<detail::ConvAlgorithm> algorithms{detail::ConvAlgorithm::kAuto};
  if (k3_s1) algorithms = {detail::ConvAlgorithm::kDirect, detail::ConvAlgorithm::kWinograd};
  for (detail::ConvAlgorithm algorithm : algorithms) {
    detail::set_conv_algorithm(algorithm);
    for (int threads : {1, 2}) {
      ThreadPool pool(threads);
      Arena arena;
      Exec exec{pool, arena};
      const Tensor got = run_op(f, meta, exec);
      const double rel =
          expect_close(got, f.tensor("expected"), GetParam() + " " + detail::conv_algorithm_name(algorithm));
      if (threads == 1)
        std::printf("%-52s max error %.2e x scale%s\n", GetParam().c_str(), rel,
                    k3_s1 ? (std::string(" (") + detail::conv_algorithm_name(algorithm) + ")").c_str() : "");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, OpFixture, ::testing::ValuesIn(op_fixtures()),
                         [](const auto& param_info) { return param_info.param; });

TEST(OpFixtures, TheFixtureDirectoryIsPresent) {
  EXPECT_GE(op_fixtures().size(), 30u);
}

}  // namespace
}  // namespace oncotrack::nn
