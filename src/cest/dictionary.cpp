#include "oncotrack/cest/dictionary.h"

#include <algorithm>

#include "oncotrack/cest/simulate.h"
#include "oncotrack/core/error.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/safetensors.h"
#include "oncotrack/nn/thread_pool.h"
#include "oncotrack/version.h"

namespace oncotrack::cest {

using nlohmann::json;

namespace {

constexpr const char* kKind = "cest_dictionary";
constexpr const char* kFormatVersion = "1";

json simulator_json(const Schedule& schedule) {
  return {{"gamma_hz_per_ut", schedule.gamma_hz_per_ut},
          {"mt_pool", "z-only, saturation rate pi w1^2 g(dw)"},
          {"signal", "water Mz * sin(readout flip) after saturation and spoiling, relative to water M0"},
          {"rf_phase", "0 at the start of every pulse"},
          {"propagation", "matrix exponential of block-constant steps"},
          {"oncotrack", std::string(kVersion) + " (" + kGitCommit + ")"}};
}

}  // namespace

std::size_t Dictionary::parameter_index(const std::string& name) const {
  const auto it = std::find(parameter_names.begin(), parameter_names.end(), name);
  if (it == parameter_names.end()) {
    std::string names;
    for (const std::string& n : parameter_names) names += (names.empty() ? "" : ", ") + n;
    throw Error("dictionary has no parameter " + name, {}, "one of " + names, name);
  }
  return static_cast<std::size_t>(it - parameter_names.begin());
}

Dictionary simulate_dictionary(const ParameterGrid& grid, const Schedule& schedule, int threads,
                               const DictionaryProgress& progress) {
  Dictionary d;
  for (const GridAxis& a : grid.axes()) d.parameter_names.push_back(a.name);
  d.schedule = schedule;
  d.grid = grid.document();
  d.simulator = simulator_json(schedule);
  const std::int64_t n = grid.size(), t = static_cast<std::int64_t>(schedule.images.size());
  const auto p = static_cast<std::int64_t>(d.parameter_names.size());
  d.signals = nn::Tensor({n, t});
  d.parameters = nn::Tensor({n, p});
  nn::ThreadPool pool(threads);
  constexpr std::int64_t kBatch = 4096;  // progress granularity
  for (std::int64_t start = 0; start < n; start += kBatch) {
    const std::int64_t count = std::min(kBatch, n - start);
    pool.parallel_for(count, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = start + begin; i < start + end; ++i) {
        const std::vector<double> v = grid.values(i);
        const Scanner scanner = scanner_for(schedule, grid.b0_shift_ppm(v), grid.b1_scale(v));
        const std::vector<double> s = simulate_signal(grid.tissue(v), scanner, schedule);
        std::copy(s.begin(), s.end(), d.signals.data() + i * t);
        std::copy(v.begin(), v.end(), d.parameters.data() + i * p);
      }
    });
    if (progress) progress(start + count, n);
  }
  return d;
}

void write_dictionary(const std::filesystem::path& path, const Dictionary& d) {
  const std::map<std::string, std::string> metadata{
      {"oncotrack.format_version", kFormatVersion},
      {"oncotrack.kind", kKind},
      {"oncotrack.parameters", json(d.parameter_names).dump()},
      {"oncotrack.schedule", schedule_to_json(d.schedule).dump()},
      {"oncotrack.grid", d.grid.dump()},
      {"oncotrack.simulator", d.simulator.dump()}};
  try {
    nn::write_safetensors(path, metadata, {{"parameters", d.parameters}, {"signals", d.signals}});
  } catch (const nn::NnError& e) {
    throw Error("cannot write dictionary", path.string(), "a writable location", e.what());
  }
}

Dictionary read_dictionary(const std::filesystem::path& path) {
  try {
    const nn::SafetensorsFile f = nn::SafetensorsFile::read(path);
    const auto& md = f.metadata();
    auto meta = [&](const char* key) -> const std::string& {
      const auto it = md.find(key);
      if (it == md.end())
        throw Error(std::string("dictionary metadata lacks ") + key, {}, "the key", "nothing");
      return it->second;
    };
    if (meta("oncotrack.kind") != kKind)
      throw Error("not a CEST dictionary", {}, kKind, meta("oncotrack.kind"));
    if (meta("oncotrack.format_version") != kFormatVersion)
      throw Error("unsupported dictionary format version", {}, kFormatVersion,
                  meta("oncotrack.format_version"));
    Dictionary d;
    d.parameter_names = json::parse(meta("oncotrack.parameters")).get<std::vector<std::string>>();
    d.schedule = parse_schedule(json::parse(meta("oncotrack.schedule")), "dictionary metadata");
    d.grid = json::parse(meta("oncotrack.grid"));
    d.simulator = json::parse(meta("oncotrack.simulator"));
    d.signals = f.tensor("signals");
    d.parameters = f.tensor("parameters");
    const std::int64_t n = d.signals.rank() == 2 ? d.signals.dim(0) : -1;
    nn::require_shape(d.signals, {n, static_cast<std::int64_t>(d.schedule.images.size())}, "signals");
    nn::require_shape(d.parameters, {n, static_cast<std::int64_t>(d.parameter_names.size())}, "parameters");
    return d;
  } catch (const nn::NnError& e) {
    throw Error("invalid dictionary file", path.string(), "a dictionary written by oncotrack mrf simulate",
                e.what());
  } catch (const json::exception& e) {
    throw Error("invalid dictionary metadata", path.string(), "JSON written by oncotrack mrf simulate",
                e.what());
  } catch (Error& e) {
    e.add_context("in dictionary " + path.string());
    throw;
  }
}

}  // namespace oncotrack::cest
