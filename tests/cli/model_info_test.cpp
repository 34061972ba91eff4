// `oncotrack model info`: a small valid "mlp" weights file is described (text and JSON) and an invalid one is
// refused with exit code 1 and the loader's message on stderr.
#include <gtest/gtest.h>

#include "oncotrack/core/sha256.h"
#include "oncotrack/nn/safetensors.h"
#include "support/constant_model.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ModelInfo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir("model_info");
    model_ = dir_ / "mlp.safetensors";
    nn::write_safetensors(
        model_,
        {{"oncotrack.format_version", "1"},
         {"oncotrack.architecture", "mlp"},
         {"oncotrack.hparams", R"({"sizes":[3,4,2],"hidden_activation":"tanh","output_activation":"none"})"},
         {"oncotrack.preprocessing", R"({"channels":["Z"]})"},
         {"oncotrack.training", R"({"commit":"abc123"})"}},
        {{"layers.0.weight", nn::Tensor({4, 3})},
         {"layers.0.bias", nn::Tensor({4})},
         {"layers.1.weight", nn::Tensor({2, 4})},
         {"layers.1.bias", nn::Tensor({2})}},
        nn::DType::kF16);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_, model_;
};

TEST_F(ModelInfo, DescribesAValidFile) {
  const CliResult r = run_cli("model info '" + model_.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("architecture:     mlp"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(sha256_file(model_)), std::string::npos);
  EXPECT_NE(r.out.find("\"hidden_activation\": \"tanh\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"commit\": \"abc123\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("layers.0.weight  F16    [4,3]  12"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total parameters: 26"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nvalid\n"), std::string::npos) << r.out;
}

TEST_F(ModelInfo, JsonOutput) {
  const CliResult r = run_cli("model info --json '" + model_.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j.at("sha256"), sha256_file(model_));
  EXPECT_EQ(j.at("size_bytes"), fs::file_size(model_));
  EXPECT_EQ(j.at("format_version"), "1");
  EXPECT_EQ(j.at("architecture"), "mlp");
  EXPECT_EQ(j.at("hparams").at("sizes"), json::array({3, 4, 2}));
  EXPECT_EQ(j.at("preprocessing").at("channels").at(0), "Z");
  ASSERT_EQ(j.at("tensors").size(), 4u);
  EXPECT_EQ(j.at("tensors").at(1), json::parse(R"({"name":"layers.0.weight","dtype":"F16","shape":[4,3],
                                                   "parameters":12})"));
  EXPECT_EQ(j.at("total_parameters"), 26);
  EXPECT_EQ(j.at("valid"), true);
}

TEST_F(ModelInfo, SaysWhetherASegmentationModelIsUsable) {
  const json good = {{"sequence", "t1c"}, {"preprocess", json::object()}};
  json bad = good;  // a brain mask whose atlas tensors are missing
  bad["brain_mask"] = {{"enabled", true},
                       {"atlas", "none"},
                       {"atlas_geometry",
                        {{"size", {4, 4, 4}},
                         {"spacing_mm", {1, 1, 1}},
                         {"origin_mm_lps", {0, 0, 0}},
                         {"direction", {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}}}};
  const fs::path usable = write_constant_model(dir_ / "usable.safetensors", 1, good);
  const fs::path unusable = write_constant_model(dir_ / "unusable.safetensors", 1, bad);
  const CliResult a = run_cli("model info '" + usable.string() + "'");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.out.find("segmentation:     usable\n"), std::string::npos) << a.out;
  const CliResult b = run_cli("model info --json '" + unusable.string() + "'");
  ASSERT_EQ(b.exit_code, 0) << b.err;  // a valid weights file, just not one segment can use
  const json j = json::parse(b.out);
  EXPECT_EQ(j.at("segmentation").at("usable"), false);
  EXPECT_NE(j.at("segmentation")
                .at("problem")
                .get<std::string>()
                .find("missing tensor preprocessing.brain_atlas.image"),
            std::string::npos)
      << j.at("segmentation");
  EXPECT_TRUE(
      json::parse(run_cli("model info --json '" + model_.string() + "'").out).at("segmentation").is_null())
      << "an mlp is not a segmentation model";
}

TEST_F(ModelInfo, RefusesACorruptedFileWithExitCode1) {
  // Overwrite the first tensor's data_offsets end digit so the span no longer matches its shape.
  std::string bytes = slurp(model_);
  const std::string from = R"("data_offsets":[0,8])";  // layers.0.bias: 4 F16 values
  const auto at = bytes.find(from);
  ASSERT_NE(at, std::string::npos) << bytes.substr(0, 400);
  bytes.replace(at, from.size(), R"("data_offsets":[0,9])");
  const fs::path bad = dir_ / "bad.safetensors";
  std::ofstream(bad, std::ios::binary) << bytes;
  const CliResult r = run_cli("model info '" + bad.string() + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("tensor \"layers.0.bias\": data_offsets do not match shape and dtype"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("expected 8 bytes (4 elements of F16), got 9 bytes"), std::string::npos) << r.err;
}

TEST_F(ModelInfo, RefusesAValidContainerWithAWrongTensorTable) {
  const fs::path bad = dir_ / "wrong.safetensors";
  nn::write_safetensors(
      bad,
      {{"oncotrack.format_version", "1"},
       {"oncotrack.architecture", "mlp"},
       {"oncotrack.hparams", R"({"sizes":[3,2],"hidden_activation":"relu","output_activation":"none"})"}},
      {{"layers.0.weight", nn::Tensor({3, 2})}, {"layers.0.bias", nn::Tensor({2})}});
  const CliResult r = run_cli("model info --json '" + bad.string() + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("tensor layers.0.weight has the wrong shape; expected [2,3], got [3,2]"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace oncotrack::testing
