#include "oncotrack/synth/phantom.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "oncotrack/synth/random.h"

namespace oncotrack::synth {

namespace {
constexpr Vec3 kScalpMm{40, 44, 46};
constexpr Vec3 kSkullOuterMm{37, 41, 43};
constexpr Vec3 kSkullInnerMm{33, 37, 39};
constexpr Vec3 kBrainMm{31.5, 35.5, 37.5};
constexpr Vec3 kWhiteMatterMm{22, 26, 27};
constexpr Vec3 kVentricleMm{4, 13, 7};
constexpr Vec3 kVentricleCentreMm{7, 2, 8};  // mirrored in L-R

constexpr float kScalp = 620, kSkull = 90, kCsf = 150, kGrey = 380, kWhite = 500;
constexpr float kEnhancing = 880, kNecrotic = 230, kOedemaFactor = 0.85f;
constexpr double kNecroticRadius2 = 0.25, kOedemaRadius2 = 1.8, kNecroticMinSemiAxisMm = 6;

double rho2(const Vec3& q, const Vec3& semi, const Vec3& centre = {0, 0, 0}) {
  double s = 0;
  for (int c = 0; c < 3; ++c) s += (q[c] - centre[c]) * (q[c] - centre[c]) / (semi[c] * semi[c]);
  return s;
}

// Background anatomy at head-frame point q; second = true inside brain tissue (where oedema can show).
std::pair<float, bool> anatomy(const Vec3& q) {
  if (rho2(q, kScalpMm) > 1) return {0.f, false};
  if (rho2(q, kSkullOuterMm) > 1) return {kScalp, false};
  if (rho2(q, kSkullInnerMm) > 1) return {kSkull, false};
  if (rho2(q, kBrainMm) > 1) return {kCsf, false};
  for (const double side : {-1.0, 1.0}) {
    const Vec3 centre{side * kVentricleCentreMm[0], kVentricleCentreMm[1], kVentricleCentreMm[2]};
    if (rho2(q, kVentricleMm, centre) <= 1) return {kCsf, false};
  }
  // Folding the white-matter boundary gives gyrus-like grey/white texture.
  const double fold = 1 + 0.15 * std::sin(0.45 * q[0]) * std::sin(0.4 * q[1]) * std::sin(0.5 * q[2]);
  return {rho2(q, kWhiteMatterMm) * fold <= 1 ? kWhite : kGrey, true};
}

float with_lesions(float background, bool in_brain, const Vec3& p, const std::vector<Ellipsoid>& lesions) {
  float value = background;
  for (const Ellipsoid& e : lesions) {
    const double r2 = e.radius2(p);
    if (r2 <= 1) {
      const double smallest = std::min({e.semi_axes_mm[0], e.semi_axes_mm[1], e.semi_axes_mm[2]});
      return smallest >= kNecroticMinSemiAxisMm && r2 <= kNecroticRadius2 ? kNecrotic : kEnhancing;
    }
    if (in_brain && r2 <= kOedemaRadius2) value = background * kOedemaFactor;
  }
  return value;
}

// Smooth multiplicative field: exp of a quadratic polynomial in coordinates scaled to about [-1, 1].
struct BiasField {
  std::array<double, 9> coefficients{};
  Vec3 centre_mm{0, 0, 0};

  double at(const Vec3& p) const {
    const double x = (p[0] - centre_mm[0]) / 60, y = (p[1] - centre_mm[1]) / 60,
                 z = (p[2] - centre_mm[2]) / 60;
    const std::array<double, 9> basis{x, y, z, x * y, x * z, y * z, x * x, y * y, z * z};
    double s = 0;
    for (std::size_t b = 0; b < basis.size(); ++b) s += coefficients[b] * basis[b];
    return std::exp(s);
  }
};
}  // namespace

Mat3 HeadPose::rotation() const {
  return rotation_about({0, 0, 1}, yaw_deg);
}

Vec3 HeadPose::to_lps(const Vec3& q) const {
  const Vec3 r = apply(rotation(), q);
  return {r[0] + centre_mm_lps[0], r[1] + centre_mm_lps[1], r[2] + centre_mm_lps[2]};
}

Vec3 HeadPose::to_head(const Vec3& p) const {
  return apply_transposed(rotation(),
                          {p[0] - centre_mm_lps[0], p[1] - centre_mm_lps[1], p[2] - centre_mm_lps[2]});
}

ImageF render_head_t1c(const Geometry& geometry, const HeadPose& pose,
                       const std::vector<Ellipsoid>& lesions_lps, std::uint64_t seed) {
  Random random(seed);
  BiasField bias;
  bias.centre_mm =
      geometry.index_to_lps({0.5 * double(geometry.size[0] - 1), 0.5 * double(geometry.size[1] - 1),
                             0.5 * double(geometry.size[2] - 1)});
  for (std::size_t b = 0; b < bias.coefficients.size(); ++b)
    bias.coefficients[b] = b < 3 ? random.uniform(-0.12, 0.12) : random.uniform(-0.05, 0.05);

  ImageF image(geometry, 0.f);
  for (std::size_t k = 0; k < geometry.size[2]; ++k)
    for (std::size_t j = 0; j < geometry.size[1]; ++j)
      for (std::size_t i = 0; i < geometry.size[0]; ++i) {
        const Vec3 p = geometry.index_to_lps({double(i), double(j), double(k)});
        const auto [background, in_brain] = anatomy(pose.to_head(p));
        const double clean =
            static_cast<double>(with_lesions(background, in_brain, p, lesions_lps)) * bias.at(p);
        const double real = clean + kRicianSigma * random.normal();
        const double imaginary = kRicianSigma * random.normal();
        image.at(i, j, k) = static_cast<float>(std::round(std::sqrt(real * real + imaginary * imaginary)));
      }
  return image;
}

}  // namespace oncotrack::synth
