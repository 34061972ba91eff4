#include "oncotrack/preprocess/resample.h"

#include <itkIdentityTransform.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "itk_mask.h"
#include "oncotrack/core/error.h"
#include "step_ops.h"

namespace oncotrack::preprocess {

namespace {

constexpr double kSizeRoundingTolerance = 1e-6;  // 100.0000001 voxels is 100, not 101

template <class TImage, class TInterpolator>
typename TImage::Pointer resample_itk(const TImage& image, const Geometry& grid) {
  auto filter = itk::ResampleImageFilter<TImage, TImage>::New();
  filter->SetInput(&image);
  filter->SetTransform(itk::IdentityTransform<double, 3>::New());
  filter->SetInterpolator(TInterpolator::New());
  filter->SetDefaultPixelValue(0);
  auto reference = TImage::New();
  io::detail::set_itk_geometry(grid, *reference);
  filter->SetOutputParametersFromImage(reference);
  filter->Update();
  return filter->GetOutput();
}

}  // namespace

SpatialRecord plan_resample(const Geometry& g, const Vec3& spacing_mm) {
  for (double s : spacing_mm)
    if (!(s > 0) || !std::isfinite(s))
      throw Error("invalid working spacing", {}, "three positive finite values in mm", std::to_string(s));
  if (g.voxel_count() == 0) throw Error("cannot resample an empty grid", {}, "a non-empty grid", "0 voxels");
  SpatialRecord r;
  r.step = SpatialStep::resample;
  r.input = g;
  r.output = g;
  Vec3 shift{0, 0, 0};  // index-axis offset of the new first voxel centre, mm
  for (int a = 0; a < 3; ++a) {
    const double extent = static_cast<double>(g.size[a]) * g.spacing_mm[a];
    const double n = std::max(1.0, std::ceil(extent / spacing_mm[a] - kSizeRoundingTolerance));
    r.output.size[a] = static_cast<std::size_t>(n);
    r.output.spacing_mm[a] = spacing_mm[a];
    shift[a] = (static_cast<double>(g.size[a] - 1) * g.spacing_mm[a] - (n - 1) * spacing_mm[a]) / 2;
  }
  for (int row = 0; row < 3; ++row)
    for (int a = 0; a < 3; ++a) r.output.origin_mm_lps[row] += g.direction[row][a] * shift[a];
  return r;
}

namespace detail {

ImageF resample_linear(const ImageF& image, const Geometry& grid) {
  const auto in = io::detail::itk_from_volume(image);
  const auto out = resample_itk<ItkImage, itk::LinearInterpolateImageFunction<ItkImage, double>>(*in, grid);
  ImageF result = io::detail::volume_from_itk(*out);
  result.geometry = grid;
  return result;
}

Mask resample_nearest(const Mask& mask, const Geometry& grid) {
  const auto in = io::detail::itk_from_volume(mask);
  const auto out =
      resample_itk<ItkMask, itk::NearestNeighborInterpolateImageFunction<ItkMask, double>>(*in, grid);
  Mask result = mask_from_itk(*out);
  result.geometry = grid;
  return result;
}

}  // namespace detail

}  // namespace oncotrack::preprocess
