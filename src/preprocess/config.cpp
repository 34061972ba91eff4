#include "oncotrack/preprocess/config.h"

#include <algorithm>
#include <string>
#include <vector>

#include "oncotrack/core/error.h"
#include "oncotrack/core/json_section.h"

namespace oncotrack::preprocess {

using nlohmann::json;

json to_json(const PreprocessConfig& c) {
  const N4Options& n4 = c.n4_options;
  return {{"reorient", {{"enabled", c.reorient}}},
          {"n4",
           {{"enabled", c.n4},
            {"shrink_factor", n4.shrink_factor},
            {"iterations", n4.iterations},
            {"convergence", n4.convergence},
            {"spline_distance_mm", n4.spline_distance_mm}}},
          {"resample", {{"spacing_mm", c.spacing_mm}}},
          {"normalize",
           {{"enabled", c.normalize},
            {"lower_percentile", c.normalize_options.lower_percentile},
            {"upper_percentile", c.normalize_options.upper_percentile}}},
          {"crop", {{"enabled", c.crop}, {"margin_mm", c.crop_margin_mm}}}};
}

PreprocessConfig preprocess_config_from_json(const json& doc, const std::string& source) {
  PreprocessConfig c;
  try {
    JsonSection top(doc, "preprocess");
    if (const json* v = top.take("reorient")) {
      JsonSection s(*v, top.key("reorient"));
      s.read("enabled", c.reorient);
      s.finish();
    }
    if (const json* v = top.take("n4")) {
      JsonSection s(*v, top.key("n4"));
      s.read("enabled", c.n4);
      s.read("shrink_factor", c.n4_options.shrink_factor);
      s.read("iterations", c.n4_options.iterations);
      s.read("convergence", c.n4_options.convergence);
      s.read("spline_distance_mm", c.n4_options.spline_distance_mm);
      s.finish();
      validate(c.n4_options, "config key preprocess.n4.");
    }
    if (const json* v = top.take("resample")) {
      JsonSection s(*v, top.key("resample"));
      s.read("spacing_mm", c.spacing_mm);
      s.finish();
      const bool positive =
          std::all_of(c.spacing_mm.begin(), c.spacing_mm.end(), [](double x) { return x > 0; });
      require_value((c.spacing_mm.empty() || c.spacing_mm.size() == 3) && positive, s.key("spacing_mm"),
                    "[] or three values > 0", json(c.spacing_mm).dump());
    }
    if (const json* v = top.take("normalize")) {
      JsonSection s(*v, top.key("normalize"));
      s.read("enabled", c.normalize);
      s.read("lower_percentile", c.normalize_options.lower_percentile);
      s.read("upper_percentile", c.normalize_options.upper_percentile);
      s.finish();
      validate(c.normalize_options, "config key preprocess.normalize.");
    }
    if (const json* v = top.take("crop")) {
      JsonSection s(*v, top.key("crop"));
      s.read("enabled", c.crop);
      s.read("margin_mm", c.crop_margin_mm);
      s.finish();
      require_value(c.crop_margin_mm >= 0, s.key("margin_mm"), ">= 0", std::to_string(c.crop_margin_mm));
    }
    top.finish();
  } catch (Error& e) {
    e.add_context("in config " + source);
    throw;
  }
  return c;
}

}  // namespace oncotrack::preprocess
