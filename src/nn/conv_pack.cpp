#include "conv_pack.h"

#include "oncotrack/nn/error.h"

#include <cstdint>

namespace oncotrack::nn::detail {

AlignedFloats::AlignedFloats(std::size_t n) : storage_(n + 16, 0.0f) {
  const auto address = reinterpret_cast<std::uintptr_t>(storage_.data());
  offset_ = (64 - address % 64) % 64 / sizeof(float);
}

Shape doubled_output_shape(const Shape& input, std::int64_t cin, std::int64_t cout, const std::string& op) {
  if (input.size() != 5 || input[1] != cin || input[0] < 1 || input[2] < 1 || input[3] < 1 || input[4] < 1)
    throw NnError("bad " + op + " input", op, "[N," + std::to_string(cin) + ",D,H,W]", to_string(input));
  return {input[0], cout, 2 * input[2], 2 * input[3], 2 * input[4]};
}

}  // namespace oncotrack::nn::detail
