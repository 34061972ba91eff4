#pragma once
// A network model as the pipeline uses it: the preprocessing its weights file prescribes, and the bridge
// between the pipeline's images and the engine's tensors (the one place that converts, ARCHITECTURE.md §2).
//
// "oncotrack.preprocessing" metadata of a model (strict: unknown keys are errors; defaults as below):
//   {"sequence": "t1c",            required: the manifest sequence the model reads (one input channel)
//    "preprocess": {...},          required: preprocess/config.h, applied to the scan before the network
//    "segmentation": {"threshold": 0.5, "min_lesion_ml": 0.0, "tile_step": 0.5, "mirror": false},
//    "response": {"threshold": 0.5},
//    "brain_mask": {"enabled": false, "dilation_mm": 5, "atlas": "<name>", "atlas_geometry": {geometry}}}
// brain_mask (brain_mask.h): when enabled, atlas and atlas_geometry (preprocess::to_json(Geometry) form) are
// required and the file holds the tensors preprocessing.brain_atlas.image and
// preprocessing.brain_atlas.distance_mm, each [z,y,x] of the atlas grid.
// Tensor layout: a volume of size (x, y, z) is [1,1,z,y,x] — ImageF's buffer order (x fastest), so the
// conversions are copies.
#include <nlohmann/json.hpp>
#include <string>

#include "oncotrack/core/geometry.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/nn/tensor.h"
#include "oncotrack/preprocess/preprocess.h"

namespace oncotrack::pipeline {

struct BrainMaskSpec {
  bool enabled = false;
  double dilation_mm = 5;  // the atlas brain grown by this much before it gates the probability map
  std::string atlas;       // what the atlas is (provenance, free text)
  Geometry atlas_geometry;
};

struct ModelPreprocessing {
  std::string sequence;
  preprocess::PreprocessConfig preprocess;
  double segmentation_threshold = 0.5;  // probability at or above which a voxel is tumour
  double min_lesion_ml = 0.0;           // smaller connected components are dropped from the mask
  double tile_step = 0.5;               // sliding-window step as a fraction of the tile
  bool mirror = false;                  // mirroring test-time augmentation
  double response_threshold = 0.5;      // response probability at or above which the label is positive
  BrainMaskSpec brain_mask;

  // Throws Error naming the key (with "in <source>" as context).
  static ModelPreprocessing from_json(const nlohmann::json& doc, const std::string& source);
  nlohmann::json to_json() const;
};

nn::Tensor to_tensor(const ImageF& image);
// Channel 0 of t ([1,C,z,y,x], z·y·x = geometry's voxel count) as an image on `geometry`. Throws Error
// when the sizes differ.
ImageF to_image(const nn::Tensor& t, const Geometry& geometry);

// The scan of `sequence` at a timepoint; throws Error naming the subject and timepoint when there is none.
const io::ImageEntry& scan_of(const io::TimepointEntry& tp, const std::string& sequence,
                              const std::string& subject);

// A native-grid mask carried through p's spatial records as a fraction in [0, 1] (linear interpolation in
// resampling): the training target on the model's grid.
ImageF mask_fraction(const preprocess::Preprocessed& p, const Mask& native);

}  // namespace oncotrack::pipeline
