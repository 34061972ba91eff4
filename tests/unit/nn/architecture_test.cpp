// Architecture hyper-parameters and tensor tables: strict validation with messages naming the key, and the
// full-size configuration of Jin et al. having exactly PyTorch's parameter count.
#include <gtest/gtest.h>

#include <map>

#include "oncotrack/nn/error.h"
#include "oncotrack/nn/mlp.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/nn/multitask_unet3d.h"
#include "support/nn_tensors.h"

namespace oncotrack::nn {
namespace {

nlohmann::json full_unet() {
  return UnetHparams{}.to_json();
}

using testing::nn_error_of;

std::int64_t parameters(const TensorTable& t) {
  std::int64_t n = 0;
  for (const auto& [name, shape] : t) n += element_count(shape);
  return n;
}

TEST(UnetHparams, DefaultsAreTheFullJinConfigurationWithPyTorchsParameterCount) {
  const UnetHparams hp = UnetHparams::from_json(full_unet());
  EXPECT_EQ(hp.filters(4), 256);
  const TensorTable t = tensor_table("multitask_unet3d", full_unet());
  // reference.py's MultitaskUNet3D for the same hparams: sum(p.numel() for p in model.parameters()).
  EXPECT_EQ(parameters(t), 16813799);
  auto shared = full_unet();
  shared["shared_branches"] = true;
  const TensorTable s = tensor_table("multitask_unet3d", shared);
  std::int64_t follow_up_branch = 0;
  for (const auto& [name, shape] : t)
    if (name.rfind("branch1.", 0) == 0) follow_up_branch += element_count(shape);
  EXPECT_EQ(parameters(s), parameters(t) - follow_up_branch);  // one branch serves both timepoints
  EXPECT_EQ(s.front().first.rfind("branch.", 0), 0u);
}

TEST(UnetHparams, EveryKeyIsRequiredAndUnknownOnesAreRefused) {
  auto j = full_unet();
  j.erase("norm_eps");
  EXPECT_NE(nn_error_of([&] { UnetHparams::from_json(j); }).find("missing hyper-parameter \"norm_eps\""),
            std::string::npos);
  j = full_unet();
  j["dropout"] = 0.3;
  EXPECT_NE(nn_error_of([&] { UnetHparams::from_json(j); }).find("unknown hyper-parameter \"dropout\""),
            std::string::npos);
}

TEST(UnetHparams, ValuesAreChecked) {
  auto j = full_unet();
  j["input_size"] = {16, 64, 60};  // 60 is not a multiple of 16
  EXPECT_NE(nn_error_of([&] { UnetHparams::from_json(j); }).find("multiples of 16"), std::string::npos);
  j = full_unet();
  j["fusion_taps"] = {"level7"};
  EXPECT_NE(nn_error_of([&] { UnetHparams::from_json(j); }).find("unknown fusion tap"), std::string::npos);
  j = full_unet();
  j["padding"] = "valid";
  EXPECT_NE(nn_error_of([&] { UnetHparams::from_json(j); }).find("\"valid\""), std::string::npos);
  j = full_unet();
  j["segmentation_levels"] = 5;
  EXPECT_NE(nn_error_of([&] { UnetHparams::from_json(j); }).find("segmentation_levels"), std::string::npos);
  j = full_unet();
  j["base_filters"] = "16";
  EXPECT_NE(nn_error_of([&] { UnetHparams::from_json(j); }).find("base_filters"), std::string::npos);
}

TEST(UnetHparams, ConcatenationFusionHasUnnormalisedConvsOverBothTimepointsTaps) {
  auto j = full_unet();
  j["fusion"] = "concatenation";
  j["fusion_taps"] = {"level2", "probability"};
  const UnetHparams hp = UnetHparams::from_json(j);
  EXPECT_TRUE(hp.fusion_concatenates);
  EXPECT_EQ(hp.to_json().at("fusion"), "concatenation");
  const TensorTable t = tensor_table("multitask_unet3d", j);
  std::map<std::string, Shape> by_name(t.begin(), t.end());
  EXPECT_EQ(by_name.at("fusion.0.conv.weight"), (Shape{32, 2 * 64, 3, 3, 3}));  // level2: 64 channels each
  EXPECT_EQ(by_name.at("fusion.1.conv.weight"), (Shape{32, 2, 3, 3, 3}));       // probability: n_labels each
  EXPECT_EQ(by_name.count("fusion.0.norm.weight"), 0u);
  EXPECT_EQ(by_name.at("head.weight"), (Shape{1, 64}));
  j["fusion"] = "sum";
  EXPECT_NE(nn_error_of([&] { UnetHparams::from_json(j); }).find("unknown fusion"), std::string::npos);
  j.erase("fusion");  // optional: the default is "difference", with norm
  EXPECT_FALSE(UnetHparams::from_json(j).fusion_concatenates);
  const TensorTable d = tensor_table("multitask_unet3d", j);
  const std::map<std::string, Shape> difference(d.begin(), d.end());
  EXPECT_EQ(difference.at("fusion.0.norm.weight"), (Shape{32}));
}

TEST(Architectures, UnknownArchitecturesAreRefusedListingTheKnownOnes) {
  const std::string e = nn_error_of([] { tensor_table("resnet50", nlohmann::json::object()); });
  EXPECT_NE(e.find("unknown architecture"), std::string::npos) << e;
  EXPECT_NE(e.find("mlp, multitask_unet3d"), std::string::npos) << e;
  EXPECT_NE(e.find("\"resnet50\""), std::string::npos) << e;
}

TEST(MlpHparams, TableAndValidation) {
  const nlohmann::json j = {
      {"sizes", {4, 8, 2}}, {"hidden_activation", "leaky_relu:0.1"}, {"output_activation", "none"}};
  const TensorTable t = tensor_table("mlp", j);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0], (std::pair<std::string, Shape>{"layers.0.weight", {8, 4}}));
  EXPECT_EQ(t[3], (std::pair<std::string, Shape>{"layers.1.bias", {2}}));
  EXPECT_EQ(MlpHparams::from_json(j).to_json(), j);
  auto bad = j;
  bad["sizes"] = {4};
  EXPECT_NE(nn_error_of([&] { MlpHparams::from_json(bad); }).find("at least 2"), std::string::npos);
  bad = j;
  bad["hidden_activation"] = "gelu";
  EXPECT_NE(nn_error_of([&] { MlpHparams::from_json(bad); }).find("unknown activation"), std::string::npos);
  bad = j;
  bad["sizes"] = {4, 0, 2};
  EXPECT_NE(nn_error_of([&] { MlpHparams::from_json(bad); }).find("positive"), std::string::npos);
}

}  // namespace
}  // namespace oncotrack::nn
