#include "mrf_stage.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A binary volume seen at the centres of `grid`'s voxels (nearest voxel), each point first reflected
// across the LPS plane x = mirror_x when that is given.
Mask sample_on(const Mask& source, const Geometry& grid, const std::optional<double>& mirror_x) {
  Mask out(grid, 0);
  const auto& s = source.geometry.size;
  for (std::size_t k = 0; k < grid.size[2]; ++k)
    for (std::size_t j = 0; j < grid.size[1]; ++j)
      for (std::size_t i = 0; i < grid.size[0]; ++i) {
        Vec3 p = grid.index_to_lps({double(i), double(j), double(k)});
        if (mirror_x) p[0] = 2.0 * *mirror_x - p[0];
        const Vec3 c = source.geometry.lps_to_index(p);
        bool inside = true;
        std::size_t idx[3];
        for (int d = 0; d < 3; ++d) {
          const double r = std::round(c[d]);
          inside = inside && r >= 0 && r < double(s[d]);
          idx[d] = inside ? std::size_t(r) : 0;
        }
        if (inside && source.at(idx[0], idx[1], idx[2])) out.at(i, j, k) = 1;
      }
  return out;
}

Mask lesion_mask(const analysis::TumorMeasurement& m) {
  Mask mask(m.geometry, 0);
  for (const auto& l : m.lesions)
    for (const auto& r : l.runs)
      for (std::size_t i = r.i_begin; i < r.i_end; ++i) mask.at(i, r.j, r.k) = 1;
  return mask;
}

// Statistics of `map` over region ∩ quantified; null when that is empty.
json region_stats(const ImageF& map, const Mask& region, const Mask& quantified) {
  std::vector<double> v;
  for (std::size_t n = 0; n < map.voxels.size(); ++n)
    if (region.voxels[n] && quantified.voxels[n]) v.push_back(map.voxels[n]);
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  double sum = 0, ss = 0;
  for (double x : v) sum += x;
  const double mean = sum / double(v.size());
  for (double x : v) ss += (x - mean) * (x - mean);
  auto q = [&](double f) {  // linear interpolation between order statistics
    const double pos = f * double(v.size() - 1);
    const auto lo = std::size_t(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
  };
  return {{"mean", mean},
          {"sd", v.size() > 1 ? json(std::sqrt(ss / double(v.size() - 1))) : json(nullptr)},
          {"median", q(0.5)},
          {"q1", q(0.25)},
          {"q3", q(0.75)},
          {"iqr", q(0.75) - q(0.25)},
          {"voxel_count", v.size()}};
}

json region_json(const MrfMaps& maps, const Mask& region, const std::string& definition) {
  json parameters = json::object();
  std::size_t count = 0;
  for (std::size_t n = 0; n < region.voxels.size(); ++n)
    count += region.voxels[n] && maps.quantified.voxels[n];
  for (const MrfMap& m : maps.maps) parameters[m.name] = region_stats(m.image, region, maps.quantified);
  json out{{"definition", definition}, {"voxel_count", count}, {"parameters", parameters}};
  if (count == 0) out["reasons"] = {{"parameters", "no quantified voxel of the series lies in this region"}};
  return out;
}

// The change of mean and median of every parameter of every region from `base` to `now` (same layout).
json change_json(const json& now, const json& base) {
  json out = json::object();
  for (const char* region : {"tumor", "reference"}) {
    json params = json::object();
    for (const auto& [name, stats] : now.at(region).at("parameters").items()) {
      const json* b =
          base.at(region).at("parameters").contains(name) ? &base[region]["parameters"][name] : nullptr;
      if (stats.is_null() || !b || b->is_null()) {
        params[name] = nullptr;
        continue;
      }
      const double m0 = b->at("mean").get<double>(), m1 = stats.at("mean").get<double>();
      params[name] = {{"mean_change", m1 - m0},
                      {"mean_change_percent", m0 != 0 ? json(100.0 * (m1 - m0) / m0) : json(nullptr)},
                      {"median_change", stats.at("median").get<double>() - b->at("median").get<double>()}};
    }
    out[region] = params;
  }
  return out;
}

json file_json(const fs::path& path, const std::string& sha256) {
  json f{{"path", path.string()}};
  if (!sha256.empty()) f["sha256"] = sha256;
  return f;
}

// One timepoint: reconstruct, write, summarise. Throws Error when the series cannot be reconstructed.
json quantify_timepoint(const io::LoadedSubject& loaded, std::size_t t, const MrfReconstruction& rec,
                        const Geometry& reference, const fs::path& subject_dir, int threads,
                        const report::SubjectAnalysis& a) {
  const io::LoadedTimepoint& lt = loaded.timepoints[t];
  const io::MrfEntry& m = *lt.entry->mrf;
  const MrfMaps maps =
      quantify({m.series, m.schedule, {}, m.t1_map, m.t2_map, m.relaxation_unit_s}, rec, threads);
  const fs::path rel = fs::path("ses-" + lt.entry->id) / "mrf";
  json files = json::object();
  const auto& reg = t < a.registrations.size() ? a.registrations[t] : std::nullopt;
  const bool to_baseline = lt.entry->role == "baseline" || (reg && reg->usable());
  const registration::Transform transform =
      lt.entry->role == "baseline" || !to_baseline ? registration::Transform() : reg->result->transform;
  for (const MrfMap& map : maps.maps) {
    const fs::path native = rel / (map.name + ".nii.gz");
    io::write_image(map.image, subject_dir / native);
    json entry{{"native", native.string()}, {"baseline_space", nullptr}};
    if (to_baseline) {
      const fs::path moved = rel / "space-baseline" / (map.name + ".nii.gz");
      io::write_image(registration::resample_image(map.image, reference, transform), subject_dir / moved);
      entry["baseline_space"] = moved.string();
    }
    files[map.name] = entry;
  }
  const Geometry& grid = maps.quantified.geometry;
  json out{{"series", file_json(m.series, lt.mrf_series ? lt.mrf_series->sha256 : "")},
           {"schedule", m.schedule.string()},
           {"method", rec.dictionary ? "dictionary_matching" : "network"},
           {"reconstruction", file_json(rec.path, rec.sha256)},
           {"voxels_quantified", maps.voxels},
           {"maps", files},
           {"reasons", json::object()}};
  if (!to_baseline)
    out["reasons"]["maps_baseline_space"] =
        !reg ? "not registered" : (!reg->result ? "registration failed" : "registration suspect");
  for (const auto& [key, path] : {std::pair{"t1_map", m.t1_map}, std::pair{"t2_map", m.t2_map}})
    out[key] = path.empty() ? json(nullptr) : json(path.string());
  const auto& tumor = t < a.tumors.size() ? a.tumors[t] : std::nullopt;
  if (!tumor) {
    out["regions"] = nullptr;
    out["reasons"]["regions"] = "no tumour was measured at this timepoint";
    return out;
  }
  const Mask lesions = lesion_mask(*tumor);
  const Mask in_tumor = sample_on(lesions, grid, std::nullopt);
  Mask in_reference(grid, 0);
  std::string definition;
  if (!m.reference_mask.empty()) {
    in_reference = sample_on(io::labels_to_mask(io::read_labels(m.reference_mask), {}), grid, std::nullopt);
    definition = "reference_mask " + m.reference_mask.string();
  } else {
    const Geometry& anatomy = lt.images.front().info.geometry;
    const Vec3 centre =
        anatomy.index_to_lps({0.5 * double(anatomy.size[0] - 1), 0.5 * double(anatomy.size[1] - 1),
                              0.5 * double(anatomy.size[2] - 1)});
    in_reference = sample_on(lesions, grid, centre[0]);
    char x[32];
    std::snprintf(x, sizeof x, "%.1f", centre[0]);
    definition =
        std::string("tumour mirrored across LPS x = ") + x + " mm (centre of the anatomical field of view)";
  }
  for (std::size_t n = 0; n < in_reference.voxels.size(); ++n)
    if (in_tumor.voxels[n]) in_reference.voxels[n] = 0;
  out["regions"] = {{"tumor", region_json(maps, in_tumor, "the lesions measured at this timepoint")},
                    {"reference", region_json(maps, in_reference, definition)}};
  return out;
}

}  // namespace

void quantify_mrf_timepoints(const io::LoadedSubject& loaded, std::size_t baseline,
                             const MrfReconstruction* reconstruction, const Geometry& reference,
                             const fs::path& subject_dir, int threads, report::SubjectAnalysis& a) {
  a.mrf.assign(loaded.timepoints.size(), nullptr);
  for (std::size_t t = 0; t < loaded.timepoints.size(); ++t) {
    const io::TimepointEntry& tp = *loaded.timepoints[t].entry;
    if (!tp.mrf) continue;
    if (!reconstruction) {
      a.mrf[t] = {{"series", file_json(tp.mrf->series, "")},
                  {"maps", nullptr},
                  {"reasons", {{"maps", "no dictionary or network was given (--mrf-dict or --mrf-model)"}}}};
      continue;
    }
    try {
      a.mrf[t] = quantify_timepoint(loaded, t, *reconstruction, reference, subject_dir, threads, a);
    } catch (const WriteError&) {
      throw;  // not a quantification failure: the subject fails, and a rerun with room quantifies it
    } catch (const Error& e) {
      a.mrf[t] = {
          {"series", file_json(tp.mrf->series, "")}, {"maps", nullptr}, {"reasons", {{"maps", e.what()}}}};
    }
  }
  const json& base = a.mrf[baseline];
  const bool base_ok = base.is_object() && base.contains("regions") && base["regions"].is_object();
  for (std::size_t t = baseline + 1; t < a.mrf.size(); ++t) {
    json& now = a.mrf[t];
    if (!now.is_object() || !now.contains("regions")) continue;
    if (now["regions"].is_object() && base_ok) {
      now["change_vs_baseline"] = change_json(now["regions"], base["regions"]);
    } else {
      now["change_vs_baseline"] = nullptr;
      now["reasons"]["change_vs_baseline"] =
          base_ok ? "no regions at this timepoint" : "the baseline has no CEST-MRF regions";
    }
  }
}

}  // namespace oncotrack::pipeline
