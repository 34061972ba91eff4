// PreprocessConfig JSON: defaults, round trip, overrides and strictness.
#include "oncotrack/preprocess/config.h"

#include <gtest/gtest.h>

#include "oncotrack/core/error.h"

namespace oncotrack::preprocess {
namespace {

using nlohmann::json;

std::string error_of(const json& doc) {
  try {
    preprocess_config_from_json(doc, "cfg.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

TEST(PreprocessConfig, DefaultsAndRoundTrip) {
  const PreprocessConfig c = preprocess_config_from_json(json::object(), "cfg.json");
  EXPECT_TRUE(c.reorient);
  EXPECT_FALSE(c.n4);
  EXPECT_TRUE(c.spacing_mm.empty());
  EXPECT_TRUE(c.normalize);
  EXPECT_FALSE(c.crop);
  EXPECT_EQ(c.n4_options.shrink_factor, 4u);
  EXPECT_EQ(c.n4_options.iterations, (std::vector<unsigned>{50, 50, 30}));
  const json j = to_json(c);
  EXPECT_EQ(to_json(preprocess_config_from_json(j, "cfg.json")), j);
  EXPECT_EQ(j.at("resample").at("spacing_mm"), json::array());
}

TEST(PreprocessConfig, OverridesAreApplied) {
  const json doc = json::parse(R"({
    "reorient": {"enabled": false},
    "n4": {"enabled": true, "shrink_factor": 3, "iterations": [20, 10], "convergence": 0.0001,
           "spline_distance_mm": 150},
    "resample": {"spacing_mm": [1, 1, 2.5]},
    "normalize": {"enabled": false, "lower_percentile": 1, "upper_percentile": 99},
    "crop": {"enabled": true, "margin_mm": 4.5}})");
  const PreprocessConfig c = preprocess_config_from_json(doc, "cfg.json");
  EXPECT_FALSE(c.reorient);
  EXPECT_TRUE(c.n4);
  EXPECT_EQ(c.n4_options.shrink_factor, 3u);
  EXPECT_EQ(c.n4_options.iterations, (std::vector<unsigned>{20, 10}));
  EXPECT_DOUBLE_EQ(c.n4_options.convergence, 1e-4);
  EXPECT_DOUBLE_EQ(c.n4_options.spline_distance_mm, 150);
  EXPECT_EQ(c.spacing_mm, (std::vector<double>{1, 1, 2.5}));
  EXPECT_FALSE(c.normalize);
  EXPECT_DOUBLE_EQ(c.normalize_options.lower_percentile, 1);
  EXPECT_DOUBLE_EQ(c.normalize_options.upper_percentile, 99);
  EXPECT_TRUE(c.crop);
  EXPECT_DOUBLE_EQ(c.crop_margin_mm, 4.5);
  EXPECT_EQ(to_json(preprocess_config_from_json(to_json(c), "again")), to_json(c));
}

TEST(PreprocessConfig, UnknownKeysAreErrors) {
  EXPECT_TRUE(mentions(error_of({{"bias", json::object()}}), "unknown config key preprocess.bias"));
  EXPECT_TRUE(mentions(error_of({{"n4", {{"shrink", 2}}}}), "unknown config key preprocess.n4.shrink"));
  EXPECT_TRUE(mentions(error_of({{"crop", {{"enabled", true}, {"margin", 3}}}}), "preprocess.crop.margin"));
}

TEST(PreprocessConfig, WrongTypesAreErrors) {
  const std::string e = error_of({{"reorient", {{"enabled", "yes"}}}});
  EXPECT_TRUE(mentions(e, "wrong type for config key preprocess.reorient.enabled")) << e;
  EXPECT_TRUE(mentions(e, "expected true or false, found \"yes\"")) << e;
  EXPECT_TRUE(mentions(e, "in config cfg.json")) << e;
  EXPECT_TRUE(mentions(error_of({{"n4", {{"shrink_factor", 2.5}}}}), "preprocess.n4.shrink_factor"));
  EXPECT_TRUE(mentions(error_of({{"n4", {{"shrink_factor", -2}}}}), "wrong type"));
  EXPECT_TRUE(mentions(error_of({{"n4", {{"iterations", {10, "x"}}}}}), "preprocess.n4.iterations"));
  EXPECT_TRUE(mentions(error_of({{"n4", {{"iterations", 10}}}}), "an array of integers"));
  EXPECT_TRUE(mentions(error_of({{"resample", {{"spacing_mm", 1.5}}}}), "an array of numbers"));
  EXPECT_TRUE(mentions(error_of({{"normalize", {{"lower_percentile", true}}}}), "expected a number"));
  EXPECT_TRUE(mentions(error_of({{"crop", true}}), "config key preprocess.crop is not an object"));
  EXPECT_TRUE(mentions(error_of(json::array()), "config key preprocess is not an object"));
}

TEST(PreprocessConfig, InvalidValuesAreErrors) {
  EXPECT_TRUE(mentions(error_of({{"n4", {{"shrink_factor", 0}}}}),
                       "invalid value for config key preprocess.n4.shrink_factor"));
  EXPECT_TRUE(mentions(error_of({{"n4", {{"iterations", json::array()}}}}), "preprocess.n4.iterations"));
  EXPECT_TRUE(mentions(error_of({{"n4", {{"spline_distance_mm", 0}}}}), "preprocess.n4.spline_distance_mm"));
  EXPECT_TRUE(mentions(error_of({{"resample", {{"spacing_mm", {1, 1}}}}}),
                       "invalid value for config key preprocess.resample.spacing_mm"));
  EXPECT_TRUE(
      mentions(error_of({{"resample", {{"spacing_mm", {1, 0, 1}}}}}), "preprocess.resample.spacing_mm"));
  EXPECT_TRUE(mentions(error_of({{"normalize", {{"lower_percentile", 60}, {"upper_percentile", 40}}}}),
                       "preprocess.normalize.upper_percentile"));
  EXPECT_TRUE(mentions(error_of({{"crop", {{"margin_mm", -1}}}}), "preprocess.crop.margin_mm"));
  EXPECT_EQ(error_of({{"resample", {{"spacing_mm", json::array()}}}}), "") << "[] switches resampling off";
}

}  // namespace
}  // namespace oncotrack::preprocess
