// `oncotrack run` on real longitudinal scans from ../shared/data/real (see each folder's README for sources):
// TCIA Brain-Tumor-Progression (glioblastoma, pre/post masks) and the Penn U24 KPC mouse (day 0/7/14).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "oncotrack/io/image_io.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kReal = ONCOTRACK_REAL_DATA_DIR;

// id -> (initial date, end date) from btp/supplementary.csv ("01, 22, 1996-08-13, 1997-01-17, ...").
std::map<std::string, std::pair<std::string, std::string>> btp_dates() {
  std::map<std::string, std::pair<std::string, std::string>> dates;
  std::istringstream in(slurp(kReal / "btp" / "supplementary.csv"));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) f.push_back(field.substr(field.find_first_not_of(' ')));
    if (f.size() >= 4) dates[f[0]] = {f[2], f[3]};
  }
  return dates;
}

TEST(RealBtp, VolumesEqualVoxelCountsAndChangeDirectionsAreRight) {
  if (!fs::exists(kReal / "btp")) GTEST_SKIP() << "no " << kReal / "btp";
  // Post/pre mask volume ratios stated in btp/README.md.
  const std::map<std::string, double> ratio{{"01", 1.21}, {"02", 1.37}, {"03", 1.14},
                                            {"05", 2.48}, {"06", 0.73}, {"07", 3.94}};
  const auto dates = btp_dates();
  const fs::path dir = fresh_dir("real_btp");
  std::ofstream manifest(dir / "manifest.csv");
  manifest << "subject,timepoint,date,sequence,path,mask\n";
  for (const auto& [id, r] : ratio) {
    const fs::path c = kReal / "btp" / id;
    manifest << id << ",pre," << dates.at(id).first << ",t1c," << (c / "Pre_Scan_T1.nii.gz").string() << ','
             << (c / "Pre_Mask.nii.gz").string() << '\n';
    manifest << id << ",post," << dates.at(id).second << ",t1c," << (c / "Post_Scan_T1.nii.gz").string()
             << ',' << (c / "Post_Mask.nii.gz").string() << '\n';
  }
  manifest.close();
  // Scanner frame: this test is about measurement and matching rules on fragmenting lesions; registration
  // of these pairs is checked below and by the registration tests.
  std::ofstream(dir / "scanner.json") << R"({"registration": {"enabled": false}})";
  const CliResult run = run_cli("run " + (dir / "manifest.csv").string() + " --no-model --config " +
                                (dir / "scanner.json").string() + " --out " + (dir / "out").string());
  ASSERT_EQ(run.exit_code, 0) << run.err;

  for (const auto& [id, expected_ratio] : ratio) {
    SCOPED_TRACE("btp " + id);
    const fs::path report_file = dir / "out" / ("sub-" + id) / ("sub-" + id + "_report.json");
    EXPECT_EQ(schema_errors(report_file), "");
    const json r = read_json(report_file);
    double volume[2];
    for (int t = 0; t < 2; ++t) {
      const char* mask_name = t == 0 ? "Pre_Mask.nii.gz" : "Post_Mask.nii.gz";
      const Labels labels = io::read_labels(kReal / "btp" / id / mask_name);
      std::size_t count = 0;
      for (const auto v : labels.voxels) count += v != 0;
      const json& tumor = r.at("timepoints")[t].at("tumor");
      EXPECT_EQ(tumor.at("mask_voxel_count").get<std::size_t>(), count);
      volume[t] = tumor.at("total_volume_ml").get<double>();
      EXPECT_NEAR(volume[t], count * labels.geometry.voxel_volume_ml(), 1e-6);
    }
    EXPECT_NEAR(volume[1] / volume[0], expected_ratio, 0.006);
    const double change = r.at("response")[0].at("vs_baseline").at("volume_change_pct").get<double>();
    EXPECT_NEAR(change, 100.0 * (volume[1] / volume[0] - 1.0), 1e-3);
    EXPECT_EQ(change > 0, expected_ratio > 1);
    // Lesions coalesce, split and fragment between these scans; the RECIST target sum must still move the way
    // the tumour did (a grown tumour read as PR was the symptom of matching by centroid alone).
    const double sld_change = r.at("response")[0].at("vs_baseline").at("sld_change_pct").get<double>();
    EXPECT_EQ(sld_change > 0, expected_ratio > 1) << sld_change;
    const std::string recist = r.at("response")[0].at("criteria").at("recist_1_1").at("category");
    EXPECT_TRUE(expected_ratio > 1 ? recist != "PR" && recist != "CR" : recist != "PD") << recist;
    const double day = r.at("timepoints")[1].at("day").get<double>();
    EXPECT_GT(day, 0);
  }
  // 05 grew x2.48 (+148 %): progression under both volumetric criteria; 06 shrank x0.73 (-27 %): stable.
  const json r05 = read_json(dir / "out" / "sub-05" / "sub-05_report.json");
  EXPECT_EQ(r05.at("response")[0].at("criteria").at("volumetric").at("category"), "PD");
  EXPECT_EQ(r05.at("response")[0].at("criteria").at("rano_2_0_volumetric").at("category"), "PD");
  const json r06 = read_json(dir / "out" / "sub-06" / "sub-06_report.json");
  EXPECT_EQ(r06.at("response")[0].at("criteria").at("volumetric").at("category"), "SD");

  // With registration (the default): every post scan registers to its pre scan (the heads moved by a few mm),
  // and volumes do not depend on it.
  const CliResult registered = run_cli("run --no-model " + (dir / "manifest.csv").string() + " --out " +
                                       (dir / "registered").string());
  ASSERT_EQ(registered.exit_code, 0) << registered.err;
  for (const auto& [id, expected_ratio] : ratio) {
    const json a = read_json(dir / "out" / ("sub-" + id) / ("sub-" + id + "_report.json"));
    const json b = read_json(dir / "registered" / ("sub-" + id) / ("sub-" + id + "_report.json"));
    const json& reg = b.at("timepoints")[1].at("registration");
    EXPECT_FALSE(reg.at("suspect").get<bool>()) << id << ": " << reg.at("suspect_reason");
    EXPECT_GT(reg.at("ncc_body").at("after").get<double>(), reg.at("ncc_body").at("before").get<double>())
        << id;
    EXPECT_EQ(b.at("timepoints")[1].at("lesion_matching_space"), "baseline") << id;
    EXPECT_EQ(a.at("response")[0].at("vs_baseline").at("volume_change_pct"),
              b.at("response")[0].at("vs_baseline").at("volume_change_pct"))
        << id;
  }
  fs::remove_all(dir);
}

TEST(RealKpcMouse, TumourVolumesFollowThePublishedCourse) {
  const fs::path data = kReal / "kpc_mouse" / "data";
  if (!fs::exists(data)) GTEST_SKIP() << "no " << data;
  const fs::path dir = fresh_dir("real_kpc");
  std::ofstream manifest(dir / "manifest.csv");
  // The tumour label (3) lives in the DWI masks, on the DWI grid of the same 32 mm field of view as the T2W
  // scan.
  manifest << "subject,timepoint,day,sequence,path,mask,mask_label,mask_grid\n";
  const std::vector<std::tuple<std::string, int, std::string, std::string>> tps{
      {"day0", 0, "KPC-27583-Pre", "M123"},
      {"day7", 7, "KPC-27583-Post-1", "M132"},
      {"day14", 14, "KPC-27583-Post-2", "M138"}};
  for (const auto& [tp, day, folder, scan] : tps)
    manifest << "kpc27583," << tp << ',' << day << ",t2,"
             << (data / folder / "T2" / "images" / (scan + "_T2W.nii.gz")).string() << ','
             << (data / folder / "DWI" / "analysis" / (scan + "_DWI_Mask.nii.gz")).string() << ",3,own\n";
  manifest.close();
  // Scanner frame: this test is about measurement and matching rules on fragmenting lesions; registration
  // of these pairs is checked below and by the registration tests.
  std::ofstream(dir / "scanner.json") << R"({"registration": {"enabled": false}})";
  const CliResult run = run_cli("run " + (dir / "manifest.csv").string() + " --config " +
                                (dir / "scanner.json").string() + " --out " + (dir / "out").string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const fs::path report_file = dir / "out" / "sub-kpc27583" / "sub-kpc27583_report.json";
  EXPECT_EQ(schema_errors(report_file), "");
  const json r = read_json(report_file);
  const double expected_mm3[] = {315.5, 163.2, 523.8};  // kpc_mouse/README.md
  for (int t = 0; t < 3; ++t) {
    const double mm3 = 1000.0 * r.at("timepoints")[t].at("tumor").at("total_volume_ml").get<double>();
    EXPECT_NEAR(mm3, expected_mm3[t], 0.005 * expected_mm3[t]) << std::get<0>(tps[t]);
  }
  // -48 % at day 7 is stable under both volumetric criteria; +221 % vs the day-7 nadir at day 14 is
  // progression.
  const json& resp = r.at("response");
  EXPECT_EQ(resp[0].at("criteria").at("volumetric").at("category"), "SD");
  EXPECT_EQ(resp[1].at("criteria").at("volumetric").at("category"), "PD");
  EXPECT_EQ(resp[1].at("criteria").at("rano_2_0_volumetric").at("category"), "PD");
  EXPECT_EQ(resp[1].at("vs_nadir").at("volume_reference").at("timepoint"), "day7");
  // The bundled model reads human brain T1 post-contrast scans: it is not applied to these mouse T2 scans,
  // and the report says so instead of segmenting them.
  for (const auto& tp : r.at("timepoints")) {
    EXPECT_TRUE(tp.at("segmentation").is_null());
    EXPECT_NE(tp.at("reasons").at("segmentation").get<std::string>().find("reads \"t1c\" scans"),
              std::string::npos)
        << tp.at("reasons");
  }
  EXPECT_TRUE(resp[0].at("prediction").is_null());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oncotrack::testing
