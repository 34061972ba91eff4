#include "oncotrack/pipeline/zspectrum_maps.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "oncotrack/cest/schedule.h"
#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr double kGridToleranceMm = 1e-3, kGridToleranceDirection = 1e-4;
constexpr double kM0Percentile = 0.98;

struct Series {
  std::vector<ImageF> volumes;
  double imaging_frequency_mhz = 0;
  std::size_t zeroed = 0;  // NaN/Inf values read as 0
};

Series load_series(const fs::path& path) {
  Series s;
  if (fs::is_directory(path)) {
    io::MeasurementSeries m = io::read_dicom_measurements(path);
    s.volumes = std::move(m.volumes);
    s.imaging_frequency_mhz = m.imaging_frequency_mhz;
  } else {
    s.volumes = io::read_image_series(path, {true}, &s.zeroed);
  }
  return s;
}

void require_same_grid(const Geometry& g, const fs::path& path, const Geometry& series_grid,
                       const fs::path& series, const char* what) {
  const GeometryDelta delta = compare_geometry(g, series_grid);
  if (!delta.within(kGridToleranceMm, kGridToleranceDirection))
    throw Error(std::string(what) + " is not on the series' voxel grid", path.string(),
                "the grid of " + series.string() + ": " + describe_geometry(series_grid),
                describe_geometry(g) + " (" + delta.describe() + ")");
}

void require_offsets_match(const std::vector<double>& offsets, const fs::path& offsets_path,
                           std::size_t volumes, const fs::path& series) {
  if (offsets.size() != volumes)
    throw Error("offsets do not match the measurements", offsets_path.string(),
                std::to_string(volumes) + " offsets, one per measurement of " + series.string(),
                std::to_string(offsets.size()) + " offsets");
}

// Mean M0 signal of every voxel (1 where there is no M0 reference).
std::vector<double> m0_signal(const std::vector<ImageF>& volumes, const cest::SpectrumLayout& layout) {
  std::vector<double> m0(volumes.front().voxels.size(), 0.0);
  for (std::size_t v = 0; v < m0.size(); ++v) {
    if (layout.m0.empty()) {
      for (const ImageF& im : volumes) m0[v] = std::max(m0[v], std::abs(double(im.voxels[v])));
      continue;
    }
    for (std::size_t i : layout.m0) m0[v] += double(volumes[i].voxels[v]);
    m0[v] /= double(layout.m0.size());
  }
  return m0;
}

nlohmann::json statistics(std::vector<float> values) {
  if (values.empty()) return {{"voxels", 0}};
  double mean = 0, sq = 0;
  for (float v : values) mean += double(v);
  mean /= double(values.size());
  for (float v : values) sq += (double(v) - mean) * (double(v) - mean);
  const auto mid = values.begin() + std::ptrdiff_t(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return {{"voxels", values.size()},
          {"mean", mean},
          {"sd", values.size() > 1 ? std::sqrt(sq / double(values.size() - 1)) : 0.0},
          {"median", *mid},
          {"min", *lo},
          {"max", *hi}};
}

const char* correction_name(cest::B0Correction c) {
  switch (c) {
    case cest::B0Correction::kNone:
      return "none";
    case cest::B0Correction::kMinimum:
      return "minimum";
    case cest::B0Correction::kWasabi:
      return "wasabi";
  }
  return "?";
}

}  // namespace

std::vector<double> read_offsets(const fs::path& path) {
  if (path.extension() == ".json") {
    std::vector<double> offsets;
    for (const cest::ScheduleImage& im : cest::read_schedule(path).images) offsets.push_back(im.offset_ppm);
    return offsets;
  }
  std::ifstream in(path);
  if (!in)
    throw Error("cannot read offsets", path.string(), "a text file, one offset in ppm per line",
                "no such file");
  std::vector<double> offsets;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream text(line);
    double v = 0;
    std::string rest;
    if (!(text >> v) || (text >> rest) || !std::isfinite(v))
      throw Error("offset is not a number", path.string() + ":" + std::to_string(n),
                  "one offset in ppm per line", "\"" + line + "\"");
    offsets.push_back(v);
  }
  return offsets;
}

ZSpectrumResult compute_zspectrum_maps(const ZSpectrumInputs& in, cest::ZSpectrumOptions o, int threads) {
  const Series series = load_series(in.series);
  const std::vector<double> offsets = read_offsets(in.offsets);
  require_offsets_match(offsets, in.offsets, series.volumes.size(), in.series);
  const cest::SpectrumLayout layout =
      cest::layout_spectrum(offsets, o.m0_threshold_ppm, o.normalised_input, in.offsets.string());
  const Geometry& grid = series.volumes.front().geometry;
  const bool wasabi = o.b0_correction == cest::B0Correction::kWasabi;

  Series wasabi_series;
  std::vector<double> wasabi_offsets;
  std::string b0_source = "--b0-tesla";
  double b0 = in.b0_tesla.value_or(0.0);
  if (wasabi) {
    if (in.wasabi.empty() || in.wasabi_offsets.empty())
      throw Error("WASABI correction needs the WASABI series and its offsets", in.series.string(),
                  "--wasabi SERIES --wasabi-offsets FILE", "none given");
    wasabi_series = load_series(in.wasabi);
    wasabi_offsets = read_offsets(in.wasabi_offsets);
    require_offsets_match(wasabi_offsets, in.wasabi_offsets, wasabi_series.volumes.size(), in.wasabi);
    cest::layout_spectrum(wasabi_offsets, o.m0_threshold_ppm, false, in.wasabi_offsets.string());
    require_same_grid(wasabi_series.volumes.front().geometry, in.wasabi, grid, in.series, "WASABI series");
    if (!in.b0_tesla) {
      const double mhz = series.imaging_frequency_mhz > 0 ? series.imaging_frequency_mhz
                                                          : wasabi_series.imaging_frequency_mhz;
      if (!(mhz > 0))
        throw Error("field strength unknown", in.wasabi.string(),
                    "--b0-tesla, or DICOM files with an ImagingFrequency", "neither");
      b0 = mhz / o.wasabi.gamma_hz_per_ut;  // MHz / (MHz/T)
      b0_source = "DICOM ImagingFrequency " + std::to_string(mhz) + " MHz";
    }
    o.wasabi.b0_tesla = b0;
  } else if (!in.b0_tesla && series.imaging_frequency_mhz > 0) {
    b0 = series.imaging_frequency_mhz / o.wasabi.gamma_hz_per_ut;
    b0_source = "DICOM ImagingFrequency";
  }

  std::vector<std::uint8_t> keep(grid.voxel_count(), 1);
  const std::vector<double> m0 = m0_signal(series.volumes, layout);
  if (!in.mask.empty()) {
    const Mask mask = io::labels_to_mask(io::read_labels(in.mask), {});
    require_same_grid(mask.geometry, in.mask, grid, in.series, "mask");
    keep.assign(mask.voxels.begin(), mask.voxels.end());
  } else {
    std::vector<double> sorted = m0;
    const auto at = sorted.begin() + std::ptrdiff_t(kM0Percentile * double(sorted.size() - 1));
    std::nth_element(sorted.begin(), at, sorted.end());
    const double threshold = o.normalised_input ? 0.0 : in.signal_fraction * *at;
    for (std::size_t v = 0; v < keep.size(); ++v) keep[v] = m0[v] > threshold && m0[v] > 0.0;
  }
  std::vector<std::size_t> voxels;
  for (std::size_t v = 0; v < keep.size(); ++v)
    if (keep[v] && m0[v] > 0.0) voxels.push_back(v);
  if (voxels.empty())
    throw Error("no voxel to analyse", (in.mask.empty() ? in.series : in.mask).string(),
                "voxels with a signal (inside the mask)", "none");

  cest::ZSpectrumInput input;
  input.offsets_ppm = offsets;
  auto gather = [&](const std::vector<ImageF>& volumes) {
    cest::SignalMatrix m(Eigen::Index(voxels.size()), Eigen::Index(volumes.size()));
    for (std::size_t k = 0; k < voxels.size(); ++k)
      for (std::size_t i = 0; i < volumes.size(); ++i)
        m(Eigen::Index(k), Eigen::Index(i)) = volumes[i].voxels[voxels[k]];
    return m;
  };
  input.signals = gather(series.volumes);
  if (wasabi) {
    input.wasabi_offsets_ppm = wasabi_offsets;
    input.wasabi_signals = gather(wasabi_series.volumes);
  }
  const cest::ZSpectrumMaps maps = cest::analyse_zspectra(input, o, threads);

  ZSpectrumResult out;
  std::size_t analysed = 0;
  for (std::uint8_t v : maps.valid) analysed += v;
  nlohmann::json stats = nlohmann::json::object();
  for (std::size_t m = 0; m < maps.names.size(); ++m) {
    ZSpectrumMap map{maps.names[m], ImageF(grid, 0.0f)};
    std::vector<float> values;
    for (std::size_t k = 0; k < voxels.size(); ++k) {
      if (!maps.valid[k]) continue;
      map.image.voxels[voxels[k]] = maps.values[m][k];
      values.push_back(maps.values[m][k]);
    }
    stats[map.name] = statistics(std::move(values));
    out.maps.push_back(std::move(map));
  }
  nlohmann::json inputs = {
      {"series", in.series.string()},
      {"offsets", in.offsets.string()},
      {"offsets_ppm", offsets},
      {"mask", in.mask.empty() ? nlohmann::json(nullptr) : nlohmann::json(in.mask.string())},
      {"non_finite_values_read_as_zero", series.zeroed}};
  if (wasabi) {
    inputs["wasabi"] = in.wasabi.string();
    inputs["wasabi_offsets_ppm"] = wasabi_offsets;
  }
  nlohmann::json options = {
      {"m0_threshold_ppm", o.m0_threshold_ppm},
      {"normalised_input", o.normalised_input},
      {"b0_correction", correction_name(o.b0_correction)},
      {"minimum_search_ppm", o.minimum_search_ppm},
      {"z_at_ppm", o.z_at_ppm},
      {"mtrasym_ppm", o.mtrasym_ppm},
      {"lorentzian_fit", o.fit},
      {"signal_fraction", in.mask.empty() ? nlohmann::json(in.signal_fraction) : nlohmann::json(nullptr)}};
  if (wasabi)
    options["wasabi"] = {{"b1_ut", o.wasabi.b1_ut},
                         {"pulse_duration_s", o.wasabi.pulse_duration_s},
                         {"gamma_hz_per_ut", o.wasabi.gamma_hz_per_ut}};
  out.summary = {{"inputs", inputs},
                 {"b0_tesla", b0 > 0 ? nlohmann::json(b0) : nlohmann::json(nullptr)},
                 {"b0_tesla_source", b0 > 0 ? nlohmann::json(b0_source) : nlohmann::json(nullptr)},
                 {"options", options},
                 {"voxels", {{"selected", voxels.size()}, {"analysed", analysed}}},
                 {"maps", stats}};
  return out;
}

std::vector<fs::path> write_zspectrum_results(const ZSpectrumResult& result, const fs::path& out_dir) {
  fs::create_directories(out_dir);
  std::vector<fs::path> paths;
  for (const ZSpectrumMap& m : result.maps) {
    paths.push_back(out_dir / (m.name + ".nii.gz"));
    io::write_image(m.image, paths.back());
  }
  paths.push_back(out_dir / "zspectrum_summary.json");
  write_text_atomically(paths.back(), result.summary.dump(2) + "\n");
  return paths;
}

}  // namespace oncotrack::pipeline
