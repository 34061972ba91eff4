#pragma once
// Registration of a follow-up (moving) to the baseline (fixed), through ITK's v4 registration framework:
// initialisation (geometric centres or centres of mass, plus a coarse rotation search for large motion) →
// rigid (versor) → affine, each multi-resolution (shrink and smoothing schedules) with Mattes mutual
// information on a fixed-seed random sample, then an optional B-spline stage. The tumour masks, dilated, are
// left out of the metric by default (the tumour changes on purpose). Works for same-sequence and
// cross-sequence pairs (MI).
//
// Determinism: the result is bit-for-bit the same whatever the thread count (-j): every random sample is
// drawn from config.seed and the metric runs as a single ITK work unit (ITK's Mattes metric otherwise adds
// per-thread derivative buffers into a shared sum in timing-dependent order). Subjects run in parallel.
//
// QC (RegistrationResult::suspect): the metric did not improve, a scale outside [1/max_scale, max_scale],
// NCC in the fixed body mask after registration below min_ncc, or (deformable) a non-positive Jacobian
// determinant. A suspect registration is still returned; callers decide what needs it.
#include <string>
#include <vector>

#include "oncotrack/core/geometry.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::registration {

struct LevelSchedule {
  double shrink = 1;        // shrink factor (voxels)
  double smoothing_mm = 0;  // Gaussian sigma in mm
};

struct RegistrationConfig {
  bool enabled = true;
  std::string initialization = "moments";  // "geometry" (image centres) or "moments" (centres of mass)
  bool rotation_search = true;             // try coarse starting rotations (large motion, e.g. decubitus)
  bool rigid = true;
  bool affine = true;
  bool deformable = false;  // B-spline stage (slow: ITK v4 B-spline metrics cost ∝ samples × parameters)
  std::vector<LevelSchedule> levels{{8, 4.0}, {4, 2.0}, {2, 1.0}, {1, 0.0}};
  unsigned histogram_bins = 32;
  unsigned samples = 12000;  // random points of the fixed metric mask at the finest level, halved per coarser
                             // level (fixed seed)
  unsigned max_iterations = 100;  // per level
  double bspline_grid_mm = 40;    // control-point spacing of the deformable stage
  unsigned seed = 20261123;
  bool exclude_tumour = true;
  double tumour_dilation_mm = 5;
  // QC thresholds
  double min_ncc = 0.3;
  double max_scale = 1.25;
  // Pipeline output: also write each follow-up image and mask resampled into the baseline grid.
  bool write_resampled = false;
};

struct StageReport {
  std::string name;         // "rigid", "affine", "bspline"
  unsigned iterations = 0;  // summed over levels
  double metric_before = 0;
  double metric_after = 0;
  double seconds = 0;
  std::string stop_condition;  // the optimiser's, at the finest level
};

struct RegistrationResult {
  Transform transform;
  std::vector<StageReport> stages;
  double metric_before = 0;  // Mattes MI (ITK sign: lower is better) at the initial transform (identity)
  double metric_after = 0;   // at the final transform, full resolution, same sample
  double ncc_before = 0;     // normalised cross-correlation in the fixed body mask, identity transform
  double ncc_after = 0;
  double jacobian_min = 1, jacobian_max = 1;  // deformable stage only
  double seconds = 0;
  bool suspect = false;
  std::string suspect_reason;  // empty unless suspect
};

struct RegistrationInputs {
  const ImageF* fixed = nullptr;
  const ImageF* moving = nullptr;
  const Mask* fixed_body = nullptr;     // optional; computed (body_mask) when null
  const Mask* moving_body = nullptr;    // optional
  const Mask* fixed_tumour = nullptr;   // optional, on the fixed grid
  const Mask* moving_tumour = nullptr;  // optional, on the moving grid
};

// Throws Error for unusable inputs (empty images, a mask whose grid differs from its image's, an empty
// metric mask).
RegistrationResult register_pair(const RegistrationInputs& inputs, const RegistrationConfig& config);

// Caps ITK's thread pool for the whole process (call once, before any registration: ITK creates its pool
// on first use). Results do not depend on it.
void set_itk_threads(unsigned threads);

// Normalised cross-correlation of fixed and the moving image seen through t, over fixed voxels where
// mask != 0 (all voxels when mask is null) that map inside the moving image.
double masked_ncc(const ImageF& fixed, const ImageF& moving, const Transform& t, const Mask* mask);

}  // namespace oncotrack::registration
