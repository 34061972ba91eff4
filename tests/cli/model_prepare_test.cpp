// `oncotrack model prepare`: the synthetic cohort becomes one tensor file per timepoint on the model's grid,
// whose tumour fraction keeps each mask's volume; a model sequence no scan has fails every subject (exit 2)
// with a message naming the sequence.
#include <gtest/gtest.h>

#include <fstream>

#include "oncotrack/nn/safetensors.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ModelPrepare : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fresh_dir("model_prepare"));
    const CliResult synth = run_cli("synth --out " + (*dir_ / "cohort").string());
    ASSERT_EQ(synth.exit_code, 0) << synth.err;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path write_preprocessing(const std::string& sequence) {
    const json doc{{"sequence", sequence},
                   {"preprocess",
                    {{"resample", {{"spacing_mm", {1.5, 1.5, 3.0}}}},
                     {"crop", {{"enabled", true}, {"margin_mm", 10}}}}}};
    const fs::path p = *dir_ / (sequence + ".json");
    std::ofstream(p) << doc.dump();
    return p;
  }
  static fs::path* dir_;
};
fs::path* ModelPrepare::dir_ = nullptr;

TEST_F(ModelPrepare, WritesEveryTimepointOnTheModelGridWithItsMaskVolume) {
  const fs::path out = *dir_ / "tensors";
  const CliResult r =
      run_cli("-j 2 model prepare " + (*dir_ / "cohort" / "manifest.csv").string() + " --preprocessing " +
              write_preprocessing("t1c").string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json expected = read_json(*dir_ / "cohort" / "expected.json");
  int files = 0;
  for (const auto& [id, subject] : expected.at("subjects").items())
    for (const auto& tp : subject.at("timepoints")) {
      const fs::path f = out / ("sub-" + id + "_ses-" + tp.at("id").get<std::string>() + ".safetensors");
      ASSERT_TRUE(fs::exists(f)) << f;
      ++files;
      const nn::SafetensorsFile st = nn::SafetensorsFile::read(f);
      EXPECT_EQ(st.metadata().at("oncotrack.subject"), id);
      const json geometry = json::parse(st.metadata().at("oncotrack.geometry"));
      EXPECT_EQ(geometry.at("spacing_mm"), json({1.5, 1.5, 3.0}));
      const auto size = geometry.at("size").get<std::vector<std::int64_t>>();
      const nn::Tensor image = st.tensor("image"), tumour = st.tensor("tumour");
      ASSERT_EQ(image.shape(), (nn::Shape{1, 1, size[2], size[1], size[0]}));
      ASSERT_EQ(tumour.shape(), image.shape());
      double fraction = 0;
      for (std::int64_t v = 0; v < tumour.size(); ++v) {
        ASSERT_GE(tumour.data()[v], 0.0f);
        ASSERT_LE(tumour.data()[v], 1.0f);
        fraction += tumour.data()[v];
      }
      double truth_ml = 0;
      for (const auto& lesion : tp.at("lesions")) truth_ml += lesion.at("voxelised_volume_ml").get<double>();
      EXPECT_NEAR(fraction * 1.5 * 1.5 * 3.0 / 1000, truth_ml, 0.05 * truth_ml + 0.02)
          << id << " " << tp.at("id");
    }
  EXPECT_GE(files, 12);
}

TEST_F(ModelPrepare, AMissingSequenceFailsEachSubjectWithAClearMessage) {
  const CliResult r =
      run_cli("model prepare " + (*dir_ / "cohort" / "manifest.csv").string() + " --preprocessing " +
              write_preprocessing("flair").string() + " --out " + (*dir_ / "none").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("has no scan of the model's sequence"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sequence flair"), std::string::npos) << r.err;
}

TEST_F(ModelPrepare, NeedsExactlyOneSourceOfPreprocessing) {
  const CliResult r = run_cli("model prepare " + (*dir_ / "cohort" / "manifest.csv").string() + " --out " +
                              (*dir_ / "none").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("give --model or --preprocessing"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace oncotrack::testing
