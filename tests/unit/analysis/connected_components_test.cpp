#include "oncotrack/analysis/connected_components.h"

#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <random>

#include "oncotrack/core/error.h"
#include "unit/analysis/test_masks.h"

namespace oncotrack::analysis {
namespace {

using test::make_grid;

// Reference labelling: breadth-first flood fill seeded in memory order (labels 1..n in order of first voxel).
std::vector<int> flood_fill_labels(const Mask& mask, int connectivity) {
  const Size3 n = mask.geometry.size;
  std::vector<int> label(mask.voxels.size(), 0);
  int next = 0;
  for (std::size_t seed = 0; seed < mask.voxels.size(); ++seed) {
    if (!mask.voxels[seed] || label[seed]) continue;
    label[seed] = ++next;
    std::deque<std::array<long, 3>> queue{
        {long(seed % n[0]), long(seed / n[0] % n[1]), long(seed / n[0] / n[1])}};
    while (!queue.empty()) {
      const auto v = queue.front();
      queue.pop_front();
      for (long dk = -1; dk <= 1; ++dk)
        for (long dj = -1; dj <= 1; ++dj)
          for (long di = -1; di <= 1; ++di) {
            const long differing = (di != 0) + (dj != 0) + (dk != 0);
            if (differing == 0 || (connectivity == 6 && differing > 1) ||
                (connectivity == 18 && differing > 2))
              continue;
            const long i = v[0] + di, j = v[1] + dj, k = v[2] + dk;
            if (i < 0 || j < 0 || k < 0 || i >= long(n[0]) || j >= long(n[1]) || k >= long(n[2])) continue;
            const std::size_t at = mask.geometry.linear(std::size_t(i), std::size_t(j), std::size_t(k));
            if (!mask.voxels[at] || label[at]) continue;
            label[at] = next;
            queue.push_back({i, j, k});
          }
    }
  }
  return label;
}

std::vector<int> component_labels(const Mask& mask, const std::vector<Component>& components) {
  std::vector<int> label(mask.voxels.size(), 0);
  for (std::size_t c = 0; c < components.size(); ++c)
    for (const VoxelRun& run : components[c].runs)
      for (std::size_t i = run.i_begin; i < run.i_end; ++i)
        label[mask.geometry.linear(i, run.j, run.k)] = static_cast<int>(c + 1);
  return label;
}

struct PairCase {
  Size3 a, b;
  int components_6, components_18, components_26;
};

class TwoVoxels : public ::testing::TestWithParam<PairCase> {};

TEST_P(TwoVoxels, AreJoinedOnlyByTheNeighbourhoodsThatIncludeTheirContact) {
  const PairCase& c = GetParam();
  Mask mask(make_grid({4, 4, 4}));
  mask.at(c.a[0], c.a[1], c.a[2]) = 1;
  mask.at(c.b[0], c.b[1], c.b[2]) = 1;
  EXPECT_EQ(connected_components(mask, 6).size(), std::size_t(c.components_6));
  EXPECT_EQ(connected_components(mask, 18).size(), std::size_t(c.components_18));
  EXPECT_EQ(connected_components(mask, 26).size(), std::size_t(c.components_26));
}

INSTANTIATE_TEST_SUITE_P(
    FaceEdgeCorner, TwoVoxels,
    ::testing::Values(PairCase{{1, 1, 1}, {2, 1, 1}, 1, 1, 1}, PairCase{{1, 1, 1}, {1, 2, 1}, 1, 1, 1},
                      PairCase{{1, 1, 1}, {1, 1, 2}, 1, 1, 1},  // faces
                      PairCase{{1, 1, 1}, {2, 2, 1}, 2, 1, 1}, PairCase{{2, 1, 1}, {1, 2, 1}, 2, 1, 1},
                      PairCase{{1, 1, 1}, {2, 1, 2}, 2, 1, 1}, PairCase{{1, 1, 1}, {1, 2, 2}, 2, 1, 1},
                      PairCase{{1, 2, 1}, {1, 1, 2}, 2, 1, 1},  // edges
                      PairCase{{1, 1, 1}, {2, 2, 2}, 2, 2, 1}, PairCase{{2, 1, 1}, {1, 2, 2}, 2, 2, 1},
                      PairCase{{1, 2, 1}, {2, 1, 2}, 2, 2, 1},
                      PairCase{{2, 2, 1}, {1, 1, 2}, 2, 2, 1},  // corners
                      PairCase{{1, 1, 1}, {3, 1, 1}, 2, 2, 2},
                      PairCase{{0, 0, 0}, {2, 2, 2}, 2, 2, 2}));  // apart

TEST(ConnectedComponents, RandomMasksEqualAFloodFillForEveryConnectivity) {
  std::mt19937 rng(7);
  for (const double density : {0.15, 0.3, 0.5}) {
    Mask mask(make_grid({13, 11, 9}));
    std::bernoulli_distribution on(density);
    for (auto& v : mask.voxels) v = on(rng) ? 1 : 0;
    for (const int connectivity : {6, 18, 26}) {
      const std::vector<Component> components = connected_components(mask, connectivity);
      EXPECT_EQ(component_labels(mask, components), flood_fill_labels(mask, connectivity))
          << "density " << density << ", connectivity " << connectivity;
      for (const Component& c : components) {
        std::size_t voxels = 0;
        for (const VoxelRun& run : c.runs) voxels += run.i_end - run.i_begin;
        EXPECT_EQ(c.voxel_count, voxels);
      }
    }
  }
}

TEST(ConnectedComponents, RunsAreMaximalAndInMemoryOrder) {
  Mask mask(make_grid({8, 3, 2}));
  for (std::size_t i = 0; i < 8; ++i) mask.at(i, 1, 0) = i != 4;  // two runs split at i = 4
  mask.at(4, 2, 0) = 1;                                           // joins them diagonally (18/26)
  const std::vector<Component> components = connected_components(mask, 26);
  ASSERT_EQ(components.size(), 1u);
  ASSERT_EQ(components[0].runs.size(), 3u);
  EXPECT_EQ(components[0].runs[0].i_begin, 0u);
  EXPECT_EQ(components[0].runs[0].i_end, 4u);
  EXPECT_EQ(components[0].runs[1].i_begin, 5u);
  EXPECT_EQ(components[0].runs[1].i_end, 8u);
  EXPECT_EQ(components[0].runs[2].j, 2u);
  EXPECT_EQ(components[0].voxel_count, 8u);
  EXPECT_EQ(connected_components(mask, 6).size(), 3u);
}

TEST(ConnectedComponents, EmptyMaskHasNoComponent) {
  EXPECT_TRUE(connected_components(Mask(make_grid({5, 5, 5})), 26).empty());
}

TEST(ConnectedComponents, RejectsOtherConnectivitiesAndMismatchedBuffers) {
  Mask mask(make_grid({2, 2, 2}));
  EXPECT_THROW(connected_components(mask, 8), Error);
  mask.voxels.pop_back();
  EXPECT_THROW(connected_components(mask, 26), Error);
}

}  // namespace
}  // namespace oncotrack::analysis
