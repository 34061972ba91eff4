// padded.h's kernels against Eigen's, and the exponential's two evaluations (padded.h's for fixed sizes,
// Eigen's for dynamic ones) against each other on the simulator's own generators, at every size it
// instantiates.
#include <gtest/gtest.h>

#include <random>

#include "../../../src/cest/expm.h"
#include "oncotrack/cest/bloch_mcconnell.h"

namespace oncotrack::cest {
namespace {

template <int N>
void expect_padded_product_exact() {
  std::mt19937 rng(N);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const Eigen::MatrixXd a = Eigen::MatrixXd::NullaryExpr(N, N, [&] { return u(rng); });
  const Eigen::MatrixXd b = Eigen::MatrixXd::NullaryExpr(N, N, [&] { return u(rng); });
  detail::Padded<N> pa = detail::Padded<N>::Zero(), pb = detail::Padded<N>::Zero();
  pa.template topRows<N>() = a;
  pb.template topRows<N>() = b;
  const detail::Padded<N> c = detail::product<N>(pa, pb);
  EXPECT_LT((c.template topRows<N>() - a * b).cwiseAbs().maxCoeff(), 1e-14) << N;
  if constexpr (detail::Padded<N>::RowsAtCompileTime > N)  // no padding rows to check when N fills them
    EXPECT_EQ(c.template bottomRows<detail::Padded<N>::RowsAtCompileTime - N>().cwiseAbs().maxCoeff(), 0.0)
        << N;
}

template <int N>
void expect_padded_solve_equals_lu() {
  std::mt19937 rng(100 + N);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Eigen::MatrixXd a = Eigen::MatrixXd::NullaryExpr(N, N, [&] { return u(rng); });
  a += 2.0 * Eigen::MatrixXd::Identity(N, N);  // well conditioned, so both solves agree to rounding
  a(0, 0) = 0.0;                               // but the first pivot must come from another row
  const Eigen::MatrixXd b = Eigen::MatrixXd::NullaryExpr(N, N, [&] { return u(rng); });
  detail::Padded<N> pa = detail::Padded<N>::Zero(), pb = detail::Padded<N>::Zero();
  pa.template topRows<N>() = a;
  pb.template topRows<N>() = b;
  const detail::Padded<N> x = detail::solve<N, N>(pa, pb);
  EXPECT_LT((x.template topRows<N>() - a.partialPivLu().solve(b)).cwiseAbs().maxCoeff(), 1e-10) << N;
  EXPECT_LT((a * x.template topRows<N>() - b).cwiseAbs().maxCoeff(), 1e-12) << N;
  if constexpr (detail::Padded<N>::RowsAtCompileTime > N)  // maxCoeff of no rows is undefined (Eigen asserts)
    EXPECT_EQ(x.template bottomRows<detail::Padded<N>::RowsAtCompileTime - N>().cwiseAbs().maxCoeff(), 0.0)
        << N;
  detail::Padded<N, 1> one = detail::Padded<N, 1>::Zero();  // one right-hand side, as for steady states
  one.template topRows<N>() = b.col(0);
  const Eigen::VectorXd x0 = detail::solve<N, 1>(pa, one).template topRows<N>();
  EXPECT_LT((x0 - x.template topRows<N>().col(0)).cwiseAbs().maxCoeff(), 1e-14) << N;
}

TEST(Expm, PaddedSolveEqualsPivotedLu) {
  expect_padded_solve_equals_lu<4>();
  expect_padded_solve_equals_lu<6>();
  expect_padded_solve_equals_lu<7>();
  expect_padded_solve_equals_lu<10>();
  expect_padded_solve_equals_lu<13>();
}

TEST(Expm, PaddedProductEqualsEigensAndKeepsThePaddingZero) {
  expect_padded_product_exact<4>();
  expect_padded_product_exact<5>();
  expect_padded_product_exact<6>();
  expect_padded_product_exact<7>();
  expect_padded_product_exact<9>();
  expect_padded_product_exact<10>();
  expect_padded_product_exact<12>();
  expect_padded_product_exact<13>();
  expect_padded_product_exact<14>();
}

// A 9.4 T tissue with `pools` CEST pools (and an MT pool): 3 + 3·pools (+ 1) states.
Tissue tissue(int pools, bool mt) {
  Tissue t;
  t.water = {1.8, 0.08};
  const CestPool catalogue[] = {
      {3.5, 50.0, 0.0009, 1.3, 0.01}, {2.0, 700.0, 0.003, 1.3, 0.04}, {-3.5, 16.0, 0.005, 1.3, 0.005}};
  for (int i = 0; i < pools; ++i) t.cest.push_back(catalogue[i]);
  if (mt) t.mt = MtPool{-2.5, 40.0, 0.12, 1.8, 1.2e-5, Lineshape::kSuperLorentzian};
  return t;
}

template <int N>
void expect_fixed_equals_dynamic(int pools, bool mt) {
  Scanner s;
  s.b0_tesla = 9.4;
  const BlochMcConnell bm(tissue(pools, mt), s);
  ASSERT_EQ(bm.size(), N + 1);
  // 14 ppm, 4 µT for 2.5 s: ‖At‖₁ ≈ 9·10⁴, 14 squarings, as in the mouse MT fingerprint.
  const Eigen::MatrixXd a = bm.generator(4.0, 0.0, 14.0).topLeftCorner(N, N) * 2.5;
  const Eigen::MatrixXd dynamic = detail::expm<Eigen::MatrixXd>(a);
  const Eigen::Matrix<double, N, N> fixed = detail::expm<Eigen::Matrix<double, N, N>>(a);
  EXPECT_LT((fixed - dynamic).cwiseAbs().maxCoeff(), 1e-11) << N;
  EXPECT_GT(dynamic.cwiseAbs().maxCoeff(), 1e-2) << N;  // not a propagator decayed to nothing
}

TEST(Expm, FixedSizeEvaluationEqualsTheDynamicOneOnBlochMcConnellGenerators) {
  expect_fixed_equals_dynamic<6>(1, false);
  expect_fixed_equals_dynamic<7>(1, true);
  expect_fixed_equals_dynamic<9>(2, false);
  expect_fixed_equals_dynamic<10>(2, true);
  expect_fixed_equals_dynamic<12>(3, false);
  expect_fixed_equals_dynamic<13>(3, true);
}

}  // namespace
}  // namespace oncotrack::cest
