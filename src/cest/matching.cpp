#include "oncotrack/cest/matching.h"

#include <Eigen/Dense>
#include <algorithm>

#include "oncotrack/core/error.h"
#include "oncotrack/nn/thread_pool.h"

namespace oncotrack::cest {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRows = Eigen::Map<const RowMatrix>;

}  // namespace

nn::Tensor l2_normalised(const nn::Tensor& signals) {
  nn::Tensor out = signals;
  Eigen::Map<RowMatrix> m(out.data(), signals.dim(0), signals.dim(1));
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    const double norm = m.row(r).cast<double>().norm();
    if (norm > 0.0) m.row(r) /= static_cast<float>(norm);
  }
  return out;
}

std::vector<Match> match_dictionary(const Dictionary& dict, const nn::Tensor& signals, int threads) {
  if (signals.rank() != 2 || signals.dim(1) != dict.images())
    throw Error("fingerprints do not fit the dictionary", {},
                std::to_string(dict.images()) + " images per voxel", nn::to_string(signals.shape()));
  const nn::Tensor d = l2_normalised(dict.signals);
  const nn::Tensor x = l2_normalised(signals);
  const ConstRows dm(d.data(), d.dim(0), d.dim(1));
  const ConstRows xm(x.data(), x.dim(0), x.dim(1));
  std::vector<Match> out(static_cast<std::size_t>(x.dim(0)));
  constexpr Eigen::Index kVoxels = 64, kEntries = 8192;  // a 2 MB block of scores per thread
  const Eigen::Index blocks = (xm.rows() + kVoxels - 1) / kVoxels;
  nn::ThreadPool pool(threads);
  pool.parallel_for(blocks, [&](std::int64_t begin, std::int64_t end) {
    Eigen::MatrixXf scores;
    for (Eigen::Index b = begin; b < end; ++b) {
      const Eigen::Index v0 = b * kVoxels, nv = std::min(kVoxels, xm.rows() - v0);
      for (Eigen::Index e0 = 0; e0 < dm.rows(); e0 += kEntries) {
        const Eigen::Index ne = std::min(kEntries, dm.rows() - e0);
        scores.noalias() = dm.middleRows(e0, ne) * xm.middleRows(v0, nv).transpose();  // [entries, voxels]
        for (Eigen::Index v = 0; v < nv; ++v) {
          Eigen::Index best = 0;
          const float s = scores.col(v).maxCoeff(&best);
          Match& m = out[static_cast<std::size_t>(v0 + v)];
          if (m.entry < 0 || s > m.score) m = {e0 + best, s};
        }
      }
      for (Eigen::Index v = 0; v < nv; ++v)
        if (xm.row(v0 + v).squaredNorm() == 0.0f) out[static_cast<std::size_t>(v0 + v)] = {};
    }
  });
  return out;
}

}  // namespace oncotrack::cest
