#include "oncotrack/analysis/response.h"

#include <gtest/gtest.h>

#include <optional>

namespace oncotrack::analysis {
namespace {

Lesion lesion(int track, double longest_mm, double volume_ml = 1, bool is_new = false) {
  Lesion l;
  l.track = track;
  l.longest_diameter_mm = longest_mm;
  l.volume_ml = volume_ml;
  l.is_new = is_new;
  l.measurable = longest_mm >= 10;
  return l;
}

TumorMeasurement tumor(std::vector<Lesion> lesions) {
  TumorMeasurement m;
  for (std::size_t n = 0; n < lesions.size(); ++n) {
    lesions[n].id = static_cast<int>(n + 1);
    m.total_volume_ml += lesions[n].volume_ml;
    m.sum_longest_diameter_mm += lesions[n].longest_diameter_mm;
  }
  m.lesions = std::move(lesions);
  return m;
}

// Timepoints ses-1 (baseline), ses-2, ...; nullopt = no mask.
std::vector<FollowUpResponse> assess(const std::vector<std::optional<TumorMeasurement>>& tumors,
                                     const AnalysisConfig& config = {}) {
  std::vector<TimepointMeasurement> tps;
  for (std::size_t t = 0; t < tumors.size(); ++t)
    tps.push_back({"ses-" + std::to_string(t + 1), tumors[t] ? &*tumors[t] : nullptr});
  return assess_response(tps, config);
}

const CriterionResult& get(const FollowUpResponse& r, const std::string& criterion) {
  for (const CriterionResult& c : r.criteria)
    if (c.criterion == criterion) return c;
  throw std::runtime_error("no criterion " + criterion);
}

// One target lesion (track 1) with these longest diameters over time (volume fixed at 1 ml).
std::vector<FollowUpResponse> sld_series(const std::vector<double>& sld_mm) {
  std::vector<std::optional<TumorMeasurement>> tumors;
  for (const double d : sld_mm) tumors.push_back(tumor({lesion(1, d)}));
  return assess(tumors);
}
std::string recist(const std::vector<double>& sld_mm) {
  return get(sld_series(sld_mm).back(), "recist_1_1").category;
}

// One lesion (track 1, 20 mm) with these volumes over time.
std::string volume_category(const std::vector<double>& volume_ml, const std::string& criterion) {
  std::vector<std::optional<TumorMeasurement>> tumors;
  for (const double v : volume_ml) tumors.push_back(tumor({lesion(1, 20, v)}));
  return get(assess(tumors).back(), criterion).category;
}

TEST(Recist, PartialResponseFromMinus30PercentVsBaseline) {
  EXPECT_EQ(recist({100, 70}), "PR");
  EXPECT_EQ(recist({100, 70.01}), "SD");
  EXPECT_EQ(recist({100, 69.99}), "PR");
}

TEST(Recist, ProgressionNeedsPlus20PercentAndPlus5Millimetres) {
  EXPECT_EQ(recist({50, 60}), "PD");     // +20 %, +10 mm
  EXPECT_EQ(recist({50, 59.99}), "SD");  // +19.98 %
  EXPECT_EQ(recist({50, 60.01}), "PD");
  EXPECT_EQ(recist({20, 24.99}), "SD");  // +24.95 % but +4.99 mm
  EXPECT_EQ(recist({20, 25}), "PD");     // +25 %, exactly +5 mm
  EXPECT_EQ(recist({20, 25.01}), "PD");
  EXPECT_EQ(recist({25, 30}), "PD");       // exactly +20 % and exactly +5 mm
  EXPECT_EQ(recist({100, 119.99}), "SD");  // +19.99 mm but +19.99 %
  EXPECT_EQ(recist({100, 120}), "PD");
}

// In doubles these changes come out as 19.999999999999996 %, 4.999999999999998 mm, -30.000000000000004 %,
// 72.99999999999997 % and 39.99999999999999 %: the epsilon keeps "exactly at the threshold" inclusive.
TEST(Response, ThresholdsAreInclusiveDespiteRounding) {
  EXPECT_EQ(recist({25.1, 30.12}), "PD");
  EXPECT_EQ(recist({11.4, 16.4}), "PD");
  EXPECT_EQ(recist({10, 7}), "PR");
  EXPECT_EQ(volume_category({0.4, 0.692}, "volumetric"), "PD");
  EXPECT_EQ(volume_category({1.0, 1.4}, "rano_2_0_volumetric"), "PD");
}

TEST(Recist, RuleStatesTheNumbers) {
  const auto r = sld_series({55, 50, 62});
  EXPECT_EQ(
      get(r[0], "recist_1_1").rule,
      "SD: SLD 50.0 mm is -9.1 % vs baseline 55.0 mm at ses-1 (PR at <= -30 %) and -9.1 % (-5.0 mm) vs nadir "
      "55.0 mm at ses-1 (PD at >= +20 % and +5 mm)");
  const CriterionResult& pd = get(r[1], "recist_1_1");
  EXPECT_EQ(pd.category, "PD");
  EXPECT_EQ(pd.rule,
            "PD: SLD 62.0 mm is +24.0 % (+12.0 mm) vs nadir 50.0 mm at ses-2; thresholds +20 % and +5 mm");
  EXPECT_EQ(pd.measure, "sum_longest_diameter_mm");
  EXPECT_EQ(pd.pd_min_increase_mm, 5.0);
  EXPECT_EQ(get(sld_series({100, 70}).back(), "recist_1_1").rule,
            "PR: SLD 70.0 mm is -30.0 % vs baseline 100.0 mm at ses-1; threshold -30 %");
  // Just short of a threshold prints enough digits not to look like it.
  EXPECT_NE(get(sld_series({100, 70.01}).back(), "recist_1_1").rule.find("-29.99 %"), std::string::npos);
  EXPECT_NE(get(sld_series({20, 24.99}).back(), "recist_1_1").rule.find("(+4.99 mm)"), std::string::npos);
}

TEST(Recist, NadirIsTheSmallestEarlierValue) {
  const auto r = sld_series({100, 60, 70, 73});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(get(r[0], "recist_1_1").category, "PR");
  const CriterionResult& tp3 = get(r[1], "recist_1_1");
  EXPECT_EQ(tp3.category, "PR");  // -30 % vs baseline; +16.7 % vs nadir is not PD
  EXPECT_EQ(tp3.nadir->timepoint, "ses-2");
  EXPECT_NEAR(*tp3.change_vs_nadir_pct, 100.0 * 10 / 60, 1e-9);
  const CriterionResult& tp4 = get(r[2], "recist_1_1");
  EXPECT_EQ(tp4.category, "PD");
  EXPECT_EQ(tp4.nadir->timepoint, "ses-2");
  EXPECT_DOUBLE_EQ(tp4.nadir->value, 60);
  EXPECT_NEAR(*tp4.change_vs_nadir_pct, 100.0 * 13 / 60, 1e-9);
  EXPECT_NEAR(*tp4.change_vs_nadir_abs, 13, 1e-9);
  EXPECT_NEAR(*tp4.change_vs_baseline_pct, -27, 1e-9);

  const auto sd = sld_series({100, 60, 71, 73});
  EXPECT_EQ(get(sd[1], "recist_1_1").category, "SD");  // -29 % vs baseline, +18.3 % vs nadir 60
  EXPECT_EQ(get(sd[2], "recist_1_1").category, "PD");
}

TEST(Recist, NadirSkipsUnmeasuredTimepointsAndExcludesTheCurrentOne) {
  const auto r =
      assess({tumor({lesion(1, 100)}), std::nullopt, tumor({lesion(1, 80)}), tumor({lesion(1, 97)})});
  EXPECT_EQ(get(r[0], "recist_1_1").category, "NE");
  EXPECT_EQ(get(r[0], "recist_1_1").rule, "NE: no tumour measurement at ses-2 (no mask)");
  EXPECT_EQ(get(r[1], "recist_1_1").category, "SD");
  const CriterionResult& last = get(r[2], "recist_1_1");
  EXPECT_EQ(last.category, "PD");  // +21.25 %, +17 mm vs 80 at ses-3
  EXPECT_EQ(last.nadir->timepoint, "ses-3");
}

TEST(Recist, TargetsAreTheFiveLongestMeasurableBaselineLesions) {
  std::vector<Lesion> base;
  for (int n = 0; n < 7; ++n) base.push_back(lesion(n + 1, 11 + 10 * n));  // 11, 21, ..., 71 mm
  base.push_back(lesion(8, 9, 50));                                        // not measurable
  std::vector<Lesion> follow = base;
  follow[0].longest_diameter_mm = 200;  // non-targets may grow without changing the SLD
  follow[7].longest_diameter_mm = 90;
  const auto r = assess({tumor(base), tumor(follow)});
  const CriterionResult& c = get(r[0], "recist_1_1");
  EXPECT_EQ(c.target_tracks, (std::vector<int>{7, 6, 5, 4, 3}));
  EXPECT_DOUBLE_EQ(*c.value, 71 + 61 + 51 + 41 + 31);
  EXPECT_EQ(c.category, "SD");
}

TEST(Recist, DisappearedTargetCountsZero) {
  const auto r = assess({tumor({lesion(1, 40), lesion(2, 30)}), tumor({lesion(1, 40)})});
  const CriterionResult& c = get(r[0], "recist_1_1");
  EXPECT_DOUBLE_EQ(*c.value, 40);
  EXPECT_EQ(c.category, "PR");  // -42.9 %
}

TEST(Recist, CompleteResponseNeedsEveryTargetGoneAndNoNewLesion) {
  const TumorMeasurement base = tumor({lesion(1, 30, 4), lesion(2, 20, 2)});
  auto r = assess({base, tumor({})});
  for (const char* name : {"recist_1_1", "volumetric", "rano_2_0_volumetric"})
    EXPECT_EQ(get(r[0], name).category, "CR");
  EXPECT_EQ(get(r[0], "recist_1_1").rule, "CR: SLD 0.0 mm (every target lesion gone) and no new lesion");

  r = assess({base, tumor({lesion(3, 5, 0.1, true)})});  // an equivocal new lesion blocks CR, but is not PD
  EXPECT_EQ(get(r[0], "recist_1_1").category, "PR");
  EXPECT_TRUE(get(r[0], "recist_1_1").new_lesion_ids.empty());
  EXPECT_EQ(get(r[0], "volumetric").category, "PR");

  // Targets gone but a small non-target lesion persists: RECIST overall PR, not CR.
  r = assess({tumor({lesion(1, 30, 4), lesion(2, 6, 0.1)}), tumor({lesion(2, 6, 0.1)})});
  EXPECT_EQ(get(r[0], "recist_1_1").category, "PR");
  EXPECT_EQ(get(r[0], "recist_1_1").rule,
            "PR: SLD 0.0 mm (every target lesion gone) but 1 non-target lesion(s) persist, so not CR");
}

TEST(Response, UnequivocalNewLesionIsProgressionUnderEveryCriterion) {
  const TumorMeasurement base = tumor({lesion(1, 50, 10)});
  auto r =
      assess({base, tumor({lesion(1, 20, 2), lesion(2, 10, 0.5, true)})});  // shrinking, new lesion of 10 mm
  for (const char* name : {"recist_1_1", "volumetric", "rano_2_0_volumetric"}) {
    const CriterionResult& c = get(r[0], name);
    EXPECT_EQ(c.category, "PD") << name;
    EXPECT_EQ(c.new_lesion_ids, std::vector<int>{2});
    EXPECT_NE(c.rule.find("unequivocal new lesion (id 2 longest diameter 10.0 mm"), std::string::npos)
        << c.rule;
  }
  r = assess({base, tumor({lesion(1, 20, 2), lesion(2, 9.99, 0.5, true)})});
  EXPECT_EQ(get(r[0], "recist_1_1").category, "PR");
  EXPECT_EQ(get(r[0], "volumetric").category, "PR");
}

TEST(Volumetric, Minus65AndPlus73Percent) {
  EXPECT_EQ(volume_category({100, 35}, "volumetric"), "PR");
  EXPECT_EQ(volume_category({100, 35.01}, "volumetric"), "SD");
  EXPECT_EQ(volume_category({100, 34.99}, "volumetric"), "PR");
  EXPECT_EQ(volume_category({10, 17.3}, "volumetric"), "PD");
  EXPECT_EQ(volume_category({10, 17.29}, "volumetric"), "SD");
  EXPECT_EQ(volume_category({10, 17.31}, "volumetric"), "PD");
  EXPECT_EQ(volume_category({10, 5, 8.65}, "volumetric"), "PD");  // +73 % vs nadir 5 at ses-2
}

TEST(Rano, Minus65AndPlus40PercentVsNadir) {
  EXPECT_EQ(volume_category({100, 35}, "rano_2_0_volumetric"), "PR");
  EXPECT_EQ(volume_category({100, 35.01}, "rano_2_0_volumetric"), "SD");
  EXPECT_EQ(volume_category({100, 34.99}, "rano_2_0_volumetric"), "PR");
  EXPECT_EQ(volume_category({10, 14}, "rano_2_0_volumetric"), "PD");
  EXPECT_EQ(volume_category({10, 13.99}, "rano_2_0_volumetric"), "SD");
  EXPECT_EQ(volume_category({10, 14.01}, "rano_2_0_volumetric"), "PD");
  EXPECT_EQ(volume_category({10, 14}, "volumetric"), "SD");
  EXPECT_EQ(volume_category({10, 5, 7}, "rano_2_0_volumetric"), "PD");  // +40 % vs nadir, -30 % vs baseline
}

TEST(Volumetric, RegrowthFromZeroIsProgression) {
  const auto r = assess({tumor({lesion(1, 30, 5)}), tumor({}), tumor({lesion(1, 6, 0.2)})});
  const CriterionResult& v = get(r[1], "volumetric");
  EXPECT_EQ(v.category, "PD");
  EXPECT_FALSE(v.change_vs_nadir_pct.has_value());
  EXPECT_EQ(get(r[1], "recist_1_1").category, "PD");  // +6 mm from a nadir of 0
  const auto small = assess({tumor({lesion(1, 30, 5)}), tumor({}), tumor({lesion(1, 4, 0.1)})});
  EXPECT_EQ(get(small[1], "recist_1_1").category, "PR");  // +4 mm < 5 mm; -86.7 % vs baseline
}

TEST(Response, NotEvaluableWithReasons) {
  auto r = assess({tumor({lesion(1, 30)}), std::nullopt});
  for (const CriterionResult& c : r[0].criteria) {
    EXPECT_EQ(c.category, "NE");
    EXPECT_EQ(c.rule, "NE: no tumour measurement at ses-2 (no mask)");
    EXPECT_FALSE(c.value.has_value());
  }
  r = assess({std::nullopt, tumor({lesion(1, 30)})});
  for (const CriterionResult& c : r[0].criteria)
    EXPECT_EQ(c.rule, "NE: no tumour measurement at baseline ses-1 (no mask)");

  r = assess({tumor({lesion(1, 9, 3)}), tumor({lesion(1, 9, 1)})});  // nothing measurable at baseline
  EXPECT_EQ(get(r[0], "recist_1_1").category, "NE");
  EXPECT_EQ(get(r[0], "recist_1_1").rule,
            "NE: no measurable lesion at baseline ses-1 (longest diameter >= 10.0 mm)");
  EXPECT_TRUE(get(r[0], "recist_1_1").target_tracks.empty());
  EXPECT_EQ(get(r[0], "volumetric").category, "PR");  // -66.7 %

  r = assess({tumor({}), tumor({lesion(1, 20, 1, true)})});  // no tumour at baseline
  EXPECT_EQ(get(r[0], "volumetric").category, "NE");
  EXPECT_EQ(get(r[0], "volumetric").rule, "NE: total volume is 0 ml at baseline ses-1");
  EXPECT_EQ(get(r[0], "rano_2_0_volumetric").category, "NE");
  EXPECT_EQ(get(r[0], "recist_1_1").category, "NE");
  EXPECT_TRUE(assess({tumor({})}).empty());
}

TEST(Response, ChangesVsBaselineAndNadir) {
  const auto r = assess({tumor({lesion(1, 40, 8)}), tumor({lesion(1, 20, 2)}), tumor({lesion(1, 30, 4)})});
  ASSERT_EQ(r.size(), 2u);
  const FollowUpResponse& last = r[1];
  EXPECT_EQ(last.timepoint, "ses-3");
  EXPECT_NEAR(*last.vs_baseline.volume_change_pct, -50, 1e-9);
  EXPECT_NEAR(*last.vs_baseline.sld_change_pct, -25, 1e-9);
  EXPECT_EQ(last.vs_baseline.volume_reference->timepoint, "ses-1");
  EXPECT_NEAR(*last.vs_nadir.volume_change_pct, 100, 1e-9);
  EXPECT_NEAR(*last.vs_nadir.sld_change_pct, 50, 1e-9);
  EXPECT_EQ(last.vs_nadir.sld_reference->timepoint, "ses-2");
  EXPECT_DOUBLE_EQ(last.vs_nadir.sld_reference->value, 20);
  ASSERT_EQ(last.criteria.size(), 3u);
  EXPECT_EQ(last.criteria[0].criterion, "recist_1_1");
  EXPECT_EQ(last.criteria[1].criterion, "volumetric");
  EXPECT_EQ(last.criteria[2].criterion, "rano_2_0_volumetric");
  EXPECT_EQ(last.criteria[0].category, "PD");  // +50 %, +10 mm vs nadir
  EXPECT_EQ(last.criteria[1].category, "PD");  // +100 % vs nadir
  EXPECT_DOUBLE_EQ(last.criteria[2].pd_threshold_pct, 40);
  EXPECT_DOUBLE_EQ(last.criteria[1].pr_threshold_pct, -65);
}

}  // namespace
}  // namespace oncotrack::analysis
