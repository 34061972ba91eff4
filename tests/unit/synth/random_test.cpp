#include "oncotrack/synth/random.h"

#include <gtest/gtest.h>

#include <cmath>

namespace oncotrack::synth {

TEST(SynthRandom, SameSeedSameSequence) {
  Random a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const double x = a.normal();
    EXPECT_EQ(x, b.normal());
    differs |= x != c.normal();
  }
  EXPECT_TRUE(differs);
}

// std::mt19937_64's 10000th output is fixed by the standard; uniform() must be its top 53 bits.
TEST(SynthRandom, UniformIsTheEnginesTop53Bits) {
  Random r(5489u);
  double u = 0;
  for (int i = 0; i < 10000; ++i) u = r.uniform();
  EXPECT_EQ(u, static_cast<double>(9981545732273789042ULL >> 11) * 0x1.0p-53);
}

TEST(SynthRandom, NormalHasUnitMoments) {
  Random r(42);
  constexpr int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    sum += x;
    sum2 += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);  // ~4.5 standard errors
  EXPECT_NEAR(sum2 / n, 1.0, 0.015);
}

TEST(SynthRandom, UniformRange) {
  Random r(1);
  for (int i = 0; i < 10000; ++i) {
    const double x = r.uniform(-2, 3);
    EXPECT_GE(x, -2);
    EXPECT_LT(x, 3);
  }
}

TEST(SynthRandom, MixSeedSeparatesStreams) {
  EXPECT_EQ(mix_seed(42, 1, 2), mix_seed(42, 1, 2));
  EXPECT_NE(mix_seed(42, 1, 2), mix_seed(42, 2, 1));
  EXPECT_NE(mix_seed(42, 0, 0), mix_seed(43, 0, 0));
}

}  // namespace oncotrack::synth
