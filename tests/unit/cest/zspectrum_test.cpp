#include "oncotrack/cest/zspectrum.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/cest/simulate.h"
#include "oncotrack/core/error.h"

namespace oncotrack::cest {
namespace {

// A 3 T Z-spectrum protocol: M0 at −300 ppm first (unsaturated: B1 0), then −5…5 ppm every 0.1 ppm, CW
// saturation 1 µT for 2 s, each image from equilibrium.
Schedule zspectrum_schedule() {
  Schedule s;
  s.b0_tesla = 3.0;
  s.carry_over = false;
  s.images.push_back({-300.0, 0.0, 2.0, 2.0, 90.0});
  for (int i = -50; i <= 50; ++i) s.images.push_back({0.1 * i, 1.0, 2.0, 2.0, 90.0});
  return s;
}

std::vector<double> offsets_of(const Schedule& s) {
  std::vector<double> x;
  for (const ScheduleImage& im : s.images) x.push_back(im.offset_ppm);
  return x;
}

Tissue water_only() {
  Tissue t;
  t.water = {1.5, 0.08};
  return t;
}

Tissue with_amide() {
  Tissue t = water_only();
  t.cest.push_back({3.5, 200.0, 0.003, 1.5, 0.02});
  return t;
}

// Signals of one voxel per (tissue, shift), scaled by m0 as a scanner would.
SignalMatrix signals(const Schedule& s, const std::vector<std::pair<Tissue, double>>& voxels,
                     double m0 = 1234.0) {
  SignalMatrix m(static_cast<Eigen::Index>(voxels.size()), static_cast<Eigen::Index>(s.images.size()));
  for (std::size_t v = 0; v < voxels.size(); ++v) {
    const std::vector<double> z = simulate_signal(voxels[v].first, scanner_for(s, voxels[v].second), s);
    for (std::size_t i = 0; i < z.size(); ++i)
      m(static_cast<Eigen::Index>(v), static_cast<Eigen::Index>(i)) = static_cast<float>(m0 * z[i]);
  }
  return m;
}

std::size_t map_index(const ZSpectrumMaps& maps, const std::string& name) {
  for (std::size_t n = 0; n < maps.names.size(); ++n)
    if (maps.names[n] == name) return n;
  ADD_FAILURE() << "no map " << name;
  return 0;
}

TEST(ZSpectrum, LayoutSortsTheOffsetsAndSetsTheM0ReferencesApart) {
  const SpectrumLayout l = layout_spectrum({-300, 2, -1, 0, 300, 1}, kDefaultM0ThresholdPpm, false, "x");
  EXPECT_EQ(l.m0, (std::vector<std::size_t>{0, 4}));
  EXPECT_EQ(l.saturated, (std::vector<std::size_t>{2, 3, 5, 1}));
  EXPECT_EQ(l.offsets_ppm, (std::vector<double>{-1, 0, 1, 2}));
}

TEST(ZSpectrum, NormalisationDividesByTheMeanM0Exactly) {
  const SpectrumLayout l = layout_spectrum({-300, 1, -1, 0, -300}, kDefaultM0ThresholdPpm, false, "x");
  const float s[] = {900.0f, 450.0f, 600.0f, 100.0f, 1100.0f};  // M0 mean 1000
  std::vector<double> z;
  ASSERT_TRUE(normalise_spectrum(l, s, z));
  EXPECT_EQ(z, (std::vector<double>{0.6, 0.1, 0.45}));
  const float dark[] = {0.0f, 1.0f, 1.0f, 1.0f, 0.0f};
  EXPECT_FALSE(normalise_spectrum(l, dark, z));
  // Already normalised input: the values themselves.
  const SpectrumLayout n = layout_spectrum({1, -1, 0}, kDefaultM0ThresholdPpm, true, "x");
  const float zs[] = {0.7f, 0.75f, 0.2f};
  ASSERT_TRUE(normalise_spectrum(n, zs, z));
  EXPECT_NEAR(z[0], 0.75, 1e-7);
  EXPECT_NEAR(z[1], 0.2, 1e-7);
}

TEST(ZSpectrum, LayoutRefusesBadOffsets) {
  EXPECT_THROW(layout_spectrum({-300, 1, 1, 0}, kDefaultM0ThresholdPpm, false, "x"), Error);    // repeated
  EXPECT_THROW(layout_spectrum({-3, -1, 0, 1, 3}, kDefaultM0ThresholdPpm, false, "x"), Error);  // no M0
  EXPECT_THROW(layout_spectrum({-300, 0, 1}, kDefaultM0ThresholdPpm, false, "x"), Error);       // 2 offsets
  EXPECT_THROW(layout_spectrum({-300, 0, NAN, 1, 2}, kDefaultM0ThresholdPpm, false, "x"), Error);
  try {
    layout_spectrum({-3, -1, 0, 1, 3}, kDefaultM0ThresholdPpm, false, "offsets.txt");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("offsets.txt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("M0"), std::string::npos) << e.what();
  }
}

TEST(ZSpectrum, OffsetTagsNameFiles) {
  EXPECT_EQ(offset_tag(3.5), "3p5ppm");
  EXPECT_EQ(offset_tag(-3.5), "m3p5ppm");
  EXPECT_EQ(offset_tag(0.0), "0ppm");
  EXPECT_EQ(offset_tag(2.0), "2ppm");
}

TEST(ZSpectrum, SpectrumMinimumRecoversTheB0ShiftOfSimulatedSpectra) {
  const Schedule s = zspectrum_schedule();
  const std::vector<double> shifts{-0.37, 0.0, 0.23, 0.61};
  std::vector<std::pair<Tissue, double>> voxels;
  for (double d : shifts) voxels.emplace_back(with_amide(), d);
  ZSpectrumInput in{offsets_of(s), signals(s, voxels), {}, {}};
  ZSpectrumOptions o;
  const ZSpectrumMaps maps = analyse_zspectra(in, o, 2);
  const std::size_t b0 = map_index(maps, "b0_shift_ppm");
  for (std::size_t v = 0; v < shifts.size(); ++v) {
    EXPECT_EQ(maps.valid[v], 1);
    EXPECT_NEAR(maps.values[b0][v], shifts[v], 0.02) << shifts[v];
  }
}

TEST(ZSpectrum, MtrAsymIsZeroForASymmetricSpectrumAndPositiveWithAmide) {
  const Schedule s = zspectrum_schedule();
  ZSpectrumInput in{
      offsets_of(s),
      signals(s, {{water_only(), 0.0}, {water_only(), 0.3}, {with_amide(), 0.0}, {with_amide(), 0.3}}),
      {},
      {}};
  ZSpectrumOptions o;
  o.mtrasym_ppm = {3.5, 2.0};
  const ZSpectrumMaps corrected = analyse_zspectra(in, o, 1);
  const std::size_t a35 = map_index(corrected, "mtrasym_3p5ppm");
  EXPECT_NEAR(corrected.values[a35][0], 0.0, 1e-6);  // symmetric, unshifted
  EXPECT_NEAR(corrected.values[a35][1], 0.0, 2e-3);  // symmetric after the B0 correction
  EXPECT_GT(corrected.values[a35][2], 0.02);         // amide at +3.5 ppm lowers Z(+3.5)
  EXPECT_NEAR(corrected.values[a35][3], corrected.values[a35][2], 3e-3);
  // Without correction a 0.3 ppm shift alone makes an asymmetry of the water line's wings.
  o.b0_correction = B0Correction::kNone;
  const ZSpectrumMaps raw = analyse_zspectra(in, o, 1);
  EXPECT_GT(std::abs(raw.values[a35][1]), 5e-3);
  EXPECT_EQ(raw.values[map_index(raw, "b0_shift_ppm")][1], 0.0f);
  // Z at 0 ppm after correction is the bottom of the water line, also when shifted.
  const std::size_t z0 = map_index(corrected, "z_0ppm");
  EXPECT_NEAR(corrected.values[z0][1], corrected.values[z0][0], 2e-3);
  EXPECT_LT(corrected.values[z0][0], 0.1f);
}

TEST(ZSpectrum, WasabiCorrectionUsesTheFittedShift) {
  const Schedule s = zspectrum_schedule();
  Schedule w;
  w.b0_tesla = 3.0;
  w.carry_over = false;
  w.images.push_back({-300.0, 0.0, 0.005, 0.005, 90.0});
  for (int i = 0; i <= 30; ++i) w.images.push_back({-2.0 + 4.0 * i / 30.0, 3.7, 0.005, 0.005, 90.0});
  const std::vector<std::pair<Tissue, double>> voxels{{with_amide(), 0.2}, {with_amide(), -0.45}};
  SignalMatrix ws = signals(w, voxels, 800.0).cwiseAbs();  // magnitude images
  ZSpectrumInput in{offsets_of(s), signals(s, voxels), offsets_of(w), ws};
  ZSpectrumOptions o;
  o.b0_correction = B0Correction::kWasabi;
  o.wasabi.b0_tesla = 3.0;
  const ZSpectrumMaps maps = analyse_zspectra(in, o, 2);
  EXPECT_NEAR(maps.values[map_index(maps, "b0_shift_ppm")][0], 0.2, 0.01);
  EXPECT_NEAR(maps.values[map_index(maps, "b0_shift_ppm")][1], -0.45, 0.01);
  EXPECT_NEAR(maps.values[map_index(maps, "rel_b1")][0], 1.0, 0.01);
  const std::size_t a35 = map_index(maps, "mtrasym_3p5ppm");
  EXPECT_NEAR(maps.values[a35][0], maps.values[a35][1], 3e-3);
}

TEST(ZSpectrum, ResultsDoNotDependOnTheThreadCount) {
  const Schedule s = zspectrum_schedule();
  std::vector<std::pair<Tissue, double>> voxels;
  for (int v = 0; v < 7; ++v) voxels.emplace_back(with_amide(), 0.05 * v - 0.1);
  ZSpectrumInput in{offsets_of(s), signals(s, voxels), {}, {}};
  in.signals.row(3).setZero();  // a voxel without signal
  ZSpectrumOptions o;
  o.fit = true;
  const ZSpectrumMaps one = analyse_zspectra(in, o, 1), three = analyse_zspectra(in, o, 3);
  EXPECT_EQ(one.values, three.values);
  EXPECT_EQ(one.valid, (std::vector<std::uint8_t>{1, 1, 1, 0, 1, 1, 1}));
  for (const auto& map : one.values) EXPECT_EQ(map[3], 0.0f);
}

TEST(ZSpectrum, RefusesInconsistentInputs) {
  const Schedule s = zspectrum_schedule();
  ZSpectrumInput in{offsets_of(s), signals(s, {{water_only(), 0.0}}), {}, {}};
  in.offsets_ppm.pop_back();
  EXPECT_THROW(analyse_zspectra(in, {}, 1), Error);  // offsets ≠ measurements
  in.offsets_ppm = offsets_of(s);
  in.offsets_ppm[0] = -5.5;
  EXPECT_THROW(analyse_zspectra(in, {}, 1), Error);  // no M0
  ZSpectrumOptions normalised;
  normalised.normalised_input = true;
  EXPECT_NO_THROW(analyse_zspectra(in, normalised, 1));
  in.offsets_ppm = offsets_of(s);
  EXPECT_THROW(analyse_zspectra(in, normalised, 1), Error);  // normalised, yet an M0 at -300 ppm
  in.offsets_ppm = offsets_of(s);
  ZSpectrumOptions wasabi;
  wasabi.b0_correction = B0Correction::kWasabi;
  EXPECT_THROW(analyse_zspectra(in, wasabi, 1), Error);  // no WASABI series
}

}  // namespace
}  // namespace oncotrack::cest
