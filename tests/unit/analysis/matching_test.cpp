#include <gtest/gtest.h>

#include "oncotrack/analysis/lesions.h"

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

}  // namespace
}  // namespace oncotrack::analysis
