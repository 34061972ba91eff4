#pragma once
// A fixed set of worker threads for the engine's operators.
//
// parallel_for(n, fn) splits [0, n) into contiguous chunks and calls fn(begin, end) once per chunk, the
// calling thread taking a share; it returns when all chunks are done. Each index is handled exactly once, and
// operators make every index produce its own outputs with a fixed summation order, so results are bitwise
// identical for any thread count (ARCHITECTURE.md; tested). One parallel_for at a time per pool; fn must not
// throw.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace oncotrack::nn {

class ThreadPool {
 public:
  explicit ThreadPool(int threads = 1);  // threads >= 1 (values below are taken as 1)
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  void parallel_for(std::int64_t n, const std::function<void(std::int64_t begin, std::int64_t end)>& fn);

 private:
  void worker_loop(int index);
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(std::int64_t, std::int64_t)>* job_ = nullptr;
  std::int64_t job_n_ = 0;
  std::uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

}  // namespace oncotrack::nn
