#include "oncotrack/pipeline/compare_outputs.h"

#include <gtest/gtest.h>

#include "oncotrack/core/error.h"

namespace oncotrack::pipeline {
namespace {

TEST(CompareOutputs, ToleranceListsSetWhatTheyNameAndRefuseTheRest) {
  const CompareTolerances defaults;
  const CompareTolerances t = parse_tolerances("volume=2%,dice=0.95,change=1");
  EXPECT_EQ(t.volume_pct, 2.0);
  EXPECT_EQ(t.dice, 0.95);
  EXPECT_EQ(t.change_points, 1.0);
  EXPECT_EQ(t.sld_pct, defaults.sld_pct);
  EXPECT_EQ(t.probability, defaults.probability);
  EXPECT_EQ(parse_tolerances("").volume_pct, defaults.volume_pct);
  EXPECT_EQ(parse_tolerances("sld=3").sld_pct, 3.0);
  for (const char* bad :
       {"volume", "volume=", "volume=-1", "volume=1x", "dice=1.5", "speed=1", "change=5%", "probability=nan"})
    EXPECT_THROW(parse_tolerances(bad), Error) << bad;
}

}  // namespace
}  // namespace oncotrack::pipeline
