#include "oncotrack/pipeline/brain_mask.h"

#include <sstream>

#include "oncotrack/analysis/overlap_metrics.h"
#include "oncotrack/core/error.h"
#include "oncotrack/preprocess/body_mask.h"
#include "oncotrack/preprocess/spatial_record.h"
#include "oncotrack/registration/register.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::pipeline {

namespace {

constexpr double kMaxScale = 1.5;
constexpr double kMinHeadDice = 0.8;

registration::RegistrationConfig atlas_registration() {
  registration::RegistrationConfig c;
  c.rotation_search = false;  // both heads are reoriented to the same axes
  c.levels = {{8, 4.0}, {4, 2.0}, {2, 1.0}};
  c.samples = 8000;
  c.exclude_tumour = false;
  return c;
}

}  // namespace

BrainAtlas make_brain_atlas(std::string name, ImageF image, ImageF distance_mm) {
  if (!preprocess::same_grid(image.geometry, distance_mm.geometry))
    throw Error("brain atlas image and distance map are on different grids", name,
                describe_geometry(image.geometry), describe_geometry(distance_mm.geometry));
  BrainAtlas atlas{std::move(name), std::move(image), std::move(distance_mm), {}};
  atlas.head = preprocess::body_mask(atlas.image);
  std::size_t voxels = 0;
  for (std::uint8_t v : atlas.head.voxels) voxels += v;
  if (voxels == 0) throw Error("brain atlas image has no head (empty body mask)", atlas.name);
  return atlas;
}

BrainMask brain_mask(const BrainAtlas& atlas, double dilation_mm, const ImageF& scan, const Mask& body) {
  registration::RegistrationInputs in;
  in.fixed = &scan;
  in.fixed_body = &body;
  in.moving = &atlas.image;
  in.moving_body = &atlas.head;
  BrainMask out;
  out.mask = Mask(scan.geometry, 1);
  out.summary = {{"atlas", atlas.name},
                 {"dilation_mm", dilation_mm},
                 {"applied", false},
                 {"volume_ml", nullptr},
                 {"registration", nullptr}};
  registration::RegistrationResult r;
  try {
    r = registration::register_pair(in, atlas_registration());
  } catch (const Error& e) {  // e.g. a scan too small to register: segment it without the mask
    out.summary["reason"] = std::string("the atlas registration failed: ") + e.what();
    return out;
  }
  const registration::AffineParameters p = r.transform.parameters();
  const analysis::OverlapMetrics head =
      analysis::compare_masks(registration::resample_mask(atlas.head, scan.geometry, r.transform), body);

  std::ostringstream why;
  for (double s : p.scale)
    if (!(s <= kMaxScale && s >= 1 / kMaxScale)) {
      why << "implausible scale " << s << " (allowed " << 1 / kMaxScale << " to " << kMaxScale << "); ";
      break;
    }
  if (p.reflection) why << "the transform reflects; ";
  if (!(head.dice >= kMinHeadDice))
    why << "the head outlines disagree (Dice " << head.dice << " < " << kMinHeadDice << "); ";

  out.applied = why.str().empty();
  out.summary["applied"] = out.applied;
  out.summary["registration"] = {
      {"head_dice", head.dice},
      {"head_hd95_mm", head.hd95_mm ? nlohmann::json(*head.hd95_mm) : nlohmann::json(nullptr)},
      {"scale", p.scale},
      {"metric_before", r.metric_before},
      {"metric_after", r.metric_after},
      {"seconds", r.seconds}};
  if (!out.applied) {
    std::string reason = why.str();
    out.summary["reason"] = "the atlas registration is implausible: " + reason.substr(0, reason.size() - 2);
    return out;
  }
  constexpr float kBeyondTheAtlas = 1e6f;  // mm: voxels the atlas does not cover are far from its brain
  const ImageF distance =
      registration::resample_image(atlas.distance_mm, scan.geometry, r.transform, kBeyondTheAtlas);
  std::size_t voxels = 0;
  for (std::size_t v = 0; v < distance.voxels.size(); ++v) {
    out.mask.voxels[v] = static_cast<double>(distance.voxels[v]) <= dilation_mm ? 1 : 0;
    voxels += out.mask.voxels[v];
  }
  out.summary["volume_ml"] = static_cast<double>(voxels) * scan.geometry.voxel_volume_ml();
  return out;
}

}  // namespace oncotrack::pipeline
