#include "oncotrack/analysis/overlap_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "oncotrack/core/error.h"

namespace oncotrack::analysis {

namespace {

bool on_surface(const Mask& m, std::size_t i, std::size_t j, std::size_t k) {
  const Size3& s = m.geometry.size;
  if (i == 0 || j == 0 || k == 0 || i + 1 == s[0] || j + 1 == s[1] || k + 1 == s[2]) return true;
  return !m.at(i - 1, j, k) || !m.at(i + 1, j, k) || !m.at(i, j - 1, k) || !m.at(i, j + 1, k) ||
         !m.at(i, j, k - 1) || !m.at(i, j, k + 1);
}

std::vector<std::uint8_t> surface(const Mask& m) {
  std::vector<std::uint8_t> s(m.voxels.size(), 0);
  const Size3& n = m.geometry.size;
  for (std::size_t k = 0; k < n[2]; ++k)
    for (std::size_t j = 0; j < n[1]; ++j)
      for (std::size_t i = 0; i < n[0]; ++i)
        if (m.at(i, j, k) && on_surface(m, i, j, k)) s[m.geometry.linear(i, j, k)] = 1;
  return s;
}

// One pass of the exact squared distance transform (Felzenszwalb & Huttenlocher) along a line of n values
// f[0..n) spaced `step` mm apart, in place.
void edt_line(std::vector<double>& f, std::size_t n, double step, std::vector<double>& d, std::vector<int>& v,
              std::vector<double>& z) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  int k = -1;
  for (std::size_t q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    const double xq = static_cast<double>(q) * step;
    double s = -kInf;
    while (k >= 0) {
      const double xv = static_cast<double>(v[k]) * step;
      s = ((f[q] + xq * xq) - (f[v[k]] + xv * xv)) / (2 * (xq - xv));
      if (s > z[k]) break;
      --k;
    }
    ++k;
    v[k] = static_cast<int>(q);
    z[k] = k == 0 ? -kInf : s;
    z[k + 1] = kInf;
  }
  if (k < 0) return;  // no finite value on this line
  int j = 0;
  for (std::size_t q = 0; q < n; ++q) {
    const double xq = static_cast<double>(q) * step;
    while (z[j + 1] < xq) ++j;
    const double xv = static_cast<double>(v[j]) * step;
    d[q] = (xq - xv) * (xq - xv) + f[v[j]];
  }
  for (std::size_t q = 0; q < n; ++q) f[q] = d[q];
}

// Squared distance (mm²) from every voxel centre to the nearest voxel with seed != 0.
std::vector<double> squared_distance(const std::vector<std::uint8_t>& seed, const Geometry& g) {
  const Size3& n = g.size;
  std::vector<double> dist(seed.size());
  for (std::size_t v = 0; v < seed.size(); ++v)
    dist[v] = seed[v] ? 0.0 : std::numeric_limits<double>::infinity();
  const std::size_t longest = std::max({n[0], n[1], n[2]});
  std::vector<double> line(longest), d(longest), z(longest + 1);
  std::vector<int> v(longest);
  const std::size_t stride[3] = {1, n[0], n[0] * n[1]};
  for (int axis = 0; axis < 3; ++axis) {
    const int a = (axis + 1) % 3, b = (axis + 2) % 3;
    for (std::size_t ib = 0; ib < n[b]; ++ib)
      for (std::size_t ia = 0; ia < n[a]; ++ia) {
        const std::size_t base = ia * stride[a] + ib * stride[b];
        for (std::size_t q = 0; q < n[axis]; ++q) line[q] = dist[base + q * stride[axis]];
        edt_line(line, n[axis], g.spacing_mm[axis], d, v, z);
        for (std::size_t q = 0; q < n[axis]; ++q) dist[base + q * stride[axis]] = line[q];
      }
  }
  return dist;
}

}  // namespace

OverlapMetrics compare_masks(const Mask& predicted, const Mask& reference) {
  const Geometry& g = reference.geometry;
  if (predicted.geometry.size != g.size || compare_geometry(predicted.geometry, g).spacing_mm > 1e-6)
    throw Error("predicted and reference masks are on different grids", {}, describe_geometry(g),
                describe_geometry(predicted.geometry));
  std::size_t both = 0, np = 0, nr = 0;
  for (std::size_t v = 0; v < g.voxel_count(); ++v) {
    const bool p = predicted.voxels[v] != 0, r = reference.voxels[v] != 0;
    np += p;
    nr += r;
    both += p && r;
  }
  OverlapMetrics m;
  m.dice = np + nr == 0 ? 1.0 : 2.0 * static_cast<double>(both) / static_cast<double>(np + nr);
  m.predicted_ml = static_cast<double>(np) * g.voxel_volume_ml();
  m.reference_ml = static_cast<double>(nr) * g.voxel_volume_ml();
  m.volume_error_ml = m.predicted_ml - m.reference_ml;
  if (nr > 0) m.volume_error_pct = 100.0 * m.volume_error_ml / m.reference_ml;
  if (np == 0 || nr == 0) return m;
  const std::vector<std::uint8_t> sp = surface(predicted), sr = surface(reference);
  const std::vector<double> to_p = squared_distance(sp, g), to_r = squared_distance(sr, g);
  std::vector<double> distances;
  for (std::size_t v = 0; v < sp.size(); ++v) {
    if (sp[v]) distances.push_back(std::sqrt(to_r[v]));
    if (sr[v]) distances.push_back(std::sqrt(to_p[v]));
  }
  const std::size_t rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(distances.size())));
  std::nth_element(distances.begin(), distances.begin() + static_cast<std::ptrdiff_t>(rank - 1),
                   distances.end());
  m.hd95_mm = distances[rank - 1];
  return m;
}

}  // namespace oncotrack::analysis
