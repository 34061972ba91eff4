// Whole networks against PyTorch (tests/fixtures/nn/models): the exported small multitask U-Nets (separate
// and shared branches, F32 and BF16 storage), the MLP (F32 and F16), and the full-size configuration of Jin
// et al. with weights regenerated from the seeded generator. Thread-count invariance is bitwise.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "oncotrack/nn/error.h"
#include "oncotrack/nn/mlp.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/nn/multitask_unet3d.h"
#include "support/nn_fixture.h"
#include "support/nn_seeded_weights.h"

namespace oncotrack::nn {
namespace {

namespace fs = std::filesystem;
using testing::expect_close;
using testing::fixture_json;

fs::path models() {
  return testing::nn_fixture_dir() / "models";
}

struct Io {
  SafetensorsFile file;
  nlohmann::json meta;
  float scale(const std::string& output) const { return meta.at("scale").at(output).get<float>(); }
};

Io read_io(const std::string& name) {
  Io io{SafetensorsFile::read(models() / (name + ".io.safetensors")), {}};
  io.meta = fixture_json(io.file, "oncotrack.fixture");
  return io;
}

void check_unet(const MultitaskUnet3d& net, const Io& io, const std::string& name) {
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    Arena arena;
    Exec exec{pool, arena};
    const auto out = net.forward_pair(io.file.tensor("input0"), io.file.tensor("input1"), exec);
    const double e0 =
        expect_close(out.segmentation0, io.file.tensor("seg0"), name + " seg0", io.scale("seg0"));
    const double e1 =
        expect_close(out.segmentation1, io.file.tensor("seg1"), name + " seg1", io.scale("seg1"));
    const double ep = expect_close(out.probability, io.file.tensor("prob"), name + " prob", io.scale("prob"));
    if (threads == 1)
      std::printf("%-28s max error x scale: seg0 %.2e seg1 %.2e prob %.2e (prob %.6f)\n", name.c_str(), e0,
                  e1, ep, double(out.probability.data()[0]));
    // One branch alone gives the same segmentation as inside the pair.
    expect_close(net.segment(io.file.tensor("input1"), 1, exec), io.file.tensor("seg1"), name + " segment()",
                 io.scale("seg1"));
  }
}

class SmallUnet : public ::testing::TestWithParam<std::string> {};

TEST_P(SmallUnet, MatchesPyTorch) {
  const ModelFile model = read_model(models() / (GetParam() + ".safetensors"));
  ASSERT_EQ(model.architecture, "multitask_unet3d");
  const MultitaskUnet3d net(UnetHparams::from_json(model.hparams), model.container);
  check_unet(net, read_io(GetParam()), GetParam());

  // Inputs of the wrong size are errors stating both shapes.
  ThreadPool pool(1);
  Arena arena;
  Exec exec{pool, arena};
  const Tensor odd({1, net.hparams().in_channels, 8, 16, 15});
  try {
    net.forward_pair(odd, odd, exec);
    ADD_FAILURE() << "no error";
  } catch (const NnError& e) {
    EXPECT_NE(std::string(e.what()).find("got " + to_string(odd.shape())), std::string::npos) << e.what();
  }
  EXPECT_THROW(net.segment(odd, 0, exec), NnError);
}

INSTANTIATE_TEST_SUITE_P(Models, SmallUnet,
                         ::testing::Values("unet_small_separate", "unet_small_separate_bf16",
                                           "unet_small_shared", "unet_small_concat"));

TEST(Mlp, MatchesPyTorchInF32AndF16Storage) {
  for (const std::string name : {"mlp_small", "mlp_small_f16"}) {
    const ModelFile model = read_model(models() / (name + ".safetensors"));
    const Mlp mlp(MlpHparams::from_json(model.hparams), model.container);
    const Io io = read_io(name);
    ThreadPool pool(2);
    Arena arena;
    Exec exec{pool, arena};
    expect_close(mlp.forward(io.file.tensor("input"), exec), io.file.tensor("output"), name,
                 io.scale("output"));
  }
}

// The weights of the full configuration, regenerated from the seed recorded in the fixture.
SafetensorsFile seeded_weights(const UnetHparams& hp, std::uint64_t seed, double& abs_sum) {
  TensorTable table = tensor_table("multitask_unet3d", hp.to_json());
  std::sort(table.begin(), table.end());
  std::vector<NamedTensor> tensors;
  abs_sum = 0;
  for (std::size_t t = 0; t < table.size(); ++t) {
    const auto& [name, shape] = table[t];
    const auto rule = testing::seeded_weight_rule(name, shape);
    Tensor w(shape);
    for (std::int64_t e = 0; e < w.size(); ++e) {
      w.data()[e] =
          testing::seeded_weight_value(seed, t, static_cast<std::uint64_t>(e), rule.scale, rule.offset);
      abs_sum += std::abs(double(w.data()[e]));
    }
    tensors.push_back({name, std::move(w)});
  }
  const fs::path path =
      fs::temp_directory_path() / ("oncotrack_seeded_" + std::to_string(::getpid()) + ".safetensors");
  write_safetensors(path, {}, tensors);
  SafetensorsFile file = SafetensorsFile::read(path);
  fs::remove(path);
  return file;
}

TEST(FullUnet, JinEtAlConfigurationMatchesPyTorchAndIsThreadInvariant) {
  const Io io = read_io("unet_full_seeded");
  const UnetHparams hp = UnetHparams::from_json(io.meta.at("hparams"));
  EXPECT_EQ(hp.base_filters, 16);
  EXPECT_EQ(hp.depth, 5);
  double abs_sum = 0;
  const SafetensorsFile weights =
      seeded_weights(hp, io.meta.at("weights").at("seed").get<std::uint64_t>(), abs_sum);
  EXPECT_NEAR(abs_sum, io.meta.at("weights").at("abs_sum").get<double>(), 1e-6 * abs_sum)
      << "the regenerated weights differ from PyTorch's";
  const MultitaskUnet3d net(hp, weights);
  check_unet(net, io, "unet_full_seeded");

  // Bitwise identical for 1 and 3 threads.
  std::vector<std::vector<float>> results;
  for (int threads : {1, 3}) {
    ThreadPool pool(threads);
    Arena arena;
    Exec exec{pool, arena};
    const auto out = net.forward_pair(io.file.tensor("input0"), io.file.tensor("input1"), exec);
    std::vector<float> all(out.segmentation0.begin(), out.segmentation0.end());
    all.insert(all.end(), out.segmentation1.begin(), out.segmentation1.end());
    all.push_back(out.probability.data()[0]);
    results.push_back(std::move(all));
  }
  ASSERT_EQ(results[0].size(), results[1].size());
  EXPECT_EQ(std::memcmp(results[0].data(), results[1].data(), results[0].size() * sizeof(float)), 0);
}

}  // namespace
}  // namespace oncotrack::nn
