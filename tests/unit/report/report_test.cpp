#include "oncotrack/report/report.h"

#include <gtest/gtest.h>

namespace oncotrack::report {
namespace {

using nlohmann::json;

// Baseline with a 20 mm lesion, follow-up without a mask: the follow-up tumour and every relative change are
// null with a reason, never 0.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    subject_.id = "p1";
    for (const char* id : {"base", "fu"}) {
      io::TimepointEntry tp;
      tp.id = id;
      tp.role = subject_.timepoints.empty() ? "baseline" : "follow-up";
      if (subject_.timepoints.empty()) tp.day = 0;
      io::ImageEntry image;
      image.sequence = "t1c";
      image.path = std::string(id) + ".nii.gz";
      tp.images.push_back(image);
      subject_.timepoints.push_back(tp);
    }
    subject_.timepoints[0].images[0].mask = "base_mask.nii.gz";
    loaded_.entry = &subject_;
    for (const auto& tp : subject_.timepoints) {
      io::LoadedTimepoint lt;
      lt.entry = &tp;
      lt.images.push_back({io::ImageInfo{tp.images[0].path.string(), "nifti", "float32", 3, {}, 100}, "ab"});
      loaded_.timepoints.push_back(lt);
    }
    loaded_.timepoints[0].mask_file =
        io::LoadedFile{io::ImageInfo{"base_mask.nii.gz", "nifti", "uint8", 3, {}, 10}, ""};
    analysis::Lesion lesion;
    lesion.id = lesion.track = 1;
    lesion.volume_ml = 1.23456789;
    lesion.longest_diameter_mm = 20;
    lesion.measurable = true;
    analysis::TumorMeasurement base;
    base.lesions.push_back(lesion);
    base.total_volume_ml = lesion.volume_ml;
    a_.loaded = &loaded_;
    a_.tumors = {base, std::nullopt};
    a_.disappeared = {{}, {}};
    a_.responses = analysis::assess_response({{"base", &*a_.tumors[0]}, {"fu", nullptr}}, {});
  }
  io::SubjectEntry subject_;
  io::LoadedSubject loaded_;
  SubjectAnalysis a_;
};

TEST_F(ReportTest, UnmeasurableValuesAreNullWithAReason) {
  const json r = subject_report(a_, Provenance{});
  EXPECT_EQ(r.at("schema_version"), kSchemaVersion);
  const json& fu = r.at("timepoints")[1];
  EXPECT_TRUE(fu.at("tumor").is_null());
  EXPECT_NE(fu.at("reasons").at("tumor").get<std::string>().find("no tumour mask"), std::string::npos);
  EXPECT_TRUE(fu.at("day").is_null());
  EXPECT_FALSE(fu.at("reasons").at("day").get<std::string>().empty());
  const json& change = r.at("response")[0].at("vs_baseline");
  EXPECT_TRUE(change.at("volume_change_pct").is_null());
  EXPECT_FALSE(change.at("reasons").at("volume_change_pct").get<std::string>().empty());
  const json& recist = r.at("response")[0].at("criteria").at("recist_1_1");
  EXPECT_EQ(recist.at("category"), "NE");
  EXPECT_TRUE(recist.at("value").is_null());
  EXPECT_NE(recist.at("reasons").at("value").get<std::string>().find("no mask"), std::string::npos);
}

TEST_F(ReportTest, NumbersAreRoundedAndInputsListed) {
  const json r = subject_report(a_, Provenance{});
  EXPECT_DOUBLE_EQ(r.at("timepoints")[0].at("tumor").at("total_volume_ml").get<double>(), 1.234568);
  EXPECT_TRUE(r.at("timepoints")[0].at("mask").at("sha256").is_null());  // not hashed
  ASSERT_EQ(r.at("provenance").at("inputs").size(), 3u);                 // two images and one mask
  EXPECT_EQ(r.at("provenance").at("inputs")[0].at("sha256"), "ab");
}

TEST(ErrorReport, CarriesEveryProblem) {
  Failure f{"input",
            "first",
            "a.nii",
            "run validate",
            {{"p1", "t0", "a.nii", "bad", "x", "y"}, {"p1", "t1", "b.nii", "worse", "", ""}}};
  const json e = error_report("p1", f, Provenance{});
  EXPECT_EQ(e.at("status"), "failed");
  EXPECT_EQ(e.at("stage"), "input");
  ASSERT_EQ(e.at("problems").size(), 2u);
  EXPECT_EQ(e.at("problems")[0].at("message"), "a.nii: bad (expected x, found y)");
}

}  // namespace
}  // namespace oncotrack::report
