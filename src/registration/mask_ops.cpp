#include "mask_ops.h"

#include <cmath>
#include <vector>

#include "oncotrack/core/error.h"

namespace oncotrack::registration {

Mask dilate(const Mask& mask, double radius_mm) {
  Mask out = mask;
  if (radius_mm <= 0) return out;
  const Geometry& g = mask.geometry;
  const auto& s = g.size;
  long r[3];
  for (int d = 0; d < 3; ++d) r[d] = static_cast<long>(std::floor(radius_mm / g.spacing_mm[d]));
  // Offsets of the ellipsoidal structuring element (voxel-centre distances, spacing applied).
  std::vector<std::array<long, 3>> ball;
  for (long dk = -r[2]; dk <= r[2]; ++dk)
    for (long dj = -r[1]; dj <= r[1]; ++dj)
      for (long di = -r[0]; di <= r[0]; ++di) {
        const double x = di * g.spacing_mm[0], y = dj * g.spacing_mm[1], z = dk * g.spacing_mm[2];
        if (x * x + y * y + z * z <= radius_mm * radius_mm) ball.push_back({di, dj, dk});
      }
  auto set = [&](long i, long j, long k) {
    return i >= 0 && j >= 0 && k >= 0 && i < long(s[0]) && j < long(s[1]) && k < long(s[2]) &&
           mask.at(std::size_t(i), std::size_t(j), std::size_t(k));
  };
  for (long k = 0; k < long(s[2]); ++k)
    for (long j = 0; j < long(s[1]); ++j)
      for (long i = 0; i < long(s[0]); ++i) {
        if (!set(i, j, k)) continue;
        // Only voxels on the mask's surface can reach outside it.
        if (set(i - 1, j, k) && set(i + 1, j, k) && set(i, j - 1, k) && set(i, j + 1, k) &&
            set(i, j, k - 1) && set(i, j, k + 1))
          continue;
        for (const auto& o : ball) {
          const long a = i + o[0], b = j + o[1], c = k + o[2];
          if (a >= 0 && b >= 0 && c >= 0 && a < long(s[0]) && b < long(s[1]) && c < long(s[2]))
            out.at(std::size_t(a), std::size_t(b), std::size_t(c)) = 1;
        }
      }
  return out;
}

Mask subtract(const Mask& a, const Mask& b) {
  ONCOTRACK_ASSERT(a.voxels.size() == b.voxels.size(), "subtract needs masks on one grid");
  Mask out = a;
  for (std::size_t v = 0; v < out.voxels.size(); ++v) out.voxels[v] = a.voxels[v] && !b.voxels[v];
  return out;
}

Mask invert(const Mask& mask) {
  Mask out = mask;
  for (auto& v : out.voxels) v = !v;
  return out;
}

}  // namespace oncotrack::registration
