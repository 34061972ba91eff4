// `oncotrack zspectrum SERIES --offsets FILE --out DIR [--b0-correction minimum|wasabi|none] [--wasabi SERIES
// --wasabi-offsets FILE --b1-ut 3.7 --wasabi-tp-s 0.005] [--mtrasym-ppm 3.5 …] [--fit] [--mask MASK]
// [--b0-tesla T]`: conventional CEST maps of a Z-spectrum acquisition (pipeline/zspectrum_maps.h).
#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.h"
#include "oncotrack/core/error.h"
#include "oncotrack/pipeline/zspectrum_maps.h"

namespace oncotrack::cli {

namespace {

struct ZSpectrumOptions {
  pipeline::ZSpectrumInputs inputs;
  cest::ZSpectrumOptions analysis;
  double b0_tesla = 0;
  std::string b0_correction = "minimum";
  std::string out;
};

int run_zspectrum(const ZSpectrumOptions& o, const GlobalOptions& g) {
  const std::filesystem::path summary = std::filesystem::path(o.out) / "zspectrum_summary.json";
  if (!g.force && std::filesystem::exists(summary))
    throw Error("output exists", summary.string(), "a new folder (or --force)", "an existing summary");
  pipeline::ZSpectrumInputs inputs = o.inputs;
  if (o.b0_tesla > 0) inputs.b0_tesla = o.b0_tesla;
  cest::ZSpectrumOptions analysis = o.analysis;
  analysis.b0_correction = o.b0_correction == "wasabi" ? cest::B0Correction::kWasabi
                           : o.b0_correction == "none" ? cest::B0Correction::kNone
                                                       : cest::B0Correction::kMinimum;
  const pipeline::ZSpectrumResult r =
      pipeline::compute_zspectrum_maps(inputs, analysis, g.resolved_threads());
  const nlohmann::json& voxels = r.summary.at("voxels");
  spdlog::info("{} of {} selected voxels analysed", voxels.at("analysed").get<std::size_t>(),
               voxels.at("selected").get<std::size_t>());
  if (const auto zeroed = r.summary.at("inputs").at("non_finite_values_read_as_zero").get<std::size_t>())
    spdlog::warn("{} NaN/Inf values in {} were read as 0 (no signal)", zeroed, o.inputs.series.string());
  for (const auto& p : pipeline::write_zspectrum_results(r, o.out)) std::cout << p.string() << '\n';
  return kExitOk;
}

}  // namespace

void setup_zspectrum(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto o = std::make_shared<ZSpectrumOptions>();
  o->analysis.mtrasym_ppm = {3.5};
  CLI::App* z = app.add_subcommand(
      "zspectrum",
      "Conventional CEST of a Z-spectrum: M0 normalisation, B0 correction, MTRasym, Lorentzian fit");
  z->add_option("series", o->inputs.series,
                "4D NIfTI/NRRD/MHA, or a folder of a multi-measurement DICOM series")
      ->required()
      ->check(CLI::ExistingPath);
  z->add_option("--offsets", o->inputs.offsets,
                "Offsets: text file (one ppm per line, line i = measurement i) or schedule JSON")
      ->required()
      ->check(CLI::ExistingFile);
  z->add_option("--out", o->out, "Folder for the maps (NIfTI) and zspectrum_summary.json")->required();
  z->add_option("--b0-correction", o->b0_correction,
                "B0 shift from the spectrum minimum, a WASABI series (--wasabi), or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"minimum", "wasabi", "none"}));
  z->add_option("--wasabi", o->inputs.wasabi, "WASABI series (same voxel grid)")->check(CLI::ExistingPath);
  z->add_option("--wasabi-offsets", o->inputs.wasabi_offsets, "Offsets of the WASABI series")
      ->check(CLI::ExistingFile);
  z->add_option("--b1-ut", o->analysis.wasabi.b1_ut, "WASABI block pulse amplitude (µT)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  z->add_option("--wasabi-tp-s", o->analysis.wasabi.pulse_duration_s, "WASABI block pulse duration (s)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  z->add_option("--b0-tesla", o->b0_tesla,
                "Field strength (T); default: DICOM ImagingFrequency / γ (needed for WASABI only)")
      ->check(CLI::PositiveNumber);
  z->add_option("--mtrasym-ppm", o->analysis.mtrasym_ppm, "MTRasym offsets (ppm), repeatable")
      ->capture_default_str()
      ->allow_extra_args(false)
      ->check(CLI::PositiveNumber);
  z->add_option("--z-ppm", o->analysis.z_at_ppm, "Offsets (ppm) of the corrected-Z maps, repeatable")
      ->capture_default_str()
      ->allow_extra_args(false);
  z->add_flag("--fit", o->analysis.fit,
              "Five-pool Lorentzian fit (water, amide, amine, NOE, MT; cest/lorentzian_fit.h)");
  z->add_option("--mask", o->inputs.mask, "Voxels to analyse (default: voxels with an M0 signal)")
      ->check(CLI::ExistingFile);
  z->add_flag("--normalised", o->analysis.normalised_input, "The series holds Z already (no M0 measurement)");
  z->add_option("--m0-threshold-ppm", o->analysis.m0_threshold_ppm,
                "Measurements at |offset| >= this are M0 references")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  z->add_option("--signal-fraction", o->inputs.signal_fraction,
                "Without a mask: analyse voxels whose M0 reaches this fraction of its 98th percentile")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  z->callback([&action, &global, o] { action = [o, &global] { return run_zspectrum(*o, global); }; });
}

}  // namespace oncotrack::cli
