// End-to-end CEST-MRF inside `run`: a synthetic subject whose timepoints carry fingerprint series made from a
// simulated dictionary (tumour voxels one tissue, everything else another), so matching must recover the
// tissues exactly and the report's region statistics and change vs baseline are known in advance.
#include <gtest/gtest.h>

#include <fstream>

#include "oncotrack/cest/dictionary.h"
#include "oncotrack/io/image_io.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Tissue {
  double rate_per_s, concentration_mm;
};
constexpr Tissue kNormal{200, 20}, kTumourBaseline{1000, 100}, kTumourWeek8{500, 50};

// The dictionary row of a tissue.
std::int64_t row_of(const cest::Dictionary& d, const Tissue& t) {
  const std::size_t k = d.parameter_index("amide.exchange_rate_per_s");
  const std::size_t c = d.parameter_index("amide.concentration_mm");
  const auto p = static_cast<std::size_t>(d.parameters.dim(1));
  for (std::int64_t e = 0; e < d.entries(); ++e) {
    const float* row = d.parameters.data() + static_cast<std::size_t>(e) * p;
    if (row[k] == float(t.rate_per_s) && row[c] == float(t.concentration_mm)) return e;
  }
  ADD_FAILURE() << "tissue not in the dictionary";
  return 0;
}

// A one-slice series through the tumour's middle slice of `image`'s grid: tumour voxels get `tumour`'s
// fingerprint, the others the normal tissue's (scaled by an M0 of 1000).
void write_series(const cest::Dictionary& d, const fs::path& image, const fs::path& mask_file,
                  const Tissue& tumour, const fs::path& out) {
  const Mask mask = io::labels_to_mask(io::read_labels(mask_file), {});
  const Geometry& g = io::read_image(image).geometry;
  std::size_t lo = g.size[2], hi = 0;
  for (std::size_t n = 0; n < mask.voxels.size(); ++n)
    if (mask.voxels[n]) {
      lo = std::min(lo, n / (g.size[0] * g.size[1]));
      hi = std::max(hi, n / (g.size[0] * g.size[1]));
    }
  ASSERT_LE(lo, hi) << mask_file << " has no tumour";
  const std::size_t slice = (lo + hi) / 2;
  Geometry sg = g;
  sg.size[2] = 1;
  sg.origin_mm_lps = g.index_to_lps({0, 0, double(slice)});
  const std::int64_t t = d.images(), in = row_of(d, tumour), out_row = row_of(d, kNormal);
  std::vector<ImageF> volumes(static_cast<std::size_t>(t), ImageF(sg, 0.0f));
  for (std::size_t j = 0; j < sg.size[1]; ++j)
    for (std::size_t i = 0; i < sg.size[0]; ++i) {
      const std::int64_t e = mask.at(i, j, slice) ? in : out_row;
      for (std::int64_t v = 0; v < t; ++v)
        volumes[static_cast<std::size_t>(v)].at(i, j, 0) = 1000.0f * d.signals.data()[e * t + v];
    }
  io::write_image_series(volumes, out);
}

class MrfRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fresh_dir("mrf_run"));
    const fs::path& dir = *dir_;
    ASSERT_EQ(run_cli("-q synth --out " + (dir / "cohort").string()).exit_code, 0);
    std::ofstream(dir / "schedule.json") << R"({"b0_tesla": 9.4, "saturation": "continuous_wave",
      "tsat_s": 2.5, "tr_s": 3.5, "offset_ppm": [3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5],
      "b1_ut": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]})";
    std::ofstream(dir / "grid.json") << R"({"water": {"t1_s": 1.5, "t2_s": 0.1},
      "cest": [{"name": "amide", "shift_ppm": 3.5, "exchange_rate_per_s": [200, 500, 1000],
                "concentration_mm": [20, 50, 100], "protons": 1, "t1_s": 1.5, "t2_s": 0.01}]})";
    const CliResult sim = run_cli("-q mrf simulate " + (dir / "schedule.json").string() + " " +
                                  (dir / "grid.json").string() + " --out " + dict().string());
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    const cest::Dictionary d = cest::read_dictionary(dict());
    const fs::path c = dir / "cohort";
    auto file = [&](const std::string& tp, const std::string& suffix) {
      return "sub-pr/ses-" + tp + "/anat/sub-pr_ses-" + tp + "_" + suffix;
    };
    write_series(d, c / file("baseline", "ce-gadolinium_T1w.nii.gz"),
                 c / file("baseline", "desc-tumor_mask.nii.gz"), kTumourBaseline, c / "baseline_mrf.nii.gz");
    write_series(d, c / file("week8", "ce-gadolinium_T1w.nii.gz"),
                 c / file("week8", "desc-tumor_mask.nii.gz"), kTumourWeek8, c / "week8_mrf.nii.gz");
    std::ofstream m(c / "mrf.csv");
    m << "subject,timepoint,day,sequence,path,mask,schedule\n";
    for (const auto& [tp, day] : {std::pair{"baseline", 0}, std::pair{"week8", 56}, std::pair{"week16", 112}})
      m << "pr," << tp << ',' << day << ",t1c," << file(tp, "ce-gadolinium_T1w.nii.gz") << ','
        << file(tp, "desc-tumor_mask.nii.gz") << ",\n";
    m << "pr,baseline,0,mrf,baseline_mrf.nii.gz,," << (dir / "schedule.json").string() << '\n';
    m << "pr,week8,56,mrf,week8_mrf.nii.gz,," << (dir / "schedule.json").string() << '\n';
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path dict() { return *dir_ / "dict.safetensors"; }
  static fs::path manifest() { return *dir_ / "cohort" / "mrf.csv"; }
  static fs::path* dir_;
};
fs::path* MrfRun::dir_ = nullptr;

TEST_F(MrfRun, TumourAndReferenceStatisticsAndTheChangeVsBaselineAreExact) {
  const fs::path out = *dir_ / "out";
  const CliResult r = run_cli("-q -j 2 run " + manifest().string() + " --no-model --mrf-dict " +
                              dict().string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path report = out / "sub-pr" / "sub-pr_report.json";
  EXPECT_EQ(schema_errors(report), "");
  const json tps = read_json(report).at("timepoints");
  ASSERT_EQ(tps.size(), 3u);
  const json& base = tps[0].at("mrf");
  const json& week8 = tps[1].at("mrf");
  ASSERT_TRUE(base.at("maps").is_object()) << base.dump(2);
  EXPECT_EQ(base.at("method"), "dictionary_matching");
  EXPECT_EQ(base.at("reconstruction").at("sha256").get<std::string>().size(), 64u);
  for (const auto& [name, files] : base.at("maps").items()) {
    EXPECT_TRUE(fs::exists(out / "sub-pr" / files.at("native").get<std::string>())) << name;
    EXPECT_TRUE(fs::exists(out / "sub-pr" / files.at("baseline_space").get<std::string>())) << name;
  }
  for (const auto& [mrf, tumour] : {std::pair{&base, kTumourBaseline}, std::pair{&week8, kTumourWeek8}}) {
    const json& tumor = mrf->at("regions").at("tumor");
    ASSERT_GT(tumor.at("voxel_count").get<int>(), 0) << mrf->dump(2);
    const json& k = tumor.at("parameters").at("amide_exchange_rate_per_s");
    EXPECT_DOUBLE_EQ(k.at("mean").get<double>(), tumour.rate_per_s);
    EXPECT_DOUBLE_EQ(k.at("sd").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(k.at("iqr").get<double>(), 0.0);
    EXPECT_EQ(k.at("voxel_count"), tumor.at("voxel_count"));
    EXPECT_DOUBLE_EQ(tumor.at("parameters").at("amide_concentration_mm").at("median").get<double>(),
                     tumour.concentration_mm);
    EXPECT_NEAR(tumor.at("parameters").at("match_score").at("mean").get<double>(), 1.0, 1e-5);
    const json& ref = mrf->at("regions").at("reference");
    ASSERT_GT(ref.at("voxel_count").get<int>(), 0) << ref.dump(2);
    EXPECT_DOUBLE_EQ(ref.at("parameters").at("amide_exchange_rate_per_s").at("mean").get<double>(),
                     kNormal.rate_per_s);
  }
  const json& change = week8.at("change_vs_baseline").at("tumor").at("amide_exchange_rate_per_s");
  EXPECT_DOUBLE_EQ(change.at("mean_change").get<double>(),
                   kTumourWeek8.rate_per_s - kTumourBaseline.rate_per_s);
  EXPECT_DOUBLE_EQ(change.at("mean_change_percent").get<double>(), -50.0);
  EXPECT_DOUBLE_EQ(week8.at("change_vs_baseline")
                       .at("reference")
                       .at("amide_concentration_mm")
                       .at("median_change")
                       .get<double>(),
                   0.0);
  EXPECT_TRUE(tps[2].at("mrf").is_null());
  EXPECT_FALSE(tps[2].at("reasons").at("mrf").get<std::string>().empty());
  // Every map has a QC picture with its display range, and the subject's page shows each with a colour bar.
  std::size_t maps = 0;
  for (const json* mrf : {&base, &week8}) maps += mrf->at("maps").size();
  for (std::size_t t = 0; t < 2; ++t)
    for (const auto& [name, picture] : tps[t].at("qc").at("maps").items()) {
      EXPECT_TRUE(fs::exists(out / "sub-pr" / picture.at("picture").get<std::string>())) << name;
      EXPECT_LE(picture.at("range")[0].get<double>(), picture.at("range")[1].get<double>()) << name;
    }
  EXPECT_EQ(tps[0].at("qc").at("maps").size(), base.at("maps").size());
  EXPECT_TRUE(tps[2].at("qc").at("maps").is_null());
  const std::string page = slurp(out / "sub-pr" / "sub-pr_report.html");
  EXPECT_NE(page.find("<section id=\"cest\">"), std::string::npos);
  std::size_t shown = 0, bars = 0;
  for (auto at = page.find("<div class=\"map\"><figure><img src=\"data:image/png;base64,");
       at != std::string::npos;
       at = page.find("<div class=\"map\"><figure><img src=\"data:image/png;base64,", at + 1))
    ++shown;
  for (auto at = page.find("<linearGradient"); at != std::string::npos;
       at = page.find("<linearGradient", at + 1))
    ++bars;
  EXPECT_EQ(shown, maps);
  EXPECT_EQ(bars, maps);
  EXPECT_NE(page.find(">1000</td>"), std::string::npos);  // the baseline tumour's mean exchange rate
  // The volumetric part is untouched by the CEST stage.
  EXPECT_FALSE(tps[1].at("tumor").is_null());
}

TEST_F(MrfRun, ASeriesThatCannotBeReconstructedIsReportedAndTheSubjectStillCompletes) {
  // No dictionary at all, then a schedule that does not fit the series: the reports say why.
  const fs::path out = *dir_ / "out_nodict";
  CliResult r = run_cli("-q run " + manifest().string() + " --no-model --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json base = read_json(out / "sub-pr" / "sub-pr_report.json").at("timepoints")[0].at("mrf");
  EXPECT_TRUE(base.at("maps").is_null());
  EXPECT_NE(base.at("reasons").at("maps").get<std::string>().find("--mrf-dict"), std::string::npos);

  std::ofstream(*dir_ / "short.json") << R"({"b0_tesla": 9.4, "saturation": "continuous_wave",
      "tsat_s": 2.5, "tr_s": 3.5, "offset_ppm": 3.5, "b1_ut": [0.5, 1.0, 1.5]})";
  std::ifstream in(manifest());
  std::ofstream edited(*dir_ / "cohort" / "short.csv");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("pr,week8,56,mrf", 0) == 0)
      line = line.substr(0, line.rfind(',') + 1) + (*dir_ / "short.json").string();
    edited << line << '\n';
  }
  edited.close();
  const fs::path out2 = *dir_ / "out_short";
  r = run_cli("-q run " + (*dir_ / "cohort" / "short.csv").string() + " --no-model --mrf-dict " +
              dict().string() + " --out " + out2.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path report = out2 / "sub-pr" / "sub-pr_report.json";
  EXPECT_EQ(schema_errors(report), "");
  const json tps = read_json(report).at("timepoints");
  EXPECT_TRUE(tps[0].at("mrf").at("maps").is_object());
  EXPECT_TRUE(tps[1].at("mrf").at("maps").is_null());
  EXPECT_NE(tps[1].at("mrf").at("reasons").at("maps").get<std::string>().find(
                "dictionary was made for another schedule"),
            std::string::npos)
      << tps[1].at("mrf").dump(2);
}

TEST_F(MrfRun, ManifestProblemsWithMrfRowsAreNamed) {
  std::ofstream(*dir_ / "cohort" / "bad.csv")
      << "subject,timepoint,day,sequence,path,mask,schedule\n"
      << "pr,baseline,0,t1c,sub-pr/ses-baseline/anat/sub-pr_ses-baseline_ce-gadolinium_T1w.nii.gz,,"
      << (*dir_ / "schedule.json").string() << "\n"
      << "pr,week8,56,mrf,week8_mrf.nii.gz,,\n";
  const CliResult r = run_cli("validate " + (*dir_ / "cohort" / "bad.csv").string());
  EXPECT_EQ(r.exit_code, 1);
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("column schedule on a row that is not sequence mrf"), std::string::npos) << all;
  EXPECT_NE(all.find("mrf row without schedule"), std::string::npos) << all;
  EXPECT_NE(all.find("timepoint has no anatomical image"), std::string::npos) << all;
}

}  // namespace
}  // namespace oncotrack::testing
