#pragma once
// Tumour segmentation of one scan by a multitask_unet3d model: the scan is preprocessed as the model
// prescribes (model_input.h), segmented by sliding windows of the model's input size through one branch
// (Gaussian blending, the model's step and mirroring; tiles beyond the volume padded with its minimum, as in
// training), the probability map is carried back to the scan's native grid (linear, through the
// preprocessing records in reverse), thresholded at the model's threshold, and connected components
// (26-connected) smaller than its min_lesion_ml are dropped. When the model carries a brain atlas, the
// probability outside the brain mask (brain_mask.h) is zero.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "oncotrack/core/geometry.h"
#include "oncotrack/nn/multitask_unet3d.h"
#include "oncotrack/nn/thread_pool.h"
#include "oncotrack/pipeline/brain_mask.h"
#include "oncotrack/pipeline/model_input.h"

namespace oncotrack::pipeline {

// A weights file loaded once per process. segment_scan() and the response prediction only read it, so
// subjects may use one LoadedModel concurrently.
struct LoadedModel {
  std::filesystem::path path;
  std::string name;    // file name without extension
  std::string sha256;  // of the file
  ModelPreprocessing preprocessing;
  std::unique_ptr<nn::MultitaskUnet3d> network;
  std::optional<BrainAtlas> brain_atlas;  // present when preprocessing.brain_mask.enabled
};

// Throws Error naming the file when it is not a valid multitask_unet3d weights file, its preprocessing
// metadata is invalid, or its preprocessing tensors do not match that metadata (missing, unexpected, wrong
// shape).
LoadedModel load_model(const std::filesystem::path& path);

struct ScanSegmentation {
  ImageF working_image;  // the scan as the network saw it (the model's preprocessing and grid)
  ImageF probability;    // tumour probability on the scan's native grid
  Mask mask;             // probability >= threshold, small components removed
  std::optional<Mask>
      brain;               // the brain mask applied (native grid); none without an atlas or when not applied
  nlohmann::json summary;  // {"model", "branch", "working_grid", "tiles", "threshold", "min_lesion_ml",
                           //  "components_removed", "voxels", "brain_mask" (brain_mask.h; null when the
                           //  model has none), "seconds"}
};

// branch: 0 baseline, 1 follow-up (the same weights when the model shares them). Throws Error from the
// preprocessing (e.g. an empty body mask) or when the model's input has more than one channel.
ScanSegmentation segment_scan(const LoadedModel& model, const ImageF& scan, int branch, nn::ThreadPool& pool);

}  // namespace oncotrack::pipeline
