#pragma once
// Response prediction of a baseline/follow-up pair by a multitask_unet3d model (`oncotrack predict` and the
// `prediction` block of `run`'s report). Both scans enter as the network saw them for segmentation (the
// model's preprocessing: its working grid, normalised); the follow-up is resampled into the baseline's
// working grid through the registration (trilinear, outside = its minimum). The crop is the model's input
// size centred on the bounding box of the union of both tumour masks in that grid (the follow-up's mask
// carried by the same transform, nearest neighbour), the grid's centre when both are empty; voxels outside
// the grid take each image's minimum — as scripts/train/train.py crops in training. Label: probability >= the
// model's response threshold → "responder".
#include <nlohmann/json.hpp>

#include "oncotrack/core/geometry.h"
#include "oncotrack/nn/thread_pool.h"
#include "oncotrack/pipeline/segmentation.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::pipeline {

struct ResponsePrediction {
  double probability = 0;
  bool responder = false;
  nlohmann::json
      crop;  // {"centre_index" [i,j,k] on the baseline working grid, "size" [x,y,z], "tumour_voxels"}
};

// to_follow_up: baseline LPS → follow-up LPS (registration::Transform's convention). Masks may be null (no
// tumour known at that timepoint) and live on any grid in their scan's space.
ResponsePrediction predict_response(const LoadedModel& model, const ImageF& baseline_input,
                                    const ImageF& follow_up_input,
                                    const registration::Transform& to_follow_up, const Mask* baseline_tumour,
                                    const Mask* follow_up_tumour, nn::ThreadPool& pool);

// The report's `prediction` object: {"model", "sha256", "probability", "threshold", "label", "crop"}.
nlohmann::json prediction_json(const LoadedModel& model, const ResponsePrediction& p);

}  // namespace oncotrack::pipeline
