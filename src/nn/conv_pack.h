#pragma once
// Internal to nn/: pieces shared by Conv3d, ConvTranspose3d and UpsampleConv3d (packed weight storage, the
// task loop, output shapes).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn::detail {

// Zero-initialised floats whose first element is 64-byte aligned; moving keeps the address.
class AlignedFloats {
 public:
  explicit AlignedFloats(std::size_t n = 0);
  float* data() { return storage_.data() + offset_; }
  const float* data() const { return storage_.data() + offset_; }

 private:
  std::vector<float> storage_;
  std::size_t offset_ = 0;
};

// Splits tasks [0, n) into one contiguous range per thread and runs fn(scratch, begin, end) on each, where
// scratch is that range's own `scratch_floats` floats (64-byte aligned) taken from exec.arena.
template <class Fn>
void run_tasks(Exec& exec, std::int64_t n, std::size_t scratch_floats, const Fn& fn) {
  if (n <= 0) return;
  struct Job {
    const Fn* fn;
    float* scratch;
    std::size_t stride;
    std::int64_t n, parts;
  } job{&fn, nullptr, (scratch_floats + 15) / 16 * 16, n, std::min<std::int64_t>(exec.pool.threads(), n)};
  job.scratch = exec.arena.allocate(job.stride * static_cast<std::size_t>(job.parts));
  // One captured pointer fits std::function's inline storage: no heap allocation per call.
  exec.pool.parallel_for(job.parts, [j = &job](std::int64_t pb, std::int64_t pe) {
    for (std::int64_t part = pb; part < pe; ++part)
      (*j->fn)(j->scratch + j->stride * static_cast<std::size_t>(part), j->n * part / j->parts,
               j->n * (part + 1) / j->parts);
  });
}

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// At least n floats and an odd number of 64-byte lines: the stride between the channels of scratch buffers,
// so that the 16 channel rows a kernel touches fall into different L1 sets (plane-sized strides are often
// multiples of 4 KiB and would all share one set).
inline std::int64_t odd_lines(std::int64_t n) {
  return (std::max<std::int64_t>(n, 1) + 15) / 32 * 32 + 16;
}

// Output shape of an operator that maps [N,cin,D,H,W] to [N,cout,2D,2H,2W]; throws NnError naming `op` when
// the input is not 5-D with cin channels and positive sizes.
Shape doubled_output_shape(const Shape& input, std::int64_t cin, std::int64_t cout, const std::string& op);

}  // namespace oncotrack::nn::detail
