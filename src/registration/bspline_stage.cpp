#include <itkBSplineTransformInitializer.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "stage_runner.h"

namespace oncotrack::registration {

StageReport run_bspline_stage(const StageContext& all, const ItkAffine& affine, double grid_mm,
                              ItkBSpline::Pointer& bspline) {
  // Only levels with at least 4 voxels per control-point spacing: on coarser ones the control points outnumber
  // what the image can determine and the spline folds. (ITK v4 evaluates dense parameter Jacobians: the cost
  // grows with samples × parameters.)
  StageContext ctx = all;
  ctx.levels.clear();
  for (const Level& level : all.levels) {
    const auto& sp = level.fixed->GetSpacing();
    if (std::max({sp[0], sp[1], sp[2]}) > grid_mm / 4) continue;
    ctx.levels.push_back(level);
  }
  if (ctx.levels.empty()) ctx.levels.push_back(all.levels.back());
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
  return detail::run_levels(ctx, "bspline", bspline.GetPointer(), &affine, /*unit_scales=*/true);
}

void jacobian_range(const ItkBSpline& bspline, const Mask& mask, double& min, double& max) {
  min = std::numeric_limits<double>::infinity();
  max = -min;
  const Geometry& g = mask.geometry;
  // ITK 5.2 does not implement ComputeJacobianWithRespectToPosition for B-splines: central differences
  // (h = 0.25 mm, far below the control-point spacing, where the cubic spline is smooth).
  constexpr double h = 0.25;
  double j[3][3];
  for (std::size_t k = 0; k < g.size[2]; k += 2)
    for (std::size_t y = 0; y < g.size[1]; y += 2)
      for (std::size_t i = 0; i < g.size[0]; i += 2) {
        if (!mask.at(i, y, k)) continue;
        const Vec3 p = g.index_to_lps({double(i), double(y), double(k)});
        for (unsigned c = 0; c < 3; ++c) {
          ItkBSpline::InputPointType plus, minus;
          for (unsigned d = 0; d < 3; ++d) plus[d] = minus[d] = p[d];
          plus[c] += h;
          minus[c] -= h;
          const auto a = bspline.TransformPoint(plus), b = bspline.TransformPoint(minus);
          for (unsigned r = 0; r < 3; ++r) j[r][c] = (a[r] - b[r]) / (2 * h);
        }
        const double det = j[0][0] * (j[1][1] * j[2][2] - j[1][2] * j[2][1]) -
                           j[0][1] * (j[1][0] * j[2][2] - j[1][2] * j[2][0]) +
                           j[0][2] * (j[1][0] * j[2][1] - j[1][1] * j[2][0]);
        min = std::min(min, det);
        max = std::max(max, det);
      }
  if (min > max) min = max = 1;
}

}  // namespace oncotrack::registration
