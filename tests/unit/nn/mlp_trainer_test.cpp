#include "oncotrack/nn/mlp_trainer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

// y = (sin(x0) + x1·x2, x0 − x2) on x ∈ [−1, 1]³: smooth, non-linear, two outputs.
void make_data(std::int64_t n, Tensor& x, Tensor& y) {
  x = Tensor({n, 3});
  y = Tensor({n, 2});
  TrainingRng rng(99);
  for (std::int64_t i = 0; i < n; ++i) {
    float* xi = x.data() + i * 3;
    for (int c = 0; c < 3; ++c) xi[c] = static_cast<float>(2.0 * rng.uniform() - 1.0);
    y.data()[i * 2] = std::sin(xi[0]) + xi[1] * xi[2];
    y.data()[i * 2 + 1] = xi[0] - xi[2];
  }
}

MlpHparams hparams() {
  return MlpHparams::from_json(
      {{"sizes", {3, 32, 32, 2}}, {"hidden_activation", "relu"}, {"output_activation", "none"}});
}

TEST(MlpTrainer, LearnsASmoothFunctionAndTheEngineReproducesItsValidationLoss) {
  Tensor x, y;
  make_data(4000, x, y);
  MlpTrainingOptions o;
  o.epochs = 30;
  o.batch_size = 64;
  o.learning_rate = 3e-3;
  const MlpTrainingResult r = train_mlp(hparams(), x, y, o);
  ASSERT_EQ(r.validation_loss.size(), 30u);
  // The outputs have variance ≈ 0.55 and 0.67: predicting their means would leave a loss of ≈ 0.6.
  EXPECT_GT(r.validation_loss.front(), 5e-3);
  EXPECT_LT(r.validation_loss[static_cast<std::size_t>(r.best_epoch - 1)], 2e-3);
  EXPECT_LT(r.training_loss.back(), r.training_loss.front() / 10.0);

  // The exported tensors load into the inference engine; on all rows its error matches the training losses.
  const auto path = std::filesystem::temp_directory_path() / ("oncotrack_mlp_" + std::to_string(::getpid()));
  write_safetensors(path, {}, r.weights);
  const Mlp mlp(hparams(), SafetensorsFile::read(path));
  std::filesystem::remove(path);
  ThreadPool pool(1);
  Arena arena;
  Exec exec{pool, arena};
  const Tensor out = mlp.forward(x, exec);
  double mse = 0.0;
  for (std::int64_t i = 0; i < y.size(); ++i) mse += std::pow(out.data()[i] - y.data()[i], 2) / y.size();
  EXPECT_LT(mse, 2e-3);
}

TEST(MlpTrainer, IsDeterministicGivenTheSeedAndAppliesTheAugmentation) {
  Tensor x, y;
  make_data(500, x, y);
  MlpTrainingOptions o;
  o.epochs = 3;
  const MlpTrainingResult a = train_mlp(hparams(), x, y, o);
  const MlpTrainingResult b = train_mlp(hparams(), x, y, o);
  ASSERT_EQ(a.weights.size(), 6u);
  for (std::size_t t = 0; t < a.weights.size(); ++t)
    EXPECT_TRUE(
        std::equal(a.weights[t].tensor.begin(), a.weights[t].tensor.end(), b.weights[t].tensor.begin()));
  o.seed = 2;
  const MlpTrainingResult c = train_mlp(hparams(), x, y, o);
  EXPECT_FALSE(
      std::equal(a.weights[0].tensor.begin(), a.weights[0].tensor.end(), c.weights[0].tensor.begin()));
  // Heavy input noise makes the validation loss worse than without.
  o.seed = 1;
  int calls = 0;
  o.augment = [&](float* p, std::int64_t rows, std::int64_t cols, TrainingRng& rng) {
    ++calls;
    for (std::int64_t i = 0; i < rows * cols; ++i) p[i] += static_cast<float>(0.5 * rng.normal());
  };
  const MlpTrainingResult noisy = train_mlp(hparams(), x, y, o);
  EXPECT_GT(calls, 3);
  EXPECT_GT(noisy.validation_loss.back(), a.validation_loss.back());
}

TEST(MlpTrainer, RefusesDataThatDoNotFit) {
  Tensor x, y;
  make_data(10, x, y);
  EXPECT_THROW(train_mlp(hparams(), y, y, {}), NnError);
  EXPECT_THROW(train_mlp(hparams(), Tensor({1, 3}), Tensor({1, 2}), {}), NnError);
}

TEST(TrainingRng, UniformAndNormalHaveTheirMoments) {
  TrainingRng rng(5);
  double su = 0, sn = 0, sn2 = 0;
  constexpr int kN = 200000;
  for (int i = 0; i < kN; ++i) {
    su += rng.uniform();
    const double z = rng.normal();
    sn += z;
    sn2 += z * z;
  }
  EXPECT_NEAR(su / kN, 0.5, 0.005);
  EXPECT_NEAR(sn / kN, 0.0, 0.01);
  EXPECT_NEAR(sn2 / kN, 1.0, 0.01);
}

}  // namespace
}  // namespace oncotrack::nn
