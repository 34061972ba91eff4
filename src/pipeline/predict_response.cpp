#include "oncotrack/pipeline/predict_response.h"

#include <algorithm>
#include <cmath>

#include "oncotrack/nn/arena.h"
#include "oncotrack/nn/exec.h"

namespace oncotrack::pipeline {

namespace {

float minimum(const ImageF& image) {
  return *std::min_element(image.voxels.begin(), image.voxels.end());
}

// image[start .. start + size) as a [1,1,z,y,x] tensor, `fill` outside the grid. start and size are (x,y,z).
nn::Tensor crop(const ImageF& image, const std::array<std::int64_t, 3>& start,
                const std::array<std::int64_t, 3>& size, float fill) {
  nn::Tensor t({1, 1, size[2], size[1], size[0]});
  float* out = t.data();
  const Size3& n = image.geometry.size;
  for (std::int64_t z = 0; z < size[2]; ++z)
    for (std::int64_t y = 0; y < size[1]; ++y)
      for (std::int64_t x = 0; x < size[0]; ++x) {
        const std::int64_t i = start[0] + x, j = start[1] + y, k = start[2] + z;
        const bool inside = i >= 0 && j >= 0 && k >= 0 && i < static_cast<std::int64_t>(n[0]) &&
                            j < static_cast<std::int64_t>(n[1]) && k < static_cast<std::int64_t>(n[2]);
        *out++ = inside ? image.at(static_cast<std::size_t>(i), static_cast<std::size_t>(j),
                                   static_cast<std::size_t>(k))
                        : fill;
      }
  return t;
}

}  // namespace

ResponsePrediction predict_response(const LoadedModel& model, const ImageF& baseline_input,
                                    const ImageF& follow_up_input,
                                    const registration::Transform& to_follow_up, const Mask* baseline_tumour,
                                    const Mask* follow_up_tumour, nn::ThreadPool& pool) {
  const Geometry& grid = baseline_input.geometry;
  const ImageF follow_up =
      registration::resample_image(follow_up_input, grid, to_follow_up, minimum(follow_up_input));
  Mask tumour(grid, 0);
  if (baseline_tumour)
    tumour = registration::resample_mask(*baseline_tumour, grid, registration::Transform());
  if (follow_up_tumour) {
    const Mask m = registration::resample_mask(*follow_up_tumour, grid, to_follow_up);
    for (std::size_t v = 0; v < m.voxels.size(); ++v) tumour.voxels[v] |= m.voxels[v];
  }
  std::array<std::size_t, 3> lo{grid.size}, hi{0, 0, 0};
  std::size_t voxels = 0;
  for (std::size_t k = 0; k < grid.size[2]; ++k)
    for (std::size_t j = 0; j < grid.size[1]; ++j)
      for (std::size_t i = 0; i < grid.size[0]; ++i) {
        if (!tumour.at(i, j, k)) continue;
        ++voxels;
        const std::array<std::size_t, 3> idx{i, j, k};
        for (int a = 0; a < 3; ++a) {
          lo[a] = std::min(lo[a], idx[a]);
          hi[a] = std::max(hi[a], idx[a]);
        }
      }
  const nn::Shape& input = model.network->hparams().input_size;  // [D,H,W] = (z,y,x)
  const std::array<std::int64_t, 3> size{input[2], input[1], input[0]};
  std::array<double, 3> centre{};
  std::array<std::int64_t, 3> start{};
  for (int a = 0; a < 3; ++a) {  // rounding half to even, as Python's round() in train.py
    centre[a] =
        voxels ? 0.5 * static_cast<double>(lo[a] + hi[a]) : 0.5 * static_cast<double>(grid.size[a] - 1);
    start[a] = static_cast<std::int64_t>(std::nearbyint(centre[a] - 0.5 * static_cast<double>(size[a] - 1)));
  }
  nn::Arena arena;
  nn::Exec exec{pool, arena};
  const auto out = model.network->forward_pair(crop(baseline_input, start, size, minimum(baseline_input)),
                                               crop(follow_up, start, size, minimum(follow_up)), exec);
  ResponsePrediction p;
  p.probability = out.probability.data()[0];
  p.responder = p.probability >= model.preprocessing.response_threshold;
  p.crop = {{"centre_index", centre}, {"size", size}, {"tumour_voxels", voxels}};
  return p;
}

nlohmann::json prediction_json(const LoadedModel& model, const ResponsePrediction& p) {
  return {{"model", model.name},
          {"sha256", model.sha256},
          {"probability", p.probability},
          {"threshold", model.preprocessing.response_threshold},
          {"label", p.responder ? "responder" : "non-responder"},
          {"crop", p.crop}};
}

}  // namespace oncotrack::pipeline
