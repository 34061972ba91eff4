#pragma once
// Bump allocator for the activations of a forward pass.
//
// A pass takes buffers with allocate()/tensor() and gives them all back at once with reset(). Blocks are
// touched (zeroed) when created, because first-touch page faults are very slow on the target machines, and
// kept across reset(): from the second pass of the same size on, nothing is allocated or faulted in. When a
// pass overflows into extra blocks, the next reset() replaces them by one block as large as that pass needed.
// Not thread-safe: one arena per concurrent pass. Pointers stay valid until reset() or destruction.
#include <cstddef>
#include <memory>
#include <vector>

#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

class Arena {
 public:
  explicit Arena(std::size_t reserve_floats = 0);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  float* allocate(std::size_t floats);  // 64-byte aligned; contents unspecified
  Tensor tensor(const Shape& shape);    // a view into the arena; contents unspecified
  Tensor zeros(const Shape& shape);     // a view into the arena, zero-filled
  void reset();

  std::size_t capacity_floats() const;               // total over blocks
  std::size_t peak_floats() const { return peak_; }  // largest use seen by any pass

 private:
  struct Block {
    std::unique_ptr<float[]> memory;
    std::size_t floats = 0;
    std::size_t used = 0;
  };
  void add_block(std::size_t floats);
  std::vector<Block> blocks_;
  std::size_t in_use_ = 0;
  std::size_t peak_ = 0;
};

}  // namespace oncotrack::nn
