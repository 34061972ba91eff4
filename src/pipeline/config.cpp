#include "oncotrack/pipeline/config.h"

#include <fstream>

#include "oncotrack/core/error.h"

namespace oncotrack::pipeline {

namespace {

// Reads doc[key] into value when present, checking the type; removes the key so leftovers are unknown keys.
template <class T>
void take(nlohmann::json& section, const char* key, T& value, const std::string& where) {
  if (!section.contains(key)) return;
  const nlohmann::json& v = section.at(key);
  const bool ok = std::is_same_v<T, bool> ? v.is_boolean()
                  : std::is_integral_v<T> ? v.is_number_integer()
                                          : v.is_number();
  if (!ok)
    throw Error("wrong type for config key " + where + "." + key, "",
                std::is_integral_v<T> ? "an integer" : "a number", v.dump());
  value = v.get<T>();
  section.erase(key);
}

void reject_leftovers(const nlohmann::json& section, const std::string& where) {
  if (!section.empty())
    throw Error("unknown config key " + where + "." + section.begin().key(), "", "only documented keys",
                section.begin().key());
}

void require(bool ok, const std::string& key, const std::string& expected, double found) {
  if (!ok) throw Error("invalid value for config key " + key, "", expected, std::to_string(found));
}

}  // namespace

nlohmann::json config_to_json(const PipelineConfig& c) {
  const auto& a = c.analysis;
  return {{"analysis",
           {{"connectivity", a.connectivity},
            {"min_lesion_volume_ml", a.min_lesion_volume_ml},
            {"measurable_min_diameter_mm", a.measurable_min_diameter_mm},
            {"max_target_lesions", a.max_target_lesions},
            {"match_distance_mm", a.match_distance_mm},
            {"new_lesion_min_diameter_mm", a.new_lesion_min_diameter_mm}}},
          {"inputs",
           {{"geometry_tolerance_mm", c.inputs.geometry_tolerance_mm},
            {"direction_tolerance", c.inputs.direction_tolerance}}}};
}

PipelineConfig config_from_json(const nlohmann::json& doc_in, const std::string& source) {
  PipelineConfig c;
  try {
    if (!doc_in.is_object()) throw Error("config is not a JSON object", "", "an object", doc_in.type_name());
    nlohmann::json doc = doc_in;
    if (doc.contains("analysis")) {
      nlohmann::json& s = doc.at("analysis");
      if (!s.is_object()) throw Error("config key analysis is not an object", "", "an object", s.type_name());
      auto& a = c.analysis;
      take(s, "connectivity", a.connectivity, "analysis");
      take(s, "min_lesion_volume_ml", a.min_lesion_volume_ml, "analysis");
      take(s, "measurable_min_diameter_mm", a.measurable_min_diameter_mm, "analysis");
      take(s, "max_target_lesions", a.max_target_lesions, "analysis");
      take(s, "match_distance_mm", a.match_distance_mm, "analysis");
      take(s, "new_lesion_min_diameter_mm", a.new_lesion_min_diameter_mm, "analysis");
      reject_leftovers(s, "analysis");
      doc.erase("analysis");
      require(a.connectivity == 6 || a.connectivity == 18 || a.connectivity == 26, "analysis.connectivity",
              "6, 18 or 26", a.connectivity);
      require(a.min_lesion_volume_ml >= 0, "analysis.min_lesion_volume_ml", ">= 0", a.min_lesion_volume_ml);
      require(a.measurable_min_diameter_mm >= 0, "analysis.measurable_min_diameter_mm", ">= 0",
              a.measurable_min_diameter_mm);
      require(a.max_target_lesions >= 1, "analysis.max_target_lesions", ">= 1", a.max_target_lesions);
      require(a.match_distance_mm > 0, "analysis.match_distance_mm", "> 0", a.match_distance_mm);
      require(a.new_lesion_min_diameter_mm >= 0, "analysis.new_lesion_min_diameter_mm", ">= 0",
              a.new_lesion_min_diameter_mm);
    }
    if (doc.contains("inputs")) {
      nlohmann::json& s = doc.at("inputs");
      if (!s.is_object()) throw Error("config key inputs is not an object", "", "an object", s.type_name());
      take(s, "geometry_tolerance_mm", c.inputs.geometry_tolerance_mm, "inputs");
      take(s, "direction_tolerance", c.inputs.direction_tolerance, "inputs");
      reject_leftovers(s, "inputs");
      doc.erase("inputs");
      require(c.inputs.geometry_tolerance_mm >= 0, "inputs.geometry_tolerance_mm", ">= 0",
              c.inputs.geometry_tolerance_mm);
      require(c.inputs.direction_tolerance >= 0, "inputs.direction_tolerance", ">= 0",
              c.inputs.direction_tolerance);
    }
    reject_leftovers(doc, "(top level)");
  } catch (Error& e) {
    e.add_context("in config " + source);
    throw;
  }
  return c;
}

PipelineConfig load_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open config file", path.string(), "a readable JSON file", "open failed");
  try {
    return config_from_json(nlohmann::json::parse(in), path.string());
  } catch (const nlohmann::json::parse_error& e) {
    throw Error("config is not valid JSON", path.string(), "JSON", e.what());
  }
}

}  // namespace oncotrack::pipeline
