#include "oncotrack/pipeline/config.h"

#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"

namespace oncotrack::pipeline {

namespace {

// Reads doc[key] into value when present, checking the type; removes the key so leftovers are unknown keys.
template <class T>
void take(nlohmann::json& section, const char* key, T& value, const std::string& where) {
  if (!section.contains(key)) return;
  const nlohmann::json& v = section.at(key);
  const bool ok = std::is_same_v<T, bool>          ? v.is_boolean()
                  : std::is_same_v<T, std::string> ? v.is_string()
                  : std::is_unsigned_v<T>          ? v.is_number_integer() && v.get<long long>() >= 0
                  : std::is_integral_v<T>          ? v.is_number_integer()
                                                   : v.is_number();
  if (!ok)
    throw Error("wrong type for config key " + where + "." + key, "",
                std::is_same_v<T, bool>          ? "true or false"
                : std::is_same_v<T, std::string> ? "a string"
                : std::is_unsigned_v<T>          ? "a non-negative integer"
                : std::is_integral_v<T>          ? "an integer"
                                                 : "a number",
                v.dump());
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

nlohmann::json& section_of(nlohmann::json& doc, const char* key) {
  nlohmann::json& s = doc.at(key);
  if (!s.is_object())
    throw Error(std::string("config key ") + key + " is not an object", "", "an object", s.type_name());
  return s;
}

void take_levels(nlohmann::json& section, std::vector<registration::LevelSchedule>& levels) {
  if (!section.contains("levels")) return;
  const nlohmann::json& v = section.at("levels");
  if (!v.is_array() || v.empty())
    throw Error("wrong type for config key registration.levels", "",
                "a non-empty array of {\"shrink\": n, \"smoothing_mm\": s}, coarsest first", v.dump());
  levels.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    nlohmann::json item = v[i];
    const std::string where = "registration.levels[" + std::to_string(i) + "]";
    if (!item.is_object()) throw Error("wrong type for config key " + where, "", "an object", item.dump());
    registration::LevelSchedule l;
    take(item, "shrink", l.shrink, where);
    take(item, "smoothing_mm", l.smoothing_mm, where);
    reject_leftovers(item, where);
    require(l.shrink >= 1, where + ".shrink", ">= 1", l.shrink);
    require(l.smoothing_mm >= 0, where + ".smoothing_mm", ">= 0", l.smoothing_mm);
    levels.push_back(l);
  }
  section.erase("levels");
}

void read_registration(nlohmann::json& s, registration::RegistrationConfig& r) {
  const std::string w = "registration";
  take(s, "enabled", r.enabled, w);
  take(s, "initialization", r.initialization, w);
  take(s, "rotation_search", r.rotation_search, w);
  take(s, "rigid", r.rigid, w);
  take(s, "affine", r.affine, w);
  take(s, "deformable", r.deformable, w);
  take_levels(s, r.levels);
  take(s, "histogram_bins", r.histogram_bins, w);
  take(s, "samples", r.samples, w);
  take(s, "max_iterations", r.max_iterations, w);
  take(s, "bspline_grid_mm", r.bspline_grid_mm, w);
  take(s, "seed", r.seed, w);
  take(s, "exclude_tumour", r.exclude_tumour, w);
  take(s, "tumour_dilation_mm", r.tumour_dilation_mm, w);
  take(s, "min_ncc", r.min_ncc, w);
  take(s, "max_scale", r.max_scale, w);
  take(s, "write_resampled", r.write_resampled, w);
  reject_leftovers(s, w);
  if (r.initialization != "moments" && r.initialization != "geometry")
    throw Error("invalid value for config key registration.initialization", "", "\"moments\" or \"geometry\"",
                r.initialization);
  require(r.histogram_bins >= 8, "registration.histogram_bins", ">= 8", r.histogram_bins);
  require(r.samples >= 1000, "registration.samples", ">= 1000", r.samples);
  require(r.max_iterations >= 1, "registration.max_iterations", ">= 1", r.max_iterations);
  require(r.bspline_grid_mm > 0, "registration.bspline_grid_mm", "> 0", r.bspline_grid_mm);
  require(r.tumour_dilation_mm >= 0, "registration.tumour_dilation_mm", ">= 0", r.tumour_dilation_mm);
  require(r.max_scale > 1, "registration.max_scale", "> 1", r.max_scale);
}

nlohmann::json registration_to_json(const registration::RegistrationConfig& r) {
  nlohmann::json levels = nlohmann::json::array();
  for (const auto& l : r.levels) levels.push_back({{"shrink", l.shrink}, {"smoothing_mm", l.smoothing_mm}});
  return {{"enabled", r.enabled},
          {"initialization", r.initialization},
          {"rotation_search", r.rotation_search},
          {"rigid", r.rigid},
          {"affine", r.affine},
          {"deformable", r.deformable},
          {"levels", levels},
          {"histogram_bins", r.histogram_bins},
          {"samples", r.samples},
          {"max_iterations", r.max_iterations},
          {"bspline_grid_mm", r.bspline_grid_mm},
          {"seed", r.seed},
          {"exclude_tumour", r.exclude_tumour},
          {"tumour_dilation_mm", r.tumour_dilation_mm},
          {"min_ncc", r.min_ncc},
          {"max_scale", r.max_scale},
          {"write_resampled", r.write_resampled}};
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
            {"direction_tolerance", c.inputs.direction_tolerance}}},
          {"preprocess", preprocess::to_json(c.preprocess)},
          {"registration", registration_to_json(c.registration)}};
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
    if (doc.contains("preprocess")) {
      c.preprocess = preprocess::preprocess_config_from_json(doc.at("preprocess"), source);
      doc.erase("preprocess");
    }
    if (doc.contains("registration")) {
      read_registration(section_of(doc, "registration"), c.registration);
      doc.erase("registration");
    }
    reject_leftovers(doc, "(top level)");
  } catch (Error& e) {
    e.add_context("in config " + source);
    throw;
  }
  return c;
}

PipelineConfig load_config(const std::filesystem::path& path) {
  return config_from_json(read_json_file(path, "config"), path.string());
}

}  // namespace oncotrack::pipeline
