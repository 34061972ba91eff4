#pragma once
// float32 <-> IEEE 754 binary16 ("F16") and bfloat16 ("BF16") bit conversions (internal to nn/).
//
// To 16 bits: round to nearest, ties to even. Finite values beyond the target's range become ±inf (binary16:
// |x| >= 65520), values below half its smallest subnormal become ±0, subnormals are produced exactly, the
// sign of zero is kept, and NaN stays NaN (quiet, sign and top payload bits kept). To float32 every value is
// exact.
#include <cstdint>
#include <cstring>

namespace oncotrack::nn::detail {

inline std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float bits_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Drops the low `shift` bits of m (1 <= shift <= 31), rounding to nearest, ties to even.
inline std::uint32_t shift_round_even(std::uint32_t m, int shift) {
  const std::uint32_t q = m >> shift, rest = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
  return q + ((rest > half || (rest == half && (q & 1u))) ? 1u : 0u);
}

inline std::uint16_t float_to_half(float f) {
  const std::uint32_t x = float_bits(f);
  const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const std::uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  const int exponent = static_cast<int>(abs >> 23) - 127;
  if (exponent > 15) return static_cast<std::uint16_t>(sign | 0x7c00u);  // also +-inf
  if (exponent >= -14) {
    // Rebias 127 -> 15 after rounding; a carry out of the mantissa increments the exponent, up to inf
    // (0x7c00).
    return static_cast<std::uint16_t>(sign | (shift_round_even(abs, 13) - (112u << 10)));
  }
  // Subnormal result: units of 2^-24 are the 24-bit significand shifted right by (-exponent - 1).
  const int shift = -exponent - 1;
  if (shift > 24) return sign;  // below 2^-25 (float subnormals included): rounds to 0
  return static_cast<std::uint16_t>(sign | shift_round_even((abs & 0x7fffffu) | 0x800000u, shift));
}

inline float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  if (exponent == 31) return bits_float(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0) return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
  const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;  // exact: m · 2^-24
  return bits_float(sign | float_bits(magnitude));
}

inline std::uint16_t float_to_bfloat16(float f) {
  const std::uint32_t x = float_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x0040u);
  return static_cast<std::uint16_t>(shift_round_even(x, 16));  // finite max rounds up to inf: correct
}

inline float bfloat16_to_float(std::uint16_t b) {
  return bits_float(static_cast<std::uint32_t>(b) << 16);
}

}  // namespace oncotrack::nn::detail
