#include "oncotrack/pipeline/model_input.h"

#include <algorithm>

#include "oncotrack/core/error.h"
#include "oncotrack/core/json_section.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::pipeline {

using nlohmann::json;

ModelPreprocessing ModelPreprocessing::from_json(const json& doc, const std::string& source) {
  ModelPreprocessing m;
  try {
    JsonSection top(doc, "preprocessing");
    const json& sequence = top.need("sequence");
    require_value(sequence.is_string() && !sequence.get_ref<const std::string&>().empty(),
                  top.key("sequence"), "a non-empty string", sequence.dump());
    m.sequence = sequence.get<std::string>();
    m.preprocess = preprocess::preprocess_config_from_json(top.need("preprocess"), source);
    if (const json* v = top.take("segmentation")) {
      JsonSection s(*v, top.key("segmentation"));
      s.read("threshold", m.segmentation_threshold);
      s.read("min_lesion_ml", m.min_lesion_ml);
      s.read("tile_step", m.tile_step);
      s.read("mirror", m.mirror);
      s.finish();
      require_value(m.segmentation_threshold > 0 && m.segmentation_threshold < 1, s.key("threshold"),
                    "in (0, 1)", std::to_string(m.segmentation_threshold));
      require_value(m.min_lesion_ml >= 0, s.key("min_lesion_ml"), ">= 0", std::to_string(m.min_lesion_ml));
      require_value(m.tile_step > 0 && m.tile_step <= 1, s.key("tile_step"), "in (0, 1]",
                    std::to_string(m.tile_step));
    }
    if (const json* v = top.take("response")) {
      JsonSection s(*v, top.key("response"));
      s.read("threshold", m.response_threshold);
      s.finish();
      require_value(m.response_threshold > 0 && m.response_threshold < 1, s.key("threshold"), "in (0, 1)",
                    std::to_string(m.response_threshold));
    }
    if (const json* v = top.take("brain_mask")) {
      JsonSection s(*v, top.key("brain_mask"));
      BrainMaskSpec& b = m.brain_mask;
      s.read("enabled", b.enabled);
      s.read("dilation_mm", b.dilation_mm);
      require_value(b.dilation_mm >= 0, s.key("dilation_mm"), ">= 0", std::to_string(b.dilation_mm));
      if (b.enabled) {
        s.read("atlas", b.atlas);
        b.atlas_geometry = preprocess::geometry_from_json(s.need("atlas_geometry"), s.key("atlas_geometry"));
      }
      s.finish();
    }
    top.finish();
  } catch (Error& e) {
    e.add_context("in " + source);
    throw;
  }
  return m;
}

json ModelPreprocessing::to_json() const {
  return {{"sequence", sequence},
          {"preprocess", preprocess::to_json(preprocess)},
          {"segmentation",
           {{"threshold", segmentation_threshold},
            {"min_lesion_ml", min_lesion_ml},
            {"tile_step", tile_step},
            {"mirror", mirror}}},
          {"response", {{"threshold", response_threshold}}},
          {"brain_mask", brain_mask.enabled
                             ? json{{"enabled", true},
                                    {"dilation_mm", brain_mask.dilation_mm},
                                    {"atlas", brain_mask.atlas},
                                    {"atlas_geometry", preprocess::to_json(brain_mask.atlas_geometry)}}
                             : json{{"enabled", false}}}};
}

nn::Tensor to_tensor(const ImageF& image) {
  const Size3& s = image.geometry.size;
  return nn::Tensor({1, 1, static_cast<std::int64_t>(s[2]), static_cast<std::int64_t>(s[1]),
                     static_cast<std::int64_t>(s[0])},
                    image.voxels);
}

ImageF to_image(const nn::Tensor& t, const Geometry& geometry) {
  const Size3& s = geometry.size;
  const nn::Shape expected{1, t.rank() == 5 ? t.dim(1) : 1, static_cast<std::int64_t>(s[2]),
                           static_cast<std::int64_t>(s[1]), static_cast<std::int64_t>(s[0])};
  if (t.shape() != expected)
    throw Error("network output does not match the image grid", {}, nn::to_string(expected),
                nn::to_string(t.shape()));
  ImageF image(geometry);
  std::copy(t.data(), t.data() + image.voxels.size(), image.voxels.begin());
  return image;
}

const io::ImageEntry& scan_of(const io::TimepointEntry& tp, const std::string& sequence,
                              const std::string& subject) {
  for (const auto& image : tp.images)
    if (image.sequence == sequence) return image;
  throw Error("sub-" + subject + " ses-" + tp.id + " has no scan of the model's sequence",
              tp.images.empty() ? "" : tp.images.front().origin, "sequence " + sequence,
              std::to_string(tp.images.size()) + " scan(s) of other sequences");
}

ImageF mask_fraction(const preprocess::Preprocessed& p, const Mask& native) {
  ImageF f(native.geometry);
  std::copy(native.voxels.begin(), native.voxels.end(), f.voxels.begin());
  for (const auto& record : p.records) f = preprocess::apply(record, f);
  if (!preprocess::same_grid(f.geometry, p.image.geometry))
    throw Error("mask is not on the scan's grid", {}, "the grid of the scan it belongs to", "another grid");
  for (float& v : f.voxels) v = std::clamp(v, 0.0f, 1.0f);
  return f;
}

}  // namespace oncotrack::pipeline
