#include "oncotrack/preprocess/preprocess.h"

#include <chrono>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>

#include "oncotrack/core/error.h"
#include "oncotrack/preprocess/body_mask.h"
#include "oncotrack/preprocess/crop.h"
#include "oncotrack/preprocess/reorient.h"
#include "oncotrack/preprocess/resample.h"

namespace oncotrack::preprocess {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t count(const Mask& mask) {
  return std::accumulate(mask.voxels.begin(), mask.voxels.end(), std::size_t{0},
                         [](std::size_t n, std::uint8_t v) { return n + (v != 0 ? 1 : 0); });
}

json step_json(const SpatialRecord& record, Clock::time_point start) {
  json step = to_json(record);
  step["seconds"] = seconds_since(start);
  return step;
}

// Applies a spatial step to the image and the body mask and records it.
void apply_spatial(Preprocessed& p, const SpatialRecord& record, Clock::time_point start) {
  p.image = apply(record, p.image);
  p.body = apply(record, p.body);
  p.records.push_back(record);
  p.summary["steps"].push_back(step_json(record, start));
}

}  // namespace

Preprocessed preprocess(const ImageF& image, const PreprocessConfig& config) {
  Preprocessed p;
  p.image = image;
  p.summary = {{"input_geometry", to_json(image.geometry)}, {"steps", json::array()}};
  const char* stage = "reorient";  // for the error context
  try {
    if (config.reorient) {
      const auto start = Clock::now();  // before the body mask exists
      p.records.push_back(plan_reorient(p.image.geometry));
      p.image = apply(p.records.back(), p.image);
      p.summary["steps"].push_back(step_json(p.records.back(), start));
    }

    stage = "body mask";
    auto start = Clock::now();
    p.body = body_mask(p.image);
    p.summary["body_mask"] = {{"seconds", seconds_since(start)}};

    if (config.n4) {
      stage = "n4";
      start = Clock::now();
      N4Result n4 = n4_correct(p.image, &p.body, config.n4_options);
      p.image = std::move(n4.image);
      const N4Options& o = config.n4_options;
      p.summary["steps"].push_back({{"step", "n4"},
                                    {"shrink_factor", o.shrink_factor},
                                    {"max_iterations", o.iterations},
                                    {"convergence_threshold", o.convergence},
                                    {"spline_distance_mm", o.spline_distance_mm},
                                    {"iterations", n4.iterations},
                                    {"convergence", n4.convergence},
                                    {"control_points", n4.control_points},
                                    {"shrunk_size", n4.shrunk_size},
                                    {"fitted_voxels", n4.fitted_voxels},
                                    {"seconds", seconds_since(start)}});
    }

    if (!config.spacing_mm.empty()) {
      stage = "resample";
      if (config.spacing_mm.size() != 3)
        throw Error("invalid working spacing", {}, "three values in mm",
                    std::to_string(config.spacing_mm.size()) + " values");
      start = Clock::now();
      const Vec3 spacing{config.spacing_mm[0], config.spacing_mm[1], config.spacing_mm[2]};
      apply_spatial(p, plan_resample(p.image.geometry, spacing), start);
    }

    if (config.crop) {
      stage = "crop";
      start = Clock::now();
      apply_spatial(p, plan_crop(p.body, config.crop_margin_mm), start);
      p.summary["steps"].back()["margin_mm"] = config.crop_margin_mm;
    }

    if (config.normalize) {
      stage = "normalize (inside the body mask)";
      start = Clock::now();
      Normalized n = normalize(p.image, &p.body, config.normalize_options);
      p.image = std::move(n.image);
      p.summary["steps"].push_back({{"step", "normalize"},
                                    {"lower_percentile", config.normalize_options.lower_percentile},
                                    {"upper_percentile", config.normalize_options.upper_percentile},
                                    {"lower_value", n.lower_value},
                                    {"upper_value", n.upper_value},
                                    {"mean", n.mean},
                                    {"sd", n.sd},
                                    {"mask_voxels", n.mask_voxels},
                                    {"seconds", seconds_since(start)}});
    }
  } catch (Error& e) {
    e.add_context(std::string("in preprocessing step ") + stage);
    throw;
  }

  const std::size_t body_voxels = count(p.body);
  p.summary["body_mask"]["voxels"] = body_voxels;
  p.summary["body_mask"]["volume_ml"] = static_cast<double>(body_voxels) * p.body.geometry.voxel_volume_ml();
  p.summary["output_geometry"] = to_json(p.image.geometry);
  return p;
}

Mask to_native(const Preprocessed& p, const Mask& mask) {
  if (!same_grid(mask.geometry, p.image.geometry))
    throw Error("mask is not on the preprocessed grid", {}, describe_geometry(p.image.geometry),
                describe_geometry(mask.geometry));
  return invert(p.records, mask);
}

}  // namespace oncotrack::preprocess
