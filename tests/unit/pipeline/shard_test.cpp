#include "oncotrack/pipeline/shard.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "oncotrack/core/error.h"

namespace oncotrack::pipeline {
namespace {

TEST(Shard, ParsesIOfNAndRefusesAnythingElse) {
  const Shard s = parse_shard("3/8");
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(s.count, 8u);
  EXPECT_EQ(parse_shard("1/1").count, 1u);
  for (const char* bad : {"0/4", "5/4", "4", "/4", "1/", "a/b", "-1/4", "1/4/2", "1 /4", ""})
    EXPECT_THROW(parse_shard(bad), Error) << bad;
}

TEST(Shard, EverySubjectIsInExactlyOneShardAndShardsAreBalanced) {
  std::vector<std::string> ids;
  for (int i = 0; i < 400; ++i) ids.push_back("patient" + std::to_string(i));
  for (unsigned n = 1; n <= 6; ++n) {
    std::map<unsigned, int> sizes;
    for (const std::string& id : ids) {
      int shards = 0;
      for (unsigned i = 1; i <= n; ++i)
        if (in_shard(id, {i, n})) {
          ++shards;
          ++sizes[i];
        }
      EXPECT_EQ(shards, 1) << id << " in " << n << " shards";
    }
    for (const auto& [i, size] : sizes) {  // a uniform hash: within ±30 % of an even split at 400 subjects
      EXPECT_GT(size, 0.7 * 400 / n) << i << "/" << n;
      EXPECT_LT(size, 1.3 * 400 / n) << i << "/" << n;
    }
  }
}

std::optional<Shard> from(const std::map<std::string, std::string>& env) {
  return shard_from_slurm([&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(Shard, FromSlurmArrayTasksWhateverTheirFirstIdAndStep) {
  EXPECT_FALSE(from({}).has_value());
  const auto expect = [](const std::optional<Shard>& s, unsigned index, unsigned count) {
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->index, index);
    EXPECT_EQ(s->count, count);
  };
  // --array=0-9, --array=1-10, --array=0-12:4 and --array=1-5:2
  expect(
      from({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "10"}, {"SLURM_ARRAY_TASK_MIN", "0"}}),
      1, 10);
  expect(
      from({{"SLURM_ARRAY_TASK_ID", "10"}, {"SLURM_ARRAY_TASK_COUNT", "10"}, {"SLURM_ARRAY_TASK_MIN", "1"}}),
      10, 10);
  expect(from({{"SLURM_ARRAY_TASK_ID", "8"},
               {"SLURM_ARRAY_TASK_COUNT", "4"},
               {"SLURM_ARRAY_TASK_MIN", "0"},
               {"SLURM_ARRAY_TASK_STEP", "4"}}),
         3, 4);
  expect(from({{"SLURM_ARRAY_TASK_ID", "3"},
               {"SLURM_ARRAY_TASK_COUNT", "3"},
               {"SLURM_ARRAY_TASK_MIN", "1"},
               {"SLURM_ARRAY_TASK_STEP", "2"}}),
         2, 3);
  // --array=1,4,9 is not evenly spaced; a count that is not a number; an id past the count.
  EXPECT_THROW(from({{"SLURM_ARRAY_TASK_ID", "4"},
                     {"SLURM_ARRAY_TASK_COUNT", "3"},
                     {"SLURM_ARRAY_TASK_MIN", "1"},
                     {"SLURM_ARRAY_TASK_STEP", "2"}}),
               Error);
  EXPECT_THROW(from({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "many"}}), Error);
  EXPECT_THROW(
      from({{"SLURM_ARRAY_TASK_ID", "10"}, {"SLURM_ARRAY_TASK_COUNT", "10"}, {"SLURM_ARRAY_TASK_MIN", "0"}}),
      Error);
}

}  // namespace
}  // namespace oncotrack::pipeline
