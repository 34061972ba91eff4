// Sliding-window inference: tile placement, the Gaussian importance map, and exact reconstruction of a volume
// larger than a tile when the "network" is voxel-wise.
#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/nn/arena.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/sliding_window.h"

namespace oncotrack::nn {
namespace {

TEST(SlidingWindow, TileStartsSpanTheAxisWithAtMostHalfATileBetweenThem) {
  EXPECT_EQ(tile_starts(100, 64, 0.5), (std::vector<std::int64_t>{0, 18, 36}));
  EXPECT_EQ(tile_starts(64, 64, 0.5), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(tile_starts(50, 64, 0.5), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(tile_starts(96, 32, 1.0), (std::vector<std::int64_t>{0, 32, 64}));
  const auto s = tile_starts(300, 48, 0.5);
  for (std::size_t i = 1; i < s.size(); ++i) EXPECT_LE(s[i] - s[i - 1], 24);
  EXPECT_EQ(s.back(), 300 - 48);
}

TEST(SlidingWindow, ImportanceIsAGaussianOfAnEighthOfTheTile) {
  const Shape tile{9, 17, 16};
  const auto g = gaussian_importance(tile);
  ASSERT_EQ(g.size(), 9u * 17 * 16);
  auto at = [&](int z, int y, int x) { return g[static_cast<std::size_t>((z * 17 + y) * 16 + x)]; };
  // Odd axes have a voxel at the centre: one σ (17/8 voxels) away the weight falls by exp(-1/2) along y.
  const double sigma_y = 17.0 / 8;
  const double expected = std::exp(-0.5 * (2.0 / sigma_y) * (2.0 / sigma_y));
  EXPECT_NEAR(at(4, 10, 7) / at(4, 8, 7), expected, 1e-5);
  EXPECT_FLOAT_EQ(at(4, 8, 7), at(4, 8, 8));  // even axis: symmetric about the middle
  float lo = 1, hi = 0;
  for (float v : g) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_GT(lo, 0.0f);
  EXPECT_LE(hi, 1.0f);
  EXPECT_GT(hi, 0.9f);
}

// A voxel-wise predictor: y = 2x + 1 on every channel. Blending any number of tiles must give it back exactly
// (up to float rounding), including along an axis shorter than the tile.
TEST(SlidingWindow, AVolumeLargerThanATileIsReconstructed) {
  Tensor volume({1, 2, 5, 37, 29});
  for (std::int64_t i = 0; i < volume.size(); ++i) volume.data()[i] = std::sin(0.37f * static_cast<float>(i));
  const TilePredictor voxelwise = [](const Tensor& tile, Exec& exec) {
    Tensor y = exec.arena.tensor(tile.shape());
    for (std::int64_t i = 0; i < tile.size(); ++i) y.data()[i] = 2 * tile.data()[i] + 1;
    return y;
  };
  for (bool mirror : {false, true}) {
    SlidingWindowOptions o;
    o.tile = {8, 16, 16};
    o.mirror = mirror;
    std::int64_t calls = 0, total = 0;
    o.progress = [&](std::int64_t done, std::int64_t all) {
      EXPECT_EQ(done, ++calls);
      total = all;
    };
    ThreadPool pool(2);
    const Tensor out = sliding_window(volume, voxelwise, o, pool);
    ASSERT_EQ(out.shape(), volume.shape());
    EXPECT_EQ(total, 1 * 4 * 3);  // D: one padded tile; H: 37 → 4 starts; W: 29 → 3 starts
    EXPECT_EQ(calls, total);
    double err = 0;
    for (std::int64_t i = 0; i < out.size(); ++i)
      err = std::max(err, std::abs(double(out.data()[i]) - (2.0 * double(volume.data()[i]) + 1.0)));
    EXPECT_LT(err, 1e-5) << "mirror " << mirror;
  }
}

TEST(SlidingWindow, MirroringAveragesFlippedPredictions) {
  // A predictor that sees only its tile's first x column: flipped passes see the last one instead.
  Tensor volume({1, 1, 4, 4, 4});
  for (std::int64_t i = 0; i < volume.size(); ++i) volume.data()[i] = static_cast<float>(i % 4);  // = x index
  const TilePredictor first_column = [](const Tensor& tile, Exec& exec) {
    Tensor y = exec.arena.tensor(tile.shape());
    for (std::int64_t i = 0; i < tile.size(); ++i) y.data()[i] = tile.data()[i - i % 4];
    return y;
  };
  SlidingWindowOptions o;
  o.tile = {4, 4, 4};
  ThreadPool pool(1);
  EXPECT_FLOAT_EQ(sliding_window(volume, first_column, o, pool).data()[5], 0.0f);
  o.mirror = true;
  // Half the passes are flipped along x (they see x = 3): the average is 1.5 everywhere.
  EXPECT_FLOAT_EQ(sliding_window(volume, first_column, o, pool).data()[5], 1.5f);
}

// A tile larger than the volume along D is filled with pad_value: a predictor answering the tile's mean sees
// it.
TEST(SlidingWindow, PaddingBeyondTheVolumeUsesPadValue) {
  Tensor volume({1, 1, 3, 4, 4});
  for (std::int64_t i = 0; i < volume.size(); ++i) volume.data()[i] = 1.0f;
  const TilePredictor mean = [](const Tensor& tile, Exec& exec) {
    Tensor y = exec.arena.tensor(tile.shape());
    double sum = 0;
    for (float v : tile) sum += static_cast<double>(v);
    for (float& v : y) v = static_cast<float>(sum / static_cast<double>(tile.size()));
    return y;
  };
  SlidingWindowOptions o;
  o.tile = {4, 4, 4};
  ThreadPool pool(1);
  EXPECT_FLOAT_EQ(sliding_window(volume, mean, o, pool).data()[0], 48.0f / 64.0f);
  o.pad_value = -3.0f;
  EXPECT_FLOAT_EQ(sliding_window(volume, mean, o, pool).data()[0], (48.0f - 3.0f * 16.0f) / 64.0f);
}

TEST(SlidingWindow, BadInputsAreErrors) {
  ThreadPool pool(1);
  const TilePredictor shrink = [](const Tensor& tile, Exec& exec) {
    return exec.arena.tensor({1, 1, tile.dim(2) - 1, tile.dim(3), tile.dim(4)});
  };
  SlidingWindowOptions o;
  o.tile = {4, 4, 4};
  EXPECT_THROW(sliding_window(Tensor({1, 1, 8, 8, 8}), shrink, o, pool), NnError);
  EXPECT_THROW(sliding_window(Tensor({2, 1, 8, 8, 8}), shrink, o, pool), NnError);
  o.step = 0;
  EXPECT_THROW(sliding_window(Tensor({1, 1, 8, 8, 8}), shrink, o, pool), NnError);
}

}  // namespace
}  // namespace oncotrack::nn
