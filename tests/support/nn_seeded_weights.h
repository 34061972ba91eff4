#pragma once
// Counter-based deterministic network weights, the C++ twin of seeded_weights() in scripts/nn/reference.py.
// Used for networks too large to commit as fixtures (tests/fixtures/nn/models/unet_full_seeded.io.safetensors
// holds only inputs and expected outputs; the weights are regenerated here). Standard library only.
//
// Which tensors and which scale/offset:
//   - Take the architecture's tensor table (PyTorch state_dict names) and sort it by name, byte-wise
//     (std::string operator<, as std::map orders keys). tensor_index t = 0, 1, ... in that order.
//   - element = C-order (row-major, last index fastest) index inside the tensor.
//   - value = offset + (u - 0.5) * 2 * scale with u in [0, 1) (seeded_weight_value below), where
//       "<...>.norm.weight" (parent module named "norm")  scale 0.1f, offset 1.0f
//       "<...>.norm.bias"                                scale 0.1f, offset 0.0f
//       any other "<...>.bias"                           scale 0.1f, offset 0.0f
//       any other "<...>.weight" (conv [Cout,Cin,k,k,k], linear [out,in]):
//                                                        scale float(std::sqrt(3.0 / fan_in)) (double,
//                                                        rounded once), offset 0.0f, fan_in = product of all
//                                                        dims but the first
//     (seeded_weight_rule() below applies these rules.)
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace oncotrack::testing {

// SplitMix64 WITH the initial increment (Vigna's splitmix64 next(): the state is advanced by the golden gamma
// before the finaliser), on a single 64-bit value; all arithmetic mod 2^64.
inline std::uint64_t splitmix64(std::uint64_t x) {
  std::uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// h = splitmix64(seed * 0x9E3779B97F4A7C15 + tensor_index * 0x100000001B3 + element)   (mod 2^64)
// u = (h >> 40) / 2^24   (24 bits, exact)
// value = float(double(offset) + (u - 0.5) * 2.0 * double(scale))   (evaluated in double, rounded once)
inline float seeded_weight_value(std::uint64_t seed, std::uint64_t tensor_index, std::uint64_t element,
                                 float scale, float offset) {
  const std::uint64_t h =
      splitmix64(seed * 0x9E3779B97F4A7C15ULL + tensor_index * 0x100000001B3ULL + element);
  const double u = static_cast<double>(h >> 40) / 16777216.0;
  return static_cast<float>(static_cast<double>(offset) + (u - 0.5) * 2.0 * static_cast<double>(scale));
}

struct SeededWeightRule {
  float scale = 0.0f;
  float offset = 0.0f;
};

// The scale/offset rule above for a tensor name and shape (name split at '.': "a.norm.weight" has last
// component "weight" and parent module "norm").
inline SeededWeightRule seeded_weight_rule(const std::string& name, const std::vector<std::int64_t>& shape) {
  std::vector<std::string> parts(1);
  for (const char c : name) {
    if (c == '.')
      parts.emplace_back();
    else
      parts.back() += c;
  }
  const std::string& last = parts.back();
  if (parts.size() >= 2 && parts[parts.size() - 2] == "norm") return {0.1f, last == "weight" ? 1.0f : 0.0f};
  if (last == "bias") return {0.1f, 0.0f};
  std::int64_t fan_in = 1;
  for (std::size_t i = 1; i < shape.size(); ++i) fan_in *= shape[i];
  return {static_cast<float>(std::sqrt(3.0 / static_cast<double>(fan_in))), 0.0f};
}

}  // namespace oncotrack::testing
