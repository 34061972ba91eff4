#pragma once
// Connected components of a binary mask, stored as runs of voxels along index axis i (no label image, so
// memory follows the tumour, not the 512×512×200 grid).
#include <cstddef>
#include <vector>

#include "oncotrack/core/geometry.h"

namespace oncotrack::analysis {

// Voxels (i, j, k) with i_begin <= i < i_end.
struct VoxelRun {
  std::size_t i_begin = 0, i_end = 0, j = 0, k = 0;
};

struct Component {
  std::vector<VoxelRun> runs;  // in memory order (k, then j, then i)
  std::size_t voxel_count = 0;
};

// Components of the non-zero voxels of `mask`. Connectivity 6 joins voxels sharing a face, 18 also an edge,
// 26 also a corner. Components are ordered by their first voxel in memory order. Iterative union–find over
// runs: linear in the number of voxels, no recursion. Throws Error for any other connectivity or when
// mask.voxels does not hold geometry.voxel_count() values.
std::vector<Component> connected_components(const Mask& mask, int connectivity);

}  // namespace oncotrack::analysis
