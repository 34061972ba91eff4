// Conventional CEST on real Z-spectrum acquisitions through the CLI (`oncotrack zspectrum`):
//  - ../shared/data/real/cest_phantom_3t: pulseq-cest library (kherz/pulseq-cest-library, branch
//  DEV_MAGMA2025),
//    Siemens Prisma 3 T shim phantom, APTw_001 (M0 at −300 ppm + 33 offsets, 2 µT) and WASABI (3.7 µT, 5 ms),
//    Siemens DICOM with one AcquisitionNumber per offset. No licence stated: local testing only.
//  - ../shared/data/real/cest_invivo_7t/almostdutch_7T_brain: 7 T brain, one slice, 93 offsets (±40 ppm),
//    already M0-normalised, NaN outside the brain (github.com/almostdutch, MIT).
// Figures are printed for the closing note; the assertions are the physical claims with the stated margins.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "oncotrack/io/image_io.h"
#include "support/run_cli.h"

namespace oncotrack {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;

const fs::path kPhantom = fs::path(ONCOTRACK_REAL_DATA_DIR) / "cest_phantom_3t";
const fs::path kInvivo = fs::path(ONCOTRACK_REAL_DATA_DIR) / "cest_invivo_7t" / "almostdutch_7T_brain";

double percentile(std::vector<double> v, double p) {
  const auto at = v.begin() + std::ptrdiff_t(p * double(v.size() - 1));
  std::nth_element(v.begin(), at, v.end());
  return *at;
}
double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}

// The p_lo-th percentile of v above lo and its p_hi-th below hi (p = 0.5 twice: the median in (lo, hi)).
void expect_percentiles_within(const std::vector<double>& v, double p_lo, double p_hi, double lo, double hi,
                               const char* what) {
  EXPECT_GT(percentile(v, p_lo), lo) << what << " percentile " << p_lo;
  EXPECT_LT(percentile(v, p_hi), hi) << what << " percentile " << p_hi;
}

std::vector<double> values(const fs::path& map, const std::vector<std::uint8_t>& roi) {
  const ImageF image = io::read_image(map);
  std::vector<double> v;
  for (std::size_t n = 0; n < roi.size(); ++n)
    if (roi[n]) v.push_back(double(image.voxels[n]));
  return v;
}

class RealZSpectrum : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oncotrack_real_zspectrum_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(RealZSpectrum, PhantomAptwWithWasabiCorrection) {
  if (!fs::exists(kPhantom / "APTw_001_dicom")) GTEST_SKIP() << kPhantom << " not present";
  const std::string aptw = (kPhantom / "APTw_001_dicom").string();
  const auto r =
      run_cli("-q -j 2 zspectrum " + aptw + " --offsets " + (kPhantom / "APTw_offsets_ppm.txt").string() +
              " --b0-correction wasabi --wasabi " + (kPhantom / "WASABI_001_dicom").string() +
              " --wasabi-offsets " + (kPhantom / "WASABI_offsets_ppm.txt").string() +
              " --b1-ut 3.7 --wasabi-tp-s 0.005 --mtrasym-ppm 3.5 --z-ppm -0.5 --z-ppm -0.25 --z-ppm 0"
              " --z-ppm 0.25 --z-ppm 0.5 --out " +
              (dir_ / "maps").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json summary = testing::read_json(dir_ / "maps" / "zspectrum_summary.json");
  // B0 from ImagingFrequency 123.259473 MHz / 42.5764 MHz/T.
  EXPECT_NEAR(summary.at("b0_tesla").get<double>(), 2.895, 1e-3);

  // ROI: the bright phantom, M0 at least half its 98th percentile (both slices).
  const io::MeasurementSeries series = io::read_dicom_measurements(aptw);
  ASSERT_EQ(series.volumes.size(), 34u);
  const std::vector<float>& m0 = series.volumes.front().voxels;
  std::vector<double> all(m0.begin(), m0.end());
  const double bright = 0.5 * percentile(all, 0.98);
  std::vector<std::uint8_t> roi(m0.size(), 0);
  std::size_t n = 0;
  for (std::size_t v = 0; v < m0.size(); ++v) n += roi[v] = double(m0[v]) >= bright;
  ASSERT_GT(n, 10000u) << "the phantom fills much of both 224x184 slices";

  const fs::path maps = dir_ / "maps";
  const std::vector<double> z0 = values(maps / "z_0ppm.nii.gz", roi);
  const std::vector<double> asym = values(maps / "mtrasym_3p5ppm.nii.gz", roi);
  const std::vector<double> b0 = values(maps / "b0_shift_ppm.nii.gz", roi);
  const std::vector<double> b1 = values(maps / "rel_b1.nii.gz", roi);
  const std::vector<double> rms = values(maps / "wasabi_rms.nii.gz", roi);
  std::cout << "phantom ROI " << n << " voxels: Z(0) mean " << mean(z0) << ", MTRasym(3.5) mean "
            << mean(asym) << ", dB0 median " << percentile(b0, 0.5) << " ppm (1st-99th "
            << percentile(b0, 0.01) << " .. " << percentile(b0, 0.99) << "), rB1 median "
            << percentile(b1, 0.5) << " (1st-99th " << percentile(b1, 0.01) << " .. " << percentile(b1, 0.99)
            << "), WASABI rms median " << percentile(rms, 0.5) << '\n';
  // The README's upstream check: Z(0) ≈ 0.13 over a bright ROI, MTRasym(3.5) ≈ 0 (no solute in a shim
  // phantom). ±0.03 on Z(0) covers another ROI choice; 0.02 on MTRasym is a quarter of amide effects in
  // brain.
  EXPECT_GT(mean(z0), 0.10);
  EXPECT_LT(mean(z0), 0.16);
  EXPECT_LT(std::abs(mean(asym)), 0.02);
  // A shimmed phantom: small, smooth B0; B1 near nominal; the WASABI model fits to the noise level.
  EXPECT_LT(std::abs(percentile(b0, 0.5)), 0.1);
  expect_percentiles_within(b0, 0.01, 0.99, -0.3, 0.3, "dB0 (ppm)");
  expect_percentiles_within(b1, 0.01, 0.99, 0.7, 1.3, "rB1");
  EXPECT_NEAR(percentile(b1, 0.5), 1.0, 0.1);
  EXPECT_LT(percentile(rms, 0.5), 0.03);
  const ImageF b0_map = io::read_image(maps / "b0_shift_ppm.nii.gz");
  std::vector<double> steps;  // |δB0| between neighbours along i inside the ROI
  const Geometry& g = b0_map.geometry;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i + 1 < g.size[0]; ++i)
        if (roi[g.linear(i, j, k)] && roi[g.linear(i + 1, j, k)])
          steps.push_back(std::abs(double(b0_map.at(i + 1, j, k)) - double(b0_map.at(i, j, k))));
  std::cout << "phantom dB0 neighbour step median " << percentile(steps, 0.5) << " ppm, 95th "
            << percentile(steps, 0.95) << '\n';
  EXPECT_LT(percentile(steps, 0.5), 0.01);
  // After the correction the ROI-mean Z-spectrum has its minimum at 0 ppm: the vertex of the parabola through
  // its values at −0.5 … 0.5 ppm lies within 0.05 ppm (6 Hz) of 0 and closer to it than without correction.
  // (Not symmetric to the last digit: the APTw scan's own centre is ~0.01 ppm beyond WASABI's, and a 0.25 ppm
  // sampling of a dip this narrow leaves Z(±0.25) 0.22 / 0.28 after any spline shift.)
  const auto uncorrected =
      run_cli("-q zspectrum " + aptw + " --offsets " + (kPhantom / "APTw_offsets_ppm.txt").string() +
              " --b0-correction none --z-ppm -0.5 --z-ppm -0.25 --z-ppm 0 --z-ppm 0.25"
              " --z-ppm 0.5 --out " +
              (dir_ / "raw").string());
  ASSERT_EQ(uncorrected.exit_code, 0) << uncorrected.err;
  auto vertex = [&](const fs::path& folder) {
    // Least-squares parabola z = a + b x + c x² through the five ROI means (x symmetric: closed form).
    const double x[] = {-0.5, -0.25, 0.0, 0.25, 0.5};
    double z[5], sx2 = 0, sx4 = 0, sxz = 0, sx2z = 0, sz = 0;
    const char* names[] = {"z_m0p5ppm", "z_m0p25ppm", "z_0ppm", "z_0p25ppm", "z_0p5ppm"};
    for (int k = 0; k < 5; ++k) {
      z[k] = mean(values(folder / (std::string(names[k]) + ".nii.gz"), roi));
      sx2 += x[k] * x[k], sx4 += std::pow(x[k], 4), sxz += x[k] * z[k], sx2z += x[k] * x[k] * z[k],
          sz += z[k];
    }
    const double b = sxz / sx2, c = (5 * sx2z - sx2 * sz) / (5 * sx4 - sx2 * sx2);
    std::cout << folder.filename() << " mean Z at -0.5 .. 0.5 ppm:";
    for (double v : z) std::cout << ' ' << v;
    std::cout << ", vertex " << -b / (2 * c) << " ppm\n";
    return -b / (2 * c);
  };
  const double corrected_vertex = vertex(maps), raw_vertex = vertex(dir_ / "raw");
  EXPECT_LT(std::abs(corrected_vertex), 0.05);
  EXPECT_LT(std::abs(corrected_vertex), std::abs(raw_vertex));
}

TEST_F(RealZSpectrum, InvivoBrain7tEndToEndWithLorentzianFit) {
  const fs::path series = kInvivo / "testData_rawData_4d.nii.gz";
  if (!fs::exists(series)) GTEST_SKIP() << series << " not present";
  const auto r = run_cli("-q -j 2 zspectrum " + series.string() + " --offsets " +
                         (kInvivo / "testData_offsets_ppm.txt").string() +
                         " --normalised --fit --mtrasym-ppm 3.5 --z-ppm 0 --z-ppm 3.5 --z-ppm -3.5 --out " +
                         (dir_ / "maps").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json summary = testing::read_json(dir_ / "maps" / "zspectrum_summary.json");
  // The brain: every voxel with a non-zero value (NaN outside it is read as 0).
  std::size_t zeroed = 0;
  const std::vector<ImageF> volumes = io::read_image_series(series, {true}, &zeroed);
  ASSERT_EQ(volumes.size(), 93u);
  std::vector<std::uint8_t> brain(volumes.front().voxels.size(), 0);
  std::size_t n = 0;
  for (std::size_t v = 0; v < brain.size(); ++v) {
    for (const ImageF& im : volumes) brain[v] = brain[v] || im.voxels[v] != 0.0f;
    n += brain[v];
  }
  EXPECT_EQ(summary.at("voxels").at("analysed").get<std::size_t>(), n);
  EXPECT_EQ(summary.at("inputs").at("non_finite_values_read_as_zero").get<std::size_t>(), zeroed);
  ASSERT_GT(n, 5000u);

  const fs::path maps = dir_ / "maps";
  const std::vector<double> z0 = values(maps / "z_0ppm.nii.gz", brain);
  const std::vector<double> z35 = values(maps / "z_3p5ppm.nii.gz", brain);
  const std::vector<double> zm35 = values(maps / "z_m3p5ppm.nii.gz", brain);
  const std::vector<double> b0 = values(maps / "b0_shift_ppm.nii.gz", brain);
  const std::vector<double> asym = values(maps / "mtrasym_3p5ppm.nii.gz", brain);
  const std::vector<double> water_fwhm = values(maps / "water_fwhm_ppm.nii.gz", brain);
  const std::vector<double> water_a = values(maps / "water_amplitude.nii.gz", brain);
  const std::vector<double> amide_a = values(maps / "amide_amplitude.nii.gz", brain);
  const std::vector<double> fit_rms = values(maps / "lorentz_rms.nii.gz", brain);
  std::cout << "in vivo brain " << n << " voxels: Z(0) median " << percentile(z0, 0.5) << ", Z(+3.5) median "
            << percentile(z35, 0.5) << ", Z(-3.5) median " << percentile(zm35, 0.5) << ", dB0 1st-99th "
            << percentile(b0, 0.01) << " .. " << percentile(b0, 0.99) << " ppm, MTRasym(3.5) median "
            << percentile(asym, 0.5) << ", water FWHM median " << percentile(water_fwhm, 0.5)
            << " ppm, water amplitude median " << percentile(water_a, 0.5) << ", amide amplitude median "
            << percentile(amide_a, 0.5) << ", fit rms median " << percentile(fit_rms, 0.5) << '\n';
  // Z is a fraction of M0: in (0, 1.1) for 98 % of the brain off resonance; on resonance nearly saturated.
  expect_percentiles_within(z35, 0.01, 0.99, 0.0, 1.1, "Z(+3.5 ppm)");
  expect_percentiles_within(zm35, 0.01, 0.99, 0.0, 1.1, "Z(-3.5 ppm)");
  expect_percentiles_within(z0, 0.5, 0.5, 0.0, 0.1, "Z(0)");
  // A shimmed 7 T head: B0 shifts well within ±1 ppm.
  expect_percentiles_within(b0, 0.01, 0.99, -1.0, 1.0, "dB0 (ppm)");
  // 7 T brain MTRasym(3.5) is small and usually negative (NOE at −3.5 ppm outweighs amide).
  expect_percentiles_within(asym, 0.5, 0.5, -0.15, 0.05, "MTRasym(3.5 ppm)");
  // The Lorentzian fit explains the spectra to the noise level with a physically sized water line.
  expect_percentiles_within(water_fwhm, 0.5, 0.5, 0.5, 3.0, "water FWHM (ppm)");
  EXPECT_GT(percentile(water_a, 0.5), 0.5);
  EXPECT_LT(percentile(fit_rms, 0.5), 0.01);
  expect_percentiles_within(amide_a, 0.5, 0.5, 0.0, 0.1, "amide amplitude");
}

TEST_F(RealZSpectrum, RefusesMismatchedOffsetsMissingM0AndAForeignMask) {
  if (!fs::exists(kPhantom / "APTw_001_dicom")) GTEST_SKIP() << kPhantom << " not present";
  const std::string aptw = (kPhantom / "APTw_001_dicom").string();
  const std::string wasabi_offsets = (kPhantom / "WASABI_offsets_ppm.txt").string();
  auto r =
      run_cli("-q zspectrum " + aptw + " --offsets " + wasabi_offsets + " --out " + (dir_ / "a").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("offsets do not match the measurements"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(wasabi_offsets), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("34 offsets"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("32 offsets"), std::string::npos) << r.err;

  std::ifstream in(kPhantom / "APTw_offsets_ppm.txt");
  std::ofstream out(dir_ / "no_m0.txt");
  std::string line;
  for (int k = 0; std::getline(in, line); ++k) out << (k == 0 ? "-4.5" : line) << '\n';
  out.close();
  r = run_cli("-q zspectrum " + aptw + " --offsets " + (dir_ / "no_m0.txt").string() + " --out " +
              (dir_ / "b").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no M0 reference"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((dir_ / "no_m0.txt").string()), std::string::npos) << r.err;

  Geometry g;
  g.size = {10, 10, 2};
  io::write_mask(Mask(g, 1), dir_ / "mask.nii.gz");
  r = run_cli("-q zspectrum " + aptw + " --offsets " + (kPhantom / "APTw_offsets_ppm.txt").string() +
              " --mask " + (dir_ / "mask.nii.gz").string() + " --out " + (dir_ / "c").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("mask is not on the series' voxel grid"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((dir_ / "mask.nii.gz").string()), std::string::npos) << r.err;
  std::ofstream(dir_ / "bad.txt") << "-300\n# comment\n\n-4\nfour\n";
  r = run_cli("-q zspectrum " + aptw + " --offsets " + (dir_ / "bad.txt").string() + " --out " +
              (dir_ / "d").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find((dir_ / "bad.txt").string() + ":5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"four\""), std::string::npos) << r.err;
  for (const char* d : {"a", "b", "c", "d"}) EXPECT_FALSE(fs::exists(dir_ / d)) << d;
}

TEST_F(RealZSpectrum, OffsetsFromAScheduleEqualTheTextFile) {
  if (!fs::exists(kPhantom / "APTw_001_dicom")) GTEST_SKIP() << kPhantom << " not present";
  const std::string aptw = (kPhantom / "APTw_001_dicom").string();
  std::ifstream in(kPhantom / "APTw_offsets_ppm.txt");
  std::string offsets, line;
  while (std::getline(in, line))
    if (!line.empty()) offsets += (offsets.empty() ? "" : ", ") + line;
  std::ofstream(dir_ / "schedule.json")
      << R"({"b0_tesla": 2.89, "saturation": "continuous_wave", "tsat_s": 2, "b1_ut": 2, "magnetisation": "reset",
             "offset_ppm": [)"
      << offsets << "]}";
  for (const char* source : {"text", "schedule"}) {
    const fs::path file =
        std::string(source) == "text" ? kPhantom / "APTw_offsets_ppm.txt" : dir_ / "schedule.json";
    const auto r = run_cli("-q zspectrum " + aptw + " --offsets " + file.string() + " --out " +
                           (dir_ / source).string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* map : {"b0_shift_ppm.nii.gz", "z_0ppm.nii.gz", "mtrasym_3p5ppm.nii.gz"})
    EXPECT_EQ(io::read_image(dir_ / "text" / map).voxels, io::read_image(dir_ / "schedule" / map).voxels)
        << map;
}

}  // namespace
}  // namespace oncotrack
