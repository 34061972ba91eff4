#include "oncotrack/pipeline/segmentation.h"

#include <algorithm>
#include <chrono>

#include "oncotrack/analysis/connected_components.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/sha256.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/nn/sliding_window.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAtlasImage = "preprocessing.brain_atlas.image";
constexpr const char* kAtlasDistance = "preprocessing.brain_atlas.distance_mm";

std::optional<BrainAtlas> read_brain_atlas(const nn::SafetensorsFile& file, const BrainMaskSpec& spec) {
  for (const nn::TensorEntry& e : file.entries())
    if (e.name.rfind(nn::kPreprocessingTensorPrefix, 0) == 0 &&
        (!spec.enabled || (e.name != kAtlasImage && e.name != kAtlasDistance)))
      throw nn::NnError("unexpected tensor " + e.name, file.where(),
                        spec.enabled ? std::string(kAtlasImage) + " and " + kAtlasDistance
                                     : "no preprocessing tensors (preprocessing.brain_mask is not enabled)",
                        nn::to_string(e.shape));
  if (!spec.enabled) return std::nullopt;
  const Size3& s = spec.atlas_geometry.size;
  const nn::Shape shape{static_cast<std::int64_t>(s[2]), static_cast<std::int64_t>(s[1]),
                        static_cast<std::int64_t>(s[0])};
  ImageF image(spec.atlas_geometry), distance(spec.atlas_geometry);
  for (auto [name, volume] : {std::pair{kAtlasImage, &image}, std::pair{kAtlasDistance, &distance}}) {
    const nn::TensorEntry* e = file.find(name);
    if (!e) throw nn::NnError(std::string("missing tensor ") + name, file.where(), nn::to_string(shape));
    if (e->shape != shape)
      throw nn::NnError(
          std::string("tensor ") + name + " does not match preprocessing.brain_mask.atlas_geometry",
          file.where(), nn::to_string(shape), nn::to_string(e->shape));
    const nn::Tensor t = file.tensor(name);
    std::copy(t.data(), t.data() + volume->voxels.size(), volume->voxels.begin());
  }
  return make_brain_atlas(spec.atlas, std::move(image), std::move(distance));
}

}  // namespace

LoadedModel load_model(const fs::path& path) {
  LoadedModel m;
  m.path = path;
  m.name = path.stem().string();
  try {
    const nn::ModelFile file = nn::read_model(path);
    if (file.architecture != "multitask_unet3d")
      throw Error("not a segmentation model", path.string(), "architecture multitask_unet3d",
                  file.architecture);
    m.preprocessing = ModelPreprocessing::from_json(file.preprocessing, path.string());
    const nn::UnetHparams hp = nn::UnetHparams::from_json(file.hparams);
    if (hp.in_channels != 1 || hp.n_labels != 1)
      throw Error(
          "unsupported segmentation model", path.string(), "1 input channel and 1 label",
          std::to_string(hp.in_channels) + " channel(s), " + std::to_string(hp.n_labels) + " label(s)");
    m.network = std::make_unique<nn::MultitaskUnet3d>(hp, file.container);
    m.brain_atlas = read_brain_atlas(file.container, m.preprocessing.brain_mask);
  } catch (const nn::NnError& e) {
    throw Error(std::string("invalid model file: ") + e.what(), path.string());
  }
  m.sha256 = sha256_file(path);
  return m;
}

namespace {

// Drops components smaller than min_ml; returns how many were dropped.
int remove_small_components(Mask& mask, double min_ml) {
  if (min_ml <= 0) return 0;
  const double voxel_ml = mask.geometry.voxel_volume_ml();
  int removed = 0;
  for (const auto& c : analysis::connected_components(mask, 26)) {
    if (static_cast<double>(c.voxel_count) * voxel_ml >= min_ml) continue;
    ++removed;
    for (const auto& run : c.runs)
      for (std::size_t i = run.i_begin; i < run.i_end; ++i) mask.at(i, run.j, run.k) = 0;
  }
  return removed;
}

}  // namespace

ScanSegmentation segment_scan(const LoadedModel& model, const ImageF& scan, int branch,
                              nn::ThreadPool& pool) {
  const auto start = std::chrono::steady_clock::now();
  const ModelPreprocessing& pre = model.preprocessing;
  const preprocess::Preprocessed p = preprocess::preprocess(scan, pre.preprocess);
  const nn::Tensor input = to_tensor(p.image);
  nn::SlidingWindowOptions options;
  options.tile = model.network->hparams().input_size;
  options.step = pre.tile_step;
  options.mirror = pre.mirror;
  options.pad_value = *std::min_element(p.image.voxels.begin(), p.image.voxels.end());
  std::int64_t tiles = 0;
  options.progress = [&tiles](std::int64_t, std::int64_t all) { tiles = all; };
  const nn::MultitaskUnet3d& net = *model.network;
  const nn::Tensor probability = nn::sliding_window(
      input,
      [&net, branch](const nn::Tensor& tile, nn::Exec& exec) { return net.segment(tile, branch, exec); },
      options, pool);

  ImageF working_probability = to_image(probability, p.image.geometry);
  ScanSegmentation out;
  nlohmann::json brain = nullptr;
  if (model.brain_atlas) {
    const BrainMask b = brain_mask(*model.brain_atlas, pre.brain_mask.dilation_mm, p.image, p.body);
    if (b.applied) {
      for (std::size_t v = 0; v < b.mask.voxels.size(); ++v)
        if (!b.mask.voxels[v]) working_probability.voxels[v] = 0;
      out.brain = preprocess::to_native(p, b.mask);
    }
    brain = b.summary;
  }

  out.working_image = p.image;
  out.probability = preprocess::invert(p.records, working_probability);
  out.mask = Mask(out.probability.geometry, 0);
  for (std::size_t v = 0; v < out.mask.voxels.size(); ++v)
    out.mask.voxels[v] = static_cast<double>(out.probability.voxels[v]) >= pre.segmentation_threshold ? 1 : 0;
  const int removed = remove_small_components(out.mask, pre.min_lesion_ml);
  std::size_t voxels = 0;
  for (std::uint8_t v : out.mask.voxels) voxels += v;
  out.summary = {
      {"model", model.name},
      {"branch", branch},
      {"working_grid", preprocess::to_json(p.image.geometry)},
      {"tiles", tiles},
      {"threshold", pre.segmentation_threshold},
      {"min_lesion_ml", pre.min_lesion_ml},
      {"components_removed", removed},
      {"voxels", voxels},
      {"brain_mask", brain},
      {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}};
  return out;
}

}  // namespace oncotrack::pipeline
