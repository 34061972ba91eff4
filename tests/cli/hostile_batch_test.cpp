// A batch in which some subjects have broken inputs: `validate` lists every problem at once, `run` fails
// exactly those subjects (error.json naming the file) while the others complete with whole reports (exit 2).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "oncotrack/io/image_io.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Geometry small_grid(double spacing_mm) {
  Geometry g;
  g.size = {24, 24, 10};
  g.spacing_mm = {spacing_mm, spacing_mm, 2.0};
  return g;
}

ImageF image_on(const Geometry& g) {
  ImageF img(g, 100.0f);
  for (std::size_t v = 0; v < img.voxels.size(); ++v) img.voxels[v] += static_cast<float>(v % 7);
  return img;
}

Mask cube_mask(const Geometry& g, std::size_t half) {
  Mask m(g, 0);
  for (std::size_t k = 5 - 2; k < 5 + 2; ++k)
    for (std::size_t j = 12 - half; j < 12 + half; ++j)
      for (std::size_t i = 12 - half; i < 12 + half; ++i) m.at(i, j, k) = 1;
  return m;
}

void truncate_file(const fs::path& p, std::uintmax_t keep) {
  fs::resize_file(p, keep);
}

// A minimal uncompressed NIfTI-1 float32 file with the given dims (2D, 4D ...), written by hand so the test
// does not depend on the writer under test refusing or accepting such shapes.
void write_raw_nifti(const fs::path& p, const std::vector<std::int16_t>& dims) {
  char header[352] = {};
  auto put = [&](std::size_t offset, const auto& value) {
    std::memcpy(header + offset, &value, sizeof value);
  };
  put(0, std::int32_t{348});
  std::int16_t dim[8] = {static_cast<std::int16_t>(dims.size()), 1, 1, 1, 1, 1, 1, 1};
  std::size_t voxels = 1;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    dim[d + 1] = dims[d];
    voxels *= static_cast<std::size_t>(dims[d]);
  }
  std::memcpy(header + 40, dim, sizeof dim);
  put(70, std::int16_t{16});  // datatype FLOAT32
  put(72, std::int16_t{32});  // bitpix
  const float pixdim[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  std::memcpy(header + 76, pixdim, sizeof pixdim);
  put(108, float{352});  // vox_offset
  std::memcpy(header + 344, "n+1", 4);
  std::ofstream out(p, std::ios::binary);
  out.write(header, sizeof header);
  const std::vector<float> data(voxels, 1.0f);
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size() * sizeof(float)));
}

class HostileBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir("hostile_batch");
    const Geometry g = small_grid(1.0);
    auto img = [&](const std::string& name) { io::write_image(image_on(g), dir_ / name); };
    auto mask = [&](const std::string& name, std::size_t half) {
      io::write_mask(cube_mask(g, half), dir_ / name);
    };
    img("good_t0.nii.gz"), mask("good_t0_mask.nii.gz", 6);
    img("good_t1.nii.gz"), mask("good_t1_mask.nii.gz", 3);
    img("empty_t0.nii.gz"), mask("empty_t0_mask.nii.gz", 6);
    img("empty_t1.nii.gz"), io::write_mask(Mask(g, 0), dir_ / "empty_t1_mask.nii.gz");
    img("trunc_t0.nii.gz"), mask("trunc_t0_mask.nii.gz", 6);
    truncate_file(dir_ / "trunc_t0.nii.gz", fs::file_size(dir_ / "trunc_t0.nii.gz") / 2);
    img("short_t0.nii"), mask("short_t0_mask.nii.gz", 6);
    truncate_file(dir_ / "short_t0.nii", 352 + 100);  // the header promises 24*24*10 floats
    ImageF nan_image = image_on(g);
    nan_image.at(3, 4, 5) = std::numeric_limits<float>::quiet_NaN();
    nan_image.at(4, 4, 5) = std::numeric_limits<float>::infinity();
    io::write_image(nan_image, dir_ / "nan_t0.nii.gz"), mask("nan_t0_mask.nii.gz", 6);
    img("geom_t0.nii.gz");
    io::write_mask(cube_mask(small_grid(1.1), 6), dir_ / "geom_t0_mask.nii.gz");
    img("dup_t0.nii.gz"), mask("dup_t0_mask.nii.gz", 6);
    write_raw_nifti(dir_ / "flat_t0.nii", {24, 24});
    write_raw_nifti(dir_ / "series_t0.nii", {24, 24, 10, 3});

    std::ofstream(dir_ / "manifest.csv") << "subject,timepoint,day,sequence,path,mask\n"
                                            "good,t0,0,t1c,good_t0.nii.gz,good_t0_mask.nii.gz\n"
                                            "good,t1,30,t1c,good_t1.nii.gz,good_t1_mask.nii.gz\n"
                                            "empty,t0,0,t1c,empty_t0.nii.gz,empty_t0_mask.nii.gz\n"
                                            "empty,t1,30,t1c,empty_t1.nii.gz,empty_t1_mask.nii.gz\n"
                                            "trunc,t0,0,t1c,trunc_t0.nii.gz,trunc_t0_mask.nii.gz\n"
                                            "short,t0,0,t1c,short_t0.nii,short_t0_mask.nii.gz\n"
                                            "nan,t0,0,t1c,nan_t0.nii.gz,nan_t0_mask.nii.gz\n"
                                            "geom,t0,0,t1c,geom_t0.nii.gz,geom_t0_mask.nii.gz\n"
                                            "missing,t0,0,t1c,not_there.nii.gz,\n"
                                            "dup,t0,0,t1c,dup_t0.nii.gz,dup_t0_mask.nii.gz\n"
                                            "dup,t0,0,t1c,dup_t0.nii.gz,dup_t0_mask.nii.gz\n"
                                            "flat,t0,0,t1c,flat_t0.nii,\n"
                                            "series,t0,0,t1c,series_t0.nii,\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  const std::vector<std::pair<std::string, std::string>> broken_{
      {"trunc", "trunc_t0.nii.gz"},    {"short", "short_t0.nii"},       {"nan", "nan_t0.nii.gz"},
      {"geom", "geom_t0_mask.nii.gz"}, {"missing", "not_there.nii.gz"}, {"dup", "manifest.csv"},
      {"flat", "flat_t0.nii"},         {"series", "series_t0.nii"}};
  fs::path dir_;
};

TEST_F(HostileBatch, ValidateListsEveryProblemAndWritesNothing) {
  const auto before = std::distance(fs::directory_iterator(dir_), fs::directory_iterator());
  const CliResult v = run_cli("validate " + (dir_ / "manifest.csv").string());
  EXPECT_EQ(v.exit_code, 1);
  for (const auto& [subject, file] : broken_) {
    EXPECT_NE(v.out.find("[sub-" + subject), std::string::npos) << subject << "\n" << v.out;
    EXPECT_NE(v.out.find(file), std::string::npos) << file << "\n" << v.out;
  }
  EXPECT_EQ(v.out.find("[sub-good"), std::string::npos) << v.out;
  EXPECT_EQ(v.out.find("[sub-empty"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("NaN"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("duplicate row"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("mask geometry does not match"), std::string::npos) << v.out;
  EXPECT_EQ(before, std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
}

TEST_F(HostileBatch, RunFailsOnlyTheBrokenSubjects) {
  const fs::path out = dir_ / "out";
  const CliResult r = run_cli("run " + (dir_ / "manifest.csv").string() + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const auto& [subject, file] : broken_) {
    const fs::path err = out / ("sub-" + subject) / "error.json";
    ASSERT_TRUE(fs::exists(err)) << subject;
    EXPECT_FALSE(fs::exists(out / ("sub-" + subject) / ("sub-" + subject + "_report.json")));
    EXPECT_EQ(schema_errors(err), "") << err;
    const json e = read_json(err);
    EXPECT_EQ(e.at("status"), "failed");
    EXPECT_EQ(e.at("stage"), "input");
    EXPECT_NE(e.at("message").get<std::string>().find(file), std::string::npos) << e.dump(2);
  }
  const json good = read_json(out / "sub-good" / "sub-good_report.json");
  EXPECT_EQ(schema_errors(out / "sub-good" / "sub-good_report.json"), "");
  // 12x12x4 voxels of 1x1x2 mm at baseline, 6x6x4 at follow-up.
  EXPECT_NEAR(good.at("timepoints")[0].at("tumor").at("total_volume_ml").get<double>(),
              12 * 12 * 4 * 2 / 1000.0, 1e-9);
  EXPECT_NEAR(good.at("response")[0].at("vs_baseline").at("volume_change_pct").get<double>(), -75.0, 1e-9);

  // An empty mask is a real answer (volume 0, complete response), not an error.
  const json empty = read_json(out / "sub-empty" / "sub-empty_report.json");
  EXPECT_EQ(empty.at("timepoints")[1].at("tumor").at("total_volume_ml").get<double>(), 0.0);
  EXPECT_EQ(empty.at("timepoints")[1].at("tumor").at("lesions").size(), 0u);
  EXPECT_EQ(empty.at("response")[0].at("criteria").at("volumetric").at("category"), "CR");
  for (const auto& e : fs::recursive_directory_iterator(out))
    EXPECT_NE(e.path().filename().string().rfind(".tmp-", 0), 0u) << e.path();

  // A rerun with --force after fixing nothing gives the same split, and a failed subject loses no good
  // report.
  const CliResult again =
      run_cli("--force run " + (dir_ / "manifest.csv").string() + " --out " + out.string());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(fs::exists(out / "sub-good" / "sub-good_report.json"));

  // The cohort table lists the failed subjects with their error beside the measured ones, and says so by
  // exit 2.
  const CliResult agg = run_cli("aggregate " + out.string());
  EXPECT_EQ(agg.exit_code, 2) << agg.err;
  EXPECT_NE(agg.out.find("failed\t" + std::to_string(broken_.size())), std::string::npos) << agg.out;
  ASSERT_TRUE(fs::exists(out / "cohort.tsv"));
  const json cohort = read_json(out / "cohort.json");
  std::map<std::string, json> rows;
  for (const json& row : cohort.at("rows")) rows[row.at("subject").get<std::string>()] = row;
  for (const auto& [subject, file] : broken_) {
    ASSERT_EQ(rows.count(subject), 1u) << subject;
    EXPECT_EQ(rows.at(subject).at("status"), "failed");
    EXPECT_NE(rows.at(subject).at("error").get<std::string>().find(file), std::string::npos) << subject;
  }
  EXPECT_EQ(rows.at("good").at("status"), "ok");
  EXPECT_NEAR(rows.at("good").at("volume_change_vs_baseline_pct").get<double>(), -75.0, 1e-9);
  EXPECT_EQ(rows.at("empty").at("volumetric"), "CR");
}

TEST_F(HostileBatch, AbsentTumourLabelIsMeasuredAsNoTumourWithAWarning) {
  Labels labels(small_grid(1.0), 0);
  labels.at(5, 5, 5) = 2;
  io::write_labels(labels, dir_ / "organs.nii.gz");
  std::ofstream(dir_ / "labels.csv") << "subject,timepoint,day,sequence,path,mask,mask_label\n"
                                        "l,t0,0,t1c,good_t0.nii.gz,good_t0_mask.nii.gz,1\n"
                                        "l,t1,30,t1c,good_t1.nii.gz,organs.nii.gz,3\n";
  const CliResult v = run_cli("validate " + (dir_ / "labels.csv").string());
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("warning: [sub-l t1] mask has none of the tumour labels 3"), std::string::npos)
      << v.out;
  const fs::path out = dir_ / "out_labels";
  const CliResult r = run_cli("run " + (dir_ / "labels.csv").string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = read_json(out / "sub-l" / "sub-l_report.json");
  EXPECT_TRUE(report.at("timepoints")[0].at("warnings").empty());
  const json& t1 = report.at("timepoints")[1];
  EXPECT_EQ(t1.at("tumor").at("total_volume_ml").get<double>(), 0.0);
  ASSERT_EQ(t1.at("warnings").size(), 1u);
  EXPECT_NE(t1.at("warnings")[0].get<std::string>().find("none of the tumour labels 3 (labels present: 2)"),
            std::string::npos)
      << t1.at("warnings");
}

TEST_F(HostileBatch, ManifestWithoutRequiredColumnRunsNothing) {
  std::ofstream(dir_ / "bad.csv") << "subject,timepoint,sequence,path\ngood,t0,t1c,good_t0.nii.gz\n";
  const fs::path out = dir_ / "out_bad";
  const CliResult r = run_cli("run " + (dir_ / "bad.csv").string() + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("day or date"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  const CliResult v = run_cli("validate " + (dir_ / "bad.csv").string());
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.out.find("missing required column"), std::string::npos) << v.out;
}

TEST_F(HostileBatch, StrictConfigRejectsUnknownKeys) {
  std::ofstream(dir_ / "cfg.json") << R"({"analysis": {"connectivity": 26, "min_lesion_size": 3}})";
  const CliResult r =
      run_cli("validate " + (dir_ / "manifest.csv").string() + " --config " + (dir_ / "cfg.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown config key analysis.min_lesion_size"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace oncotrack::testing
