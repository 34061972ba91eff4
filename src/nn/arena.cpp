#include "oncotrack/nn/arena.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace oncotrack::nn {
namespace {
constexpr std::size_t kAlignFloats = 16;  // 64 bytes
std::size_t round_up(std::size_t n) {
  return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
}
}  // namespace

Arena::Arena(std::size_t reserve_floats) {
  if (reserve_floats > 0) add_block(round_up(reserve_floats));
}

void Arena::add_block(std::size_t floats) {
  Block b;
  // new[] of float gives 16-byte alignment; over-allocate to align the first buffer to 64 bytes.
  b.memory.reset(new float[floats + kAlignFloats]);
  std::memset(b.memory.get(), 0, (floats + kAlignFloats) * sizeof(float));
  b.floats = floats;
  blocks_.push_back(std::move(b));
}

float* Arena::allocate(std::size_t floats) {
  const std::size_t n = round_up(std::max<std::size_t>(floats, 1));
  if (blocks_.empty() || blocks_.back().floats - blocks_.back().used < n)
    add_block(std::max(n, blocks_.empty() ? n : blocks_.back().floats));
  Block& b = blocks_.back();
  auto base = reinterpret_cast<std::uintptr_t>(b.memory.get());
  const std::size_t skew = (64 - base % 64) % 64 / sizeof(float);
  float* p = b.memory.get() + skew + b.used;
  b.used += n;
  in_use_ += n;
  peak_ = std::max(peak_, in_use_);
  return p;
}

Tensor Arena::tensor(const Shape& shape) {
  return Tensor::view(shape, allocate(static_cast<std::size_t>(element_count(shape))));
}

Tensor Arena::zeros(const Shape& shape) {
  Tensor t = tensor(shape);
  std::fill(t.begin(), t.end(), 0.0f);
  return t;
}

void Arena::reset() {
  if (blocks_.size() > 1) {
    blocks_.clear();
    add_block(peak_);
  }
  for (auto& b : blocks_) b.used = 0;
  in_use_ = 0;
}

std::size_t Arena::capacity_floats() const {
  std::size_t c = 0;
  for (const auto& b : blocks_) c += b.floats;
  return c;
}

}  // namespace oncotrack::nn
