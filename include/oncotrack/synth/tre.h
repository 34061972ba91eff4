#pragma once
// Target registration error: how far an estimated fixed -> moving mapping puts evaluation points from where
// the true mapping puts them. ITK-free; used by the synth tests and bench/.
#include <cstddef>
#include <functional>
#include <vector>

#include "oncotrack/core/geometry.h"

namespace oncotrack::synth {

using PointMap = std::function<Vec3(const Vec3&)>;  // fixed LPS mm -> moving LPS mm

struct TreStats {
  double mean_mm = 0;
  double max_mm = 0;
  std::size_t count = 0;  // 0: no points (mean and max stay 0)
};

// |estimated(p) - truth(p)| over the points (fixed LPS mm).
TreStats tre(const std::vector<Vec3>& points, const PointMap& estimated, const PointMap& truth);

// LPS voxel centres of the non-zero voxels of `brain` whose i, j and k are all multiples of step (>= 1,
// asserted), in memory order: evaluation points on a brain mask.
std::vector<Vec3> brain_points(const Mask& brain, std::size_t step);

}  // namespace oncotrack::synth
