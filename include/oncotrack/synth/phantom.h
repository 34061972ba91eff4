#pragma once
// Head-like T1 post-contrast (T1c) image for the synthetic cohort.
//
// Anatomy lives in a head frame (mm, axes parallel to LPS at yaw 0) placed in the world by a HeadPose, so a
// follow-up can show the head slightly moved while the scan grid stays put. Nested ellipsoids centred on the
// head give, from outside in (semi-axes L, P, S in mm, intensities before bias and noise): air 0 beyond the
// scalp (40, 44, 46); scalp/fat 620; skull 90 inside (37, 41, 43); CSF 150 inside (33, 37, 39); grey matter
// 380 inside the brain (31.5, 35.5, 37.5); white matter 500 inside a (22, 26, 27) ellipsoid with a folded
// boundary; two lateral ventricles (CSF). Lesions (given in LPS) are enhancing (880) with a necrotic core
// (230) where the normalised radius is <= 0.5 for lesions whose smallest semi-axis is >= 6 mm, and a slightly
// darker (x 0.85) oedema rim in brain tissue out to normalised radius sqrt(1.8). Voxel membership uses voxel
// centres, exactly as the ground-truth mask does. A smooth multiplicative bias field (exponential of a random
// quadratic polynomial, up to about +-25 %) and Rician noise (sigma 14) follow; values are rounded to
// integers (as scanners store them, and it keeps the float32 files small) and stored as float. Deterministic:
// the same arguments give the same voxels.
#include <cstdint>
#include <vector>

#include "oncotrack/core/geometry.h"
#include "oncotrack/synth/ellipsoid.h"

namespace oncotrack::synth {

// x_lps = centre_mm_lps + Rz(yaw_deg) x_head, Rz a right-handed rotation about LPS superior.
struct HeadPose {
  Vec3 centre_mm_lps{0, 0, 0};
  double yaw_deg = 0;

  Vec3 to_lps(const Vec3& head_mm) const;
  Vec3 to_head(const Vec3& lps_mm) const;
  Mat3 rotation() const;
};

constexpr double kRicianSigma = 14.0;

ImageF render_head_t1c(const Geometry& geometry, const HeadPose& pose,
                       const std::vector<Ellipsoid>& lesions_lps, std::uint64_t seed);

}  // namespace oncotrack::synth
