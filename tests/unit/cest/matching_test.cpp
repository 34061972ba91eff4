#include "oncotrack/cest/matching.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "oncotrack/core/error.h"

namespace oncotrack::cest {
namespace {

using nlohmann::json;

Dictionary small_dictionary() {
  const ParameterGrid g = ParameterGrid::parse(json::parse(R"({
    "water": {"t1_s": [1.5, 2.5], "t2_s": [0.1, 0.8]},
    "cest": [{"name": "amine", "shift_ppm": 3.0, "exchange_rate_per_s": [200, 600, 1000],
              "concentration_mm": [20, 50, 80], "protons": 3, "t1_s": 2.8, "t2_s": 0.04}]
  })"),
                                               "grid");
  const Schedule s = parse_schedule(json::parse(R"({"b0_tesla": 9.4, "saturation": "continuous_wave",
    "tsat_s": 1.0, "tr_s": 1.5, "offset_ppm": [3, 3, 3, 3, -3, 3, 3, 3],
    "b1_ut": [0.5, 2.0, 4.0, 1.0, 2.0, 0.0, 6.0, 3.0]})"),
                                    "schedule");
  return simulate_dictionary(g, s, 1);
}

TEST(Matching, EveryEntryScaledFindsItselfWithScoreOne) {
  const Dictionary d = small_dictionary();
  const std::int64_t n = d.entries(), t = d.images();
  nn::Tensor voxels({n + 1, t});
  for (std::int64_t e = 0; e < n; ++e)
    for (std::int64_t i = 0; i < t; ++i) voxels.data()[e * t + i] = d.signals.data()[e * t + i] * (0.5f + e);
  const std::vector<Match> m = match_dictionary(d, voxels, 2);
  for (std::int64_t e = 0; e < n; ++e) {
    EXPECT_EQ(m[e].entry, e);
    EXPECT_NEAR(m[e].score, 1.0f, 1e-5f);
  }
  EXPECT_EQ(m[n].entry, -1);  // an all-zero voxel
  EXPECT_EQ(m[n].score, 0.0f);
}

TEST(Matching, NoisyFingerprintsMatchNearbyAndTheScoreDrops) {
  const Dictionary d = small_dictionary();
  const std::int64_t t = d.images();
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.002f);
  const std::int64_t e = ((0 * 2 + 1) * 3 + 2) * 3 + 1;  // t1 1.5, t2 0.8, k 1000, c 50
  nn::Tensor voxel({1, t});
  for (std::int64_t i = 0; i < t; ++i) voxel.data()[i] = d.signals.data()[e * t + i] + noise(rng);
  const Match m = match_dictionary(d, voxel, 1)[0];
  EXPECT_EQ(m.entry, e);
  EXPECT_LT(m.score, 1.0f);
  EXPECT_GT(m.score, 0.99f);
  EXPECT_THROW(match_dictionary(d, nn::Tensor({1, t + 1}), 1), Error);
}

TEST(Matching, KnownParametersRestrictTheSearchToTheNearestGridValues) {
  const Dictionary d = small_dictionary();  // t1 {1.5, 2.5} × t2 {0.1, 0.8} × k × c
  const std::int64_t t = d.images();
  const auto cols = static_cast<std::size_t>(d.parameters.dim(1));
  const std::size_t t1 = d.parameter_index("water.t1_s"), t2 = d.parameter_index("water.t2_s");
  const std::int64_t e = ((0 * 2 + 1) * 3 + 2) * 3 + 1;  // t1 1.5, t2 0.8, k 1000, c 50
  nn::Tensor voxels({3, t});
  for (std::int64_t v = 0; v < 3; ++v)
    for (std::int64_t i = 0; i < t; ++i) voxels.data()[v * t + i] = d.signals.data()[e * t + i];
  // Voxel 0 measured at its own T1/T2 (nearest 1.5 / 0.8); voxel 1 told T1 = 2.3 s, so it must match among
  // the T1 = 2.5 s entries; voxel 2 has no T1 measurement.
  const std::vector<KnownParameter> known{{"water.t1_s", {1.6f, 2.3f, NAN}},
                                          {"water.t2_s", {0.7f, 0.9f, 0.8f}}};
  const std::vector<Match> m = match_dictionary(d, voxels, known, 2);
  EXPECT_EQ(m[0].entry, e);
  EXPECT_NEAR(m[0].score, 1.0f, 1e-5f);
  ASSERT_GE(m[1].entry, 0);
  EXPECT_FLOAT_EQ(d.parameters.data()[static_cast<std::size_t>(m[1].entry) * cols + t1], 2.5f);
  EXPECT_FLOAT_EQ(d.parameters.data()[static_cast<std::size_t>(m[1].entry) * cols + t2], 0.8f);
  EXPECT_LT(m[1].score, 1.0f);
  // It is the best entry of that subset: no T1 = 2.5 s, T2 = 0.8 s entry scores higher.
  const nn::Tensor x = l2_normalised(voxels), dn = l2_normalised(d.signals);
  for (std::int64_t f = 0; f < d.entries(); ++f) {
    const auto fi = static_cast<std::size_t>(f);
    if (d.parameters.data()[fi * cols + t1] != 2.5f || d.parameters.data()[fi * cols + t2] != 0.8f) continue;
    float dot = 0;
    for (std::int64_t i = 0; i < t; ++i) dot += dn.data()[f * t + i] * x.data()[t + i];
    EXPECT_LE(dot, m[1].score + 1e-6f);
  }
  EXPECT_EQ(m[2].entry, -1);
  EXPECT_THROW(match_dictionary(d, voxels, {{"water.t1_s", {1.0f}}}, 1), Error);  // one value for 3 voxels
  EXPECT_THROW(match_dictionary(d, voxels, {{"nope", {1.0f, 1.0f, 1.0f}}}, 1), Error);  // not a parameter
}

}  // namespace
}  // namespace oncotrack::cest
