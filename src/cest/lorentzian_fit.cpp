#include "oncotrack/cest/lorentzian_fit.h"

#include <cmath>

#include "oncotrack/cest/levenberg_marquardt.h"
#include "oncotrack/core/error.h"

namespace oncotrack::cest {

LorentzianModel default_lorentzian_model() {
  LorentzianModel m;
  // {amplitude}, {FWHM ppm}, {position ppm}: start, lower, upper.
  m.pools = {
      {"water", {0.9, 0.02, 1.0}, {1.4, 0.3, 10.0}, {0.0, -1.0, 1.0}},
      {"amide", {0.025, 0.0, 0.2}, {0.5, 0.4, 3.0}, {3.5, 3.0, 4.0}},
      {"amine", {0.01, 0.0, 0.2}, {1.5, 0.5, 5.0}, {2.0, 1.5, 2.5}},
      {"noe", {0.02, 0.0, 0.4}, {3.0, 1.0, 5.0}, {-3.5, -4.5, -2.8}},
      {"mt", {0.1, 0.0, 1.0}, {25.0, 10.0, 100.0}, {-2.5, -4.0, -1.0}},
  };
  return m;
}

double lorentzian_z(double baseline, const std::vector<PoolFit>& pools, double offset_ppm) {
  double z = baseline;
  for (const PoolFit& p : pools) {
    const double u = 2.0 * (offset_ppm - p.shift_ppm) / p.fwhm_ppm;
    z -= p.amplitude / (1.0 + u * u);
  }
  return z;
}

LorentzianFit fit_lorentzians(const LorentzianModel& model, const std::vector<double>& offsets_ppm,
                              const std::vector<double>& z) {
  const auto pools = static_cast<Eigen::Index>(model.pools.size());
  const Eigen::Index n = 1 + 3 * pools, m = static_cast<Eigen::Index>(z.size());
  if (offsets_ppm.size() != z.size() || m < n)
    throw Error(
        "cannot fit the Lorentzian model", "", std::to_string(n) + " or more offsets with one Z each",
        std::to_string(offsets_ppm.size()) + " offsets and " + std::to_string(z.size()) + " Z values");
  // Parameters: [c, A_0, Γ_0, δ_0, A_1, Γ_1, δ_1, …].
  Eigen::VectorXd start(n), lower(n), upper(n);
  auto put = [&](Eigen::Index i, const Bounded& b) {
    start[i] = b.start, lower[i] = b.lower, upper[i] = b.upper;
  };
  put(0, model.baseline);
  for (Eigen::Index p = 0; p < pools; ++p) {
    const LorentzianPool& pool = model.pools[static_cast<std::size_t>(p)];
    put(1 + 3 * p, pool.amplitude);
    put(2 + 3 * p, pool.fwhm_ppm);
    put(3 + 3 * p, pool.shift_ppm);
  }
  const ResidualFunction residuals = [&](const Eigen::VectorXd& q, Eigen::VectorXd& r, Eigen::MatrixXd* J) {
    r.resize(m);
    if (J) J->resize(m, n);
    for (Eigen::Index k = 0; k < m; ++k) {
      const double x = offsets_ppm[static_cast<std::size_t>(k)];
      double model_z = q[0];
      if (J) (*J)(k, 0) = 1.0;
      for (Eigen::Index p = 0; p < pools; ++p) {
        const double a = q[1 + 3 * p], width = q[2 + 3 * p], shift = q[3 + 3 * p];
        const double u = 2.0 * (x - shift) / width, s = 1.0 / (1.0 + u * u);
        model_z -= a * s;
        if (J) {
          (*J)(k, 1 + 3 * p) = -s;
          (*J)(k, 2 + 3 * p) = -2.0 * a * u * u * s * s / width;  // −∂L/∂Γ
          (*J)(k, 3 + 3 * p) = -4.0 * a * u * s * s / width;      // −∂L/∂δ
        }
      }
      r[k] = model_z - z[static_cast<std::size_t>(k)];
    }
  };
  LmOptions options;
  options.max_iterations = 500;
  const LmResult lm = levenberg_marquardt(residuals, start, lower, upper, options);
  LorentzianFit fit;
  fit.baseline = lm.parameters[0];
  for (Eigen::Index p = 0; p < pools; ++p)
    fit.pools.push_back({lm.parameters[1 + 3 * p], lm.parameters[2 + 3 * p], lm.parameters[3 + 3 * p]});
  fit.rms_residual = std::sqrt(2.0 * lm.cost / static_cast<double>(m));
  fit.converged = lm.converged;
  return fit;
}

}  // namespace oncotrack::cest
