#pragma once
// Sliding-window inference: segments a whole volume with a network that takes fixed-size tiles.
//
// volume [1,C,D,H,W] → result [1,K,D,H,W] (owning). Tiles of `tile` = [td,th,tw] voxels start at evenly
// spaced positions 0 … size−tile along each axis, as few as make consecutive starts at most step·tile apart
// (nnU-Net's rule; step 0.5 by default). A volume smaller than the tile along an axis is padded at the end
// with `pad_value` to the tile and the result cropped back. Each tile's prediction is weighted by a Gaussian importance
// map (σ = tile/8 per axis, centred, peak 1, floored at the smallest positive value so borders never get
// weight 0) and the weighted sum is divided by the summed weights. With `mirror`, each tile is also predicted
// flipped along every combination of the three axes (8 passes) and the flipped-back predictions averaged
// first (test-time augmentation). Tiles run in a fixed order, each with the pool's threads inside the
// network, so the result is bitwise identical for any thread count. Tile activations live in an arena owned
// by the call and reused.
#include <functional>

#include "oncotrack/nn/tensor.h"
#include "oncotrack/nn/thread_pool.h"

namespace oncotrack::nn {

struct Exec;

// Maps a tile [1,C,td,th,tw] to a prediction [1,K,td,th,tw] allocated from exec.arena (or owned).
using TilePredictor = std::function<Tensor(const Tensor& tile, Exec& exec)>;

struct SlidingWindowOptions {
  Shape tile{16, 64, 64};  // [td,th,tw]
  double step = 0.5;       // fraction of the tile, in (0, 1]
  bool mirror = false;
  float pad_value = 0.0f;  // fills tile voxels beyond the volume (a model trained on crops padded so expects it)
  // Called after each tile with (tiles done, tiles in all).
  std::function<void(std::int64_t, std::int64_t)> progress;
};

// Tile start positions along one axis of `size` voxels (exposed for tests).
std::vector<std::int64_t> tile_starts(std::int64_t size, std::int64_t tile, double step);
// The Gaussian importance map [td,th,tw] as a flat C-order vector (exposed for tests).
std::vector<float> gaussian_importance(const Shape& tile);

// Throws NnError for a volume that is not [1,C,D,H,W], a bad tile or step, or a predictor whose output does
// not have the tile's spatial size.
Tensor sliding_window(const Tensor& volume, const TilePredictor& predict, const SlidingWindowOptions& options,
                      ThreadPool& pool);

}  // namespace oncotrack::nn
