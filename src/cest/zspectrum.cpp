#include "oncotrack/cest/zspectrum.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "oncotrack/core/error.h"
#include "oncotrack/nn/thread_pool.h"

namespace oncotrack::cest {

namespace {

constexpr std::size_t kMinSaturated = 3;

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

}  // namespace

SpectrumLayout layout_spectrum(const std::vector<double>& offsets_ppm, double m0_threshold_ppm,
                               bool normalised_input, const std::string& source) {
  SpectrumLayout layout;
  for (std::size_t i = 0; i < offsets_ppm.size(); ++i) {
    if (!std::isfinite(offsets_ppm[i]))
      throw Error("offset is not a number", source, "finite offsets in ppm",
                  "offset " + std::to_string(i + 1) + " = " + number(offsets_ppm[i]));
    (std::abs(offsets_ppm[i]) >= m0_threshold_ppm ? layout.m0 : layout.saturated).push_back(i);
  }
  std::stable_sort(layout.saturated.begin(), layout.saturated.end(),
                   [&](std::size_t a, std::size_t b) { return offsets_ppm[a] < offsets_ppm[b]; });
  for (std::size_t n = 0; n < layout.saturated.size(); ++n) {
    layout.offsets_ppm.push_back(offsets_ppm[layout.saturated[n]]);
    if (n > 0 && layout.offsets_ppm[n] == layout.offsets_ppm[n - 1])
      throw Error("saturation offset repeated", source, "distinct saturation offsets",
                  number(layout.offsets_ppm[n]) + " ppm at measurements " +
                      std::to_string(layout.saturated[n - 1] + 1) + " and " +
                      std::to_string(layout.saturated[n] + 1));
  }
  if (layout.saturated.size() < kMinSaturated)
    throw Error("too few saturation offsets", source,
                std::to_string(kMinSaturated) + " or more offsets with |offset| < " +
                    number(m0_threshold_ppm) + " ppm",
                std::to_string(layout.saturated.size()));
  if (!normalised_input && layout.m0.empty())
    throw Error("no M0 reference in the offsets", source,
                "an unsaturated measurement at |offset| >= " + number(m0_threshold_ppm) + " ppm (e.g. -300)",
                "offsets from " + number(layout.offsets_ppm.front()) + " to " +
                    number(layout.offsets_ppm.back()) + " ppm",
                "for a series that is already M0-normalised say so (zspectrum --normalised)");
  if (normalised_input && !layout.m0.empty())
    throw Error("M0 reference in a series said to be normalised", source,
                "no offset at |offset| >= " + number(m0_threshold_ppm) + " ppm (the series holds Z already)",
                number(offsets_ppm[layout.m0.front()]) + " ppm at measurement " +
                    std::to_string(layout.m0.front() + 1),
                "leave out --normalised to divide by it");
  return layout;
}

bool normalise_spectrum(const SpectrumLayout& layout, const float* signals, std::vector<double>& z) {
  z.resize(layout.saturated.size());
  double m0 = 1.0;
  if (!layout.m0.empty()) {
    m0 = 0.0;
    for (std::size_t i : layout.m0) m0 += double(signals[i]);
    m0 /= static_cast<double>(layout.m0.size());
    if (!(m0 > 0.0)) return false;
  }
  bool any = false;
  for (std::size_t n = 0; n < z.size(); ++n) {
    z[n] = double(signals[layout.saturated[n]]) / m0;
    any = any || z[n] != 0.0;
  }
  return any;
}

double b0_shift_by_minimum(const CubicSpline& spectrum, const std::vector<double>& offsets_ppm,
                           double search_ppm) {
  std::size_t lowest = offsets_ppm.size();
  for (std::size_t n = 0; n < offsets_ppm.size(); ++n) {
    if (std::abs(offsets_ppm[n]) > search_ppm) continue;
    if (lowest == offsets_ppm.size() || spectrum(offsets_ppm[n]) < spectrum(offsets_ppm[lowest])) lowest = n;
  }
  if (lowest == offsets_ppm.size()) return 0.0;  // nothing acquired near water
  const double lo = offsets_ppm[lowest > 0 ? lowest - 1 : 0];
  const double hi = offsets_ppm[std::min(lowest + 1, offsets_ppm.size() - 1)];
  return spectrum.argmin(lo, hi);
}

std::string offset_tag(double offset_ppm) {
  std::string text = number(std::abs(offset_ppm));
  std::replace(text.begin(), text.end(), '.', 'p');
  return (offset_ppm < 0 ? "m" : "") + text + "ppm";
}

ZSpectrumMaps analyse_zspectra(const ZSpectrumInput& in, const ZSpectrumOptions& o, int threads) {
  if (in.offsets_ppm.size() != static_cast<std::size_t>(in.signals.cols()))
    throw Error("offsets do not match the measurements", "",
                std::to_string(in.signals.cols()) + " offsets (one per measurement)",
                std::to_string(in.offsets_ppm.size()) + " offsets");
  const bool wasabi = o.b0_correction == B0Correction::kWasabi;
  const SpectrumLayout layout = layout_spectrum(in.offsets_ppm, o.m0_threshold_ppm, o.normalised_input, "");
  SpectrumLayout wasabi_layout;
  if (wasabi) {
    if (in.wasabi_offsets_ppm.size() != static_cast<std::size_t>(in.wasabi_signals.cols()))
      throw Error("WASABI offsets do not match the WASABI measurements", "",
                  std::to_string(in.wasabi_signals.cols()) + " offsets (one per measurement)",
                  std::to_string(in.wasabi_offsets_ppm.size()) + " offsets");
    if (in.wasabi_signals.rows() != in.signals.rows())
      throw Error("WASABI voxels do not match the Z-spectrum voxels", "", std::to_string(in.signals.rows()),
                  std::to_string(in.wasabi_signals.rows()));
    wasabi_layout = layout_spectrum(in.wasabi_offsets_ppm, o.m0_threshold_ppm, false, "");
  }
  const std::size_t parameters = 1 + 3 * o.lorentzian.pools.size();
  if (o.fit && layout.offsets_ppm.size() < parameters)
    throw Error("too few offsets for the Lorentzian fit", "",
                std::to_string(parameters) + " or more saturation offsets (" +
                    std::to_string(o.lorentzian.pools.size()) + " pools)",
                std::to_string(layout.offsets_ppm.size()));

  ZSpectrumMaps out;
  out.names.push_back("b0_shift_ppm");
  if (wasabi) out.names.insert(out.names.end(), {"rel_b1", "wasabi_rms"});
  for (double x : o.z_at_ppm) out.names.push_back("z_" + offset_tag(x));
  for (double x : o.mtrasym_ppm) out.names.push_back("mtrasym_" + offset_tag(x));
  if (o.fit) {
    for (const LorentzianPool& p : o.lorentzian.pools)
      out.names.insert(out.names.end(), {p.name + "_amplitude", p.name + "_fwhm_ppm", p.name + "_shift_ppm"});
    out.names.insert(out.names.end(), {"lorentz_baseline", "lorentz_rms"});
  }
  const auto voxels = static_cast<std::size_t>(in.signals.rows());
  out.values.assign(out.names.size(), std::vector<float>(voxels, 0.0f));
  out.valid.assign(voxels, 0);

  nn::ThreadPool pool(threads);
  pool.parallel_for(static_cast<std::int64_t>(voxels), [&](std::int64_t begin, std::int64_t end) {
    std::vector<double> z, wz, corrected(layout.offsets_ppm.size());
    std::vector<double> row(out.names.size());
    for (auto v = static_cast<std::size_t>(begin); v < static_cast<std::size_t>(end); ++v) {
      const auto r = static_cast<Eigen::Index>(v);
      if (!normalise_spectrum(layout, in.signals.row(r).data(), z)) continue;
      std::size_t c = 0;
      const CubicSpline spectrum(layout.offsets_ppm, z);
      double shift = 0.0;
      if (wasabi) {
        if (!normalise_spectrum(wasabi_layout, in.wasabi_signals.row(r).data(), wz)) continue;
        const WasabiFit fit = fit_wasabi(o.wasabi, wasabi_layout.offsets_ppm, wz, o.wasabi_options);
        shift = fit.parameters.b0_shift_ppm;
        row[c++] = shift;
        row[c++] = fit.parameters.rel_b1;
        row[c++] = fit.rms_residual;
      } else {
        if (o.b0_correction == B0Correction::kMinimum)
          shift = b0_shift_by_minimum(spectrum, layout.offsets_ppm, o.minimum_search_ppm);
        row[c++] = shift;
      }
      for (double x : o.z_at_ppm) row[c++] = spectrum(x + shift);
      for (double x : o.mtrasym_ppm) row[c++] = spectrum(-x + shift) - spectrum(x + shift);
      if (o.fit) {
        for (std::size_t n = 0; n < corrected.size(); ++n)
          corrected[n] = spectrum(layout.offsets_ppm[n] + shift);
        const LorentzianFit fit = fit_lorentzians(o.lorentzian, layout.offsets_ppm, corrected);
        for (const PoolFit& p : fit.pools) {
          row[c++] = p.amplitude;
          row[c++] = p.fwhm_ppm;
          row[c++] = p.shift_ppm;
        }
        row[c++] = fit.baseline;
        row[c++] = fit.rms_residual;
      }
      ONCOTRACK_ASSERT(c == row.size(), "every map gets a value");
      for (std::size_t m = 0; m < c; ++m) out.values[m][v] = static_cast<float>(row[m]);
      out.valid[v] = 1;
    }
  });
  return out;
}

}  // namespace oncotrack::cest
