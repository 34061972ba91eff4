#include "oncotrack/synth/random.h"

#include <cmath>

namespace oncotrack::synth {

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
constexpr double kTwoPi = 6.283185307179586476925286766559;
}  // namespace

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream_a, std::uint64_t stream_b) {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream_a) ^ stream_b);
}

Random::Random(std::uint64_t seed) : engine_(seed) {}

double Random::uniform() {
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

double Random::uniform(double lo, double hi) {
  return lo + (hi - lo) * uniform();
}

double Random::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_normal_ = r * std::sin(kTwoPi * u2);
  has_spare_ = true;
  return r * std::cos(kTwoPi * u2);
}

}  // namespace oncotrack::synth
