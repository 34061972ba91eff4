#include "oncotrack/pipeline/mrf_quantify.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "oncotrack/cest/matching.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::pipeline {

namespace {

struct Fingerprints {
  Geometry geometry;
  std::vector<std::size_t> voxels;          // linear indices quantified
  nn::Tensor signals;                       // [voxels, T]
  std::vector<cest::KnownParameter> known;  // measured water T1/T2 (seconds) per quantified voxel
};

void check_grid(const Geometry& g, const std::filesystem::path& path, const Geometry& series,
                const std::filesystem::path& series_path, const char* what) {
  const GeometryDelta delta = compare_geometry(g, series);
  if (!delta.within(1e-3, 1e-4))
    throw Error(std::string(what) + " is not on the series' voxel grid", path.string(),
                "the grid of " + series_path.string() + ": " + describe_geometry(series),
                describe_geometry(g) + " (" + delta.describe() + ")");
}

// A measured relaxation map in seconds, refusing values that only make sense in another unit.
ImageF relaxation_map(const MrfInputs& in, const std::filesystem::path& path, const Geometry& series,
                      double implausible_s, const char* what) {
  ImageF map = io::read_image(path);
  check_grid(map.geometry, path, series, in.series, what);
  std::vector<float> positive;
  for (float& v : map.voxels) {
    v = static_cast<float>(static_cast<double>(v) * in.relaxation_unit_s);
    if (v > 0.0f && std::isfinite(v)) positive.push_back(v);
  }
  if (positive.empty())
    throw Error(std::string(what) + " has no positive value", path.string(), "relaxation times > 0", "none");
  std::nth_element(positive.begin(), positive.begin() + positive.size() / 2, positive.end());
  const double median = positive[positive.size() / 2];
  if (median > implausible_s)
    throw Error(std::string(what) + " values are implausible in seconds", path.string(),
                "a median below " + std::to_string(implausible_s) + " s (maps in ms need a unit of 0.001 s)",
                "a median of " + std::to_string(median) + " s");
  return map;
}

Fingerprints load_fingerprints(const MrfInputs& in, const cest::Schedule& schedule) {
  const std::vector<ImageF> series = io::read_image_series(in.series);
  if (series.size() != schedule.images.size())
    throw Error("series does not match its schedule", in.series.string(),
                std::to_string(schedule.images.size()) + " volumes (one per schedule image in " +
                    in.schedule.string() + ")",
                std::to_string(series.size()) + " volumes");
  Fingerprints f;
  f.geometry = series.front().geometry;
  const std::size_t n = f.geometry.voxel_count(), t = series.size();
  std::vector<std::uint8_t> keep(n, 1);
  if (!in.mask.empty()) {
    const Mask mask = io::labels_to_mask(io::read_labels(in.mask), {});
    check_grid(mask.geometry, in.mask, f.geometry, in.series, "mask");
    keep.assign(mask.voxels.begin(), mask.voxels.end());
  }
  std::vector<std::pair<std::string, ImageF>> maps;
  if (!in.t1_map.empty())
    maps.emplace_back("water.t1_s", relaxation_map(in, in.t1_map, f.geometry, 20.0, "T1 map"));
  if (!in.t2_map.empty())
    maps.emplace_back("water.t2_s", relaxation_map(in, in.t2_map, f.geometry, 5.0, "T2 map"));
  for (std::size_t v = 0; v < n; ++v) {
    bool use = keep[v] != 0;
    for (const auto& [name, map] : maps) use = use && map.voxels[v] > 0.0f && std::isfinite(map.voxels[v]);
    bool any = false;
    for (std::size_t i = 0; i < t && use && !any; ++i) any = series[i].voxels[v] != 0.0f;
    if (any) f.voxels.push_back(v);
  }
  f.signals = nn::Tensor({static_cast<std::int64_t>(f.voxels.size()), static_cast<std::int64_t>(t)});
  for (std::size_t k = 0; k < f.voxels.size(); ++k)
    for (std::size_t i = 0; i < t; ++i) f.signals.data()[k * t + i] = series[i].voxels[f.voxels[k]];
  for (const auto& [name, map] : maps) {
    cest::KnownParameter k{name, {}};
    for (std::size_t v : f.voxels) k.values.push_back(map.voxels[v]);
    f.known.push_back(std::move(k));
  }
  return f;
}

// The series' schedule, checked against the one the dictionary or network was made for (descriptions aside).
cest::Schedule checked_schedule(const MrfInputs& in, const cest::Schedule& expected, const char* what) {
  const cest::Schedule schedule = cest::read_schedule(in.schedule);
  auto acquisition = [](const cest::Schedule& s) {
    nlohmann::json j = cest::schedule_to_json(s);
    j.erase("description");
    return j;
  };
  if (acquisition(schedule) != acquisition(expected))
    throw Error(std::string(what) + " was made for another schedule", in.schedule.string(),
                std::string("the schedule stored in the ") + what, "a different schedule");
  return schedule;
}

}  // namespace

MrfMaps quantify_with_dictionary(const MrfInputs& in, const cest::Dictionary& dict, int threads) {
  const Fingerprints f = load_fingerprints(in, checked_schedule(in, dict.schedule, "dictionary"));
  const std::vector<cest::Match> matches = f.known.empty()
                                               ? cest::match_dictionary(dict, f.signals, threads)
                                               : cest::match_dictionary(dict, f.signals, f.known, threads);
  MrfMaps out;
  out.voxels = f.voxels.size();
  out.quantified = Mask(f.geometry, 0);
  for (std::size_t k = 0; k < f.voxels.size(); ++k)
    if (matches[k].entry >= 0) out.quantified.voxels[f.voxels[k]] = 1;
  const auto p = static_cast<std::size_t>(dict.parameters.dim(1));
  for (std::size_t a = 0; a < dict.parameter_names.size(); ++a) {
    const float* col = dict.parameters.data() + a;
    bool varies = false;
    for (std::int64_t e = 1; e < dict.entries() && !varies; ++e) varies = col[e * p] != col[0];
    if (!varies) continue;
    MrfMap m{dict.parameter_names[a], ImageF(f.geometry, 0.0f)};
    std::replace(m.name.begin(), m.name.end(), '.', '_');
    for (std::size_t k = 0; k < f.voxels.size(); ++k)
      if (matches[k].entry >= 0)
        m.image.voxels[f.voxels[k]] = col[static_cast<std::size_t>(matches[k].entry) * p];
    out.maps.push_back(std::move(m));
  }
  MrfMap score{"match_score", ImageF(f.geometry, 0.0f)};
  for (std::size_t k = 0; k < f.voxels.size(); ++k) score.image.voxels[f.voxels[k]] = matches[k].score;
  out.maps.push_back(std::move(score));
  return out;
}

MrfMaps quantify_with_network(const MrfInputs& in, const cest::MrfNetwork& network, int threads) {
  const Fingerprints f = load_fingerprints(in, checked_schedule(in, network.schedule(), "network"));
  MrfMaps out;
  out.voxels = f.voxels.size();
  out.quantified = Mask(f.geometry, 0);
  for (std::size_t v : f.voxels) out.quantified.voxels[v] = 1;
  std::vector<std::string> given, wanted;
  for (const cest::KnownParameter& k : f.known) given.push_back(k.name);
  for (const cest::MrfOutput& i : network.inputs()) wanted.push_back(i.name);
  auto names = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? std::string("none") : nlohmann::json(v).dump();
  };
  if (names(given) != names(wanted))
    throw Error("measured maps do not fit the network", in.series.string(),
                "maps for " + names(wanted) + " (the network's inputs)", names(given));
  nn::Tensor known;
  if (!wanted.empty()) {
    const std::size_t k = wanted.size();
    known = nn::Tensor({static_cast<std::int64_t>(f.voxels.size()), static_cast<std::int64_t>(k)});
    for (std::size_t i = 0; i < k; ++i) {
      const auto g =
          static_cast<std::size_t>(std::find(given.begin(), given.end(), wanted[i]) - given.begin());
      for (std::size_t v = 0; v < f.voxels.size(); ++v) known.data()[v * k + i] = f.known[g].values[v];
    }
  }
  const nn::Tensor values = f.voxels.empty() ? nn::Tensor() : network.predict(f.signals, known, threads);
  const std::size_t k = network.outputs().size();
  for (std::size_t o = 0; o < k; ++o) {
    MrfMap m{network.outputs()[o].name, ImageF(f.geometry, 0.0f)};
    std::replace(m.name.begin(), m.name.end(), '.', '_');
    for (std::size_t v = 0; v < f.voxels.size(); ++v) m.image.voxels[f.voxels[v]] = values.data()[v * k + o];
    out.maps.push_back(std::move(m));
  }
  return out;
}

MrfMaps quantify(const MrfInputs& inputs, const MrfReconstruction& r, int threads) {
  ONCOTRACK_ASSERT(r.dictionary || r.network, "a reconstruction holds a dictionary or a network");
  return r.dictionary ? quantify_with_dictionary(inputs, *r.dictionary, threads)
                      : quantify_with_network(inputs, *r.network, threads);
}

std::vector<std::filesystem::path> write_mrf_maps(const MrfMaps& maps, const std::filesystem::path& out_dir) {
  std::filesystem::create_directories(out_dir);
  std::vector<std::filesystem::path> paths;
  for (const MrfMap& m : maps.maps) {
    paths.push_back(out_dir / (m.name + ".nii.gz"));
    io::write_image(m.image, paths.back());
  }
  return paths;
}

}  // namespace oncotrack::pipeline
