#include "oncotrack/analysis/connected_components.h"

#include <limits>
#include <string>

#include "oncotrack/core/error.h"

namespace oncotrack::analysis {

namespace {

// Union–find whose root is always the smallest run index, so roots come in memory order.
class RunForest {
 public:
  std::size_t add() {
    parent_.push_back(parent_.size());
    return parent_.size() - 1;
  }
  std::size_t root(std::size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void unite(std::size_t a, std::size_t b) {
    a = root(a);
    b = root(b);
    if (a < b) parent_[b] = a;
    if (b < a) parent_[a] = b;
  }

 private:
  std::vector<std::size_t> parent_;
};

struct RowSpan {
  std::size_t begin = 0, end = 0;  // indices into the run list
};

// Joins runs of two rows that are neighbours. diagonal_i: runs that only meet at i ± 1 are joined too.
void join_rows(const std::vector<VoxelRun>& runs, RowSpan a, RowSpan b, bool diagonal_i, RunForest& forest) {
  const std::size_t reach = diagonal_i ? 1 : 0;
  std::size_t ia = a.begin, ib = b.begin;
  while (ia < a.end && ib < b.end) {
    const VoxelRun& ra = runs[ia];
    const VoxelRun& rb = runs[ib];
    if (ra.i_begin < rb.i_end + reach && rb.i_begin < ra.i_end + reach) forest.unite(ia, ib);
    // The run ending first cannot meet a later run of the other row: runs in a row are apart.
    if (ra.i_end < rb.i_end) {
      ++ia;
    } else {
      ++ib;
    }
  }
}

}  // namespace

std::vector<Component> connected_components(const Mask& mask, int connectivity) {
  if (connectivity != 6 && connectivity != 18 && connectivity != 26)
    throw Error("unsupported lesion connectivity", {}, "6, 18 or 26", std::to_string(connectivity));
  const Geometry& g = mask.geometry;
  if (mask.voxels.size() != g.voxel_count())
    throw Error("mask voxel buffer does not match its geometry", {},
                std::to_string(g.voxel_count()) + " voxels", std::to_string(mask.voxels.size()) + " voxels");
  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  const bool edges = connectivity >= 18, corners = connectivity == 26;

  std::vector<VoxelRun> runs;
  std::vector<RowSpan> rows(ny * nz);
  RunForest forest;
  for (std::size_t k = 0; k < nz; ++k) {
    for (std::size_t j = 0; j < ny; ++j) {
      const std::uint8_t* row = mask.voxels.data() + g.linear(0, j, k);
      RowSpan& span = rows[j + ny * k];
      span.begin = runs.size();
      for (std::size_t i = 0; i < nx;) {
        if (row[i] == 0) {
          ++i;
          continue;
        }
        const std::size_t start = i;
        while (i < nx && row[i] != 0) ++i;
        runs.push_back({start, i, j, k});
        forest.add();
      }
      span.end = runs.size();
      if (span.begin == span.end) continue;
      // Face neighbours along j and k; diagonals across i are edge neighbours.
      if (j > 0) join_rows(runs, span, rows[j - 1 + ny * k], edges, forest);
      if (k > 0) join_rows(runs, span, rows[j + ny * (k - 1)], edges, forest);
      if (!edges || k == 0) continue;
      // Rows differing in both j and k: edge neighbours at the same i, corner neighbours across i.
      if (j > 0) join_rows(runs, span, rows[j - 1 + ny * (k - 1)], corners, forest);
      if (j + 1 < ny) join_rows(runs, span, rows[j + 1 + ny * (k - 1)], corners, forest);
    }
  }

  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> component_of_root(runs.size(), kNone);
  std::vector<Component> components;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    std::size_t& c = component_of_root[forest.root(r)];
    if (c == kNone) {
      c = components.size();
      components.emplace_back();
    }
    components[c].runs.push_back(runs[r]);
    components[c].voxel_count += runs[r].i_end - runs[r].i_begin;
  }
  return components;
}

}  // namespace oncotrack::analysis
