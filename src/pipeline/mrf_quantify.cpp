#include "oncotrack/pipeline/mrf_quantify.h"

#include <algorithm>

#include "oncotrack/cest/matching.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::pipeline {

namespace {

struct Fingerprints {
  Geometry geometry;
  std::vector<std::size_t> voxels;  // linear indices quantified
  nn::Tensor signals;               // [voxels, T]
};

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
    const GeometryDelta delta = compare_geometry(mask.geometry, f.geometry);
    if (!delta.within(1e-3, 1e-4))
      throw Error("mask is not on the series' voxel grid", in.mask.string(),
                  "the grid of " + in.series.string() + ": " + describe_geometry(f.geometry),
                  describe_geometry(mask.geometry) + " (" + delta.describe() + ")");
    keep.assign(mask.voxels.begin(), mask.voxels.end());
  }
  for (std::size_t v = 0; v < n; ++v) {
    if (!keep[v]) continue;
    bool any = false;
    for (std::size_t i = 0; i < t && !any; ++i) any = series[i].voxels[v] != 0.0f;
    if (any) f.voxels.push_back(v);
  }
  f.signals = nn::Tensor({static_cast<std::int64_t>(f.voxels.size()), static_cast<std::int64_t>(t)});
  for (std::size_t k = 0; k < f.voxels.size(); ++k)
    for (std::size_t i = 0; i < t; ++i) f.signals.data()[k * t + i] = series[i].voxels[f.voxels[k]];
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
  const std::vector<cest::Match> matches = cest::match_dictionary(dict, f.signals, threads);
  MrfMaps out;
  out.voxels = f.voxels.size();
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
  const nn::Tensor values = f.voxels.empty() ? nn::Tensor() : network.predict(f.signals, threads);
  const std::size_t k = network.outputs().size();
  for (std::size_t o = 0; o < k; ++o) {
    MrfMap m{network.outputs()[o].name, ImageF(f.geometry, 0.0f)};
    std::replace(m.name.begin(), m.name.end(), '.', '_');
    for (std::size_t v = 0; v < f.voxels.size(); ++v) m.image.voxels[f.voxels[v]] = values.data()[v * k + o];
    out.maps.push_back(std::move(m));
  }
  return out;
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
