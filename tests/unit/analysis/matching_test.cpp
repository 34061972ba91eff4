#include <gtest/gtest.h>

#include "oncotrack/analysis/lesions.h"
#include "oncotrack/analysis/response.h"
#include "test_masks.h"

namespace oncotrack::analysis {
namespace {

TumorMeasurement at(std::vector<Vec3> centroids_mm_lps) {
  TumorMeasurement m;
  for (const Vec3& c : centroids_mm_lps) {
    Lesion l;
    l.id = static_cast<int>(m.lesions.size() + 1);
    l.centroid_mm_lps = c;
    m.lesions.push_back(l);
  }
  return m;
}

const std::vector<std::string> kIds{"ses-1", "ses-2", "ses-3", "ses-4"};

TEST(MatchLesions, ShiftedLesionsKeepTheirTracks) {
  TumorMeasurement base = at({{0, 0, 0}, {50, 0, 0}});
  TumorMeasurement follow = at({{52, -4, 3}, {5, 3, 0}});  // order changed (volumes changed)
  const auto gone = match_lesions({&base, &follow}, {"ses-1", "ses-2"}, {});
  EXPECT_EQ(base.lesions[0].track, 1);
  EXPECT_EQ(base.lesions[1].track, 2);
  EXPECT_EQ(follow.lesions[0].track, 2);
  EXPECT_EQ(follow.lesions[1].track, 1);
  EXPECT_FALSE(follow.lesions[0].is_new || follow.lesions[1].is_new || base.lesions[0].is_new);
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_TRUE(gone[0].empty() && gone[1].empty());
}

TEST(MatchLesions, NewDisappearedAndReappearingLesions) {
  TumorMeasurement tp1 = at({{0, 0, 0}, {50, 0, 0}});
  TumorMeasurement tp2 = at({{1, 0, 0}, {0, 100, 0}});   // track 2 gone, a new lesion far away
  TumorMeasurement tp3 = at({{49, 1, 0}, {0, 101, 0}});  // track 2 back, track 1 gone
  const auto gone = match_lesions({&tp1, &tp2, &tp3}, {"ses-1", "ses-2", "ses-3"}, {});
  EXPECT_EQ(tp2.lesions[0].track, 1);
  EXPECT_FALSE(tp2.lesions[0].is_new);
  EXPECT_EQ(tp2.lesions[1].track, 3);
  EXPECT_TRUE(tp2.lesions[1].is_new);
  ASSERT_EQ(gone[1].size(), 1u);
  EXPECT_EQ(gone[1][0].track, 2);
  EXPECT_EQ(gone[1][0].last_seen_timepoint, "ses-1");

  EXPECT_EQ(tp3.lesions[0].track, 2);
  EXPECT_FALSE(tp3.lesions[0].is_new);  // it was there at baseline
  EXPECT_EQ(tp3.lesions[1].track, 3);
  EXPECT_TRUE(tp3.lesions[1].is_new);  // still a lesion that appeared after baseline
  ASSERT_EQ(gone[2].size(), 1u);
  EXPECT_EQ(gone[2][0].track, 1);
  EXPECT_EQ(gone[2][0].last_seen_timepoint, "ses-2");
}

TEST(MatchLesions, MatchDistanceIsInclusive) {
  TumorMeasurement base = at({{0, 0, 0}});
  TumorMeasurement near = at({{0, 12, 16}});  // exactly 20 mm
  TumorMeasurement far = at({{0, 12, 16.001}});
  TumorMeasurement base2 = base;
  match_lesions({&base, &near}, {"a", "b"}, {});
  EXPECT_EQ(near.lesions[0].track, 1);
  match_lesions({&base2, &far}, {"a", "b"}, {});
  EXPECT_EQ(far.lesions[0].track, 2);
  EXPECT_TRUE(far.lesions[0].is_new);
}

TEST(MatchLesions, GreedyByIncreasingDistance) {
  TumorMeasurement base = at({{0, 0, 0}, {10, 0, 0}});
  TumorMeasurement follow = at({{6, 0, 0}, {16, 0, 0}});
  match_lesions({&base, &follow}, {"a", "b"}, {});
  EXPECT_EQ(follow.lesions[0].track, 2);  // 4 mm to track 2 is the closest pair overall
  EXPECT_EQ(follow.lesions[1].track, 1);  // the remaining track, 16 mm away
}

TEST(MatchLesions, UnmeasuredTimepointsAreSkipped) {
  TumorMeasurement tp1 = at({{0, 0, 0}});
  TumorMeasurement tp3 = at({{15, 0, 0}});
  TumorMeasurement tp4 = at({{28, 0, 0}});  // 13 mm from where track 1 was last seen, 28 mm from baseline
  const auto gone = match_lesions({&tp1, nullptr, &tp3, &tp4}, kIds, {});
  EXPECT_EQ(tp3.lesions[0].track, 1);
  EXPECT_EQ(tp4.lesions[0].track, 1);
  for (const auto& g : gone) EXPECT_TRUE(g.empty());
}

// Boxes [i0,i1) x [j0,j1) x [k0,k1) painted into a mask on grid g.
Mask boxes(const Geometry& g, const std::vector<std::array<std::size_t, 6>>& list) {
  Mask m(g, 0);
  for (const auto& b : list)
    for (std::size_t k = b[4]; k < b[5]; ++k)
      for (std::size_t j = b[2]; j < b[3]; ++j)
        for (std::size_t i = b[0]; i < b[1]; ++i) m.at(i, j, k) = 1;
  return m;
}

const Geometry kGrid = test::make_grid({80, 80, 10});

TEST(MatchLesions, CoalescedLesionsContinueTheLargestAncestorAndAreReportedMerged) {
  // Two targets 30 mm apart grow into one lesion whose centroid lies nearer a speck than either of them:
  // centroid matching alone would hand the big lesion to the speck.
  TumorMeasurement base = measure_tumor(
      boxes(kGrid, {{10, 30, 10, 30, 2, 8}, {44, 60, 10, 30, 2, 8}, {34, 36, 40, 42, 4, 5}}), {});
  TumorMeasurement follow = measure_tumor(boxes(kGrid, {{8, 62, 8, 44, 2, 8}}), {});
  ASSERT_EQ(base.lesions.size(), 3u);
  ASSERT_EQ(follow.lesions.size(), 1u);
  const auto gone = match_lesions({&base, &follow}, {"ses-1", "ses-2"}, {});
  EXPECT_EQ(follow.lesions[0].track, base.lesions[0].track);  // the 20x20 box is the largest ancestor
  ASSERT_EQ(gone[1].size(), 2u);
  for (const auto& d : gone[1]) EXPECT_EQ(d.merged_into_track, follow.lesions[0].track) << d.track;

  // RECIST: the coalesced lesion's diameter counts once, the other target counts 0.
  const auto r = assess_response({{"ses-1", &base}, {"ses-2", &follow}}, {});
  const CriterionResult& recist = r[0].criteria[0];
  EXPECT_DOUBLE_EQ(*recist.value, follow.lesions[0].longest_diameter_mm);
  EXPECT_EQ(recist.category, "PD");  // 20x20 + 16x20 boxes (SLD 28.3 + 25.6) -> one 54x36 box (SLD 64.9)
}

TEST(MatchLesions, LargestAncestorWinsOverLargestOverlap) {
  // A large lesion grows over a small neighbour whose whole area it covers, while it keeps only part of its
  // own: overlap favours the small neighbour, identity belongs to the large lesion.
  TumorMeasurement base = measure_tumor(boxes(kGrid, {{10, 40, 10, 40, 2, 8}, {45, 55, 10, 20, 2, 8}}), {});
  TumorMeasurement follow = measure_tumor(boxes(kGrid, {{32, 60, 8, 22, 2, 8}}), {});
  ASSERT_EQ(follow.lesions.size(), 1u);
  const auto gone = match_lesions({&base, &follow}, {"ses-1", "ses-2"}, {});
  EXPECT_EQ(follow.lesions[0].track, 1);
  ASSERT_EQ(gone[1].size(), 1u);
  EXPECT_EQ(gone[1][0].track, 2);
  EXPECT_EQ(gone[1][0].merged_into_track, 1);
}

TEST(MatchLesions, SplitFragmentsShareTheTrackAndTheirDiametersAdd) {
  TumorMeasurement base = measure_tumor(boxes(kGrid, {{10, 50, 10, 30, 2, 8}}), {});
  TumorMeasurement follow = measure_tumor(boxes(kGrid, {{10, 25, 10, 30, 2, 8}, {35, 50, 10, 30, 2, 8}}), {});
  const auto gone = match_lesions({&base, &follow}, {"ses-1", "ses-2"}, {});
  ASSERT_EQ(follow.lesions.size(), 2u);
  EXPECT_EQ(follow.lesions[0].track, 1);
  EXPECT_EQ(follow.lesions[1].track, 1);
  EXPECT_FALSE(follow.lesions[0].is_new || follow.lesions[1].is_new);
  EXPECT_TRUE(gone[1].empty());
  const auto r = assess_response({{"ses-1", &base}, {"ses-2", &follow}}, {});
  EXPECT_DOUBLE_EQ(*r[0].criteria[0].value,
                   follow.lesions[0].longest_diameter_mm + follow.lesions[1].longest_diameter_mm);
}

TEST(MatchLesions, OverlapIsFoundAcrossDifferentGrids) {
  // The follow-up mask is on a 0.5 mm grid shifted by half a baseline voxel: same world, other voxels.
  TumorMeasurement base = measure_tumor(boxes(kGrid, {{10, 20, 10, 20, 2, 8}, {40, 50, 10, 20, 2, 8}}), {});
  const Geometry fine = test::make_grid({160, 160, 10}, {0.5, 0.5, 1}, kIdentity3, {-0.25, -0.25, 0});
  // Only the second lesion remains, shrunk to 6 mm; a new lesion sits 16 mm from where the first one was.
  TumorMeasurement follow = measure_tumor(boxes(fine, {{84, 96, 24, 36, 3, 7}, {24, 36, 56, 68, 3, 7}}), {});
  const auto gone = match_lesions({&base, &follow}, {"ses-1", "ses-2"}, AnalysisConfig{26, 0, 10, 5, 10, 10});
  EXPECT_EQ(follow.lesions[0].track, 2);
  EXPECT_EQ(follow.lesions[1].track, 3);
  EXPECT_TRUE(follow.lesions[1].is_new);
  ASSERT_EQ(gone[1].size(), 1u);
  EXPECT_EQ(gone[1][0].track, 1);
  EXPECT_EQ(gone[1][0].merged_into_track, 0);
}

}  // namespace
}  // namespace oncotrack::analysis
