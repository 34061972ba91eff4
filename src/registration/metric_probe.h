#pragma once
// Internal to the registration module: Mattes MI of a transform on a fixed set of physical sample points,
// for before/after QC and for ranking starting rotations. Same points every call, so values are comparable.
#include <vector>

#include "itk_types.h"
#include "transform_impl.h"

namespace oncotrack::registration {

// `count` voxel centres of mask (LPS), drawn without replacement with a fixed seed (all of them if fewer).
std::vector<Vec3> sample_points(const Mask& mask, std::size_t count, unsigned seed);

class MetricProbe {
 public:
  MetricProbe(ItkImage::Pointer fixed, ItkImage::Pointer moving, const ItkMask* moving_mask,
              const std::vector<Vec3>& points, unsigned bins);
  // +infinity when too few points map inside the moving image.
  double value(const ItkAffine& affine, const ItkBSpline* bspline = nullptr) const;

 private:
  DeterministicMattes::Pointer metric(const itk::Transform<double, 3, 3>* transform) const;

  ItkImage::Pointer fixed_, moving_;
  const ItkMask* moving_mask_;
  DeterministicMattes::FixedSampledPointSetType::Pointer points_;
  unsigned bins_;
  // Affine-only evaluations reuse one initialised metric (Initialize scans both images).
  ItkAffine::Pointer affine_;
  DeterministicMattes::Pointer affine_metric_;
};

}  // namespace oncotrack::registration
