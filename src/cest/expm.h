#pragma once
// Internal to cest: the matrix exponential by scaling and squaring with the [13/13] Padé approximant (Higham,
// SIAM J. Matrix Anal. Appl. 26:1179, 2005, Algorithm 2.3 for large norms), for Eigen matrices of any size.
// The simulator's propagators are small (4–14 states) and fixed-size: those run on padded.h's product and
// solve (the squarings are most of a dictionary's time), dynamic ones on Eigen's; the same formula either
// way. The scaling makes ‖A/2^s‖₁ ≤ θ13 = 5.37, where the approximant is accurate to double precision; small
// norms take the same path.
#include <Eigen/Dense>
#include <cmath>

#include "padded.h"

namespace oncotrack::cest::detail {

// The Padé coefficients b_0 … b_13 and θ13.
inline constexpr double kPade13[] = {64764752532480000.0,
                                     32382376266240000.0,
                                     7771770303897600.0,
                                     1187353796428800.0,
                                     129060195264000.0,
                                     10559470521600.0,
                                     670442572800.0,
                                     33522128640.0,
                                     1323241920.0,
                                     40840800.0,
                                     960960.0,
                                     16380.0,
                                     182.0,
                                     1.0};
inline constexpr double kTheta13 = 5.371920351148152;

template <class M>
int squarings(const M& a) {
  const double norm = a.cwiseAbs().colwise().sum().maxCoeff();
  return norm > kTheta13 ? static_cast<int>(std::ceil(std::log2(norm / kTheta13))) : 0;
}

template <class M>
M expm(const M& a0) {
  constexpr int kN = M::RowsAtCompileTime;
  const double* b = kPade13;
  const int s = squarings(a0);
  if constexpr (kN != Eigen::Dynamic) {
    using P = Padded<kN>;
    P a = P::Zero(), id = P::Zero();
    a.template topRows<kN>() = a0 * std::ldexp(1.0, -s);
    id.template topRows<kN>().setIdentity();
    const P a2 = product<kN>(a, a), a4 = product<kN>(a2, a2), a6 = product<kN>(a4, a2);
    const P u = product<kN>(a, product<kN>(a6, b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 +
                                   b[3] * a2 + b[1] * id);
    const P v =
        product<kN>(a6, b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * id;
    P r = solve<kN, kN>(v - u, v + u);
    for (int i = 0; i < s; ++i) r = product<kN>(r, r);
    return r.template topRows<kN>();
  } else {
    const M a = a0 * std::ldexp(1.0, -s);
    const M id = M::Identity(a.rows(), a.cols());
    const M a2 = a * a, a4 = a2 * a2, a6 = a4 * a2;
    const M u =
        a * (a6 * (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * id);
    const M v = a6 * (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * id;
    M r = (v - u).partialPivLu().solve(v + u);
    for (int i = 0; i < s; ++i) r = (r * r).eval();
    return r;
  }
}

}  // namespace oncotrack::cest::detail
