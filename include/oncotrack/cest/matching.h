#pragma once
// Dot-product matching of measured fingerprints against a dictionary (Ma et al., Nature 2013; Cohen et al.,
// MRM 2018).
#include <cstdint>
#include <string>
#include <vector>

#include "oncotrack/cest/dictionary.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::cest {

struct Match {
  std::int64_t entry = -1;  // dictionary row; −1 when the voxel's signal is zero
  float score = 0.0f;       // dot product of the L2-normalised signals (1 = identical shape)
};

// signals: [V, T] with T = dict.images(), any scale. Both sides are L2-normalised; the entry with the largest
// dot product wins (the lowest index on ties). Results do not depend on `threads`. Throws oncotrack::Error
// when T differs from the dictionary's.
std::vector<Match> match_dictionary(const Dictionary& dict, const nn::Tensor& signals, int threads);

// A parameter measured independently (e.g. water T1/T2 maps): one value per voxel, in the dictionary's units.
struct KnownParameter {
  std::string name;           // dictionary parameter ("water.t1_s")
  std::vector<float> values;  // [V]
};

// Matching with known parameters fixed (the "sequential" approach of Perlman et al. 2022): each voxel is
// matched only against the entries whose known parameters equal the grid values nearest to its measured ones
// (clamped at the grid's ends). A voxel whose known value is not finite gets no match (entry −1). Throws
// oncotrack::Error for an unknown name or a value count other than V.
std::vector<Match> match_dictionary(const Dictionary& dict, const nn::Tensor& signals,
                                    const std::vector<KnownParameter>& known, int threads);

// Rows of `signals` [N, T] scaled to unit L2 norm (zero rows stay zero).
nn::Tensor l2_normalised(const nn::Tensor& signals);

}  // namespace oncotrack::cest
