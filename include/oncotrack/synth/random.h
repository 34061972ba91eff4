#pragma once
// Deterministic pseudo-random numbers for the synthetic cohort. std::mt19937_64's output sequence is fixed by
// the C++ standard, but the std::*_distribution classes are not, so the conversions are our own: uniform()
// takes the top 53 bits of one engine draw; normal() is Box–Muller, using both values of each pair. Same seed
// -> same sequence on every conforming platform (up to libm rounding of log/sin/cos in normal()). Not
// thread-safe: use one Random per image (see mix_seed).
#include <cstdint>
#include <random>

namespace oncotrack::synth {

// Combines a user seed with stream identifiers (subject index, timepoint index) into a well-spread 64-bit
// seed (SplitMix64 finaliser), so every image has its own stream, independent of generation order.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream_a, std::uint64_t stream_b = 0);

class Random {
 public:
  explicit Random(std::uint64_t seed);
  double uniform();                      // [0, 1)
  double uniform(double lo, double hi);  // [lo, hi)
  double normal();                       // mean 0, standard deviation 1

 private:
  std::mt19937_64 engine_;
  double spare_normal_ = 0;
  bool has_spare_ = false;
};

}  // namespace oncotrack::synth
