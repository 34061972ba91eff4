#include "oncotrack/cest/grid.h"

#include <cmath>

#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/core/json_section.h"

namespace oncotrack::cest {

using nlohmann::json;

namespace {

constexpr std::int64_t kMaxEntries = 500000000;

std::vector<double> axis_values(const json& v, const std::string& key) {
  if (v.is_number()) return {v.get<double>()};
  if (v.is_array()) {
    std::vector<double> out;
    for (const json& x : v) {
      require_value(x.is_number(), key, "numbers", x.dump());
      out.push_back(x.get<double>());
    }
    require_value(!out.empty(), key, "at least one value", "[]");
    return out;
  }
  JsonSection s(v, key);
  double from = 0.0, to = 0.0, step = 0.0;
  s.need("from");
  s.need("to");
  s.need("step");
  s.read("from", from);
  s.read("to", to);
  s.read("step", step);
  s.finish();
  require_value(step > 0.0 && to >= from, key, "step > 0 and to >= from", v.dump());
  const double count = std::floor((to - from) / step + 1e-9) + 1.0;
  require_value(count <= 1e7, key, "at most 1e7 values", std::to_string(count));
  std::vector<double> out;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(count); ++i) out.push_back(from + step * i);
  return out;
}

void require_all(const std::vector<double>& v, bool (*ok)(double), const std::string& key, const char* want) {
  for (double x : v) require_value(ok(x), key, want, std::to_string(x));
}

bool positive(double x) {
  return x > 0.0;
}
bool non_negative(double x) {
  return x >= 0.0;
}
bool any(double) {
  return true;
}

}  // namespace

std::size_t ParameterGrid::add(const std::string& name, const json& value) {
  axes_.push_back({name, axis_values(value, name)});
  return axes_.size() - 1;
}

ParameterGrid ParameterGrid::parse(const json& doc, const std::string& source) {
  ParameterGrid g;
  g.doc_ = doc;
  try {
    JsonSection top(doc, "grid");
    auto axis = [&](JsonSection& s, const std::string& prefix, const char* key, bool (*ok)(double),
                    const char* want) {
      const std::size_t a = g.add(prefix + key, s.need(key));
      require_all(g.axes_[a].values, ok, prefix + key, want);
      return a;
    };
    // A pool's amount: a concentration with its proton count, or a fraction.
    auto amount = [&](JsonSection& s, const std::string& prefix, PoolAxes& p) {
      if (s.take("concentration_mm") != nullptr) {
        p.amount = axis(s, prefix, "concentration_mm", non_negative, ">= 0");
        s.read("protons", p.protons);
        require_value(p.protons > 0.0, prefix + "protons", "> 0 with concentration_mm",
                      std::to_string(p.protons));
      } else {
        p.amount = axis(s, prefix, "fraction", non_negative, ">= 0");
      }
    };
    {
      JsonSection w(top.need("water"), "grid.water");
      g.water_t1_ = axis(w, "water.", "t1_s", positive, "> 0");
      g.water_t2_ = axis(w, "water.", "t2_s", positive, "> 0");
      w.finish();
    }
    if (const json* pools = top.take("cest")) {
      require_value(pools->is_array(), "grid.cest", "an array of pools", pools->dump());
      for (const json& pool : *pools) {
        JsonSection s(pool, "grid.cest[]");
        std::string name;
        s.read("name", name);
        require_value(!name.empty() && name != "water" && name != "mt", "grid.cest[].name",
                      "a name other than water or mt", name);
        const std::string prefix = name + ".";
        PoolAxes p;
        p.shift = axis(s, prefix, "shift_ppm", any, "a number");
        p.rate = axis(s, prefix, "exchange_rate_per_s", non_negative, ">= 0");
        amount(s, prefix, p);
        p.t1 = axis(s, prefix, "t1_s", positive, "> 0");
        p.t2 = axis(s, prefix, "t2_s", positive, "> 0");
        s.finish();
        g.cest_.push_back(p);
      }
    }
    if (const json* mt = top.take("mt")) {
      JsonSection s(*mt, "grid.mt");
      PoolAxes& p = g.mt_;
      p.shift = axis(s, "mt.", "shift_ppm", any, "a number");
      p.rate = axis(s, "mt.", "exchange_rate_per_s", non_negative, ">= 0");
      amount(s, "mt.", p);
      const json& t1 = s.need("t1_s");
      if (t1.is_string()) {
        require_value(t1 == "water", "mt.t1_s", "a value or \"water\"", t1.dump());
        p.t1_is_water = true;
      } else {
        p.t1 = axis(s, "mt.", "t1_s", positive, "> 0");
      }
      p.t2 = axis(s, "mt.", "t2_s", positive, "> 0");
      std::string shape = "super_lorentzian";
      s.read("lineshape", shape);
      require_value(shape == "lorentzian" || shape == "super_lorentzian", "mt.lineshape",
                    "lorentzian or super_lorentzian", shape);
      g.mt_lineshape_ = shape == "lorentzian" ? Lineshape::kLorentzian : Lineshape::kSuperLorentzian;
      s.finish();
      g.has_mt_ = true;
    }
    const json* b0 = top.take("b0_shift_ppm");
    g.b0_axis_ = g.add("b0_shift_ppm", b0 ? *b0 : json(0.0));
    const json* b1 = top.take("b1_scale");
    g.b1_axis_ = g.add("b1_scale", b1 ? *b1 : json(1.0));
    require_all(g.axes_[g.b1_axis_].values, positive, "b1_scale", "> 0");
    top.finish();
    require_value(g.size() <= kMaxEntries, "grid", "at most 5e8 entries", std::to_string(g.size()));
  } catch (Error& e) {
    e.add_context("in parameter grid " + source);
    throw;
  }
  return g;
}

ParameterGrid ParameterGrid::read(const std::filesystem::path& path) {
  return parse(read_json_file(path, "parameter grid"), path.string());
}

std::int64_t ParameterGrid::size() const {
  std::int64_t n = 1;
  for (const GridAxis& a : axes_) {
    n *= static_cast<std::int64_t>(a.values.size());
    if (n > kMaxEntries) return kMaxEntries + 1;
  }
  return n;
}

std::vector<double> ParameterGrid::values(std::int64_t i) const {
  std::vector<double> v(axes_.size());
  for (std::size_t a = axes_.size(); a-- > 0;) {
    const auto n = static_cast<std::int64_t>(axes_[a].values.size());
    v[a] = axes_[a].values[static_cast<std::size_t>(i % n)];
    i /= n;
  }
  return v;
}

Tissue ParameterGrid::tissue(const std::vector<double>& v) const {
  Tissue t;
  t.water = {v[water_t1_], v[water_t2_]};
  auto fraction = [&](const PoolAxes& p) {
    return p.protons > 0.0 ? fraction_from_concentration(v[p.amount], p.protons) : v[p.amount];
  };
  for (const PoolAxes& p : cest_) t.cest.push_back({v[p.shift], v[p.rate], fraction(p), v[p.t1], v[p.t2]});
  if (has_mt_)
    t.mt = MtPool{v[mt_.shift], v[mt_.rate],  fraction(mt_), mt_.t1_is_water ? v[water_t1_] : v[mt_.t1],
                  v[mt_.t2],    mt_lineshape_};
  return t;
}

}  // namespace oncotrack::cest
