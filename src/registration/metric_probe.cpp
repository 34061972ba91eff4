#include "metric_probe.h"

#include <itkCompositeTransform.h>

#include <cmath>
#include <limits>
#include <random>

namespace oncotrack::registration {

std::vector<Vec3> sample_points(const Mask& mask, std::size_t count, unsigned seed) {
  std::vector<std::size_t> inside;
  for (std::size_t v = 0; v < mask.voxels.size(); ++v)
    if (mask.voxels[v]) inside.push_back(v);
  std::mt19937_64 rng(seed);
  const std::size_t n = std::min(count, inside.size());
  for (std::size_t i = 0; i < n; ++i) {  // partial Fisher-Yates with an explicit, portable draw
    const std::size_t j = i + static_cast<std::size_t>(rng() % (inside.size() - i));
    std::swap(inside[i], inside[j]);
  }
  const auto& s = mask.geometry.size;
  std::vector<Vec3> points;
  points.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t v = inside[i];
    points.push_back(
        mask.geometry.index_to_lps({double(v % s[0]), double((v / s[0]) % s[1]), double(v / (s[0] * s[1]))}));
  }
  return points;
}

MetricProbe::MetricProbe(ItkImage::Pointer fixed, ItkImage::Pointer moving, const ItkMask* moving_mask,
                         const std::vector<Vec3>& points, unsigned bins)
    : fixed_(std::move(fixed)),
      moving_(std::move(moving)),
      moving_mask_(moving_mask),
      bins_(bins) {
  points_ = DeterministicMattes::FixedSampledPointSetType::New();
  points_->Initialize();
  for (std::size_t i = 0; i < points.size(); ++i) {
    DeterministicMattes::FixedSampledPointSetType::PointType p;
    for (unsigned d = 0; d < 3; ++d) p[d] = points[i][d];
    points_->SetPoint(i, p);
  }
  affine_ = ItkAffine::New();
  affine_metric_ = metric(affine_);
}

DeterministicMattes::Pointer MetricProbe::metric(const itk::Transform<double, 3, 3>* transform) const {
  auto metric = make_metric(bins_, nullptr, moving_mask_);
  metric->SetFixedImage(fixed_);
  metric->SetMovingImage(moving_);
  metric->SetFixedSampledPointSet(points_);
  metric->SetUseSampledPointSet(true);
  metric->SetMovingTransform(const_cast<itk::Transform<double, 3, 3>*>(transform));
  try {
    metric->Initialize();
  } catch (const itk::ExceptionObject&) {
    return nullptr;
  }
  return metric;
}

double MetricProbe::value(const ItkAffine& affine, const ItkBSpline* bspline) const {
  DeterministicMattes::Pointer m;
  if (bspline) {
    auto composite = itk::CompositeTransform<double, 3>::New();
    composite->AddTransform(const_cast<ItkAffine*>(&affine));
    composite->AddTransform(const_cast<ItkBSpline*>(bspline));
    m = metric(composite);
  } else {
    affine_->SetFixedParameters(affine.GetFixedParameters());
    affine_->SetParameters(affine.GetParameters());
    m = affine_metric_;
  }
  if (!m) return std::numeric_limits<double>::infinity();
  try {
    const double v = m->GetValue();
    return std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
  } catch (const itk::ExceptionObject&) {
    return std::numeric_limits<double>::infinity();
  }
}

}  // namespace oncotrack::registration
