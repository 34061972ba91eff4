#include "initialize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace oncotrack::registration {

namespace {

Vec3 centre(const ImageF& image, const Mask& body, bool moments) {
  const Geometry& g = image.geometry;
  if (!moments)
    return g.index_to_lps(
        {(double(g.size[0]) - 1) / 2, (double(g.size[1]) - 1) / 2, (double(g.size[2]) - 1) / 2});
  // Weights are intensities above the body's minimum, so normalised (z-scored) images work too.
  float low = std::numeric_limits<float>::infinity();
  for (std::size_t v = 0; v < body.voxels.size(); ++v)
    if (body.voxels[v]) low = std::min(low, image.voxels[v]);
  double w = 0, ci = 0, cj = 0, ck = 0;
  std::size_t v = 0;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i, ++v) {
        if (!body.voxels[v]) continue;
        const double x = double(image.voxels[v]) - double(low);
        w += x;
        ci += x * double(i);
        cj += x * double(j);
        ck += x * double(k);
      }
  if (w <= 0) return centre(image, body, false);
  return g.index_to_lps({ci / w, cj / w, ck / w});
}

ItkAffine::MatrixType rotation(int axis, double degrees) {
  const double a = degrees * 3.14159265358979323846 / 180, c = std::cos(a), s = std::sin(a);
  ItkAffine::MatrixType m;
  m.SetIdentity();
  const int p = (axis + 1) % 3, q = (axis + 2) % 3;
  m(p, p) = c;
  m(p, q) = -s;
  m(q, p) = s;
  m(q, q) = c;
  return m;
}

ItkAffine::Pointer copy_of(const ItkAffine& t) {
  auto out = ItkAffine::New();
  out->SetFixedParameters(t.GetFixedParameters());
  out->SetParameters(t.GetParameters());
  return out;
}

}  // namespace

ItkAffine::Pointer centred_start(const ImageF& fixed, const Mask& fixed_body, const ImageF& moving,
                                 const Mask& moving_body, bool moments) {
  const Vec3 cf = centre(fixed, fixed_body, moments), cm = centre(moving, moving_body, moments);
  auto t = ItkAffine::New();
  ItkAffine::InputPointType c;
  ItkAffine::OutputVectorType shift;
  for (int d = 0; d < 3; ++d) {
    c[d] = cf[d];
    shift[d] = cm[d] - cf[d];
  }
  t->SetCenter(c);
  t->SetTranslation(shift);
  return t;
}

ItkAffine::Pointer search_rotation(const StageContext& coarse, const MetricProbe& coarse_probe,
                                   const ItkAffine& start) {
  constexpr std::size_t kRefined = 3;
  constexpr double kRotationMargin = 0.1;  // relative to the unrotated start's MI
  struct Candidate {
    ItkAffine::Pointer t;
    double value;
  };
  std::vector<Candidate> all;
  all.push_back({copy_of(start), coarse_probe.value(start)});
  for (int axis = 0; axis < 3; ++axis)
    for (int step = 1; step < 12; ++step) {
      auto t = copy_of(start);
      t->SetMatrix(rotation(axis, 30.0 * step) * start.GetMatrix());
      all.push_back({t, coarse_probe.value(*t)});
    }
  // Identity first, then the best others (stable order: ties keep the candidate order); all are refined,
  // because an unrefined coarse value can rank the right rotation below the unrotated start.
  std::stable_sort(all.begin() + 1, all.end(),
                   [](const Candidate& a, const Candidate& b) { return a.value < b.value; });
  all.resize(std::min(all.size(), kRefined + 1));
  // A rotated start must beat the refined unrotated one clearly: near-symmetric anatomy (a head flipped by
  // 180 degrees) can score almost as well, and small motion is far more common than large.
  for (auto& c : all) {
    if (!std::isfinite(c.value)) continue;
    run_rigid_stage(coarse, *c.t);
    c.value = coarse_probe.value(*c.t);
  }
  Candidate best = all[0];
  for (std::size_t i = 1; i < all.size(); ++i)
    if (all[i].value < best.value - kRotationMargin * std::abs(all[0].value)) best = all[i];
  return std::isfinite(best.value) ? best.t : copy_of(start);
}

}  // namespace oncotrack::registration
