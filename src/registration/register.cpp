#include "oncotrack/registration/register.h"

#include <itkCompositeTransform.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "initialize.h"
#include "mask_ops.h"
#include "metric_probe.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/itk_convert.h"
#include "oncotrack/preprocess/body_mask.h"
#include "stage.h"

namespace oncotrack::registration {

namespace {

constexpr std::size_t kProbePoints = 20000;  // full-resolution MI before/after
constexpr std::size_t kSearchPoints = 3000;  // coarse MI and refinement of the rotation search
constexpr unsigned kSearchIterations = 25;
constexpr double kMetricTolerance = 1e-3;  // "did not improve" margin on Mattes MI
constexpr double kNccTolerance = 0.02;     // "NCC got worse" margin

void check_mask(const Mask* mask, const ImageF& image, const char* what) {
  if (!mask) return;
  const auto delta = compare_geometry(mask->geometry, image.geometry);
  if (!delta.within(1e-3, 1e-4))
    throw Error(std::string(what) + " is not on its image's grid", {}, describe_geometry(image.geometry),
                describe_geometry(mask->geometry));
}

std::size_t count(const Mask& m) {
  std::size_t n = 0;
  for (auto v : m.voxels) n += v != 0;
  return n;
}

}  // namespace

RegistrationResult register_pair(const RegistrationInputs& in, const RegistrationConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  ONCOTRACK_ASSERT(in.fixed && in.moving, "register_pair needs both images");
  if (in.fixed->voxels.empty() || in.moving->voxels.empty())
    throw Error("cannot register an empty image", {}, "voxels", "an empty image");
  check_mask(in.fixed_body, *in.fixed, "fixed body mask");
  check_mask(in.moving_body, *in.moving, "moving body mask");
  check_mask(in.fixed_tumour, *in.fixed, "fixed tumour mask");
  check_mask(in.moving_tumour, *in.moving, "moving tumour mask");

  const Mask fixed_body = in.fixed_body ? *in.fixed_body : preprocess::body_mask(*in.fixed);
  const Mask moving_body = in.moving_body ? *in.moving_body : preprocess::body_mask(*in.moving);
  // The metric sees the body without the (dilated) tumour, which changes on purpose.
  const Mask fixed_metric_mask =
      config.exclude_tumour && in.fixed_tumour
          ? subtract(fixed_body, dilate(*in.fixed_tumour, config.tumour_dilation_mm))
          : fixed_body;
  const std::size_t mask_voxels = count(fixed_metric_mask);
  if (mask_voxels < 100)
    throw Error("registration metric mask is (nearly) empty", {},
                "at least 100 body voxels outside the tumour", std::to_string(mask_voxels) + " voxels");
  ItkMask::Pointer moving_metric_mask;
  if (config.exclude_tumour && in.moving_tumour)
    moving_metric_mask = itk_mask(invert(dilate(*in.moving_tumour, config.tumour_dilation_mm)));

  const ItkImage::Pointer fixed = io::detail::itk_from_volume(*in.fixed);
  const ItkImage::Pointer moving = io::detail::itk_from_volume(*in.moving);
  StageContext ctx;
  ctx.fixed_mask = itk_mask(fixed_metric_mask);
  ctx.moving_mask = moving_metric_mask;
  ctx.levels = make_levels(config, fixed, moving, mask_voxels);
  ctx.bins = config.histogram_bins;
  ctx.max_iterations = config.max_iterations;
  ctx.seed = config.seed;

  RegistrationResult result;
  const auto probe_points = sample_points(fixed_metric_mask, kProbePoints, config.seed);
  const MetricProbe probe(fixed, moving, ctx.moving_mask.GetPointer(), probe_points, config.histogram_bins);
  auto identity = ItkAffine::New();
  result.metric_before = probe.value(*identity);
  result.ncc_before = masked_ncc(*in.fixed, *in.moving, Transform(), &fixed_metric_mask);

  ItkAffine::Pointer affine =
      centred_start(*in.fixed, fixed_body, *in.moving, moving_body, config.initialization == "moments");
  if (config.rotation_search && !ctx.levels.empty()) {
    // Candidates are ranked and refined at the coarsest level with a smaller sample.
    StageContext coarse = ctx;
    coarse.levels = {ctx.levels.front()};
    const double level_samples = double(config.samples) / std::pow(2.0, double(ctx.levels.size() - 1));
    coarse.levels[0].sampling_fraction =
        std::min(1.0, coarse.levels[0].sampling_fraction * double(kSearchPoints) / level_samples);
    coarse.max_iterations = kSearchIterations;
    const MetricProbe coarse_probe(
        coarse.levels[0].fixed, coarse.levels[0].moving, ctx.moving_mask.GetPointer(),
        sample_points(fixed_metric_mask, kSearchPoints, config.seed + 1), config.histogram_bins);
    affine = search_rotation(coarse, coarse_probe, *affine);
  }
  if (config.rigid) result.stages.push_back(run_rigid_stage(ctx, *affine));
  if (config.affine) result.stages.push_back(run_affine_stage(ctx, *affine));
  ItkBSpline::Pointer bspline;
  if (config.deformable) {
    result.stages.push_back(run_bspline_stage(ctx, *affine, config.bspline_grid_mm, bspline));
    jacobian_range(*bspline, fixed_metric_mask, result.jacobian_min, result.jacobian_max);
  }
  result.transform = make_transform(*affine, bspline.GetPointer());
  result.metric_after = probe.value(*affine, bspline.GetPointer());
  result.ncc_after = masked_ncc(*in.fixed, *in.moving, result.transform, &fixed_metric_mask);

  // QC: a registration that made things worse, an implausible scale or a poor final match is suspect.
  std::ostringstream why;
  const auto p = result.transform.parameters();
  if (!(result.metric_after <= result.metric_before + kMetricTolerance))
    why << "the metric did not improve (Mattes MI " << result.metric_before << " -> " << result.metric_after
        << "); ";
  for (double s : p.scale)
    if (!(s <= config.max_scale && s >= 1 / config.max_scale)) {
      why << "implausible scale " << s << " (allowed " << 1 / config.max_scale << " to " << config.max_scale
          << "); ";
      break;
    }
  if (p.reflection) why << "the transform reflects; ";
  if (!(result.ncc_after >= config.min_ncc))
    why << "NCC after " << result.ncc_after << " < " << config.min_ncc << "; ";
  if (result.ncc_after < result.ncc_before - kNccTolerance)
    why << "NCC fell from " << result.ncc_before << " to " << result.ncc_after << "; ";
  if (config.deformable && result.jacobian_min <= 0)
    why << "the deformation folds (Jacobian determinant min " << result.jacobian_min << "); ";
  result.suspect_reason = why.str();
  if (!result.suspect_reason.empty()) result.suspect_reason.resize(result.suspect_reason.size() - 2);
  result.suspect = !result.suspect_reason.empty();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace oncotrack::registration
