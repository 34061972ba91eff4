#pragma once
// Internal to the registration module: one optimisation stage (rigid, affine or B-spline) over the
// multi-resolution schedule. Each stage lives in its own translation unit (ITK registration templates are
// slow to compile).
#include <vector>

#include "itk_types.h"
#include "oncotrack/registration/register.h"
#include "transform_impl.h"

namespace oncotrack::registration {

struct Level {
  itk::Vector<unsigned, 3> shrink;  // per dimension, so anisotropic scans are shrunk towards isotropy
  double smoothing_mm = 0;
  double sampling_fraction = 0;  // of the level's virtual voxels (points outside the fixed mask are dropped)
  double step_mm = 1;            // largest physical shift of a first step
  // Smoothed by smoothing_mm, then shrunk by shrink (the moving image too: it is smooth enough); built once
  // and shared by every stage. The fixed one is the level's virtual domain.
  ItkImage::Pointer fixed, moving;
};

struct StageContext {
  ItkMask::Pointer fixed_mask, moving_mask;  // moving_mask may be null
  std::vector<Level> levels;
  unsigned bins = 32;
  unsigned max_iterations = 200;
  unsigned seed = 1;
};

// The schedule for `config.levels` on these images: shrink factors per dimension, samples per level (halved
// at each coarser level), and the smoothed images.
std::vector<Level> make_levels(const RegistrationConfig& config, const ItkImage::Pointer& fixed,
                               const ItkImage::Pointer& moving, std::size_t mask_voxels);

// Each stage starts from `transform` and writes its result back into it.
StageReport run_rigid_stage(const StageContext& ctx, ItkAffine& transform);
StageReport run_affine_stage(const StageContext& ctx, ItkAffine& transform);
// Optimises a B-spline applied before `affine` (control points every grid_mm); returns it.
StageReport run_bspline_stage(const StageContext& ctx, const ItkAffine& affine, double grid_mm,
                              ItkBSpline::Pointer& bspline);

// Range of the Jacobian determinant of x -> x + d(x) over the voxel centres of mask (every other voxel).
void jacobian_range(const ItkBSpline& bspline, const Mask& mask, double& min, double& max);

}  // namespace oncotrack::registration
