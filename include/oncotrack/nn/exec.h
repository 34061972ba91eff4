#pragma once
// What an operator needs to run: worker threads and the arena its outputs are allocated from.
#include "oncotrack/nn/arena.h"
#include "oncotrack/nn/thread_pool.h"

namespace oncotrack::nn {

struct Exec {
  ThreadPool& pool;
  Arena& arena;
};

}  // namespace oncotrack::nn
