#include "oncotrack/cest/levenberg_marquardt.h"

#include <algorithm>
#include <cmath>

#include "oncotrack/core/error.h"

namespace oncotrack::cest {

namespace {

constexpr double kMaxLambda = 1e16;

Eigen::VectorXd project(Eigen::VectorXd p, const Eigen::VectorXd& lower, const Eigen::VectorXd& upper) {
  return p.cwiseMax(lower).cwiseMin(upper);
}

}  // namespace

LmResult levenberg_marquardt(const ResidualFunction& residuals, const Eigen::VectorXd& start,
                             const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                             const LmOptions& options) {
  const Eigen::Index n = start.size();
  ONCOTRACK_ASSERT(lower.size() == n && upper.size() == n, "bounds must match the parameters");
  ONCOTRACK_ASSERT((lower.array() <= upper.array()).all(), "lower bound above upper bound");
  LmResult out;
  out.parameters = project(start, lower, upper);
  Eigen::VectorXd r, r_try;
  Eigen::MatrixXd J;
  residuals(out.parameters, r, &J);
  out.cost = 0.5 * r.squaredNorm();
  double lambda = options.initial_lambda;
  bool fresh_jacobian = true;
  Eigen::MatrixXd JtJ;
  Eigen::VectorXd Jtr;
  for (out.iterations = 0; out.iterations < options.max_iterations; ++out.iterations) {
    if (fresh_jacobian) {
      JtJ = J.transpose() * J;
      Jtr = J.transpose() * r;
      fresh_jacobian = false;
    }
    Eigen::MatrixXd A = JtJ;
    for (Eigen::Index i = 0; i < n; ++i) A(i, i) += lambda * std::max(JtJ(i, i), 1e-30);
    const Eigen::VectorXd delta = A.ldlt().solve(-Jtr);
    const Eigen::VectorXd trial = project(out.parameters + delta, lower, upper);
    const Eigen::VectorXd taken = trial - out.parameters;
    bool small_step = true;
    for (Eigen::Index i = 0; i < n; ++i)
      small_step = small_step && std::abs(taken[i]) <= options.step_tolerance * (std::abs(out.parameters[i]) +
                                                                                 options.step_tolerance);
    if (small_step || !delta.allFinite()) {
      out.converged = delta.allFinite();
      break;
    }
    residuals(trial, r_try, nullptr);
    const double cost = 0.5 * r_try.squaredNorm();
    if (std::isfinite(cost) && cost < out.cost) {
      const double drop = out.cost - cost;
      out.parameters = trial;
      out.cost = cost;
      residuals(out.parameters, r, &J);
      fresh_jacobian = true;
      lambda = std::max(lambda / 10.0, 1e-12);
      if (drop <= options.cost_tolerance * std::max(cost, 1e-300) || cost == 0.0) {
        out.converged = true;
        ++out.iterations;
        break;
      }
    } else {
      lambda *= 10.0;
      if (lambda > kMaxLambda) {
        out.converged = true;  // no descent left at this point: a (local) minimum within the bounds
        break;
      }
    }
  }
  return out;
}

Eigen::MatrixXd numeric_jacobian(const ResidualFunction& residuals, const Eigen::VectorXd& p,
                                 Eigen::Index m) {
  Eigen::MatrixXd J(m, p.size());
  Eigen::VectorXd plus, minus;
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    const double h = 1e-6 * std::max(std::abs(p[i]), 1e-3);
    Eigen::VectorXd q = p;
    q[i] = p[i] + h;
    residuals(q, plus, nullptr);
    q[i] = p[i] - h;
    residuals(q, minus, nullptr);
    J.col(i) = (plus - minus) / (2.0 * h);
  }
  return J;
}

}  // namespace oncotrack::cest
