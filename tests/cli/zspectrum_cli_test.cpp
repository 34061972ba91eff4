// `oncotrack zspectrum` end to end on a synthetic acquisition with known fields: a Bloch–McConnell-simulated
// Z-spectrum series (water + amide, M0 at −300 ppm) and WASABI series, written as multi-measurement DICOM
// folders (AcquisitionNumber per offset, ImagingFrequency of 3 T), with a B0 shift varying along i and
// relative B1 along j. The WASABI maps must return the fields, the corrected MTRasym must not depend on them,
// and every map must keep the series' geometry.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "oncotrack/cest/simulate.h"
#include "oncotrack/core/atomic_file.h"
#include "oncotrack/io/image_io.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;

constexpr double kB0Tesla = 3.0;

Geometry grid() {
  Geometry g;
  g.size = {7, 5, 2};
  g.spacing_mm = {1.5, 1.25, 4.0};
  g.origin_mm_lps = {-20.0, 13.0, 41.0};
  return g;
}
double shift_ppm(std::size_t i) {
  return -0.3 + 0.1 * double(i);
}  // i = 0 has no signal
double rel_b1(std::size_t j) {
  return 0.8 + 0.1 * double(j);
}

cest::Schedule schedule(bool wasabi) {
  cest::Schedule s;
  s.b0_tesla = kB0Tesla;
  s.carry_over = false;
  const double tsat = wasabi ? 0.005 : 2.0, b1 = wasabi ? 3.7 : 1.0;
  s.images.push_back({-300.0, 0.0, tsat, tsat, 90.0});
  const int n = wasabi ? 30 : 32;
  const double range = wasabi ? 2.0 : 4.0;
  for (int k = 0; k <= n; ++k) s.images.push_back({-range + 2.0 * range * k / n, b1, tsat, tsat, 90.0});
  return s;
}

// Writes the series as one DICOM folder and its offsets as a text file.
void write_acquisition(const cest::Schedule& s, const fs::path& folder, const fs::path& offsets) {
  cest::Tissue tissue;
  tissue.water = {3.0, 1.0};
  tissue.cest.push_back({3.5, 200.0, 0.003, 1.5, 0.02});
  const Geometry g = grid();
  std::vector<ImageF> volumes(s.images.size(), ImageF(g, 0.0f));
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 1; i < g.size[0]; ++i) {
        const std::vector<double> z =
            cest::simulate_signal(tissue, cest::scanner_for(s, shift_ppm(i), rel_b1(j)), s);
        for (std::size_t m = 0; m < z.size(); ++m) volumes[m].at(i, j, k) = float(1000.0 * std::abs(z[m]));
      }
  std::ofstream text(offsets);
  for (std::size_t m = 0; m < volumes.size(); ++m) {
    const fs::path staging = folder.parent_path() / ("staging_" + std::to_string(m));
    io::DicomWriteOptions options;
    options.series_uid = "1.2.826.0.1.3680043.2.1125.9." + std::to_string(folder.filename().string().size());
    options.acquisition_number = long(m + 1);
    options.imaging_frequency_mhz = kB0Tesla * cest::kGammaHzPerMicroTesla;
    io::write_dicom_series(volumes[m], staging, options);
    fs::create_directories(folder);
    for (const auto& entry : fs::directory_iterator(staging))
      fs::rename(entry.path(), folder / entry.path().filename());
    fs::remove(staging);
    text << s.images[m].offset_ppm << '\n';
  }
}

TEST(ZSpectrumCli, WasabiMapsReturnTheSimulatedFieldsInTheSeriesGeometry) {
  const fs::path dir = fresh_dir("zspectrum_cli");
  write_acquisition(schedule(false), dir / "aptw", dir / "aptw.txt");
  write_acquisition(schedule(true), dir / "wasabi", dir / "wasabi.txt");
  const CliResult r =
      run_cli("-q -j 3 zspectrum " + (dir / "aptw").string() + " --offsets " + (dir / "aptw.txt").string() +
              " --b0-correction wasabi --wasabi " + (dir / "wasabi").string() + " --wasabi-offsets " +
              (dir / "wasabi.txt").string() + " --mtrasym-ppm 3.5 --out " + (dir / "maps").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Geometry g = grid();
  const ImageF b0 = io::read_image(dir / "maps" / "b0_shift_ppm.nii.gz");
  const ImageF b1 = io::read_image(dir / "maps" / "rel_b1.nii.gz");
  const ImageF asym = io::read_image(dir / "maps" / "mtrasym_3p5ppm.nii.gz");
  EXPECT_TRUE(compare_geometry(b0.geometry, g).within(1e-3, 1e-5)) << describe_geometry(b0.geometry);
  const float reference = asym.at(4, 2, 0);
  EXPECT_GT(reference, 0.02f);  // the amide pool
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      EXPECT_EQ(b0.at(0, j, k), 0.0f);  // no signal: not analysed
      for (std::size_t i = 1; i < g.size[0]; ++i) {
        EXPECT_NEAR(b0.at(i, j, k), shift_ppm(i), 0.01) << i << ' ' << j << ' ' << k;
        EXPECT_NEAR(b1.at(i, j, k), rel_b1(j), 0.01 * rel_b1(j)) << i << ' ' << j << ' ' << k;
      }
      // B1 changes the CEST effect itself, so MTRasym is compared along i (B0) only, against i = 3 (no
      // shift): within 2 % (what re-sampling a 0.25 ppm grid across the ~0.6 ppm wide amide line by up to 0.3
      // ppm leaves), where the uncorrected MTRasym differs by far more (below).
      for (std::size_t i = 1; i < g.size[0]; ++i)
        EXPECT_NEAR(asym.at(i, j, k), asym.at(3, j, k), 0.02 * double(asym.at(3, j, k))) << i << ' ' << j;
    }
  const CliResult raw =
      run_cli("-q zspectrum " + (dir / "aptw").string() + " --offsets " + (dir / "aptw.txt").string() +
              " --b0-correction none --out " + (dir / "raw").string());
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  const ImageF raw_asym = io::read_image(dir / "raw" / "mtrasym_3p5ppm.nii.gz");
  EXPECT_NEAR(raw_asym.at(3, 2, 0), asym.at(3, 2, 0),
              1e-4);  // no shift (fitted to ~1e-5 ppm): nothing to correct
  EXPECT_GT(std::abs(raw_asym.at(1, 2, 0) - raw_asym.at(3, 2, 0)), 0.1 * double(asym.at(3, 2, 0)));
  const nlohmann::json summary = read_json(dir / "maps" / "zspectrum_summary.json");
  EXPECT_NEAR(summary.at("b0_tesla").get<double>(), kB0Tesla, 1e-9);
  EXPECT_EQ(summary.at("voxels").at("analysed").get<std::size_t>(), 6u * 5u * 2u);
  EXPECT_NEAR(summary.at("maps").at("b0_shift_ppm").at("mean").get<double>(), 0.05,
              0.005);  // mean of −0.2 … 0.3
  for (const auto& entry : fs::directory_iterator(dir / "maps"))
    EXPECT_FALSE(is_temporary_name(entry.path()));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oncotrack::testing
