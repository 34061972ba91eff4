#pragma once
// Internal to cest: product and solve of small N×N matrices (N = 4–13, the Bloch–McConnell propagators) held
// with their rows padded to a multiple of 4 (the padding rows stay zero), so that each column is whole 4-double
// vectors. At these sizes Eigen's product and LU go through its general blocked kernels, whose packing and
// bookkeeping cost as much as the arithmetic; these keep the work in registers. With them dictionaries simulate
// 1.8× (3 CEST pools + MT) to 2× (2 + MT) faster (bench/run_mrf_bench.sh).
#include <Eigen/Dense>
#include <cmath>
#include <type_traits>

namespace oncotrack::cest::detail {

template <int N, int Cols = N>
using Padded = Eigen::Matrix<double, (N + 3) / 4 * 4, Cols>;

using V4 = double __attribute__((vector_size(32), aligned(8), may_alias));

// The v-th 4-row vector of column j of a padded matrix.
template <class M>
V4* column(M& m, int j, int v) {
  return reinterpret_cast<V4*>(m.data() + j * M::RowsAtCompileTime + 4 * v);
}
template <class M>
const V4* column(const M& m, int j, int v) {
  return reinterpret_cast<const V4*>(m.data() + j * M::RowsAtCompileTime + 4 * v);
}

// a · b, keeping J columns of the result in registers while a's columns stream past.
template <int N>
Padded<N> product(const Padded<N>& a, const Padded<N>& b) {
  constexpr int kVectors = Padded<N>::RowsAtCompileTime / 4, kJ = 3;
  Padded<N> c;
  auto columns = [&](int j, auto width) {
    constexpr int kW = decltype(width)::value;
    V4 acc[kW][kVectors];
#pragma GCC unroll 16
    for (int w = 0; w < kW; ++w)
#pragma GCC unroll 16
      for (int v = 0; v < kVectors; ++v) acc[w][v] = V4{0.0, 0.0, 0.0, 0.0};
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k)
#pragma GCC unroll 16
      for (int v = 0; v < kVectors; ++v) {
        const V4 col = *column(a, k, v);
#pragma GCC unroll 16
        for (int w = 0; w < kW; ++w) acc[w][v] += col * b(k, j + w);
      }
#pragma GCC unroll 16
    for (int w = 0; w < kW; ++w)
#pragma GCC unroll 16
      for (int v = 0; v < kVectors; ++v) *column(c, j + w, v) = acc[w][v];
  };
  for (int j = 0; j + kJ <= N; j += kJ) columns(j, std::integral_constant<int, kJ>{});
  if constexpr (N % kJ != 0) columns(N - N % kJ, std::integral_constant<int, N % kJ>{});
  return c;
}

// x with a · x = b, by Gaussian elimination with partial pivoting (the arithmetic of an LU solve),
// column-oriented so that every update is a whole-vector axpy over the rows it changes. A zero pivot gives a
// non-finite x, as Eigen's partialPivLu does.
template <int N, int R>
Padded<N, R> solve(Padded<N> a, Padded<N, R> b) {
  constexpr int kRows = Padded<N>::RowsAtCompileTime, kVectors = kRows / 4;
  alignas(32) double scaled[kRows];
  auto axpy = [&](auto& m, int j, int from, int to, double f) {
    for (int v = from; v < to; ++v) *column(m, j, v) -= *reinterpret_cast<const V4*>(scaled + 4 * v) * f;
  };
  for (int k = 0; k < N; ++k) {
    int p = k;
    double largest = std::abs(a(k, k));
    for (int i = k + 1; i < N; ++i) {
      const double x = std::abs(a(i, k));
      if (x > largest) {
        largest = x;
        p = i;
      }
    }
    if (p != k) {
      a.row(k).swap(a.row(p));
      b.row(k).swap(b.row(p));
    }
    const double inverse = 1.0 / a(k, k);
    for (int i = 0; i < kRows; ++i) scaled[i] = i > k ? a(i, k) * inverse : 0.0;  // zero at and above k
    const int first = (k + 1) / 4;  // the first vector holding a row below k
    for (int j = k + 1; j < N; ++j) axpy(a, j, first, kVectors, a(k, j));
    for (int j = 0; j < R; ++j) axpy(b, j, first, kVectors, b(k, j));
  }
  for (int k = N - 1; k >= 0; --k) {
    for (int i = 0; i < kRows; ++i) scaled[i] = i < k ? a(i, k) : 0.0;  // U's column above the diagonal
    const double inverse = 1.0 / a(k, k);
    for (int j = 0; j < R; ++j) {
      const double x = b(k, j) * inverse;
      axpy(b, j, 0, (k + 3) / 4, x);  // the vectors holding rows above k (row k's multiplier is 0)
      b(k, j) = x;                    // after the vector update: a scalar store just before it would stall it
    }
  }
  return b;
}

}  // namespace oncotrack::cest::detail
