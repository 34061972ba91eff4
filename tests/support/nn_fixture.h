#pragma once
// Reading the PyTorch fixtures of tests/fixtures/nn (made by scripts/nn/make_fixtures.py; see its README) and
// comparing engine outputs with them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oncotrack/nn/safetensors.h"

namespace oncotrack::testing {

inline std::filesystem::path nn_fixture_dir() {
  return std::filesystem::path(ONCOTRACK_SOURCE_DIR) / "tests" / "fixtures" / "nn";
}

// The JSON of metadata key `key` (e.g. "oncotrack.fixture").
inline nlohmann::json fixture_json(const nn::SafetensorsFile& f, const std::string& key) {
  return nlohmann::json::parse(f.metadata().at(key));
}

inline float max_abs(const nn::Tensor& t) {
  float m = 0;
  for (float v : t) m = std::max(m, std::abs(v));
  return m;
}

// The tolerance: max |got − expected| ≤ 1e-4 × scale (scale = max |expected| unless given).
// Returns the observed error relative to the scale, so tests can report it.
inline double expect_close(const nn::Tensor& got, const nn::Tensor& expected, const std::string& what,
                           float scale = -1) {
  EXPECT_EQ(nn::to_string(got.shape()), nn::to_string(expected.shape())) << what;
  if (got.shape() != expected.shape()) return 1.0;
  if (scale < 0) scale = max_abs(expected);
  double err = 0;
  std::int64_t worst = 0;
  for (std::int64_t i = 0; i < got.size(); ++i) {
    const double e = std::abs(double(got.data()[i]) - double(expected.data()[i]));
    if (!(e <= err)) {
      err = e;
      worst = i;
    }
  }
  const double relative = err / std::max(double(scale), 1e-30);
  EXPECT_LE(relative, 1e-4) << what << ": max abs error " << err << " at element " << worst << " (got "
                            << got.data()[worst] << ", expected " << expected.data()[worst] << ", scale "
                            << scale << ")";
  return relative;
}

}  // namespace oncotrack::testing
