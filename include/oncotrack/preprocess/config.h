#pragma once
// Preprocessing configuration: every step on or off with its parameters; defaults live here. The JSON form
// (a "preprocess" section of the pipeline config) is strict: unknown keys and wrong types are errors.
//
// {"reorient":  {"enabled": true},
//  "n4":        {"enabled": false, "shrink_factor": 4, "iterations": [50, 50, 30], "convergence": 0.001,
//                "spline_distance_mm": 100},
//  "resample":  {"spacing_mm": []},            // [] = keep the native grid, else [x, y, z] > 0
//  "normalize": {"enabled": true, "lower_percentile": 0.5, "upper_percentile": 99.5},
//  "crop":      {"enabled": false, "margin_mm": 10}}
// Every key is optional; a present key must have the right type and a valid value.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oncotrack/preprocess/n4.h"
#include "oncotrack/preprocess/normalize.h"

namespace oncotrack::preprocess {

struct PreprocessConfig {
  bool reorient = true;
  bool n4 = false;
  N4Options n4_options;
  std::vector<double> spacing_mm;  // working spacing per (reoriented) index axis; empty: no resampling
  bool normalize = true;
  NormalizeOptions normalize_options;
  bool crop = false;
  double crop_margin_mm = 10;  // around the body mask's bounding box
};

nlohmann::json to_json(const PreprocessConfig& config);
// Throws Error naming the key (preprocess.<section>.<key>), what was expected and what was found, with the
// context line "in config <source>".
PreprocessConfig preprocess_config_from_json(const nlohmann::json& doc, const std::string& source);

}  // namespace oncotrack::preprocess
