#include "oncotrack/cest/matching.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>

#include "oncotrack/core/error.h"
#include "oncotrack/nn/thread_pool.h"

namespace oncotrack::cest {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRows = Eigen::Map<const RowMatrix>;

void check_images(const Dictionary& dict, const nn::Tensor& signals) {
  if (signals.rank() != 2 || signals.dim(1) != dict.images())
    throw Error("fingerprints do not fit the dictionary", {},
                std::to_string(dict.images()) + " images per voxel", nn::to_string(signals.shape()));
}

// Best entry of the L2-normalised dictionary rows dm for each L2-normalised signal row of xm.
std::vector<Match> best_matches(const ConstRows& dm, const ConstRows& xm, int threads) {
  std::vector<Match> out(static_cast<std::size_t>(xm.rows()));
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

// Rows `rows` of m as a new [rows.size(), cols] tensor.
nn::Tensor gather_rows(const nn::Tensor& m, const std::vector<std::int64_t>& rows) {
  const std::int64_t cols = m.dim(1);
  nn::Tensor out({static_cast<std::int64_t>(rows.size()), cols});
  for (std::size_t r = 0; r < rows.size(); ++r)
    std::copy_n(m.data() + rows[r] * cols, cols, out.data() + static_cast<std::int64_t>(r) * cols);
  return out;
}

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
  check_images(dict, signals);
  const nn::Tensor d = l2_normalised(dict.signals);
  const nn::Tensor x = l2_normalised(signals);
  return best_matches(ConstRows(d.data(), d.dim(0), d.dim(1)), ConstRows(x.data(), x.dim(0), x.dim(1)),
                      threads);
}

std::vector<Match> match_dictionary(const Dictionary& dict, const nn::Tensor& signals,
                                    const std::vector<KnownParameter>& known, int threads) {
  check_images(dict, signals);
  const auto voxels = static_cast<std::size_t>(signals.dim(0));
  const auto p = static_cast<std::size_t>(dict.parameters.dim(1));
  // Per known parameter: its column and the sorted distinct grid values; keys index into those values.
  std::vector<std::size_t> columns;
  std::vector<std::vector<float>> levels;
  for (const KnownParameter& k : known) {
    if (k.values.size() != voxels)
      throw Error("known parameter map does not fit the fingerprints", k.name,
                  std::to_string(voxels) + " values", std::to_string(k.values.size()));
    columns.push_back(dict.parameter_index(k.name));
    std::vector<float> v;
    for (std::int64_t e = 0; e < dict.entries(); ++e)
      v.push_back(dict.parameters.data()[static_cast<std::size_t>(e) * p + columns.back()]);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    levels.push_back(std::move(v));
  }
  auto level_of = [&](std::size_t k, float value) {
    const std::vector<float>& l = levels[k];
    const auto it = std::lower_bound(l.begin(), l.end(), value);
    if (it == l.begin()) return std::size_t{0};
    if (it == l.end()) return l.size() - 1;
    const auto hi = static_cast<std::size_t>(it - l.begin());
    return value - l[hi - 1] <= l[hi] - value ? hi - 1 : hi;
  };
  std::map<std::vector<std::size_t>, std::vector<std::int64_t>> entries, members;
  for (std::int64_t e = 0; e < dict.entries(); ++e) {
    std::vector<std::size_t> key;
    for (std::size_t k = 0; k < known.size(); ++k)
      key.push_back(level_of(k, dict.parameters.data()[static_cast<std::size_t>(e) * p + columns[k]]));
    entries[key].push_back(e);
  }
  for (std::size_t v = 0; v < voxels; ++v) {
    std::vector<std::size_t> key;
    bool finite = true;
    for (std::size_t k = 0; k < known.size(); ++k) {
      finite = finite && std::isfinite(known[k].values[v]);
      key.push_back(finite ? level_of(k, known[k].values[v]) : 0);
    }
    if (finite) members[key].push_back(static_cast<std::int64_t>(v));
  }
  const nn::Tensor x = l2_normalised(signals);
  std::vector<Match> out(voxels);
  for (const auto& [key, vox] : members) {
    const auto found = entries.find(key);
    if (found == entries.end()) continue;  // a grid of lists need not have every combination
    const std::vector<std::int64_t>& rows = found->second;
    const nn::Tensor d = l2_normalised(gather_rows(dict.signals, rows));
    const nn::Tensor xs = gather_rows(x, vox);
    const std::vector<Match> m = best_matches(ConstRows(d.data(), d.dim(0), d.dim(1)),
                                              ConstRows(xs.data(), xs.dim(0), xs.dim(1)), threads);
    for (std::size_t i = 0; i < vox.size(); ++i)
      out[static_cast<std::size_t>(vox[i])] =
          m[i].entry < 0 ? Match{} : Match{rows[static_cast<std::size_t>(m[i].entry)], m[i].score};
  }
  return out;
}

}  // namespace oncotrack::cest
