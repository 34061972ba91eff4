#include "oncotrack/synth/tre.h"

#include <algorithm>
#include <cmath>

#include "oncotrack/core/error.h"

namespace oncotrack::synth {

TreStats tre(const std::vector<Vec3>& points, const PointMap& estimated, const PointMap& truth) {
  TreStats stats;
  double sum = 0;
  for (const Vec3& p : points) {
    const Vec3 e = estimated(p), t = truth(p);
    const double d = std::sqrt((e[0] - t[0]) * (e[0] - t[0]) + (e[1] - t[1]) * (e[1] - t[1]) +
                               (e[2] - t[2]) * (e[2] - t[2]));
    sum += d;
    stats.max_mm = std::max(stats.max_mm, d);
  }
  stats.count = points.size();
  if (stats.count > 0) stats.mean_mm = sum / static_cast<double>(stats.count);
  return stats;
}

std::vector<Vec3> brain_points(const Mask& brain, std::size_t step) {
  ONCOTRACK_ASSERT(step >= 1, "step must be >= 1");
  const Geometry& g = brain.geometry;
  std::vector<Vec3> points;
  for (std::size_t k = 0; k < g.size[2]; k += step)
    for (std::size_t j = 0; j < g.size[1]; j += step)
      for (std::size_t i = 0; i < g.size[0]; i += step)
        if (brain.at(i, j, k) != 0) points.push_back(g.index_to_lps({double(i), double(j), double(k)}));
  return points;
}

}  // namespace oncotrack::synth
