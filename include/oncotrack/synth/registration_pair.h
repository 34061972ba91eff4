#pragma once
// Synthetic registration pairs with a known true motion, for registration tests and bench/.
//
// Convention (the same as registration/transform.h): the truth T maps a FIXED-space LPS point x to the
// MOVING-space LPS point T(x) = matrix x + offset that shows the same anatomy. The anatomy is a source image
// (e.g. the Colin27 T1 brain) whose LPS frame is the fixed space, so:
//  - fixed image, voxel centre x:  source(x), times lesion.intensity_factor where x is inside the fixed
//  lesion;
//  - moving image, voxel centre y: the mean over `slice_samples` points p spread evenly across one slice
//    thickness (the spacing of the moving grid's slice axis: the index axis with the largest spacing, the
//    last one on ties; sub-sample s sits at index offset (s + 0.5) / n - 0.5 along it) of source(T^-1(p)),
//    each times the intensity factor where T^-1(p) is inside the moving lesion. slice_samples = 1 is point
//    sampling.
// Sampling is trilinear; a point whose continuous source index leaves [0, size - 1] on any axis reads 0.
// Noise: independent Gaussian noise on both images (mean 0, sigma = noise_fraction × the 99th percentile of
// the source voxels), drawn in voxel order from synth::Random streams mix_seed(seed, 1) (fixed) and
// mix_seed(seed, 2) (moving); values may go negative. Same spec and source -> identical voxels.
//
// The lesion is an ellipsoid in fixed (= source) space that brightens whatever tissue it covers. The moving
// lesion has the same centre and axes with every semi-axis times moving_semi_axes_factor: the same anatomical
// place, a changed size. Masks use voxel-centre inclusion (ellipsoid.h): fixed voxel x when x is inside the
// fixed lesion, moving voxel y when T^-1(y) is inside the moving lesion.
#include <cstdint>
#include <optional>
#include <vector>

#include "oncotrack/core/geometry.h"
#include "oncotrack/synth/ellipsoid.h"

namespace oncotrack::synth {

// y = matrix x + offset (LPS mm).
struct AffineMotion {
  Mat3 matrix = kIdentity3;
  Vec3 offset{0, 0, 0};

  Vec3 apply(const Vec3& x) const;
  // Throws InternalError (assert) when the matrix is singular.
  AffineMotion inverse() const;
  // The motion x -> next(this(x)).
  AffineMotion then(const AffineMotion& next) const;
};

// ITK's Euler3D / transform.h factoring without shear: matrix = R · S with R = Rz · Rx · Ry (right-handed
// rotations by rotation_deg[0] about LPS x, [1] about y, [2] about z; Ry is applied first) and S =
// diag(scale); y = matrix (x - centre) + centre + translation.
struct MotionParameters {
  Vec3 rotation_deg{0, 0, 0};
  Vec3 translation_mm{0, 0, 0};
  Vec3 scale{1, 1, 1};
  Vec3 centre_mm_lps{0, 0, 0};
};
AffineMotion make_motion(const MotionParameters& parameters);

// A smooth non-linear deformation of fixed space: x -> x + u(x), u(x) = amplitude_mm · exp(−|x − centre|² / 2σ²).
// One-to-one while |∇u| < 1, i.e. max|amplitude| / sigma_mm < e^½ ≈ 1.65 (asserted below 1).
struct GaussianWarp {
  Vec3 centre_mm_lps{0, 0, 0};
  Vec3 amplitude_mm{0, 0, 0};
  double sigma_mm = 20;

  Vec3 displacement(const Vec3& x) const;
};

struct LesionChange {
  Ellipsoid fixed;                       // in fixed (= source) LPS space
  double moving_semi_axes_factor = 1.5;  // moving lesion = fixed lesion with semi-axes × this
  double intensity_factor = 1.6;         // tissue inside the lesion × this
};

struct PairSpec {
  AffineMotion truth;  // fixed LPS -> moving LPS
  Geometry fixed_grid;
  Geometry moving_grid;
  unsigned slice_samples = 5;  // moving slice profile; >= 1
  double noise_fraction = 0;   // Gaussian sigma as a fraction of the source's 99th percentile
  std::uint64_t seed = 1;
  std::optional<LesionChange> lesion;
  // Applied before `truth`: the true map is truth(w(x)) with w(x) = x + Σ displacement(x).
  std::vector<GaussianWarp> warps;
};

// The true fixed -> moving map of a spec (truth ∘ warps), and its inverse (fixed-point iteration on the warps,
// converged to 1e-9 mm).
Vec3 true_map(const PairSpec& spec, const Vec3& fixed_lps);
Vec3 true_inverse_map(const PairSpec& spec, const Vec3& moving_lps);

struct RegistrationPair {
  ImageF fixed;        // on spec.fixed_grid
  ImageF moving;       // on spec.moving_grid
  AffineMotion truth;  // = spec.truth
  Mask fixed_lesion;   // on the fixed grid; all 0 without a lesion
  Mask moving_lesion;  // on the moving grid; all 0 without a lesion
};

// Throws InternalError (assert) for an empty source or grid, slice_samples = 0, a singular truth or a warp
// that is not one-to-one. With warps, moving voxels read the source at true_inverse_map(p) instead of T^-1(p).
RegistrationPair make_registration_pair(const ImageF& source, const PairSpec& spec);

// A grid of `size` voxels of `spacing_mm` with axes along LPS (identity direction) whose centre (the middle
// of the voxel-centre box) is centre_mm_lps.
Geometry centred_grid(const Vec3& centre_mm_lps, const Size3& size, const Vec3& spacing_mm);

}  // namespace oncotrack::synth
