// The memory estimate's arithmetic: a batch holds one process base plus the largest subjects' shares,
// --max-memory keeps the most subjects at once that fit, sizes parse with their units.
#include "oncotrack/pipeline/memory_estimate.h"

#include <gtest/gtest.h>

#include "oncotrack/core/error.h"

namespace oncotrack::pipeline {
namespace {

std::vector<SubjectMemory> three() {
  return {{"a", kBaseMb + 100}, {"b", kBaseMb + 300}, {"c", kBaseMb + 200}};
}

TEST(MemoryEstimate, ABatchIsOneBasePlusTheLargestShares) {
  EXPECT_DOUBLE_EQ(batch_peak_mb(three(), 1), kBaseMb + 300);
  EXPECT_DOUBLE_EQ(batch_peak_mb(three(), 2), kBaseMb + 500);
  EXPECT_DOUBLE_EQ(batch_peak_mb(three(), 3), kBaseMb + 600);
  EXPECT_DOUBLE_EQ(batch_peak_mb(three(), 8), kBaseMb + 600);  // no more than the subjects
  EXPECT_DOUBLE_EQ(batch_peak_mb({}, 2), kBaseMb);
}

TEST(MemoryEstimate, JobsWithinKeepsTheMostSubjectsAtOnceThatFit) {
  EXPECT_EQ(jobs_within(three(), 3, kBaseMb + 600), 3);
  EXPECT_EQ(jobs_within(three(), 3, kBaseMb + 599), 2);
  EXPECT_EQ(jobs_within(three(), 2, kBaseMb + 499), 1);
  EXPECT_EQ(jobs_within(three(), 3, kBaseMb + 299), 0);  // not even the largest subject alone
}

TEST(MemoryEstimate, SizesParseWithUnits) {
  EXPECT_DOUBLE_EQ(parse_memory_mb("2000"), 2000);
  EXPECT_DOUBLE_EQ(parse_memory_mb("512M"), 512);
  EXPECT_DOUBLE_EQ(parse_memory_mb("4G"), 4096);
  EXPECT_DOUBLE_EQ(parse_memory_mb("1.5g"), 1536);
  EXPECT_DOUBLE_EQ(parse_memory_mb("8GB"), 8192);
  for (const char* bad : {"", "G", "-1G", "0", "4X", "4KB", "lots"})
    EXPECT_THROW(parse_memory_mb(bad), Error) << bad;
}

}  // namespace
}  // namespace oncotrack::pipeline
