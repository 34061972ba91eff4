#pragma once
// Conventional CEST maps of a Z-spectrum acquisition: the glue between io (DICOM / NIfTI series, masks) and
// cest/zspectrum.h (per-voxel analysis).
//
// Inputs: the series is a 4D NIfTI / NRRD / MetaImage (one volume per measurement; NaN/Inf voxels, e.g.
// outside a brain mask, count as no signal) or a folder of a multi-measurement DICOM series
// (io::read_dicom_measurements). Offsets come from a text file (one ppm value per line, line i = measurement
// i; blank lines and lines starting with '#' are skipped) or a schedule JSON (cest/schedule.h, "offset_ppm"),
// in acquisition order (DICOM: measurement i is the i-th AcquisitionNumber in increasing order).
// B0 (T) is the given value, else the DICOM ImagingFrequency / γ (42.5764 MHz/T); only WASABI needs it.
// Voxels analysed: inside the mask when one is given, otherwise those whose M0 reaches signal_fraction of the
// 98th percentile of M0 over the image (already normalised input: any non-zero value); and with a signal.
//
// Outputs (write_zspectrum_results): OUT/<map>.nii.gz in the series' geometry (float32, 0 outside the
// analysed voxels; map names in cest/zspectrum.h) and OUT/zspectrum_summary.json: inputs, options, voxel
// counts and per map mean, sd, median, min, max over the analysed voxels. Every file is written atomically.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oncotrack/cest/zspectrum.h"
#include "oncotrack/core/geometry.h"

namespace oncotrack::pipeline {

struct ZSpectrumInputs {
  std::filesystem::path series, offsets;
  std::filesystem::path wasabi, wasabi_offsets;  // with B0Correction::kWasabi
  std::filesystem::path mask;                    // optional
  std::optional<double> b0_tesla;                // default: from the DICOM ImagingFrequency
  double signal_fraction = 0.1;
};

struct ZSpectrumMap {
  std::string name;
  ImageF image;
};

struct ZSpectrumResult {
  std::vector<ZSpectrumMap> maps;
  nlohmann::json summary;
};

// One ppm value per measurement from a text file or schedule JSON (see above); throws Error naming the file
// and line.
std::vector<double> read_offsets(const std::filesystem::path& path);

// Throws oncotrack::Error naming the file for: offsets ≠ measurements, no M0 reference (unless
// options.normalised_input), mask or WASABI series on another voxel grid, WASABI without B0, no voxel to
// analyse. options.wasabi.b0_tesla is filled from inputs / DICOM.
ZSpectrumResult compute_zspectrum_maps(const ZSpectrumInputs& inputs, cest::ZSpectrumOptions options,
                                       int threads);

// Writes the maps and the summary; returns the paths written (maps in order, then the summary).
std::vector<std::filesystem::path> write_zspectrum_results(const ZSpectrumResult& result,
                                                           const std::filesystem::path& out_dir);

}  // namespace oncotrack::pipeline
