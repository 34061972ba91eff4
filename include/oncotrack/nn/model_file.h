#pragma once
// Weights files: a safetensors container (safetensors.h) whose metadata says what network it holds.
//
// Metadata keys (all values strings, the last three JSON-encoded):
//   oncotrack.format_version  "1" (anything else is refused)
//   oncotrack.architecture    "multitask_unet3d" | "mlp" (anything else is refused)
//   oncotrack.hparams         architecture hyper-parameters (see multitask_unet3d.h, mlp.h)
//   oncotrack.preprocessing   how inputs must be prepared: spacing, size, normalisation, channels
//   oncotrack.training        data, commit, metrics (free-form provenance)
// Every tensor name is checked against the architecture's one table (tensor_table()): missing, unexpected and
// wrongly shaped tensors are errors naming the tensor, the expected shape and the one found. Tensors whose
// names start with "preprocessing." are data of the preprocessing metadata (e.g. a brain atlas), not network
// weights: the table leaves them out and whoever reads the preprocessing checks them.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "oncotrack/nn/safetensors.h"

namespace oncotrack::nn {

constexpr const char* kFormatVersion = "1";
constexpr const char* kPreprocessingTensorPrefix = "preprocessing.";

using TensorTable = std::vector<std::pair<std::string, Shape>>;

struct ModelFile {
  std::filesystem::path path;
  std::string architecture;
  nlohmann::json hparams, preprocessing, training;
  SafetensorsFile container;
};

// Reads, validates the metadata and checks the tensor table; throws NnError.
ModelFile read_model(const std::filesystem::path& path);

// Every name in `expected` present with exactly that shape, and nothing else but preprocessing tensors; throws
// NnError for the first problem in name order (missing, unexpected, wrong shape).
void check_tensor_table(const SafetensorsFile& file, const TensorTable& expected);

// The architectures this build knows, and the exact tensor table of one; throws NnError for an unknown
// architecture or invalid hyper-parameters.
std::vector<std::string> known_architectures();
TensorTable tensor_table(const std::string& architecture, const nlohmann::json& hparams);

}  // namespace oncotrack::nn
