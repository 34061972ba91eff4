#include "oncotrack/preprocess/config.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "oncotrack/core/error.h"

namespace oncotrack::preprocess {

namespace {

using nlohmann::json;

// One object of the config: read() checks a key's type and consumes it; finish() reports what is left.
class Section {
 public:
  Section(const json& doc, std::string name) : name_(std::move(name)) {
    if (!doc.is_object())
      throw Error("config key " + name_ + " is not an object", {}, "an object", doc.type_name());
    rest_ = doc;
  }

  std::string key(const std::string& k) const { return name_ + "." + k; }

  // Consumes key k; its value, or nullptr when absent.
  const json* take(const char* k) {
    if (!rest_.contains(k)) return nullptr;
    taken_.insert(k);
    return &rest_.at(k);
  }

  void read(const char* k, bool& value) {
    if (const json* v = take(k)) value = checked(*v, k, v->is_boolean(), "true or false").get<bool>();
  }
  void read(const char* k, double& value) {
    if (const json* v = take(k)) value = checked(*v, k, v->is_number(), "a number").get<double>();
  }
  void read(const char* k, unsigned& value) {
    if (const json* v = take(k)) value = checked(*v, k, is_unsigned(*v), "an integer >= 0").get<unsigned>();
  }
  void read(const char* k, std::vector<unsigned>& value) {
    const json* v = take(k);
    if (v == nullptr) return;
    checked(*v, k, v->is_array() && std::all_of(v->begin(), v->end(), is_unsigned),
            "an array of integers >= 0");
    value = v->get<std::vector<unsigned>>();
  }
  void read(const char* k, std::vector<double>& value) {
    const json* v = take(k);
    if (v == nullptr) return;
    checked(*v, k,
            v->is_array() && std::all_of(v->begin(), v->end(), [](const json& x) { return x.is_number(); }),
            "an array of numbers");
    value = v->get<std::vector<double>>();
  }

  void finish() const {
    for (auto it = rest_.begin(); it != rest_.end(); ++it)
      if (taken_.count(it.key()) == 0)
        throw Error("unknown config key " + key(it.key()), {}, "only documented keys", it.key());
  }

 private:
  static bool is_unsigned(const json& v) {
    return v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
           v.get<std::int64_t>() <= std::numeric_limits<unsigned>::max();
  }
  const json& checked(const json& v, const char* k, bool ok, const char* expected) const {
    if (!ok) throw Error("wrong type for config key " + key(k), {}, expected, v.dump());
    return v;
  }

  std::string name_;
  json rest_;
  std::set<std::string> taken_;
};

void require(bool ok, const std::string& key, const std::string& expected, const std::string& found) {
  if (!ok) throw Error("invalid value for config key " + key, {}, expected, found);
}

}  // namespace

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
    Section top(doc, "preprocess");
    if (const json* v = top.take("reorient")) {
      Section s(*v, top.key("reorient"));
      s.read("enabled", c.reorient);
      s.finish();
    }
    if (const json* v = top.take("n4")) {
      Section s(*v, top.key("n4"));
      s.read("enabled", c.n4);
      s.read("shrink_factor", c.n4_options.shrink_factor);
      s.read("iterations", c.n4_options.iterations);
      s.read("convergence", c.n4_options.convergence);
      s.read("spline_distance_mm", c.n4_options.spline_distance_mm);
      s.finish();
      validate(c.n4_options, "config key preprocess.n4.");
    }
    if (const json* v = top.take("resample")) {
      Section s(*v, top.key("resample"));
      s.read("spacing_mm", c.spacing_mm);
      s.finish();
      const bool positive =
          std::all_of(c.spacing_mm.begin(), c.spacing_mm.end(), [](double x) { return x > 0; });
      require((c.spacing_mm.empty() || c.spacing_mm.size() == 3) && positive, s.key("spacing_mm"),
              "[] or three values > 0", json(c.spacing_mm).dump());
    }
    if (const json* v = top.take("normalize")) {
      Section s(*v, top.key("normalize"));
      s.read("enabled", c.normalize);
      s.read("lower_percentile", c.normalize_options.lower_percentile);
      s.read("upper_percentile", c.normalize_options.upper_percentile);
      s.finish();
      validate(c.normalize_options, "config key preprocess.normalize.");
    }
    if (const json* v = top.take("crop")) {
      Section s(*v, top.key("crop"));
      s.read("enabled", c.crop);
      s.read("margin_mm", c.crop_margin_mm);
      s.finish();
      require(c.crop_margin_mm >= 0, s.key("margin_mm"), ">= 0", std::to_string(c.crop_margin_mm));
    }
    top.finish();
  } catch (Error& e) {
    e.add_context("in config " + source);
    throw;
  }
  return c;
}

}  // namespace oncotrack::preprocess
