// Response prediction: the crop is centred on the union of both timepoints' tumours in the baseline's grid,
// the follow-up's mask carried there by the registration (baseline point → follow-up point), and the label
// follows the model's threshold.
#include "oncotrack/pipeline/predict_response.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/constant_model.h"

namespace oncotrack::pipeline {
namespace {

namespace fs = std::filesystem;

Geometry grid() {
  Geometry g;
  g.size = {48, 40, 20};
  g.spacing_mm = {1, 1, 2};
  return g;
}

Mask box(std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1, std::size_t k0, std::size_t k1) {
  Mask m(grid(), 0);
  for (std::size_t k = k0; k <= k1; ++k)
    for (std::size_t j = j0; j <= j1; ++j)
      for (std::size_t i = i0; i <= i1; ++i) m.at(i, j, k) = 1;
  return m;
}

class PredictResponse : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("oncotrack_predict_" + std::to_string(::getpid()) + ".safetensors");
    testing::write_constant_model(path_, -2.f,
                                  {{"sequence", "t1c"}, {"preprocess", nlohmann::json::object()}});
    model_ = load_model(path_);
    image_ = ImageF(grid(), 0.f);
    for (std::size_t v = 0; v < image_.voxels.size(); ++v) image_.voxels[v] = static_cast<float>(v % 17);
  }
  void TearDown() override { fs::remove(path_); }
  fs::path path_;
  LoadedModel model_;
  ImageF image_;
  nn::ThreadPool pool_{1};
};

TEST_F(PredictResponse, CropIsCentredOnTheUnionOfBothTumoursInTheBaselineGrid) {
  const Mask baseline = box(10, 19, 20, 29, 5, 9);
  // The follow-up moved 5 mm along +x: baseline point p is follow-up point p + (5, 0, 0). Its tumour at
  // follow-up i 35..38 is baseline i 30..33.
  const registration::Transform shift = registration::Transform::affine(kIdentity3, {5, 0, 0});
  const Mask follow_up = box(35, 38, 20, 29, 5, 9);
  const ResponsePrediction p = predict_response(model_, image_, image_, shift, &baseline, &follow_up, pool_);
  EXPECT_EQ(p.crop.at("centre_index"), nlohmann::json({21.5, 24.5, 7.0}));  // i 10..33, j 20..29, k 5..9
  EXPECT_EQ(p.crop.at("tumour_voxels"), 10 * 10 * 5 + 4 * 10 * 5);
  EXPECT_EQ(p.crop.at("size"), nlohmann::json({16, 16, 8}));  // the model's input, (x, y, z)
  // The constant model's head has zero weights and bias: probability sigmoid(0), at the 0.5 threshold.
  EXPECT_EQ(p.probability, 0.5);
  EXPECT_TRUE(p.responder);
  const nlohmann::json j = prediction_json(model_, p);
  EXPECT_EQ(j.at("label"), "responder");
  EXPECT_EQ(j.at("sha256"), model_.sha256);
  EXPECT_EQ(j.at("threshold"), 0.5);
}

TEST_F(PredictResponse, WithoutTumoursTheCropIsTheGridsCentre) {
  const ResponsePrediction p =
      predict_response(model_, image_, image_, registration::Transform(), nullptr, nullptr, pool_);
  EXPECT_EQ(p.crop.at("centre_index"), nlohmann::json({23.5, 19.5, 9.5}));
  EXPECT_EQ(p.crop.at("tumour_voxels"), 0);
}

}  // namespace
}  // namespace oncotrack::pipeline
