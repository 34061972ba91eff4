#pragma once
// Brain mask at inference: a head atlas carried in the model file (model_input.h, "brain_mask") is
// registered to the scan — Mattes MI, moments initialisation, rigid then affine, three levels, fixed seed —
// and the atlas brain's signed distance map (mm, < 0 inside the brain) is resampled onto the scan's grid
// (trilinear). Voxels within `dilation_mm` of the atlas brain form the mask; segmentation zeroes the tumour
// probability outside it. It keeps enhancing tissue outside the brain (scalp, orbits, skull base, which a
// model trained on synthetic heads mistakes for tumour) out of the masks.
//
// The mask is applied only when the registration is plausible: scales within 1/1.5–1.5, no reflection, and
// the head outlines agree — Dice >= 0.8 between the scan's body mask and the atlas head's (preprocess/
// body_mask.h) carried onto the scan's grid, which is contrast-independent and cut by the scan's field of
// view like the scan itself. Otherwise applied = false with the reason: never a misplaced mask. (The
// registration module's own QC is not used: its MI and NCC comparisons with the identity transform mean
// nothing between an atlas and a scan whose coordinate frames are unrelated, or between T1 and T1c.)
//
// Deterministic (registration.h); thread-safe for concurrent scans with one shared atlas.
#include <nlohmann/json.hpp>
#include <string>

#include "oncotrack/core/geometry.h"

namespace oncotrack::pipeline {

struct BrainAtlas {
  std::string name;
  ImageF image;        // the atlas head (T1)
  ImageF distance_mm;  // on image's grid: signed distance to the atlas brain's surface, < 0 inside
  Mask head;           // body_mask(image)
};

// Throws Error when image and distance_mm are not on one grid or the head mask is empty.
BrainAtlas make_brain_atlas(std::string name, ImageF image, ImageF distance_mm);

struct BrainMask {
  bool applied = false;
  Mask mask;               // on the scan's grid (all ones when not applied)
  nlohmann::json summary;  // {"atlas", "dilation_mm", "applied", "reason" (when not applied), "volume_ml"
                           //  (null when not applied), "registration": {"head_dice", "head_hd95_mm",
                           //  "scale", "metric_before", "metric_after", "seconds"} (null when it failed)}
};

// scan and body on one grid (the model's working grid). A registration that cannot run (too few body voxels)
// is reported as a reason, not thrown: the scan is then segmented without the mask.
BrainMask brain_mask(const BrainAtlas& atlas, double dilation_mm, const ImageF& scan, const Mask& body);

}  // namespace oncotrack::pipeline
