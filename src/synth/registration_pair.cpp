#include "oncotrack/synth/registration_pair.h"

#include <algorithm>
#include <cmath>

#include "oncotrack/core/error.h"
#include "oncotrack/synth/random.h"

namespace oncotrack::synth {

namespace {
Mat3 inverse3(const Mat3& m) {
  const double det = determinant(m);
  ONCOTRACK_ASSERT(std::abs(det) > 1e-12, "matrix must be invertible");
  Mat3 inv{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      // Adjugate: cofactor of m[c][r].
      const int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
      inv[r][c] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det;
    }
  return inv;
}

Vec3 add(const Vec3& a, const Vec3& b) {
  return {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
}

// Trilinear reads of the source at LPS points; 0 outside the voxel-centre box.
class SourceSampler {
 public:
  explicit SourceSampler(const ImageF& source) : source_(source) {
    const Geometry& g = source.geometry;
    Mat3 m{};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) m[r][c] = g.direction[r][c] * g.spacing_mm[c];
    to_index_ = inverse3(m);
  }

  double at(const Vec3& lps) const {
    const Geometry& g = source_.geometry;
    const Vec3 d{lps[0] - g.origin_mm_lps[0], lps[1] - g.origin_mm_lps[1], lps[2] - g.origin_mm_lps[2]};
    const Vec3 x = apply(to_index_, d);
    std::array<std::size_t, 3> lo{}, hi{};
    Vec3 f{};
    for (int c = 0; c < 3; ++c) {
      const double last = static_cast<double>(g.size[c] - 1);
      if (!(x[c] >= 0 && x[c] <= last)) return 0;  // also rejects NaN
      lo[c] = std::min(static_cast<std::size_t>(x[c]), g.size[c] - 1);
      hi[c] = std::min(lo[c] + 1, g.size[c] - 1);
      f[c] = x[c] - static_cast<double>(lo[c]);
    }
    double value = 0;
    for (int corner = 0; corner < 8; ++corner) {
      double w = 1;
      std::array<std::size_t, 3> ijk{};
      for (int c = 0; c < 3; ++c) {
        const bool upper = (corner >> c) & 1;
        w *= upper ? f[c] : 1 - f[c];
        ijk[c] = upper ? hi[c] : lo[c];
      }
      if (w != 0) value += w * static_cast<double>(source_.at(ijk[0], ijk[1], ijk[2]));
    }
    return value;
  }

 private:
  const ImageF& source_;
  Mat3 to_index_{};
};

double percentile99(const ImageF& image) {
  std::vector<float> values = image.voxels;
  const auto rank = static_cast<std::size_t>(0.99 * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
  return static_cast<double>(values[rank]);
}

void add_noise(ImageF& image, double sigma, std::uint64_t seed) {
  if (sigma <= 0) return;
  Random random(seed);
  for (float& v : image.voxels) v = static_cast<float>(static_cast<double>(v) + sigma * random.normal());
}

int slice_axis(const Geometry& g) {
  int axis = 0;
  for (int c = 1; c < 3; ++c)
    if (g.spacing_mm[c] >= g.spacing_mm[axis]) axis = c;
  return axis;
}
}  // namespace

Vec3 AffineMotion::apply(const Vec3& x) const {
  return add(synth::apply(matrix, x), offset);
}

AffineMotion AffineMotion::inverse() const {
  const Mat3 inv = inverse3(matrix);
  const Vec3 o = synth::apply(inv, offset);
  return {inv, {-o[0], -o[1], -o[2]}};
}

AffineMotion AffineMotion::then(const AffineMotion& next) const {
  return {multiply(next.matrix, matrix), add(synth::apply(next.matrix, offset), next.offset)};
}

Vec3 GaussianWarp::displacement(const Vec3& x) const {
  double r2 = 0;
  for (int c = 0; c < 3; ++c) r2 += (x[c] - centre_mm_lps[c]) * (x[c] - centre_mm_lps[c]);
  const double g = std::exp(-r2 / (2 * sigma_mm * sigma_mm));
  return {amplitude_mm[0] * g, amplitude_mm[1] * g, amplitude_mm[2] * g};
}

namespace {
Vec3 warp(const std::vector<GaussianWarp>& warps, const Vec3& x) {
  Vec3 y = x;
  for (const auto& w : warps) y = add(y, w.displacement(x));
  return y;
}
}  // namespace

Vec3 true_map(const PairSpec& spec, const Vec3& fixed_lps) {
  return spec.truth.apply(warp(spec.warps, fixed_lps));
}

Vec3 true_inverse_map(const PairSpec& spec, const Vec3& moving_lps) {
  const Vec3 z = spec.truth.inverse().apply(moving_lps);
  if (spec.warps.empty()) return z;
  // x = z − u(x) contracts because |∇u| < 1.
  Vec3 x = z;
  for (int it = 0; it < 200; ++it) {
    const Vec3 u = add(warp(spec.warps, x), {-x[0], -x[1], -x[2]});
    const Vec3 next{z[0] - u[0], z[1] - u[1], z[2] - u[2]};
    const double step = std::abs(next[0] - x[0]) + std::abs(next[1] - x[1]) + std::abs(next[2] - x[2]);
    x = next;
    if (step < 1e-9) break;
  }
  return x;
}

AffineMotion make_motion(const MotionParameters& p) {
  const Mat3 rotation = multiply(
      rotation_about({0, 0, 1}, p.rotation_deg[2]),
      multiply(rotation_about({1, 0, 0}, p.rotation_deg[0]), rotation_about({0, 1, 0}, p.rotation_deg[1])));
  AffineMotion m;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m.matrix[r][c] = rotation[r][c] * p.scale[c];
  const Vec3 ac = synth::apply(m.matrix, p.centre_mm_lps);
  for (int r = 0; r < 3; ++r) m.offset[r] = p.centre_mm_lps[r] + p.translation_mm[r] - ac[r];
  return m;
}

Geometry centred_grid(const Vec3& centre_mm_lps, const Size3& size, const Vec3& spacing_mm) {
  Geometry g;
  g.size = size;
  g.spacing_mm = spacing_mm;
  for (int c = 0; c < 3; ++c)
    g.origin_mm_lps[c] = centre_mm_lps[c] - 0.5 * static_cast<double>(size[c] - 1) * spacing_mm[c];
  return g;
}

RegistrationPair make_registration_pair(const ImageF& source, const PairSpec& spec) {
  ONCOTRACK_ASSERT(source.geometry.voxel_count() > 0 && source.voxels.size() == source.geometry.voxel_count(),
                   "source image must not be empty");
  ONCOTRACK_ASSERT(spec.fixed_grid.voxel_count() > 0 && spec.moving_grid.voxel_count() > 0,
                   "grids must not be empty");
  ONCOTRACK_ASSERT(spec.slice_samples >= 1, "slice_samples must be >= 1");
  const SourceSampler sampler(source);
  double lipschitz = 0;
  for (const auto& w : spec.warps)
    lipschitz += std::max({std::abs(w.amplitude_mm[0]), std::abs(w.amplitude_mm[1]), std::abs(w.amplitude_mm[2])}) /
                 w.sigma_mm;
  ONCOTRACK_ASSERT(lipschitz < 1, "warps must be one-to-one (sum of max|amplitude| / sigma below 1)");
  const auto to_anatomy = [&](const Vec3& y) { return true_inverse_map(spec, y); };  // moving -> fixed LPS
  const double sigma = spec.noise_fraction > 0 ? spec.noise_fraction * percentile99(source) : 0;

  std::optional<Ellipsoid> moving_lesion;
  if (spec.lesion) {
    moving_lesion = spec.lesion->fixed;
    for (double& a : moving_lesion->semi_axes_mm) a *= spec.lesion->moving_semi_axes_factor;
  }
  const double factor = spec.lesion ? spec.lesion->intensity_factor : 1.0;

  RegistrationPair pair;
  pair.truth = spec.truth;

  const Geometry& fg = spec.fixed_grid;
  pair.fixed = ImageF(fg, 0.f);
  pair.fixed_lesion = Mask(fg, 0);
  for (std::size_t k = 0; k < fg.size[2]; ++k)
    for (std::size_t j = 0; j < fg.size[1]; ++j)
      for (std::size_t i = 0; i < fg.size[0]; ++i) {
        const Vec3 x = fg.index_to_lps({double(i), double(j), double(k)});
        double v = sampler.at(x);
        if (spec.lesion && spec.lesion->fixed.contains(x)) {
          v *= factor;
          pair.fixed_lesion.at(i, j, k) = 1;
        }
        pair.fixed.at(i, j, k) = static_cast<float>(v);
      }

  const Geometry& mg = spec.moving_grid;
  pair.moving = ImageF(mg, 0.f);
  pair.moving_lesion = Mask(mg, 0);
  const int axis = slice_axis(mg);
  const unsigned n = spec.slice_samples;
  for (std::size_t k = 0; k < mg.size[2]; ++k)
    for (std::size_t j = 0; j < mg.size[1]; ++j)
      for (std::size_t i = 0; i < mg.size[0]; ++i) {
        double sum = 0;
        for (unsigned s = 0; s < n; ++s) {
          Vec3 ijk{double(i), double(j), double(k)};
          ijk[axis] += (s + 0.5) / n - 0.5;
          const Vec3 q = to_anatomy(mg.index_to_lps(ijk));
          const double v = sampler.at(q);
          sum += moving_lesion && moving_lesion->contains(q) ? v * factor : v;
        }
        pair.moving.at(i, j, k) = static_cast<float>(sum / n);
        if (moving_lesion &&
            moving_lesion->contains(to_anatomy(mg.index_to_lps({double(i), double(j), double(k)}))))
          pair.moving_lesion.at(i, j, k) = 1;
      }

  add_noise(pair.fixed, sigma, mix_seed(spec.seed, 1));
  add_noise(pair.moving, sigma, mix_seed(spec.seed, 2));
  return pair;
}

}  // namespace oncotrack::synth
