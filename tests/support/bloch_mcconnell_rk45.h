#pragma once
// An independent reference for the cest simulator: the Bloch–McConnell equations written out pool by pool (no
// matrices) and integrated with the adaptive Dormand–Prince RK45 method at tight tolerances, replaying a
// schedule's timeline (schedule.h) step by step.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "oncotrack/cest/lineshape.h"
#include "oncotrack/cest/schedule.h"
#include "oncotrack/cest/tissue.h"

namespace oncotrack::cest::test {

// State: water (x, y, z), then x, y, z per CEST pool, then the MT pool's z.
using State = std::vector<double>;

inline State relaxed_state(const Tissue& t) {
  State m(3 + 3 * t.cest.size() + (t.mt ? 1 : 0), 0.0);
  m[2] = 1.0;
  for (std::size_t i = 0; i < t.cest.size(); ++i) m[3 * (i + 1) + 2] = t.cest[i].fraction;
  if (t.mt) m.back() = t.mt->fraction;
  return m;
}

struct Rf {
  double b1_ut = 0.0, offset_ppm = 0.0;
};

inline State derivative(const Tissue& t, const Scanner& s, const Rf& rf, const State& m) {
  State d(m.size(), 0.0);
  const double w1 = 2.0 * kPi * s.gamma_hz_per_ut * rf.b1_ut * s.b1_scale;
  const double w_ppm = 2.0 * kPi * s.gamma_hz_per_ut * s.b0_tesla;
  auto bloch = [&](std::size_t o, double shift, double t1, double t2, double m0) {
    const double dw = (shift + s.b0_shift_ppm - rf.offset_ppm) * w_ppm;
    // dM/dt = ω × M with ω = (w1, 0, dw), then relaxation.
    d[o] += -dw * m[o + 1] - m[o] / t2;
    d[o + 1] += dw * m[o] - w1 * m[o + 2] - m[o + 1] / t2;
    d[o + 2] += w1 * m[o + 1] - (m[o + 2] - m0) / t1;
  };
  bloch(0, 0.0, t.water.t1_s, t.water.t2_s, 1.0);
  for (std::size_t i = 0; i < t.cest.size(); ++i) {
    const CestPool& p = t.cest[i];
    const std::size_t o = 3 * (i + 1);
    bloch(o, p.shift_ppm, p.t1_s, p.t2_s, p.fraction);
    for (std::size_t c = 0; c < 3; ++c) {
      const double flow = p.exchange_rate_per_s * m[o + c] - p.exchange_rate_per_s * p.fraction * m[c];
      d[c] += flow;
      d[o + c] -= flow;
    }
  }
  if (t.mt) {
    const MtPool& p = *t.mt;
    const std::size_t o = m.size() - 1;
    const double dw = (p.shift_ppm + s.b0_shift_ppm - rf.offset_ppm) * w_ppm;
    const double rate = w1 == 0.0 ? 0.0 : kPi * w1 * w1 * lineshape_s(p.lineshape, p.t2_s, dw);
    const double flow = p.exchange_rate_per_s * m[o] - p.exchange_rate_per_s * p.fraction * m[2];
    d[2] += flow;
    d[o] += -flow - rate * m[o] - (m[o] - p.fraction) / p.t1_s;
  }
  return d;
}

// Dormand–Prince 5(4) (autonomous system: no stage times) with error control on max |error| / (atol + rtol
// |m|).
inline void integrate(const Tissue& t, const Scanner& s, const Rf& rf, State& m, double duration_s,
                      double rtol = 1e-10, double atol = 1e-12) {
  static constexpr double a[7][6] = {
      {0, 0, 0, 0, 0, 0},
      {1.0 / 5, 0, 0, 0, 0, 0},
      {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
      {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0},
      {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0},
      {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0},
      {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
  static constexpr double b5[7] = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
  static constexpr double b4[7] = {5179.0 / 57600, 0,       7571.0 / 16695, 393.0 / 640, -92097.0 / 339200,
                                   187.0 / 2100,   1.0 / 40};
  double h = std::min(duration_s, 1e-6), done = 0.0;
  const std::size_t n = m.size();
  while (done < duration_s) {
    h = std::min(h, duration_s - done);
    std::array<State, 7> k;
    for (int st = 0; st < 7; ++st) {
      State y = m;
      for (int j = 0; j < st; ++j)
        for (std::size_t q = 0; q < n; ++q) y[q] += h * a[st][j] * k[j][q];
      k[st] = derivative(t, s, rf, y);
    }
    State y5 = m;
    double err = 0.0;
    for (std::size_t q = 0; q < n; ++q) {
      double e = 0.0;
      for (int st = 0; st < 7; ++st) {
        y5[q] += h * b5[st] * k[st][q];
        e += h * (b5[st] - b4[st]) * k[st][q];
      }
      err = std::max(err, std::abs(e) / (atol + rtol * std::abs(m[q])));
    }
    if (err <= 1.0) {
      m = y5;
      done += h;
    }
    h *= std::clamp(0.9 * std::pow(std::max(err, 1e-10), -0.2), 0.2, 5.0);
  }
}

// simulate_signal() replayed with the ODE integrator (same timeline, written independently).
inline std::vector<double> simulate_rk45(const Tissue& t, const Scanner& s, const Schedule& schedule) {
  State m = relaxed_state(t);
  std::vector<double> out;
  auto spoil = [&] {
    for (std::size_t i = 0; i <= t.cest.size(); ++i) m[3 * i] = m[3 * i + 1] = 0.0;
  };
  for (const ScheduleImage& im : schedule.images) {
    if (!schedule.carry_over) m = relaxed_state(t);
    if (schedule.saturation == Saturation::kContinuousWave) {
      integrate(t, s, {im.b1_ut, im.offset_ppm}, m, im.tsat_s);
    } else if (im.tsat_s > 0.0) {
      const std::vector<double> shape = pulse_segments(schedule.pulse);
      const unsigned n = pulse_count(schedule.pulse, im.tsat_s);
      for (unsigned p = 0; p < n; ++p) {
        if (p > 0) integrate(t, s, {0.0, 0.0}, m, schedule.pulse.interpulse_delay_s);
        for (double a : shape)
          integrate(t, s, {im.b1_ut * a, im.offset_ppm}, m, schedule.pulse.duration_s / shape.size());
      }
    }
    spoil();
    const double flip = im.readout_flip_deg * kPi / 180.0;
    out.push_back(m[2] * std::sin(flip));
    for (std::size_t i = 0; i <= t.cest.size(); ++i) {
      const double y = m[3 * i + 1], z = m[3 * i + 2];
      m[3 * i + 1] = std::cos(flip) * y - std::sin(flip) * z;
      m[3 * i + 2] = std::sin(flip) * y + std::cos(flip) * z;
    }
    spoil();
    integrate(t, s, {0.0, 0.0}, m, im.tr_s - im.tsat_s);
  }
  return out;
}

}  // namespace oncotrack::cest::test
