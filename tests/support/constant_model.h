#pragma once
// Test support: a tiny multitask_unet3d weights file whose weights are all zero except the segmentation
// biases, so its segmentation logit is `logit` everywhere (probability sigmoid(logit) wherever the network
// sees the scan). Shared by the pipeline unit tests and the CLI tests.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "oncotrack/nn/model_file.h"
#include "oncotrack/nn/safetensors.h"

namespace oncotrack::testing {

inline nlohmann::json constant_model_hparams() {
  return {{"in_channels", 1},
          {"base_filters", 2},
          {"depth", 3},
          {"input_size", {8, 16, 16}},
          {"n_labels", 1},
          {"segmentation_levels", 2},
          {"leaky_relu_alpha", 0.3},
          {"norm_eps", 1e-5},
          {"padding", "symmetric"},
          {"shared_branches", true},
          {"fusion_taps", {"level1"}},
          {"fusion_filters", 2}};
}

// `extra`: tensors stored beside the weights (e.g. a brain atlas, "preprocessing." names).
inline std::filesystem::path write_constant_model(const std::filesystem::path& path, float logit,
                                                  const nlohmann::json& preprocessing,
                                                  std::vector<nn::NamedTensor> extra = {}) {
  std::vector<nn::NamedTensor> tensors = std::move(extra);
  for (const auto& [name, shape] : nn::tensor_table("multitask_unet3d", constant_model_hparams())) {
    nn::Tensor t(shape);
    if (name.rfind("branch.seg.", 0) == 0 && name.find(".bias") != std::string::npos)
      for (float& v : t) v = logit / 2;  // two segmentation levels add up
    tensors.push_back({name, t});
  }
  nn::write_safetensors(path,
                        {{"oncotrack.format_version", "1"},
                         {"oncotrack.architecture", "multitask_unet3d"},
                         {"oncotrack.hparams", constant_model_hparams().dump()},
                         {"oncotrack.preprocessing", preprocessing.dump()},
                         {"oncotrack.training", "{}"}},
                        tensors);
  return path;
}

}  // namespace oncotrack::testing
