// `oncotrack model info FILE [--json]`: what a weights file holds (architecture, hyper-parameters,
// preprocessing, training provenance, tensor table, SHA-256) and whether it is valid. An invalid file prints
// the loader's message on stderr and exits 1. A valid multitask_unet3d file is also loaded as `segment` would
// load it (preprocessing metadata, brain atlas): "segmentation: usable" or "not usable: <why>".
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/sha256.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/pipeline/segmentation.h"

namespace oncotrack::cli {

namespace {

struct ModelInfoOptions {
  std::string file;
  bool json = false;
};

std::string indented(const nlohmann::json& j) {
  std::string out = "  ";
  for (char c : j.dump(2)) out += c == '\n' ? std::string("\n  ") : std::string(1, c);
  return out;
}

int run_model_info(const ModelInfoOptions& o) {
  nn::ModelFile model;
  try {
    model = nn::read_model(o.file);
  } catch (const nn::NnError& e) {
    spdlog::error("invalid weights file: {}", e.what());
    return kExitUsage;
  }
  const std::string sha256 = sha256_file(o.file);
  const auto size = std::filesystem::file_size(o.file);
  const std::string& version = model.container.metadata().at("oncotrack.format_version");

  nlohmann::json tensors = nlohmann::json::array();
  std::int64_t total = 0;
  for (const auto& e : model.container.entries()) {
    tensors.push_back({{"name", e.name},
                       {"dtype", nn::dtype_name(e.dtype)},
                       {"shape", e.shape},
                       {"parameters", nn::element_count(e.shape)}});
    if (e.name.rfind(nn::kPreprocessingTensorPrefix, 0) != 0) total += nn::element_count(e.shape);
  }

  nlohmann::json segmentation = nullptr;  // {"usable", "problem"} for segmentation models
  if (model.architecture == "multitask_unet3d") {
    try {
      pipeline::load_model(o.file);
      segmentation = {{"usable", true}, {"problem", nullptr}};
    } catch (const Error& e) {
      segmentation = {{"usable", false}, {"problem", e.what()}};
    }
  }

  if (o.json) {
    const nlohmann::json j{{"file", o.file},
                           {"sha256", sha256},
                           {"size_bytes", size},
                           {"format_version", version},
                           {"architecture", model.architecture},
                           {"hparams", model.hparams},
                           {"preprocessing", model.preprocessing},
                           {"training", model.training},
                           {"tensors", tensors},
                           {"total_parameters", total},
                           {"segmentation", segmentation},
                           {"valid", true}};
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }

  std::cout << "file:             " << o.file << "\n"
            << "sha256:           " << sha256 << "\n"
            << "size:             " << size << " bytes\n"
            << "format version:   " << version << "\n"
            << "architecture:     " << model.architecture << "\n"
            << "hparams:\n"
            << indented(model.hparams) << "\n"
            << "preprocessing:\n"
            << indented(model.preprocessing) << "\n"
            << "training:\n"
            << indented(model.training) << "\n"
            << "tensors (" << tensors.size() << "):\n";
  const auto& entries = model.container.entries();
  std::size_t name_w = 4, shape_w = 5;
  for (const auto& e : entries) {
    name_w = std::max(name_w, e.name.size());
    shape_w = std::max(shape_w, nn::to_string(e.shape).size());
  }
  auto row = [&](const std::string& name, const std::string& dtype, const std::string& shape,
                 const std::string& params) {
    std::cout << "  " << name << std::string(name_w - name.size() + 2, ' ') << dtype
              << std::string(7 - dtype.size(), ' ') << shape << std::string(shape_w - shape.size() + 2, ' ')
              << params << "\n";
  };
  row("name", "dtype", "shape", "parameters");
  for (const auto& e : entries)
    row(e.name, nn::dtype_name(e.dtype), nn::to_string(e.shape), std::to_string(nn::element_count(e.shape)));
  std::cout << "total parameters: " << total << "\n";
  if (!segmentation.is_null())
    std::cout << "segmentation:     "
              << (segmentation.at("usable").get<bool>()
                      ? std::string("usable")
                      : "not usable: " + segmentation.at("problem").get<std::string>())
              << "\n";
  std::cout << "valid\n";
  return kExitOk;
}

}  // namespace

void setup_model(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* cmd = app.add_subcommand("model", "Inspect network weights files; prepare training tensors");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<ModelInfoOptions>();
  CLI::App* info = cmd->add_subcommand(
      "info",
      "Architecture, hyper-parameters, tensor table and SHA-256 of a weights file, and whether it is valid");
  info->add_option("file", opts->file, "Weights file (.safetensors)")->required()->check(CLI::ExistingFile);
  info->add_flag("--json", opts->json, "Print one JSON object instead of text");
  info->callback([&action, opts] { action = [opts] { return run_model_info(*opts); }; });
  add_model_prepare(*cmd, global, action);
}

}  // namespace oncotrack::cli
