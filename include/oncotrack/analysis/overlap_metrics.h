#pragma once
// Agreement of a predicted tumour mask with a reference mask on the same grid: Dice, the 95th-percentile
// symmetric Hausdorff distance and the volume error — the figures `oncotrack evaluate` and the report's
// reference comparison give.
//
// HD95 (mm): the surfaces are the mask voxels with a 6-neighbour outside the mask (or on the grid's border);
// for every surface voxel of each mask the distance to the nearest surface voxel of the other is taken
// (voxel centres, physical spacing, exact Euclidean distance transform); HD95 is the 95th percentile (nearest
// rank) of both directions pooled. It is undefined (nullopt) when either mask is empty.
#include <optional>

#include "oncotrack/core/geometry.h"

namespace oncotrack::analysis {

struct OverlapMetrics {
  double dice = 0;                // 2|A∩B| / (|A|+|B|); 1 when both are empty
  std::optional<double> hd95_mm;  // nullopt when either mask is empty
  double predicted_ml = 0, reference_ml = 0;
  double volume_error_ml = 0;              // predicted − reference
  std::optional<double> volume_error_pct;  // relative to the reference; nullopt when the reference is empty
};

// Throws Error when the two masks are not on the same grid (size and spacing).
OverlapMetrics compare_masks(const Mask& predicted, const Mask& reference);

}  // namespace oncotrack::analysis
