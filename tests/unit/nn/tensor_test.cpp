// Tensors, the arena and the thread pool: the engine's memory and threading contracts.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <numeric>

#include "oncotrack/nn/arena.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/tensor.h"
#include "oncotrack/nn/thread_pool.h"

namespace oncotrack::nn {
namespace {

TEST(Tensor, OwningCopiesValuesAndViewsSharePointers) {
  Tensor a({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = a;
  b.data()[0] = 9;
  EXPECT_EQ(a.data()[0], 1);  // deep copy
  Tensor v = a.reshaped({3, 2});
  EXPECT_EQ(v.data(), a.data());
  EXPECT_FALSE(v.owns());
  Tensor w = v;
  EXPECT_EQ(w.data(), a.data());
  EXPECT_EQ(to_string(v.shape()), "[3,2]");
}

TEST(Tensor, ShapeMismatchesAreErrorsNamingBothSides) {
  try {
    Tensor({2, 2}, {1, 2, 3});
    FAIL();
  } catch (const NnError& e) {
    EXPECT_NE(std::string(e.what()).find("4 values for [2,2]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("got 3"), std::string::npos) << e.what();
  }
  Tensor t({2, 3});
  EXPECT_THROW(t.reshaped({4, 2}), NnError);
  EXPECT_THROW(require_shape(t, {3, 2}, "x"), NnError);
}

TEST(Tensor, SampleViewsOneBatchEntry) {
  Tensor t({2, 1, 1, 1, 3}, {0, 1, 2, 3, 4, 5});
  const Tensor s = t.sample(1);
  EXPECT_EQ(s.shape(), (Shape{1, 1, 1, 1, 3}));
  EXPECT_EQ(s.at(0, 0, 0, 0, 2), 5);
  EXPECT_THROW(t.sample(2), NnError);
}

TEST(Arena, SecondPassReusesOneBlockAndBuffersAreAligned) {
  Arena arena(16);
  float* first = nullptr;
  for (int pass = 0; pass < 3; ++pass) {
    float* a = arena.allocate(10);
    float* b = arena.allocate(1000);  // overflows the first block on pass 0
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 64, 0u);
    EXPECT_TRUE(b >= a + 10 || a >= b + 1000);  // no overlap
    if (pass == 1) first = a;
    if (pass == 2) {
      EXPECT_EQ(a, first);  // same memory again: nothing new allocated
    }
    arena.reset();
  }
  EXPECT_EQ(arena.capacity_floats(), arena.peak_floats());
}

TEST(ThreadPool, EveryIndexRunsExactlyOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (std::int64_t n : {0, 1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
      pool.parallel_for(n, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) hits[static_cast<std::size_t>(i)]++;
      });
      for (std::int64_t i = 0; i < n; ++i) EXPECT_EQ(hits[static_cast<std::size_t>(i)].load(), 1) << i;
    }
  }
}

}  // namespace
}  // namespace oncotrack::nn
