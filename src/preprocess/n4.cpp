#include "oncotrack/preprocess/n4.h"

#include <itkBSplineControlPointImageFilter.h>
#include <itkN4BiasFieldCorrectionImageFilter.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "itk_mask.h"
#include "oncotrack/core/error.h"
#include "oncotrack/preprocess/spatial_record.h"
#include "step_ops.h"

namespace oncotrack::preprocess {

namespace {

using N4Filter = itk::N4BiasFieldCorrectionImageFilter<detail::ItkImage, detail::ItkMask, detail::ItkImage>;
constexpr unsigned kSplineOrder = 3;

// Same first and last voxel centres as `g`, about `shrink` times fewer voxels per axis.
Geometry shrunk_grid(const Geometry& g, unsigned shrink) {
  Geometry s = g;
  for (int a = 0; a < 3; ++a) {
    const std::size_t intervals = (g.size[a] - 1 + shrink - 1) / shrink;
    s.size[a] = intervals + 1;
    s.spacing_mm[a] = static_cast<double>(g.size[a] - 1) * g.spacing_mm[a] / static_cast<double>(intervals);
  }
  return s;
}

ImageF full_resolution_field(const N4Filter& filter, const Geometry& g) {
  using Reconstructor = itk::BSplineControlPointImageFilter<N4Filter::BiasFieldControlPointLatticeType,
                                                            N4Filter::ScalarImageType>;
  auto reference = detail::ItkImage::New();
  io::detail::set_itk_geometry(g, *reference);
  auto bspline = Reconstructor::New();
  bspline->SetInput(filter.GetLogBiasFieldControlPointLattice());
  bspline->SetSplineOrder(filter.GetSplineOrder());
  bspline->SetSize(reference->GetLargestPossibleRegion().GetSize());
  bspline->SetOrigin(reference->GetOrigin());
  bspline->SetSpacing(reference->GetSpacing());
  bspline->SetDirection(reference->GetDirection());
  bspline->Update();
  ImageF field(g);
  const auto* log_field = bspline->GetOutput()->GetBufferPointer();
  for (std::size_t v = 0; v < field.voxels.size(); ++v) field.voxels[v] = std::exp(log_field[v][0]);
  return field;
}

}  // namespace

void validate(const N4Options& o, const std::string& key_prefix) {
  const auto bad = [&key_prefix](const std::string& key, const std::string& expected,
                                 const std::string& found) {
    throw Error("invalid value for " + key_prefix + key, {}, expected, found);
  };
  if (o.shrink_factor < 1) bad("shrink_factor", ">= 1", std::to_string(o.shrink_factor));
  if (o.iterations.empty()) bad("iterations", "at least one fitting level", "[]");
  for (unsigned n : o.iterations)
    if (n < 1) bad("iterations", "values >= 1", std::to_string(n));
  if (!(o.convergence >= 0) || !std::isfinite(o.convergence))
    bad("convergence", "a finite value >= 0", std::to_string(o.convergence));
  if (!(o.spline_distance_mm > 0) || !std::isfinite(o.spline_distance_mm))
    bad("spline_distance_mm", "a finite value > 0", std::to_string(o.spline_distance_mm));
}

N4Result n4_correct(const ImageF& image, const Mask* mask, const N4Options& options) {
  validate(options, "N4 option ");
  const Geometry& g = image.geometry;
  if (image.voxels.size() != g.voxel_count())
    throw Error("image buffer does not match its geometry", {}, std::to_string(g.voxel_count()) + " voxels",
                std::to_string(image.voxels.size()) + " voxels");
  for (int a = 0; a < 3; ++a)
    if (g.size[a] < 2)
      throw Error("N4 needs at least 2 voxels along every axis", {}, ">= 2", describe_geometry(g));
  if (mask != nullptr && (!same_grid(mask->geometry, g) || mask->voxels.size() != g.voxel_count()))
    throw Error("N4 mask is not on the image grid", {}, describe_geometry(g),
                describe_geometry(mask->geometry));

  N4Result result;
  const Geometry coarse = shrunk_grid(g, options.shrink_factor);
  result.shrunk_size = coarse.size;
  const ImageF small = detail::resample_linear(image, coarse);
  Mask small_mask = mask != nullptr ? detail::resample_nearest(*mask, coarse) : Mask(coarse, 1);
  for (std::size_t v = 0; v < small_mask.voxels.size(); ++v) {
    small_mask.voxels[v] = small_mask.voxels[v] != 0 && small.voxels[v] > 0 ? 1 : 0;
    result.fitted_voxels += small_mask.voxels[v];
  }
  if (result.fitted_voxels == 0)
    throw Error("N4 has nothing to fit", {}, "voxels > 0 inside the mask", "none");

  auto filter = N4Filter::New();
  filter->SetInput(io::detail::itk_from_volume(small));
  filter->SetMaskImage(io::detail::itk_from_volume(small_mask));
  filter->SetSplineOrder(kSplineOrder);
  N4Filter::ArrayType control_points;
  for (unsigned a = 0; a < 3; ++a) {
    const double extent = static_cast<double>(g.size[a] - 1) * g.spacing_mm[a];
    const double spans = std::max(1.0, std::ceil(extent / options.spline_distance_mm));
    control_points[a] = static_cast<unsigned>(spans) + kSplineOrder;
    result.control_points[a] = control_points[a];
  }
  filter->SetNumberOfControlPoints(control_points);
  filter->SetNumberOfFittingLevels(static_cast<unsigned>(options.iterations.size()));
  N4Filter::VariableSizeArrayType iterations(static_cast<unsigned>(options.iterations.size()));
  for (unsigned l = 0; l < iterations.Size(); ++l) iterations[l] = options.iterations[l];
  filter->SetMaximumNumberOfIterations(iterations);
  filter->SetConvergenceThreshold(static_cast<float>(options.convergence));
  result.iterations.assign(options.iterations.size(), 0);
  filter->AddObserver(itk::IterationEvent(), [&result, &filter](const itk::EventObject&) {
    result.iterations[filter->GetCurrentLevel()] = filter->GetElapsedIterations();
    result.convergence = filter->GetCurrentConvergenceMeasurement();
  });
  try {
    filter->Update();
  } catch (const itk::ExceptionObject& e) {
    throw Error("N4 bias-field correction failed", {}, "a successful fit", e.GetDescription());
  }

  const ImageF field = full_resolution_field(*filter, g);
  result.image = image;
  for (std::size_t v = 0; v < field.voxels.size(); ++v) result.image.voxels[v] /= field.voxels[v];
  return result;
}

}  // namespace oncotrack::preprocess
