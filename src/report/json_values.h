#pragma once
// Internal: rounding for reported numbers (reproducible text, meaningful precision), null-with-reason, and
// reading reports that carry null objects where nothing was measured.
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace oncotrack::report {

inline double rounded(double v, int decimals) {
  const double f = std::pow(10.0, decimals);
  const double r = std::round(v * f) / f;
  return r == 0 ? 0.0 : r;  // no "-0"
}
constexpr int kMlDecimals = 6;  // 0.001 mm³
constexpr int kMmDecimals = 4;
constexpr int kPctDecimals = 4;

// Sets obj[key] to the rounded value, or to null with obj["reasons"][key] = reason.
inline void set_or_null(nlohmann::json& obj, const std::string& key, const std::optional<double>& v,
                        int decimals, const std::string& reason) {
  if (v) {
    obj[key] = rounded(*v, decimals);
  } else {
    obj[key] = nullptr;
    obj["reasons"][key] = reason;
  }
}

// v[key] when v is an object holding it, else null.
inline const nlohmann::json& field(const nlohmann::json& v, const char* key) {
  static const nlohmann::json null_value;
  if (!v.is_object()) return null_value;
  const auto it = v.find(key);
  return it == v.end() ? null_value : *it;
}

}  // namespace oncotrack::report
