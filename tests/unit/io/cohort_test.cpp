#include "oncotrack/io/cohort.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "oncotrack/core/error.h"

namespace oncotrack::io {
namespace {

namespace fs = std::filesystem;

class CohortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("oncotrack_cohort_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  static bool mentions(const std::vector<Problem>& problems, const std::string& text) {
    for (const auto& p : problems)
      if (p.describe().find(text) != std::string::npos) return true;
    return false;
  }
  fs::path dir_;
};

TEST_F(CohortTest, CsvRowsBecomeOrderedTimepointsWithResolvedPathsAndExtras) {
  const auto m = write("m.csv",
                       "subject,timepoint,date,sequence,path,mask,mask_label,site\n"
                       "p1,w8,2020-03-01,t1c,img/w8.nii.gz,img/w8_mask.nii.gz,\"1,2\",A\n"
                       "p1,base,2020-01-05,t1c,img/b.nii.gz,img/b_mask.nii.gz,3,A\n"
                       "p1,base,2020-01-05,flair,img/bf.nii.gz,,,A\n");
  const Cohort c = load_cohort(m);
  ASSERT_TRUE(c.problems.empty());
  EXPECT_EQ(c.kind, "manifest-csv");
  ASSERT_EQ(c.subjects.size(), 1u);
  const auto& s = c.subjects[0];
  EXPECT_TRUE(s.problems.empty()) << s.problems.front().describe();
  ASSERT_EQ(s.timepoints.size(), 2u);
  EXPECT_EQ(s.timepoints[0].id, "base");
  EXPECT_EQ(s.timepoints[0].role, "baseline");
  EXPECT_EQ(*s.timepoints[0].day, 0);
  EXPECT_EQ(s.timepoints[1].role, "follow-up");
  EXPECT_EQ(*s.timepoints[1].day, 56);  // 2020 is a leap year: 26 days of Jan + 29 of Feb + 1
  EXPECT_EQ(s.timepoints[0].images.size(), 2u);
  EXPECT_EQ(s.timepoints[0].mask_image()->mask_labels, std::vector<std::int32_t>{3});
  EXPECT_EQ(s.timepoints[1].mask_image()->mask_labels, (std::vector<std::int32_t>{1, 2}));
  EXPECT_EQ(s.timepoints[1].images[0].path, dir_ / "img/w8.nii.gz");
  EXPECT_EQ(s.timepoints[1].images[0].extra.at("site"), "A");
}

TEST_F(CohortTest, ParticipantLabelsSelectManifestSubjectsAndAnUnknownOneIsAProblem) {
  const auto m = write("m.csv",
                       "subject,timepoint,day,sequence,path\n"
                       "p1,t0,0,t1c,a.nii.gz\np2,t0,0,t1c,b.nii.gz\np3,t0,0,t1c,c.nii.gz\n");
  CohortOptions o;
  o.participant_labels = {"p3", "sub-p1"};
  Cohort c = load_cohort(m, o);
  EXPECT_TRUE(c.problems.empty());
  ASSERT_EQ(c.subjects.size(), 2u);
  EXPECT_EQ(c.subjects[0].id, "p1");
  EXPECT_EQ(c.subjects[1].id, "p3");
  o.participant_labels = {"p2", "p9"};
  c = load_cohort(m, o);
  ASSERT_EQ(c.subjects.size(), 1u);
  EXPECT_EQ(c.subjects[0].id, "p2");
  EXPECT_TRUE(mentions(c.problems, "no subject 'p9'"));
}

TEST_F(CohortTest, ManifestGivenByBareFileNameResolvesAgainstItsFolder) {
  write("m.csv", "subject,timepoint,day,sequence,path\np,t0,0,t1c,img/a.nii.gz\n");
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  const Cohort c = load_cohort("m.csv");
  fs::current_path(cwd);
  ASSERT_TRUE(c.problems.empty());
  EXPECT_EQ(c.subjects.at(0).timepoints.at(0).images.at(0).path, fs::absolute(dir_) / "img/a.nii.gz");
}

TEST_F(CohortTest, RoleColumnOverridesEarliestBaseline) {
  const auto m = write("m.tsv",
                       "subject\ttimepoint\tday\tsequence\tpath\trole\n"
                       "p\tpre\t-30\tt1c\ta.nii\t\n"
                       "p\tpostrt\t0\tt1c\tb.nii\tbaseline\n"
                       "p\tfu\t60\tt1c\tc.nii\tfollow-up\n");
  const Cohort c = load_cohort(m);
  ASSERT_TRUE(c.problems.empty());
  const auto& tps = c.subjects.at(0).timepoints;
  ASSERT_EQ(tps.size(), 3u);
  EXPECT_EQ(tps[0].role, "pre-baseline");
  EXPECT_EQ(*tps[0].day, -30);
  EXPECT_EQ(tps[1].role, "baseline");
  EXPECT_EQ(tps[2].role, "follow-up");
}

TEST_F(CohortTest, MissingRequiredColumnIsAnInputLevelProblem) {
  const auto m = write("m.csv", "subject,timepoint,sequence,mask\np,t0,t1c,x.nii\n");
  const Cohort c = load_cohort(m);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].problem.find("path"), std::string::npos);
  EXPECT_NE(c.problems[0].problem.find("day or date"), std::string::npos);
  EXPECT_NE(c.problems[0].found.find("subject,timepoint,sequence,mask"), std::string::npos);
  EXPECT_TRUE(c.subjects.empty());
}

TEST_F(CohortTest, SubjectProblemsStayWithTheirSubject) {
  const auto m = write("m.csv",
                       "subject,timepoint,day,sequence,path\n"
                       "good,t0,0,t1c,a.nii\n"
                       "good,t1,30,t1c,b.nii\n"
                       "dup,t0,0,t1c,c.nii\n"
                       "dup,t0,0,t1c,d.nii\n"
                       "bad,t0,zero,t1c,e.nii\n"
                       "bad,t1,2020-02-30,t1c,f.nii\n"
                       "same,t0,5,t1c,g.nii\n"
                       "same,t1,5,t1c,h.nii\n");
  const Cohort c = load_cohort(m);
  EXPECT_TRUE(c.problems.empty());
  ASSERT_EQ(c.subjects.size(), 4u);
  std::map<std::string, const SubjectEntry*> by_id;
  for (const auto& s : c.subjects) by_id[s.id] = &s;
  EXPECT_TRUE(by_id.at("good")->problems.empty());
  EXPECT_TRUE(mentions(by_id.at("dup")->problems, "duplicate row"));
  EXPECT_TRUE(mentions(by_id.at("dup")->problems, "m.csv:4"));
  EXPECT_TRUE(mentions(by_id.at("bad")->problems, "day is not a number"));
  EXPECT_TRUE(mentions(by_id.at("bad")->problems, "'2020-02-30'") ||
              mentions(by_id.at("bad")->problems, "day is not a number"));
  EXPECT_TRUE(mentions(by_id.at("same")->problems, "two timepoints on the same day"));
}

TEST_F(CohortTest, InvalidDatesAndMixedDayDateAreReported) {
  const auto m = write("m.csv",
                       "subject,timepoint,day,date,sequence,path\n"
                       "a,t0,,2021-02-29,t1c,a.nii\n"
                       "b,t0,0,,t1c,b.nii\n"
                       "b,t1,,2021-05-01,t1c,c.nii\n"
                       "c,t0,,,t1c,d.nii\n");
  const Cohort c = load_cohort(m);
  ASSERT_EQ(c.subjects.size(), 3u);
  EXPECT_TRUE(mentions(c.subjects[0].problems, "not an ISO 8601 date"));
  EXPECT_TRUE(mentions(c.subjects[1].problems, "mix day and date"));
  EXPECT_TRUE(mentions(c.subjects[2].problems, "neither day nor date"));
}

TEST_F(CohortTest, BadMaskLabelRoleAndGridAreReported) {
  const auto m = write("m.csv",
                       "subject,timepoint,day,sequence,path,mask,mask_label,role,mask_grid\n"
                       "a,t0,0,t1c,a.nii,am.nii,tumour,first,sideways\n");
  const Cohort c = load_cohort(m);  // a reference into a temporary cohort would dangle (found by ASan)
  const auto& p = c.subjects.at(0).problems;
  EXPECT_TRUE(mentions(p, "mask_label is not a list of integers"));
  EXPECT_TRUE(mentions(p, "unknown role"));
  EXPECT_TRUE(mentions(p, "unknown mask_grid"));
}

TEST_F(CohortTest, TwoDifferentMasksForOneTimepointIsAProblem) {
  const auto m = write("m.csv",
                       "subject,timepoint,day,sequence,path,mask\n"
                       "a,t0,0,t1c,a.nii,m1.nii\n"
                       "a,t0,0,flair,b.nii,m2.nii\n");
  EXPECT_TRUE(mentions(load_cohort(m).subjects.at(0).problems, "several different masks"));
}

TEST_F(CohortTest, MalformedCsvStructure) {
  const auto ragged = write("r.csv", "subject,timepoint,day,sequence,path\na,t0,0,t1c\n");
  EXPECT_TRUE(mentions(load_cohort(ragged).problems, "wrong number of fields"));
  const auto quote = write("q.csv", "subject,timepoint,day,sequence,path\na,t0,0,t1c,\"a.nii\n");
  EXPECT_TRUE(mentions(load_cohort(quote).problems, "unterminated quoted field"));
  const auto empty = write("e.csv", "");
  EXPECT_TRUE(mentions(load_cohort(empty).problems, "manifest is empty"));
}

TEST_F(CohortTest, JsonManifestMatchesCsv) {
  const auto m = write("m.json", R"({"images": [
      {"subject": "p", "timepoint": "b", "day": 0, "sequence": "t1c", "path": "b.nii", "mask": "bm.nii",
       "mask_label": [1, 2]},
      {"subject": "p", "timepoint": "f", "day": 42.5, "sequence": "t1c", "path": "f.nii"}]})");
  const Cohort c = load_cohort(m);
  ASSERT_TRUE(c.problems.empty());
  const auto& tps = c.subjects.at(0).timepoints;
  ASSERT_EQ(tps.size(), 2u);
  EXPECT_DOUBLE_EQ(*tps[1].day, 42.5);
  EXPECT_EQ(tps[0].mask_image()->mask_labels, (std::vector<std::int32_t>{1, 2}));
  EXPECT_EQ(tps[1].mask_image(), nullptr);
  const auto bad = write("bad.json", R"({"rows": []})");
  EXPECT_TRUE(mentions(load_cohort(bad).problems, "unexpected manifest structure"));
  const auto broken = write("broken.json", R"({"images": [)");
  EXPECT_TRUE(mentions(load_cohort(broken).problems, "invalid JSON"));
  // Found by fuzz/manifest_fuzzer: a number too large for a double is nlohmann's out_of_range, not a
  // parse_error, and escaped the parser's catch.
  const auto overflow = write("overflow.json", R"({"images": [{"subject": "a", "day": 2E2222}]})");
  EXPECT_TRUE(mentions(load_cohort(overflow).problems, "invalid JSON"));
}

TEST_F(CohortTest, BidsDiscoveryWithSessionsAndDerivativeMasks) {
  write("bids/sub-01/ses-1/anat/sub-01_ses-1_ce-gd_T1w.nii.gz", "x");
  write("bids/sub-01/ses-1/anat/sub-01_ses-1_FLAIR.nii.gz", "x");
  write("bids/sub-01/ses-2/anat/sub-01_ses-2_ce-gd_T1w.nii.gz", "x");
  write("bids/sub-01/ses-2/anat/sub-01_ses-2_ce-gd_T1w.json", "{}");
  write("bids/sub-01/sub-01_sessions.tsv",
        "session_id\tacq_time\nses-1\t2022-01-01T10:00:00\nses-2\t2022-01-31\n");
  write("bids/sub-02/ses-10/anat/sub-02_ses-10_T2w.nii", "x");
  write("bids/sub-02/ses-9/anat/sub-02_ses-9_T2w.nii", "x");
  write("seg/sub-01/ses-2/anat/sub-01_ses-2_desc-tumor_mask.nii.gz", "x");
  CohortOptions o;
  o.bids_masks = dir_ / "seg";
  const Cohort c = load_cohort(dir_ / "bids", o);
  ASSERT_TRUE(c.problems.empty());
  EXPECT_EQ(c.kind, "bids");
  ASSERT_EQ(c.subjects.size(), 2u);
  const auto& s1 = c.subjects[0];
  EXPECT_TRUE(s1.problems.empty()) << s1.problems.front().describe();
  ASSERT_EQ(s1.timepoints.size(), 2u);
  EXPECT_EQ(*s1.timepoints[1].day, 30);
  EXPECT_EQ(s1.timepoints[0].images.size(), 2u);
  EXPECT_EQ(s1.timepoints[1].images.at(0).sequence, "t1c");
  ASSERT_NE(s1.timepoints[1].mask_image(), nullptr);
  EXPECT_EQ(s1.timepoints[0].mask_image(), nullptr);
  const auto& s2 = c.subjects[1];
  EXPECT_TRUE(s2.problems.empty());
  EXPECT_EQ(s2.timepoints[0].id, "ses-9");  // natural order without dates
  EXPECT_FALSE(s2.timepoints[0].day.has_value());

  o.participant_labels = {"02"};
  EXPECT_EQ(load_cohort(dir_ / "bids", o).subjects.size(), 1u);
  o.participant_labels = {"03"};
  EXPECT_TRUE(mentions(load_cohort(dir_ / "bids", o).problems, "participant not found"));
}

TEST_F(CohortTest, MissingOrUnknownInputThrows) {
  EXPECT_THROW(load_cohort(dir_ / "nope.csv"), Error);
  EXPECT_THROW(load_cohort(write("m.xlsx", "x")), Error);
}

// A manifest that is a named pipe would block its reader forever.
TEST_F(CohortTest, ManifestThatIsANamedPipeIsRefusedWithoutBlocking) {
  const fs::path fifo = dir_ / "m.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    load_cohort(fifo);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("a named pipe"), std::string::npos) << e.what();
  }
}

// Paths may lead anywhere, but relative ones that leave the manifest's folder (by ".." or through a symlink)
// are noted on their timepoint; absolute paths and paths that stay inside are not.
TEST_F(CohortTest, RelativePathsLeavingTheManifestFolderAreAllowedAndNoted) {
  write("outside/scan.nii.gz", "x");
  write("study/inside/scan.nii.gz", "x");
  fs::create_directory_symlink(dir_ / "outside", dir_ / "study" / "linked");
  const auto m = write("study/m.csv",
                       "subject,timepoint,day,sequence,path,mask\n"
                       "p1,base,0,t1c,../outside/scan.nii.gz,inside/scan.nii.gz\n"
                       "p1,w8,56,t1c,linked/scan.nii.gz,\n"
                       "p1,w16,112,t1c," +
                           (dir_ / "outside/scan.nii.gz").string() +
                           ",\n"
                           "p2,base,0,t1c,inside/../inside/scan.nii.gz,\n");
  const Cohort c = load_cohort(m);
  ASSERT_TRUE(c.problems.empty());
  ASSERT_EQ(c.subjects.size(), 2u);
  const auto& tps = c.subjects[0].timepoints;
  ASSERT_EQ(tps.size(), 3u);
  ASSERT_EQ(tps[0].warnings.size(), 1u);
  EXPECT_NE(
      tps[0].warnings[0].find("m.csv:2: '../outside/scan.nii.gz' leads outside the manifest's folder (to "),
      std::string::npos)
      << tps[0].warnings[0];
  ASSERT_EQ(tps[1].warnings.size(), 1u);
  EXPECT_NE(
      tps[1].warnings[0].find("'linked/scan.nii.gz' leads outside the manifest's folder through a symlink"),
      std::string::npos)
      << tps[1].warnings[0];
  EXPECT_NE(tps[1].warnings[0].find((fs::canonical(dir_) / "outside" / "scan.nii.gz").string()),
            std::string::npos);
  EXPECT_TRUE(tps[2].warnings.empty()) << "absolute paths name their place on purpose";
  EXPECT_TRUE(c.subjects[1].timepoints[0].warnings.empty());
  // The symlinked path itself is kept as written (resolved against the folder, not canonicalised).
  EXPECT_EQ(tps[1].images[0].path, dir_ / "study" / "linked" / "scan.nii.gz");
}

// A 10 000-row manifest (5 000 subjects) parses into its subjects without any problem; nothing in discovery
// grows faster than the rows.
TEST_F(CohortTest, TenThousandRowManifest) {
  std::string text = "subject,timepoint,day,sequence,path\n";
  for (int s = 0; s < 5000; ++s) {
    const std::string id = "s" + std::to_string(s);
    text += id + ",base,0,t1c,img/" + id + "_0.nii.gz\n" + id + ",w8,56,t1c,img/" + id + "_1.nii.gz\n";
  }
  const Cohort c = load_cohort(write("big.csv", text));
  ASSERT_TRUE(c.problems.empty());
  ASSERT_EQ(c.subjects.size(), 5000u);
  std::size_t timepoints = 0, with_problems = 0;
  for (const auto& subject : c.subjects) {
    timepoints += subject.timepoints.size();
    with_problems += !subject.problems.empty();
  }
  EXPECT_EQ(timepoints, 10000u);
  EXPECT_EQ(with_problems, 0u);
  EXPECT_EQ(c.subjects.back().timepoints[1].images[0].path.filename(), c.subjects.back().id + "_1.nii.gz");
}

}  // namespace
}  // namespace oncotrack::io
