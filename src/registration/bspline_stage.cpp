#include <itkBSplineTransformInitializer.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "stage_runner.h"

namespace oncotrack::registration {

StageReport run_bspline_stage(const StageContext& ctx, const ItkAffine& affine, double grid_mm,
                              ItkBSpline::Pointer& bspline) {
  bspline = ItkBSpline::New();
  auto initializer = itk::BSplineTransformInitializer<ItkBSpline, ItkImage>::New();
  ItkBSpline::MeshSizeType mesh;
  const ItkImage::Pointer& fixed = ctx.levels.back().fixed;
  const auto& size = fixed->GetLargestPossibleRegion().GetSize();
  const auto& spacing = fixed->GetSpacing();
  for (unsigned d = 0; d < 3; ++d)
    mesh[d] = std::max<unsigned>(1, static_cast<unsigned>(std::ceil(size[d] * spacing[d] / grid_mm)));
  initializer->SetTransform(bspline);
  initializer->SetImage(fixed);
  initializer->SetTransformDomainMeshSize(mesh);
  initializer->InitializeTransform();
  bspline->SetIdentity();
  return detail::run_levels(ctx, "bspline", bspline.GetPointer(), &affine);
}

void jacobian_range(const ItkBSpline& bspline, const Mask& mask, double& min, double& max) {
  min = std::numeric_limits<double>::infinity();
  max = -min;
  const Geometry& g = mask.geometry;
  ItkBSpline::JacobianPositionType j;
  for (std::size_t k = 0; k < g.size[2]; k += 2)
    for (std::size_t y = 0; y < g.size[1]; y += 2)
      for (std::size_t i = 0; i < g.size[0]; i += 2) {
        if (!mask.at(i, y, k)) continue;
        const Vec3 p = g.index_to_lps({double(i), double(y), double(k)});
        ItkBSpline::InputPointType q;
        for (unsigned d = 0; d < 3; ++d) q[d] = p[d];
        bspline.ComputeJacobianWithRespectToPosition(q, j);
        const double det = j(0, 0) * (j(1, 1) * j(2, 2) - j(1, 2) * j(2, 1)) -
                           j(0, 1) * (j(1, 0) * j(2, 2) - j(1, 2) * j(2, 0)) +
                           j(0, 2) * (j(1, 0) * j(2, 1) - j(1, 1) * j(2, 0));
        min = std::min(min, det);
        max = std::max(max, det);
      }
  if (min > max) min = max = 1;
}

}  // namespace oncotrack::registration
