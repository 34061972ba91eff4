#pragma once
// Splitting a cohort between jobs (cluster array jobs, `run --shard i/N`). Shard i of N takes the subjects
// whose id hashes to i − 1 modulo N (the first 8 bytes of the SHA-256 of the id, big-endian): a subject goes
// to the same shard whatever the other subjects and the manifest's order, every subject goes to exactly one
// shard, and so no two shards write the same subject's files.
#include <functional>
#include <optional>
#include <string>

namespace oncotrack::pipeline {

struct Shard {
  unsigned index = 1;  // 1 ≤ index ≤ count
  unsigned count = 1;
};

// "i/N" with 1 ≤ i ≤ N; throws Error naming `source` otherwise.
Shard parse_shard(const std::string& text, const std::string& source = "--shard");

// The shard of a SLURM array task: SLURM_ARRAY_TASK_ID among SLURM_ARRAY_TASK_COUNT tasks numbered from
// SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP (default 1), so `--array=0-9` and `--array=1-10`
// both make shards 1..10. nullopt outside an array job (no SLURM_ARRAY_TASK_ID). Throws Error when the
// variables do not describe an evenly spaced array (e.g. `--array=1,4,9`: pass --shard instead). getenv:
// std::getenv in the program; anything with its signature in tests.
std::optional<Shard> shard_from_slurm(const std::function<const char*(const char*)>& getenv);

bool in_shard(const std::string& subject_id, const Shard& shard);

}  // namespace oncotrack::pipeline
