// Hostile surroundings of a batch rather than hostile images: an output folder that cannot be written, a disk
// that fills up mid-run, file and subject names that are not UTF-8, inputs reached through symlinks, and a
// 10 000-row manifest. Each: a clear error for what is affected, the other subjects complete, nothing
// half-written looks finished, and a rerun in better conditions completes the batch.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "oncotrack/io/image_io.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HostileOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir("hostile_output");
    Geometry g;
    g.size = {24, 24, 10};
    g.spacing_mm = {1.0, 1.0, 2.0};
    ImageF image(g, 100.0f);
    for (std::size_t v = 0; v < image.voxels.size(); ++v) image.voxels[v] += static_cast<float>(v % 7);
    for (const std::string s : {"a", "b", "c"}) {
      for (int t = 0; t < 2; ++t) {
        Mask mask(g, 0);
        const std::size_t half = t == 0 ? 6 : 3;
        for (std::size_t k = 3; k < 7; ++k)
          for (std::size_t j = 12 - half; j < 12 + half; ++j)
            for (std::size_t i = 12 - half; i < 12 + half; ++i) mask.at(i, j, k) = 1;
        const std::string stem = s + "_t" + std::to_string(t);
        io::write_image(image, dir_ / (stem + ".nii.gz"));
        io::write_mask(mask, dir_ / (stem + "_mask.nii.gz"));
      }
    }
    std::ofstream(dir_ / "manifest.csv") << "subject,timepoint,day,sequence,path,mask\n"
                                            "a,t0,0,t1c,a_t0.nii.gz,a_t0_mask.nii.gz\n"
                                            "a,t1,30,t1c,a_t1.nii.gz,a_t1_mask.nii.gz\n"
                                            "b,t0,0,t1c,b_t0.nii.gz,b_t0_mask.nii.gz\n"
                                            "b,t1,30,t1c,b_t1.nii.gz,b_t1_mask.nii.gz\n"
                                            "c,t0,0,t1c,c_t0.nii.gz,c_t0_mask.nii.gz\n"
                                            "c,t1,30,t1c,c_t1.nii.gz,c_t1_mask.nii.gz\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string run_args(const fs::path& out) const {
    return "run --no-model " + (dir_ / "manifest.csv").string() + " --out " + out.string();
  }
  static void expect_no_temporaries(const fs::path& out) {
    for (const auto& e : fs::recursive_directory_iterator(out))
      EXPECT_NE(e.path().filename().string().rfind(".tmp-", 0), 0u) << e.path();
  }
  fs::path dir_;
};

TEST_F(HostileOutput, ASubjectFolderThatCannotBeCreatedFailsOnlyThatSubject) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  std::ofstream(out / "sub-b") << "a file where the subject's folder belongs\n";
  const CliResult r = run_cli(run_args(out));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find((out / "sub-b").string()), std::string::npos) << r.err;
  for (const std::string s : {"a", "c"})
    EXPECT_EQ(read_json(out / ("sub-" + s) / ("sub-" + s + "_report.json")).at("status"), "ok") << s;
  EXPECT_EQ(slurp(out / "sub-b"), "a file where the subject's folder belongs\n")
      << "the blocking file is left";
  expect_no_temporaries(out);
  fs::remove(out / "sub-b");
  const CliResult again = run_cli(run_args(out));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("up-to-date"), std::string::npos) << again.out;
  EXPECT_EQ(read_json(out / "sub-b" / "sub-b_report.json").at("status"), "ok");
}

// A full disk, simulated by a file-size limit (ulimit -f in 512-byte blocks, SIGXFSZ ignored so that a write
// beyond it fails with EFBIG as a full disk fails with ENOSPC): the model's probability maps, QC pictures and
// reports no longer fit, small JSON still does. Every subject must end as a failure naming the file, with no
// report, no temporary and no lesser result (with the manifest's masks present, a failed segmentation would
// otherwise fall back to measuring them); the rerun without the limit completes the whole batch.
TEST_F(HostileOutput, ADiskThatFillsUpMidRunLeavesNothingThatLooksFinished) {
  const fs::path out = dir_ / "out";
  const std::string run = "run " + (dir_ / "manifest.csv").string() + " --out " + out.string();
  const CliResult full = run_command("trap '' XFSZ; ulimit -f 8; exec " + std::string(ONCOTRACK_BINARY), run);
  EXPECT_EQ(full.exit_code, 2) << full.err;
  for (const std::string s : {"a", "b", "c"}) {
    const fs::path folder = out / ("sub-" + s);
    EXPECT_FALSE(fs::exists(folder / ("sub-" + s + "_report.json"))) << s;
    ASSERT_TRUE(fs::exists(folder / "error.json")) << s << "\n" << full.err;
    const json e = read_json(folder / "error.json");
    EXPECT_EQ(e.at("status"), "failed");
    EXPECT_NE(e.at("message").get<std::string>().find(folder.string()), std::string::npos) << e.dump(2);
    EXPECT_NE(e.at("message").get<std::string>().find("cannot write"), std::string::npos) << e.dump(2);
  }
  expect_no_temporaries(out);
  const CliResult again = run_cli(run);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  for (const std::string s : {"a", "b", "c"}) {
    const json report = read_json(out / ("sub-" + s) / ("sub-" + s + "_report.json"));
    EXPECT_EQ(report.at("status"), "ok") << s;
    EXPECT_TRUE(report.at("timepoints")[0].at("segmentation").is_object())
        << "the model's result, not a fallback";
    EXPECT_FALSE(fs::exists(out / ("sub-" + s) / "error.json")) << s;
  }
  expect_no_temporaries(out);
}

// The HTML page is written after the report: when it cannot be (a folder stands where sub-a's page belongs),
// the subject fails naming the page and keeps no report, so that a rerun does not take it as finished; the
// other subjects get their reports and pages.
TEST_F(HostileOutput, APageThatCannotBeWrittenFailsItsSubjectWithoutAReport) {
  const fs::path out = dir_ / "out";
  const fs::path blocked = out / "sub-a" / "sub-a_report.html";
  fs::create_directories(blocked);
  std::ofstream(blocked / "keep") << "not empty, so that no clean-up removes it\n";
  const CliResult r = run_cli("run " + (dir_ / "manifest.csv").string() + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(fs::exists(out / "sub-a" / "sub-a_report.json"));
  const json e = read_json(out / "sub-a" / "error.json");
  EXPECT_NE(e.at("message").get<std::string>().find(blocked.string()), std::string::npos) << e.dump(2);
  for (const std::string s : {"b", "c"}) {
    EXPECT_EQ(read_json(out / ("sub-" + s) / ("sub-" + s + "_report.json")).at("status"), "ok") << s;
    EXPECT_TRUE(fs::is_regular_file(out / ("sub-" + s) / ("sub-" + s + "_report.html"))) << s;
  }
  expect_no_temporaries(out);
}

// One output that cannot be written (a folder stands where sub-a's first probability map belongs) fails that
// subject: with the manifest's masks present, a failed segmentation would otherwise fall back to measuring
// them, and the rerun would keep that lesser result as up to date.
TEST_F(HostileOutput, AnOutputThatCannotBeWrittenIsNotReplacedByALesserResult) {
  const fs::path out = dir_ / "out";
  const fs::path blocked = out / "sub-a" / "ses-t0" / "sub-a_ses-t0_desc-tumor_probseg.nii.gz";
  fs::create_directories(blocked);
  std::ofstream(blocked / "keep") << "not empty, so that no clean-up removes it\n";
  const std::string run = "run " + (dir_ / "manifest.csv").string() + " --out " + out.string();
  const CliResult r = run_cli(run);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(fs::exists(out / "sub-a" / "sub-a_report.json"));
  const json e = read_json(out / "sub-a" / "error.json");
  EXPECT_NE(e.at("message").get<std::string>().find(blocked.string()), std::string::npos) << e.dump(2);
  for (const std::string s : {"b", "c"})
    EXPECT_EQ(read_json(out / ("sub-" + s) / ("sub-" + s + "_report.json")).at("status"), "ok") << s;
  fs::remove_all(blocked);
  const CliResult again = run_cli(run);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  const json report = read_json(out / "sub-a" / "sub-a_report.json");
  EXPECT_TRUE(report.at("timepoints")[0].at("segmentation").is_object())
      << report.at("timepoints")[0].dump(2);
  EXPECT_TRUE(fs::is_regular_file(blocked));
}

// A file the user running oncotrack may not read (as root, the run drops to user nobody, for whom mode 000
// means unreadable): that subject fails with the file and the reason named, not as "not a valid image".
TEST_F(HostileOutput, AnUnreadableInputFailsOnlyItsSubject) {
  fs::permissions(dir_ / "b_t0.nii.gz", fs::perms::none);
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  fs::permissions(out, fs::perms::all);
  const std::string as_nobody = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  const CliResult r = run_command(as_nobody + ONCOTRACK_BINARY, run_args(out));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string message = read_json(out / "sub-b" / "error.json").at("message").get<std::string>();
  EXPECT_NE(message.find((dir_ / "b_t0.nii.gz").string() + ": cannot open file"), std::string::npos)
      << message;
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  for (const std::string s : {"a", "c"})
    EXPECT_EQ(read_json(out / ("sub-" + s) / ("sub-" + s + "_report.json")).at("status"), "ok") << s;
}

// Subject ids and file names are bytes: one that is not UTF-8 (Latin-1 "é") goes through validate, run and
// aggregate; the JSON written shows U+FFFD in its place and stays valid. An image reached through a symlink
// that leaves the manifest's folder is read and noted in the report.
TEST_F(HostileOutput, NonUtf8NamesAndSymlinkedInputsGoThroughEndToEnd) {
  const std::string latin1 = "ren\xe9";
  fs::create_directories(dir_ / "study");
  fs::copy_file(dir_ / "a_t0.nii.gz", dir_ / "study" / (latin1 + "_t0.nii.gz"));
  fs::copy_file(dir_ / "a_t0_mask.nii.gz", dir_ / "study" / (latin1 + "_t0_mask.nii.gz"));
  fs::create_directory_symlink(dir_, dir_ / "study" / "linked");
  std::ofstream(dir_ / "study" / "m.csv")
      << "subject,timepoint,day,sequence,path,mask\n"
      << latin1 << ",t0,0,t1c," << latin1 << "_t0.nii.gz," << latin1 << "_t0_mask.nii.gz\n"
      << latin1 << ",t1,30,t1c,linked/a_t1.nii.gz,linked/a_t1_mask.nii.gz\n";
  const fs::path manifest = dir_ / "study" / "m.csv";
  const CliResult v = run_cli("validate " + manifest.string());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("leads outside the manifest's folder through a symlink"), std::string::npos) << v.out;

  const fs::path out = dir_ / "out_names";
  const CliResult r = run_cli("run --no-model " + manifest.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path report = out / ("sub-" + latin1) / ("sub-" + latin1 + "_report.json");
  ASSERT_TRUE(fs::exists(report));
  EXPECT_EQ(schema_errors(report), "");
  const json j = read_json(report);
  EXPECT_EQ(j.at("subject").get<std::string>(), "ren\xef\xbf\xbd");  // U+FFFD in UTF-8
  EXPECT_NEAR(j.at("response")[0].at("vs_baseline").at("volume_change_pct").get<double>(), -75.0, 1e-9);
  EXPECT_TRUE(j.at("timepoints")[0].at("warnings").empty());
  ASSERT_EQ(j.at("timepoints")[1].at("warnings").size(), 2u) << "the image and its mask";
  EXPECT_NE(j.at("timepoints")[1].at("warnings")[0].get<std::string>().find("through a symlink"),
            std::string::npos);

  const CliResult agg = run_cli("aggregate " + out.string());
  EXPECT_EQ(agg.exit_code, 0) << agg.err;
  const json cohort = read_json(out / "cohort.json");
  ASSERT_EQ(cohort.at("rows").size(), 1u);
  EXPECT_EQ(cohort.at("rows")[0].at("subject").get<std::string>(), "ren\xef\xbf\xbd");
}

// 10 000 rows (5 000 subjects of two timepoints, all reading the same two files): validate reads every header
// and reports the plan; nothing in it grows faster than the rows.
TEST_F(HostileOutput, TenThousandRowManifestValidates) {
  std::ofstream m(dir_ / "big.csv");
  m << "subject,timepoint,day,sequence,path,mask\n";
  for (int s = 0; s < 5000; ++s)
    m << "s" << s << ",t0,0,t1c,a_t0.nii.gz,a_t0_mask.nii.gz\n"
      << "s" << s << ",t1,30,t1c,a_t1.nii.gz,a_t1_mask.nii.gz\n";
  m.close();
  const CliResult v = run_cli("validate " + (dir_ / "big.csv").string());
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("5000 subject"), std::string::npos) << v.out.substr(0, 2000);
  EXPECT_NE(v.out.find("OK: no problems found"), std::string::npos);
}

}  // namespace
}  // namespace oncotrack::testing
