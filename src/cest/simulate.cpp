#include "oncotrack/cest/simulate.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "expm.h"
#include "oncotrack/cest/bloch_mcconnell.h"
#include "padded.h"

namespace oncotrack::cest {

namespace {

template <class M>
M power(M m, unsigned n) {
  M r = M::Identity(m.rows(), m.cols());
  for (; n > 0; n >>= 1) {
    if (n & 1u) r = (r * m).eval();
    if (n > 1) m = (m * m).eval();
  }
  return r;
}

// Propagators of one simulation, each computed once per distinct (b1, offset, time). M: a fixed-size matrix
// type of the model's size where one is instantiated (simulate_signal), else Eigen::MatrixXd.
template <class M>
class Propagators {
 public:
  Propagators(const BlochMcConnell& bm, const Schedule& schedule) : bm_(bm), schedule_(schedule) {}

  const M& saturation(const ScheduleImage& im) {
    const Key key{im.b1_ut, im.offset_ppm, im.tsat_s};
    for (const Entry& e : saturation_)
      if (e.key == key) return e.matrix;
    saturation_.push_back({key, bm_.spoiler().diagonal().asDiagonal() * train(im)});
    return saturation_.back().matrix;
  }

  const M& recovery(double time_s, double flip_deg) {
    const Key key{time_s, flip_deg, 0.0};
    for (const Entry& e : recovery_)
      if (e.key == key) return e.matrix;
    recovery_.push_back({key, propagator(0.0, 0.0, time_s) * M(bm_.spoiler()) * M(bm_.excitation(flip_deg))});
    return recovery_.back().matrix;
  }

 private:
  using Key = std::array<double, 3>;
  struct Entry {
    Key key;
    M matrix;
  };

  M propagator(double b1_ut, double offset_ppm, double duration_s) {
    double g = 0.0;
    if (b1_ut != 0.0 && bm_.has_mt()) {
      auto it = std::find_if(lineshapes_.begin(), lineshapes_.end(),
                             [&](const auto& e) { return e.first == offset_ppm; });
      if (it == lineshapes_.end())
        it = lineshapes_.insert(lineshapes_.end(), {offset_ppm, bm_.mt_lineshape_s(offset_ppm)});
      g = it->second;
    }
    return affine_exp(M(bm_.generator(b1_ut, 0.0, offset_ppm, g)), duration_s);
  }

  // e^{Â t} for Â = [[A, C], [0, 0]] as [[E, (I − E) M∞], [0, 1]] with E = e^{At} and M∞ = −A⁻¹C: one state
  // fewer in the exponential (~20 % of the work) wherever A is invertible (every pool relaxes); the full
  // augmented exponential otherwise.
  static M affine_exp(const M& a_hat, double t) {
    constexpr int kN = M::RowsAtCompileTime, kS = kN == Eigen::Dynamic ? Eigen::Dynamic : kN - 1;
    using S = Eigen::Matrix<double, kS, kS>;
    using V = Eigen::Matrix<double, kS, 1>;
    const Eigen::Index n = a_hat.rows() - 1;
    const S a = a_hat.topLeftCorner(n, n);
    V steady;
    if constexpr (kS == Eigen::Dynamic) {
      steady = a.partialPivLu().solve(-a_hat.topRightCorner(n, 1));
    } else {
      detail::Padded<kS> pa = detail::Padded<kS>::Zero();
      detail::Padded<kS, 1> pc = detail::Padded<kS, 1>::Zero();
      pa.template topRows<kS>() = a;
      pc.template topRows<kS>() = -a_hat.topRightCorner(n, 1);
      steady = detail::solve<kS, 1>(pa, pc).template topRows<kS>();
    }
    if (!steady.allFinite()) return detail::expm<M>(a_hat * t);
    const S e = detail::expm<S>(a * t);
    M out = M::Zero(n + 1, n + 1);
    out.topLeftCorner(n, n) = e;
    out.topRightCorner(n, 1) = (S::Identity(n, n) - e) * steady;
    out(n, n) = 1.0;
    return out;
  }

  M train(const ScheduleImage& im) {
    if (schedule_.saturation == Saturation::kContinuousWave || im.tsat_s == 0.0)
      return propagator(im.b1_ut, im.offset_ppm, im.tsat_s);
    const Pulse& p = schedule_.pulse;
    const std::vector<double> shape = pulse_segments(p);
    const double dt = p.duration_s / static_cast<double>(shape.size());
    M pulse = M::Identity(bm_.size(), bm_.size());
    for (double a : shape) pulse = (propagator(im.b1_ut * a, im.offset_ppm, dt) * pulse).eval();
    const unsigned n = pulse_count(p, im.tsat_s);
    return pulse * power<M>(propagator(0.0, 0.0, p.interpulse_delay_s) * pulse, n - 1);
  }

  const BlochMcConnell& bm_;
  const Schedule& schedule_;
  std::vector<Entry, Eigen::aligned_allocator<Entry>> saturation_, recovery_;
  std::vector<std::pair<double, double>> lineshapes_;  // (offset_ppm, MT lineshape in s)
};

template <class M>
std::vector<double> simulate(const BlochMcConnell& bm, const Schedule& schedule) {
  using V = Eigen::Matrix<double, M::RowsAtCompileTime, 1>;
  Propagators<M> props(bm, schedule);
  const V relaxed = bm.equilibrium();
  V m = relaxed;
  std::vector<double> signal;
  signal.reserve(schedule.images.size());
  for (const ScheduleImage& im : schedule.images) {
    if (!schedule.carry_over) m = relaxed;
    m = (props.saturation(im) * m).eval();
    signal.push_back(m[2] * std::sin(im.readout_flip_deg * kPi / 180.0));
    m = (props.recovery(im.tr_s - im.tsat_s, im.readout_flip_deg) * m).eval();
  }
  return signal;
}

template <int N>
using Fixed = Eigen::Matrix<double, N, N>;

}  // namespace

Scanner scanner_for(const Schedule& schedule, double b0_shift_ppm, double b1_scale) {
  Scanner s;
  s.b0_tesla = schedule.b0_tesla;
  s.gamma_hz_per_ut = schedule.gamma_hz_per_ut;
  s.b0_shift_ppm = b0_shift_ppm;
  s.b1_scale = b1_scale;
  return s;
}

std::vector<double> simulate_signal(const Tissue& tissue, const Scanner& scanner, const Schedule& schedule) {
  const BlochMcConnell bm(tissue, scanner);
  // Water (+ up to 3 CEST pools) (+ MT) + the homogeneous coordinate; water alone (4) stays dynamic (GCC 12
  // warns falsely about vectorised 3-vectors).
  switch (bm.size()) {
    case 5:
      return simulate<Fixed<5>>(bm, schedule);
    case 7:
      return simulate<Fixed<7>>(bm, schedule);
    case 8:
      return simulate<Fixed<8>>(bm, schedule);
    case 10:
      return simulate<Fixed<10>>(bm, schedule);
    case 11:
      return simulate<Fixed<11>>(bm, schedule);
    case 13:
      return simulate<Fixed<13>>(bm, schedule);
    case 14:
      return simulate<Fixed<14>>(bm, schedule);
    default:
      return simulate<Eigen::MatrixXd>(bm, schedule);
  }
}

}  // namespace oncotrack::cest
