#include "oncotrack/cest/wasabi.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "oncotrack/cest/levenberg_marquardt.h"
#include "oncotrack/core/error.h"

namespace oncotrack::cest {

namespace {

constexpr std::size_t kMinOffsets = 5;

// sin²θ · sin²(√(ω1² + Δω²) · tp / 2): the saturated fraction d multiplies.
double wasabi_shape(const WasabiAcquisition& a, double b0_shift_ppm, double rel_b1, double offset_ppm) {
  const double two_pi_gamma = 2.0 * kPi * a.gamma_hz_per_ut;
  const double w1 = two_pi_gamma * a.b1_ut * rel_b1;
  const double dw = two_pi_gamma * a.b0_tesla * (offset_ppm - b0_shift_ppm);
  const double weff2 = w1 * w1 + dw * dw;
  if (weff2 <= 0.0) return 0.0;
  const double s = std::sin(std::sqrt(weff2) * a.pulse_duration_s / 2.0);
  return w1 * w1 / weff2 * s * s;
}

struct LinearPart {
  double c = 0, d = 0, cost = std::numeric_limits<double>::infinity();
};

// c, d of z ≈ |c − d f| for fixed f: c − d f changes sign once as f grows (at f = c/d), so for each split of
// the offsets by f (the smallest j positive, the rest negative) z·sign ≈ c − d f is linear; the split with
// the smallest residual wins (running sums: O(m log m)).
LinearPart solve_linear_part(const std::vector<double>& f, const std::vector<double>& z,
                             std::vector<std::size_t>& order) {
  const std::size_t m = f.size();
  order.resize(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return f[a] < f[b]; });
  double sf = 0, sff = 0, sz = 0, szz = 0, sfz = 0;
  for (std::size_t k = 0; k < m; ++k)
    sf += f[k], sff += f[k] * f[k], sz += z[k], szz += z[k] * z[k], sfz += f[k] * z[k];
  const double n = static_cast<double>(m), det = n * sff - sf * sf;
  LinearPart best;
  if (std::abs(det) < 1e-12) return best;
  double pz = 0, pfz = 0;  // sums over the j positive offsets
  for (std::size_t j = 0; j <= m; ++j) {
    if (j > 0) pz += z[order[j - 1]], pfz += f[order[j - 1]] * z[order[j - 1]];
    const double sy = 2 * pz - sz, sfy = 2 * pfz - sfz;  // y = sign · z
    const double c = (sff * sy - sf * sfy) / det, d = (sf * sy - n * sfy) / det;
    const double cost = szz - (c * sy - d * sfy);
    // |c − d f| = |−c + d f|: kept with c ≥ 0; d < 0 (more signal with saturation) is not WASABI.
    if (c * d >= 0 && cost < best.cost) best = c < 0 ? LinearPart{-c, -d, cost} : LinearPart{c, d, cost};
  }
  if (std::isfinite(best.cost)) {  // the cost of |c − d f| itself (≤ the signed one)
    best.cost = 0;
    for (std::size_t k = 0; k < m; ++k) best.cost += std::pow(std::abs(best.c - best.d * f[k]) - z[k], 2);
  }
  return best;
}

}  // namespace

double wasabi_z(const WasabiAcquisition& a, const WasabiParameters& p, double offset_ppm) {
  return std::abs(p.c - p.d * wasabi_shape(a, p.b0_shift_ppm, p.rel_b1, offset_ppm));
}

WasabiFit fit_wasabi(const WasabiAcquisition& a, const std::vector<double>& offsets_ppm,
                     const std::vector<double>& z, const WasabiOptions& o) {
  const std::size_t m = z.size();
  if (offsets_ppm.size() != m || m < kMinOffsets)
    throw Error("cannot fit the WASABI model", "",
                std::to_string(kMinOffsets) + " or more offsets with one Z each",
                std::to_string(offsets_ppm.size()) + " offsets and " + std::to_string(m) + " Z values");
  // Grid over (δB0, rB1), c and d solved at each node.
  WasabiParameters best;
  std::vector<std::size_t> order;
  double best_cost = std::numeric_limits<double>::infinity();
  std::vector<double> f(m);
  const int b0_steps = static_cast<int>(std::floor(o.b0_range_ppm / o.b0_grid_step_ppm + 1e-9));
  const int b1_steps =
      static_cast<int>(std::floor((o.rel_b1_max - o.rel_b1_min) / o.rel_b1_grid_step + 1e-9));
  for (int i = -b0_steps; i <= b0_steps; ++i) {
    const double shift = i * o.b0_grid_step_ppm;
    for (int j = 0; j <= b1_steps; ++j) {
      const double rel_b1 = o.rel_b1_min + j * o.rel_b1_grid_step;
      for (std::size_t k = 0; k < m; ++k) f[k] = wasabi_shape(a, shift, rel_b1, offsets_ppm[k]);
      const LinearPart lin = solve_linear_part(f, z, order);
      if (lin.cost < best_cost) best_cost = lin.cost, best = {shift, rel_b1, lin.c, lin.d};
    }
  }
  const auto mi = static_cast<Eigen::Index>(m);
  const ResidualFunction plain = [&](const Eigen::VectorXd& q, Eigen::VectorXd& r, Eigen::MatrixXd*) {
    r.resize(mi);
    const WasabiParameters p{q[0], q[1], q[2], q[3]};
    for (Eigen::Index k = 0; k < mi; ++k)
      r[k] = wasabi_z(a, p, offsets_ppm[static_cast<std::size_t>(k)]) - z[static_cast<std::size_t>(k)];
  };
  const ResidualFunction residuals = [&](const Eigen::VectorXd& q, Eigen::VectorXd& r, Eigen::MatrixXd* J) {
    plain(q, r, nullptr);
    if (J) *J = numeric_jacobian(plain, q, mi);
  };
  Eigen::VectorXd start(4), lower(4), upper(4);
  start << best.b0_shift_ppm, best.rel_b1, std::max(best.c, 0.0), std::max(best.d, 0.0);
  lower << -o.b0_range_ppm, o.rel_b1_min, 0.0, 0.0;
  upper << o.b0_range_ppm, o.rel_b1_max, 10.0, 10.0;
  const LmResult lm = levenberg_marquardt(residuals, start, lower, upper);
  WasabiFit fit;
  fit.parameters = {lm.parameters[0], lm.parameters[1], lm.parameters[2], lm.parameters[3]};
  fit.rms_residual = std::sqrt(2.0 * lm.cost / static_cast<double>(m));
  fit.converged = lm.converged;
  return fit;
}

}  // namespace oncotrack::cest
