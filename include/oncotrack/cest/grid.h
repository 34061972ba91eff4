#pragma once
// Parameter grids of CEST-MRF dictionaries: which tissues to simulate.
//
// File format (JSON object; every tissue key of tissue.h, each value V = a number | an array of numbers |
// {"from": a, "to": b, "step": s} (a, a+s, … up to b inclusive, within 1e-9 · s)):
//   "water": {"t1_s": V, "t2_s": V}                                                        required
//   "cest":  [{"name": "amide", "shift_ppm": V, "exchange_rate_per_s": V,
//              "concentration_mm": V, "protons": n  |  "fraction": V,
//              "t1_s": V, "t2_s": V}, …]                                                 optional
//   "mt":    {"shift_ppm": V, "exchange_rate_per_s": V, "concentration_mm": V, "protons": n | "fraction": V,
//             "t1_s": V | "water" (tied to the water T1), "t2_s": V,
//             "lineshape": "lorentzian" | "super_lorentzian"}                                optional
//   "b0_shift_ppm": V, "b1_scale": V                                                        optional (0, 1)
// The dictionary holds the Cartesian product of all axes, the first axis varying slowest. Axis names are
// "water.t1_s", "<pool name>.exchange_rate_per_s", "<pool name>.concentration_mm" (or ".fraction"),
// "mt.exchange_rate_per_s", "b0_shift_ppm", … — one per key above, in file order.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oncotrack/cest/tissue.h"

namespace oncotrack::cest {

struct GridAxis {
  std::string name;
  std::vector<double> values;
};

class ParameterGrid {
 public:
  // Throws oncotrack::Error naming `source` and the key for every violation (unknown keys, empty ranges,
  // non-positive relaxation times, negative rates or fractions, a grid of more than 5e8 entries).
  static ParameterGrid parse(const nlohmann::json& doc, const std::string& source);
  static ParameterGrid read(const std::filesystem::path& path);

  const std::vector<GridAxis>& axes() const { return axes_; }
  const nlohmann::json& document() const { return doc_; }
  std::int64_t size() const;
  // The axis values of entry i (one per axis) and the tissue and scanner deviations they describe.
  std::vector<double> values(std::int64_t i) const;
  Tissue tissue(const std::vector<double>& values) const;
  double b0_shift_ppm(const std::vector<double>& values) const { return values[b0_axis_]; }
  double b1_scale(const std::vector<double>& values) const { return values[b1_axis_]; }

 private:
  struct PoolAxes {
    std::size_t shift, rate, amount, t1, t2;
    double protons = 0.0;  // 0: amount is a fraction
    bool t1_is_water = false;
  };
  std::size_t add(const std::string& name, const nlohmann::json& value);

  nlohmann::json doc_;
  std::vector<GridAxis> axes_;
  std::size_t water_t1_ = 0, water_t2_ = 0, b0_axis_ = 0, b1_axis_ = 0;
  std::vector<PoolAxes> cest_;
  bool has_mt_ = false;
  PoolAxes mt_{};
  Lineshape mt_lineshape_ = Lineshape::kSuperLorentzian;
};

}  // namespace oncotrack::cest
