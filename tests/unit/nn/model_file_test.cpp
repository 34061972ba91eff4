// Weights files: metadata checks and the tensor table, on small "mlp" models (sizes [3,4,2]: layers.0.weight
// [4,3], layers.0.bias [4], layers.1.weight [2,4], layers.1.bias [2]).
#include "oncotrack/nn/model_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

namespace fs = std::filesystem;

const char* kHparams = R"({"sizes":[3,4,2],"hidden_activation":"relu","output_activation":"sigmoid"})";

std::map<std::string, std::string> mlp_metadata() {
  return {{"oncotrack.format_version", "1"},
          {"oncotrack.architecture", "mlp"},
          {"oncotrack.hparams", kHparams},
          {"oncotrack.preprocessing", R"({"normalisation":"none","channels":["Z"]})"},
          {"oncotrack.training", R"({"commit":"abc123"})"}};
}

std::vector<NamedTensor> mlp_tensors() {
  return {{"layers.0.weight", Tensor({4, 3})},
          {"layers.0.bias", Tensor({4})},
          {"layers.1.weight", Tensor({2, 4})},
          {"layers.1.bias", Tensor({2})}};
}

class ModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("oncotrack_model_file_" + std::to_string(std::random_device{}()) + "_" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::map<std::string, std::string>& metadata,
                 const std::vector<NamedTensor>& tensors) {
    const fs::path p = dir_ / "model.safetensors";
    write_safetensors(p, metadata, tensors);
    return p;
  }
  // Expects read_model() to refuse the file with a message containing the file name and every part.
  void expect_refused(const std::map<std::string, std::string>& metadata,
                      const std::vector<NamedTensor>& tensors, const std::vector<std::string>& parts) {
    const fs::path p = write(metadata, tensors);
    try {
      read_model(p);
      ADD_FAILURE() << "accepted";
    } catch (const NnError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(p.string()), std::string::npos) << m;
      for (const auto& part : parts)
        EXPECT_NE(m.find(part), std::string::npos) << "lacks \"" << part << "\": " << m;
    }
  }

  fs::path dir_;
};

TEST_F(ModelFileTest, ReadsAValidMlp) {
  const fs::path p = write(mlp_metadata(), mlp_tensors());
  const ModelFile m = read_model(p);
  EXPECT_EQ(m.path, p);
  EXPECT_EQ(m.architecture, "mlp");
  EXPECT_EQ(m.hparams, nlohmann::json::parse(kHparams));
  EXPECT_EQ(m.preprocessing.at("channels").at(0), "Z");
  EXPECT_EQ(m.training.at("commit"), "abc123");
  EXPECT_EQ(m.container.entries().size(), 4u);
  EXPECT_EQ(m.container.tensor("layers.1.weight").shape(), (Shape{2, 4}));
}

TEST_F(ModelFileTest, PreprocessingAndTrainingAreOptional) {
  auto md = mlp_metadata();
  md.erase("oncotrack.preprocessing");
  md.erase("oncotrack.training");
  const ModelFile m = read_model(write(md, mlp_tensors()));
  EXPECT_TRUE(m.preprocessing.is_object() && m.preprocessing.empty());
  EXPECT_TRUE(m.training.is_object() && m.training.empty());
}

TEST_F(ModelFileTest, AcceptsHalfPrecisionStorage) {
  const fs::path p = dir_ / "half.safetensors";
  write_safetensors(p, mlp_metadata(), mlp_tensors(), DType::kBF16);
  EXPECT_EQ(read_model(p).container.find("layers.0.bias")->dtype, DType::kBF16);
}

TEST_F(ModelFileTest, RefusesMissingOrUnknownFormatVersion) {
  auto md = mlp_metadata();
  md.erase("oncotrack.format_version");
  expect_refused(md, mlp_tensors(), {"missing metadata \"oncotrack.format_version\""});
  md["oncotrack.format_version"] = "2";
  expect_refused(md, mlp_tensors(), {"unsupported weights format version", "expected 1", "got \"2\""});
}

TEST_F(ModelFileTest, RefusesMissingOrUnknownArchitecture) {
  auto md = mlp_metadata();
  md.erase("oncotrack.architecture");
  expect_refused(md, mlp_tensors(), {"missing metadata \"oncotrack.architecture\""});
  md["oncotrack.architecture"] = "resnet";
  std::string known;
  for (const auto& a : known_architectures()) known += (known.empty() ? "" : ", ") + a;
  EXPECT_NE(known.find("mlp"), std::string::npos);
  expect_refused(md, mlp_tensors(), {"unknown architecture", "expected " + known, "got \"resnet\""});
}

TEST_F(ModelFileTest, RefusesBadJsonMetadata) {
  auto md = mlp_metadata();
  md.erase("oncotrack.hparams");
  expect_refused(md, mlp_tensors(), {"missing metadata \"oncotrack.hparams\""});
  md["oncotrack.hparams"] = "{\"sizes\":";
  expect_refused(md, mlp_tensors(), {"metadata \"oncotrack.hparams\" is not valid JSON"});
  md["oncotrack.hparams"] = "[3,4,2]";
  expect_refused(md, mlp_tensors(), {"metadata \"oncotrack.hparams\" is not a JSON object", "array"});
  md = mlp_metadata();
  md["oncotrack.preprocessing"] = "spacing 1mm";
  expect_refused(md, mlp_tensors(), {"metadata \"oncotrack.preprocessing\" is not valid JSON"});
  md = mlp_metadata();
  md["oncotrack.training"] = "\"free text\"";
  expect_refused(md, mlp_tensors(), {"metadata \"oncotrack.training\" is not a JSON object", "string"});
}

TEST_F(ModelFileTest, RefusesInvalidHyperParametersNamingTheFile) {
  auto md = mlp_metadata();
  md["oncotrack.hparams"] = R"({"sizes":[3,4,2],"hidden_activation":"relu"})";
  expect_refused(md, mlp_tensors(), {"output_activation"});
  md["oncotrack.hparams"] =
      R"({"sizes":[3,4,2],"hidden_activation":"relu","output_activation":"none","x":1})";
  expect_refused(md, mlp_tensors(), {"\"x\""});
}

TEST_F(ModelFileTest, RefusesMissingTensor) {
  auto t = mlp_tensors();
  t.pop_back();
  expect_refused(mlp_metadata(), t, {"missing tensor layers.1.bias", "expected [2]"});
}

TEST_F(ModelFileTest, RefusesUnexpectedTensor) {
  auto t = mlp_tensors();
  t.push_back({"layers.2.weight", Tensor({1, 2})});
  expect_refused(mlp_metadata(), t, {"unexpected tensor layers.2.weight", "got [1,2]"});
}

TEST_F(ModelFileTest, PreprocessingTensorsAreLeftToThePreprocessing) {
  std::vector<NamedTensor> tensors = mlp_tensors();
  tensors.push_back({"preprocessing.atlas", Tensor({2, 3, 4})});
  const ModelFile m = read_model(write(mlp_metadata(), tensors));
  EXPECT_NE(m.container.find("preprocessing.atlas"), nullptr);
  tensors.push_back({"preprocessingatlas", Tensor({1})});
  expect_refused(mlp_metadata(), tensors, {"unexpected tensor preprocessingatlas"});
}

TEST_F(ModelFileTest, RefusesWrongShapeWithExpectedAndGot) {
  auto t = mlp_tensors();
  t[0].tensor = Tensor({3, 4});  // transposed
  expect_refused(mlp_metadata(), t,
                 {"tensor layers.0.weight has the wrong shape", "expected [4,3], got [3,4]"});
  t[0].tensor = Tensor({4, 3, 1});
  expect_refused(mlp_metadata(), t, {"expected [4,3], got [4,3,1]"});
}

TEST_F(ModelFileTest, ReportsTheFirstProblemInNameOrder) {
  auto t = mlp_tensors();
  t[0].tensor = Tensor({3, 4});       // layers.0.weight: wrong shape
  t.pop_back();                       // layers.1.bias: missing
  t.push_back({"aaa", Tensor({1})});  // unexpected, first of all
  expect_refused(mlp_metadata(), t, {"unexpected tensor aaa"});
  t.pop_back();
  expect_refused(mlp_metadata(), t, {"layers.0.weight has the wrong shape"});
}

TEST_F(ModelFileTest, CheckTensorTableDirectly) {
  const auto f = SafetensorsFile::read(write({}, mlp_tensors()));
  const TensorTable table{{"layers.1.bias", {2}},
                          {"layers.0.weight", {4, 3}},
                          {"layers.1.weight", {2, 4}},
                          {"layers.0.bias", {4}}};
  EXPECT_NO_THROW(check_tensor_table(f, table));
  EXPECT_THROW(check_tensor_table(f, {}), NnError);
  EXPECT_THROW(check_tensor_table(f, {{"layers.0.bias", {4}}, {"layers.0.bias", {4}}}), std::logic_error);
}

TEST_F(ModelFileTest, ContainerErrorsPassThrough) {
  const fs::path p = dir_ / "short.safetensors";
  { std::ofstream(p) << "abc"; }
  EXPECT_THROW(read_model(p), NnError);
  EXPECT_THROW(read_model(dir_ / "absent.safetensors"), NnError);
}

}  // namespace
}  // namespace oncotrack::nn
