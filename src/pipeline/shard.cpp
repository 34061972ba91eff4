#include "oncotrack/pipeline/shard.h"

#include <cstdint>
#include <string>

#include "oncotrack/core/error.h"
#include "oncotrack/core/sha256.h"

namespace oncotrack::pipeline {

namespace {

// A non-negative decimal integer, or nullopt.
std::optional<unsigned long> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoul(text);
}

}  // namespace

Shard parse_shard(const std::string& text, const std::string& source) {
  const auto slash = text.find('/');
  const auto i = whole_number(text.substr(0, slash));
  const auto n = slash == std::string::npos ? std::nullopt : whole_number(text.substr(slash + 1));
  if (!i || !n || *i < 1 || *i > *n)
    throw Error("not a shard", source, "i/N with 1 <= i <= N, e.g. 3/8", "'" + text + "'");
  return {static_cast<unsigned>(*i), static_cast<unsigned>(*n)};
}

std::optional<Shard> shard_from_slurm(const std::function<const char*(const char*)>& getenv) {
  const char* id_text = getenv("SLURM_ARRAY_TASK_ID");
  if (!id_text) return std::nullopt;
  auto number = [&](const char* name, const char* fallback) {
    const char* v = getenv(name);
    const std::string text = v ? v : (fallback ? fallback : "");
    const auto n = whole_number(text);
    if (!n) throw Error("not a SLURM array job's variable", name, "a whole number", "'" + text + "'");
    return *n;
  };
  const unsigned long id = number("SLURM_ARRAY_TASK_ID", nullptr),
                      count = number("SLURM_ARRAY_TASK_COUNT", nullptr),
                      first = number("SLURM_ARRAY_TASK_MIN", "0"),
                      step = number("SLURM_ARRAY_TASK_STEP", "1");
  if (step == 0 || id < first || (id - first) % step != 0 || (id - first) / step >= count)
    throw Error("SLURM array not evenly spaced", "SLURM_ARRAY_TASK_ID",
                "task ids MIN, MIN+STEP, ..., COUNT of them",
                "id " + std::to_string(id) + " with MIN " + std::to_string(first) + ", STEP " +
                    std::to_string(step) + ", COUNT " + std::to_string(count),
                "pass --shard i/N explicitly");
  return Shard{static_cast<unsigned>((id - first) / step + 1), static_cast<unsigned>(count)};
}

bool in_shard(const std::string& subject_id, const Shard& shard) {
  const std::string digest = sha256_hex(subject_id);
  const std::uint64_t h = std::stoull(digest.substr(0, 16), nullptr, 16);
  return h % shard.count == shard.index - 1;
}

}  // namespace oncotrack::pipeline
