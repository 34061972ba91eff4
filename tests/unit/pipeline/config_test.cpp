#include "oncotrack/pipeline/config.h"

#include <gtest/gtest.h>

#include "oncotrack/core/error.h"

namespace oncotrack::pipeline {
namespace {

using nlohmann::json;

std::string error_of(const json& doc) {
  try {
    config_from_json(doc, "cfg.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EmptyObjectGivesDefaultsAndRoundTrips) {
  const PipelineConfig defaults = config_from_json(json::object(), "cfg.json");
  EXPECT_EQ(defaults.analysis.connectivity, 26);
  EXPECT_EQ(defaults.analysis.max_target_lesions, 5);
  const json j = config_to_json(defaults);
  EXPECT_EQ(config_to_json(config_from_json(j, "cfg.json")), j);
}

TEST(Config, OverridesAreApplied) {
  const PipelineConfig c =
      config_from_json({{"analysis", {{"connectivity", 6}, {"min_lesion_volume_ml", 0.05}}},
                        {"inputs", {{"geometry_tolerance_mm", 0.01}}}},
                       "cfg.json");
  EXPECT_EQ(c.analysis.connectivity, 6);
  EXPECT_DOUBLE_EQ(c.analysis.min_lesion_volume_ml, 0.05);
  EXPECT_DOUBLE_EQ(c.inputs.geometry_tolerance_mm, 0.01);
  EXPECT_DOUBLE_EQ(c.analysis.measurable_min_diameter_mm, 10);  // untouched default
}

TEST(Config, StrictAboutKeysTypesAndValues) {
  EXPECT_NE(error_of({{"analysis", {{"conectivity", 6}}}}).find("unknown config key analysis.conectivity"),
            std::string::npos);
  EXPECT_NE(error_of({{"segmentation", json::object()}}).find("unknown config key (top level).segmentation"),
            std::string::npos);
  EXPECT_NE(error_of({{"analysis", {{"connectivity", "26"}}}})
                .find("wrong type for config key analysis.connectivity"),
            std::string::npos);
  EXPECT_NE(error_of({{"analysis", {{"connectivity", 2.5}}}}).find("wrong type"), std::string::npos);
  EXPECT_NE(error_of({{"analysis", {{"connectivity", 8}}}}).find("6, 18 or 26"), std::string::npos);
  EXPECT_NE(error_of({{"analysis", {{"match_distance_mm", 0}}}}).find("analysis.match_distance_mm"),
            std::string::npos);
  EXPECT_NE(error_of(json::array()).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of({{"analysis", {{"connectivity", 8}}}}).find("in config cfg.json"), std::string::npos);
}

TEST(Config, RegistrationAndPreprocessSections) {
  const PipelineConfig c = config_from_json(
      {{"registration",
        {{"deformable", true},
         {"levels", {{{"shrink", 2}, {"smoothing_mm", 1}}, {{"shrink", 1}, {"smoothing_mm", 0}}}}}},
       {"preprocess", {{"n4", {{"enabled", true}}}}}},
      "cfg.json");
  EXPECT_TRUE(c.registration.deformable);
  ASSERT_EQ(c.registration.levels.size(), 2u);
  EXPECT_DOUBLE_EQ(c.registration.levels[0].shrink, 2);
  EXPECT_TRUE(c.preprocess.n4);
  // The resolved config reads back to itself.
  EXPECT_EQ(config_to_json(config_from_json(config_to_json(c), "x")), config_to_json(c));

  EXPECT_NE(error_of({{"registration", {{"sampels", 9000}}}}).find("unknown config key registration.sampels"),
            std::string::npos);
  EXPECT_NE(error_of({{"registration", {{"samples", 10}}}}).find(">= 1000"), std::string::npos);
  EXPECT_NE(error_of({{"registration", {{"initialization", "random"}}}}).find("moments"), std::string::npos);
  EXPECT_NE(error_of({{"registration", {{"levels", json::array()}}}}).find("registration.levels"),
            std::string::npos);
  EXPECT_NE(
      error_of({{"registration", {{"levels", {{{"shrink", 0.5}}}}}}}).find("registration.levels[0].shrink"),
      std::string::npos);
  EXPECT_NE(error_of({{"preprocess", {{"n4", {{"enabled", "yes"}}}}}}).find("preprocess.n4.enabled"),
            std::string::npos);
}

}  // namespace
}  // namespace oncotrack::pipeline
