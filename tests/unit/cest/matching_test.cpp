#include "oncotrack/cest/matching.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace oncotrack::cest
