#include "oncotrack/cest/schedule.h"

#include <cmath>
#include <optional>

#include "oncotrack/cest/tissue.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/core/json_section.h"

namespace oncotrack::cest {

using nlohmann::json;

namespace {

// One per-image key: a number for every image, or an array of one number per image.
struct PerImage {
  const char* key;
  std::optional<json> value;
};

std::size_t image_count(const std::vector<PerImage>& keys) {
  std::optional<std::size_t> n;
  for (const PerImage& k : keys) {
    if (!k.value || !k.value->is_array()) continue;
    if (n && *n != k.value->size())
      throw Error("schedule arrays differ in length", {}, "one entry per image (" + std::to_string(*n) + ")",
                  std::string(k.key) + " has " + std::to_string(k.value->size()));
    n = k.value->size();
  }
  if (!n || *n == 0)
    throw Error("schedule has no images", {}, "at least one per-image key given as a non-empty array",
                "no array");
  return *n;
}

double entry(const PerImage& k, std::size_t i, double fallback) {
  if (!k.value) return fallback;
  const json& v = k.value->is_array() ? (*k.value)[i] : *k.value;
  if (!v.is_number())
    throw Error(std::string("wrong type for schedule key ") + k.key, {}, "a number or an array of numbers",
                v.dump());
  return v.get<double>();
}

Pulse parse_pulse(const json& doc) {
  JsonSection s(doc, "pulse");
  Pulse p;
  std::string shape;
  s.read("shape", shape);
  if (shape == "rectangular")
    p.shape = PulseShape::kRectangular;
  else if (shape == "gaussian")
    p.shape = PulseShape::kGaussian;
  else
    require_value(false, s.key("shape"), "rectangular or gaussian", shape.empty() ? "nothing" : shape);
  s.need("duration_s");
  s.read("duration_s", p.duration_s);
  s.read("interpulse_delay_s", p.interpulse_delay_s);
  s.read("segments", p.segments);
  s.finish();
  require_value(p.duration_s > 0.0, s.key("duration_s"), "> 0", std::to_string(p.duration_s));
  require_value(p.interpulse_delay_s >= 0.0, s.key("interpulse_delay_s"), ">= 0",
                std::to_string(p.interpulse_delay_s));
  require_value(p.segments >= 1, s.key("segments"), ">= 1", "0");
  if (p.shape == PulseShape::kRectangular) p.segments = 1;
  return p;
}

}  // namespace

Schedule parse_schedule(const json& doc, const std::string& source) {
  try {
    JsonSection s(doc, "schedule");
    Schedule out;
    s.read("description", out.description);
    s.need("b0_tesla");
    s.read("b0_tesla", out.b0_tesla);
    require_value(out.b0_tesla > 0.0, "schedule.b0_tesla", "> 0", std::to_string(out.b0_tesla));
    s.read("gamma_hz_per_ut", out.gamma_hz_per_ut);
    require_value(out.gamma_hz_per_ut > 0.0, "schedule.gamma_hz_per_ut", "> 0",
                  std::to_string(out.gamma_hz_per_ut));
    std::string saturation;
    s.need("saturation");
    s.read("saturation", saturation);
    require_value(saturation == "continuous_wave" || saturation == "pulsed", "schedule.saturation",
                  "continuous_wave or pulsed", saturation);
    out.saturation = saturation == "pulsed" ? Saturation::kPulsed : Saturation::kContinuousWave;
    const json* pulse = s.take("pulse");
    if (out.saturation == Saturation::kPulsed) {
      if (pulse == nullptr)
        throw Error("missing config key schedule.pulse", {}, "a pulse for pulsed saturation", "nothing");
      out.pulse = parse_pulse(*pulse);
    } else if (pulse != nullptr) {
      throw Error("schedule.pulse given for continuous-wave saturation", {}, "no pulse", pulse->dump());
    }
    std::string magnetisation = "carry_over";
    s.read("magnetisation", magnetisation);
    require_value(magnetisation == "carry_over" || magnetisation == "reset", "schedule.magnetisation",
                  "carry_over or reset", magnetisation);
    out.carry_over = magnetisation == "carry_over";

    std::vector<PerImage> keys;
    for (const char* k : {"offset_ppm", "b1_ut", "tsat_s", "tr_s", "readout_flip_deg"}) {
      const json* v = s.take(k);
      keys.push_back({k, v ? std::optional<json>(*v) : std::nullopt});
    }
    for (int i = 0; i < 3; ++i)
      if (!keys[i].value)
        throw Error(std::string("missing config key schedule.") + keys[i].key, {},
                    "a number or an array of numbers", "nothing");
    s.finish();
    const std::size_t n = image_count(keys);
    for (std::size_t i = 0; i < n; ++i) {
      ScheduleImage im;
      im.offset_ppm = entry(keys[0], i, 0.0);
      im.b1_ut = entry(keys[1], i, 0.0);
      im.tsat_s = entry(keys[2], i, 0.0);
      im.tr_s = entry(keys[3], i, im.tsat_s);
      im.readout_flip_deg = entry(keys[4], i, 90.0);
      const std::string at = " (image " + std::to_string(i + 1) + ")";
      require_value(im.b1_ut >= 0.0, "schedule.b1_ut" + at, ">= 0", std::to_string(im.b1_ut));
      require_value(im.tsat_s >= 0.0, "schedule.tsat_s" + at, ">= 0", std::to_string(im.tsat_s));
      require_value(im.tr_s >= im.tsat_s, "schedule.tr_s" + at,
                    ">= tsat_s (" + std::to_string(im.tsat_s) + ")", std::to_string(im.tr_s));
      if (out.saturation == Saturation::kPulsed && im.tsat_s > 0.0) pulse_count(out.pulse, im.tsat_s);
      out.images.push_back(im);
    }
    return out;
  } catch (Error& e) {
    e.add_context("in schedule " + source);
    throw;
  }
}

Schedule read_schedule(const std::filesystem::path& path) {
  return parse_schedule(read_json_file(path, "schedule"), path.string());
}

json schedule_to_json(const Schedule& s) {
  json out{{"b0_tesla", s.b0_tesla},
           {"gamma_hz_per_ut", s.gamma_hz_per_ut},
           {"saturation", s.saturation == Saturation::kPulsed ? "pulsed" : "continuous_wave"},
           {"magnetisation", s.carry_over ? "carry_over" : "reset"}};
  if (!s.description.empty()) out["description"] = s.description;
  if (s.saturation == Saturation::kPulsed)
    out["pulse"] = {{"shape", s.pulse.shape == PulseShape::kGaussian ? "gaussian" : "rectangular"},
                    {"duration_s", s.pulse.duration_s},
                    {"interpulse_delay_s", s.pulse.interpulse_delay_s},
                    {"segments", s.pulse.segments}};
  for (const char* k : {"offset_ppm", "b1_ut", "tsat_s", "tr_s", "readout_flip_deg"}) out[k] = json::array();
  for (const ScheduleImage& im : s.images) {
    out["offset_ppm"].push_back(im.offset_ppm);
    out["b1_ut"].push_back(im.b1_ut);
    out["tsat_s"].push_back(im.tsat_s);
    out["tr_s"].push_back(im.tr_s);
    out["readout_flip_deg"].push_back(im.readout_flip_deg);
  }
  return out;
}

unsigned pulse_count(const Pulse& pulse, double tsat_s) {
  const double period = pulse.duration_s + pulse.interpulse_delay_s;
  const double n = std::round((tsat_s + pulse.interpulse_delay_s) / period);
  if (n < 1.0 || std::abs(n * period - pulse.interpulse_delay_s - tsat_s) > 1e-6)
    throw Error("pulse train does not fill the saturation time", {},
                "tsat_s = n · duration_s + (n − 1) · interpulse_delay_s for an integer n",
                "tsat_s " + std::to_string(tsat_s) + " with a period of " + std::to_string(period) + " s");
  return static_cast<unsigned>(n);
}

std::vector<double> pulse_segments(const Pulse& pulse) {
  std::vector<double> a(pulse.segments, 1.0);
  if (pulse.shape == PulseShape::kGaussian) {
    double sum = 0.0;
    for (unsigned i = 0; i < pulse.segments; ++i) {
      const double t = ((i + 0.5) / pulse.segments - 0.5) * 6.0;  // in units of σ, ±3σ
      a[i] = std::exp(-0.5 * t * t);
      sum += a[i];
    }
    for (double& x : a) x *= pulse.segments / sum;
  }
  return a;
}

}  // namespace oncotrack::cest
