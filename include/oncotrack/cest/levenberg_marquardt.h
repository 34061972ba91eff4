#pragma once
// A small Levenberg–Marquardt least-squares solver with box bounds (projection onto the box after every
// step), for the per-voxel fits of Z-spectrum analysis (Lorentzian pools, WASABI). Minimises ½‖r(p)‖² with
// the damped normal equations (JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr (Marquardt's scaling, so parameters of very
// different size — amplitudes of 0.01 and widths of 25 ppm — are damped alike); a step is kept only when it
// lowers the cost (λ ÷ 10), otherwise λ × 10. Deterministic: no randomness, no threads.
// Uses Eigen 3.4 directly: never include this next to ITK transform headers (ARCHITECTURE.md §2).
#include <Eigen/Dense>
#include <functional>

namespace oncotrack::cest {

// residuals(p, r, J): r = model(p) − data (size m), and when J is not null its m × n Jacobian ∂r/∂p.
using ResidualFunction =
    std::function<void(const Eigen::VectorXd& p, Eigen::VectorXd& r, Eigen::MatrixXd* J)>;

struct LmOptions {
  int max_iterations = 200;
  double initial_lambda = 1e-3;
  double cost_tolerance = 1e-14;  // stop when an accepted step lowers the cost by less than this, relatively
  double step_tolerance = 1e-12;  // stop when every |δ_i| ≤ tol · (|p_i| + tol)
};

struct LmResult {
  Eigen::VectorXd parameters;
  double cost = 0.0;  // ½‖r‖² at parameters
  int iterations = 0;
  bool converged = false;  // a tolerance was met (false: max_iterations or λ ran away)
};

// Starts from start (projected onto [lower, upper]); every vector has the same size.
LmResult levenberg_marquardt(const ResidualFunction& residuals, const Eigen::VectorXd& start,
                             const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                             const LmOptions& options = {});

// The Jacobian of residuals by central differences (step 1e-6 · max(|p_i|, 1e-3)), for models whose
// derivatives are not worth writing out; evaluates the residuals 2n times.
Eigen::MatrixXd numeric_jacobian(const ResidualFunction& residuals, const Eigen::VectorXd& p, Eigen::Index m);

}  // namespace oncotrack::cest
