#include "conv_pack.h"

#include <cstdint>

namespace oncotrack::nn::detail {

AlignedFloats::AlignedFloats(std::size_t n) : storage_(n + 16, 0.0f) {
  const auto address = reinterpret_cast<std::uintptr_t>(storage_.data());
  offset_ = (64 - address % 64) % 64 / sizeof(float);
}

}  // namespace oncotrack::nn::detail
