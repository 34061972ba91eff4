#pragma once
// A spatial transform in ITK's convention: it maps a point of the FIXED image's LPS space (the baseline) to
// the corresponding point of the MOVING image's LPS space (a follow-up). Resampling a follow-up into the
// baseline grid therefore evaluates the transform at every baseline voxel centre. The transform is an affine
// part (y = A x + offset) optionally followed by a B-spline displacement defined in the fixed space
// (y = A (x + d(x)) + offset: ITK's composite order, the deformable part applied first).
//
// Files: ITK transform files readable by ITK, ANTs and 3D Slicer. ".tfm"/".txt": ITK Insight text format,
// affine only (AffineTransform_double_3_3); ".h5": ITK HDF5, a CompositeTransform holding the affine and,
// when present, the BSplineTransform. read() accepts what write() writes plus any single ITK matrix-offset
// transform (Euler, Versor, Similarity, Affine, MatrixOffsetTransformBase).
//
// This header is ITK-free (the Impl holds ITK objects); include it anywhere.
#include <filesystem>
#include <memory>

#include "oncotrack/core/geometry.h"

namespace oncotrack::registration {

// The affine part factored as A = R · K · S (R rotation, K upper-triangular shear with unit diagonal, S
// positive scaling); rotation as Euler angles in degrees, ITK's Euler3D order (R = Rz · Rx · Ry).
struct AffineParameters {
  Vec3 rotation_deg{0, 0, 0};
  Vec3 translation_mm{0, 0, 0};  // ITK translation: y = A (x - center) + center + translation
  Vec3 center_mm{0, 0, 0};       // rotation centre (fixed LPS)
  Vec3 scale{1, 1, 1};
  Vec3 shear{0, 0, 0};      // K(0,1), K(0,2), K(1,2)
  bool reflection = false;  // det A < 0
};

class Transform {
 public:
  Transform();  // identity
  // y = matrix (x - center) + center + translation.
  static Transform affine(const Mat3& matrix, const Vec3& translation, const Vec3& center = {0, 0, 0});

  Vec3 apply(const Vec3& fixed_lps) const;
  // Moving → fixed. Exact for an affine transform; with a B-spline part, a fixed-point iteration that is
  // accurate to 1e-4 mm wherever the deformation is invertible (Jacobian determinant > 0).
  Vec3 apply_inverse(const Vec3& moving_lps) const;

  Mat3 matrix() const;  // affine part A
  Vec3 offset() const;  // affine part offset
  Vec3 center() const;
  AffineParameters parameters() const;
  bool deformable() const;

  // Throws Error naming the path for unsupported extensions, a deformable transform written as .tfm, or
  // unreadable/unsupported files.
  void write(const std::filesystem::path& path) const;
  static Transform read(const std::filesystem::path& path);

  struct Impl;  // defined in src/registration/transform_impl.h (ITK)
  explicit Transform(std::shared_ptr<const Impl> impl);
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

// Resampling a moving volume onto a fixed grid through t (fixed point → moving point). Voxels mapped outside
// the moving volume get `outside` (images) or 0 (masks, labels). Images: trilinear; masks and labels:
// nearest neighbour only (no new label values, ever). Single-threaded and deterministic.
ImageF resample_image(const ImageF& moving, const Geometry& fixed_grid, const Transform& t,
                      float outside = 0);
Mask resample_mask(const Mask& moving, const Geometry& fixed_grid, const Transform& t);
Labels resample_labels(const Labels& moving, const Geometry& fixed_grid, const Transform& t);

}  // namespace oncotrack::registration
