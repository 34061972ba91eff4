#include "oncotrack/cest/simulate.h"

#include <array>
#include <cmath>

#include "oncotrack/cest/bloch_mcconnell.h"

namespace oncotrack::cest {

namespace {

Eigen::MatrixXd power(Eigen::MatrixXd m, unsigned n) {
  Eigen::MatrixXd r = Eigen::MatrixXd::Identity(m.rows(), m.cols());
  for (; n > 0; n >>= 1) {
    if (n & 1u) r = r * m;
    if (n > 1) m = m * m;
  }
  return r;
}

// Propagators of one simulation, each computed once per distinct (b1, offset, time).
class Propagators {
 public:
  Propagators(const BlochMcConnell& bm, const Schedule& schedule) : bm_(bm), schedule_(schedule) {}

  const Eigen::MatrixXd& saturation(const ScheduleImage& im) {
    const Key key{im.b1_ut, im.offset_ppm, im.tsat_s};
    for (const Entry& e : saturation_)
      if (e.key == key) return e.matrix;
    saturation_.push_back({key, bm_.spoiler() * train(im)});
    return saturation_.back().matrix;
  }

  const Eigen::MatrixXd& recovery(double time_s, double flip_deg) {
    const Key key{time_s, flip_deg, 0.0};
    for (const Entry& e : recovery_)
      if (e.key == key) return e.matrix;
    recovery_.push_back({key, bm_.relaxation(time_s) * bm_.spoiler() * bm_.excitation(flip_deg)});
    return recovery_.back().matrix;
  }

 private:
  using Key = std::array<double, 3>;
  struct Entry {
    Key key;
    Eigen::MatrixXd matrix;
  };

  Eigen::MatrixXd train(const ScheduleImage& im) const {
    if (schedule_.saturation == Saturation::kContinuousWave || im.tsat_s == 0.0)
      return bm_.propagator(im.b1_ut, 0.0, im.offset_ppm, im.tsat_s);
    const Pulse& p = schedule_.pulse;
    const std::vector<double> shape = pulse_segments(p);
    const double dt = p.duration_s / static_cast<double>(shape.size());
    Eigen::MatrixXd pulse = Eigen::MatrixXd::Identity(bm_.size(), bm_.size());
    for (double a : shape) pulse = bm_.propagator(im.b1_ut * a, 0.0, im.offset_ppm, dt) * pulse;
    const unsigned n = pulse_count(p, im.tsat_s);
    return pulse * power(bm_.relaxation(p.interpulse_delay_s) * pulse, n - 1);
  }

  const BlochMcConnell& bm_;
  const Schedule& schedule_;
  std::vector<Entry> saturation_, recovery_;
};

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
  Propagators props(bm, schedule);
  const Eigen::VectorXd relaxed = bm.equilibrium();
  Eigen::VectorXd m = relaxed;
  std::vector<double> signal;
  signal.reserve(schedule.images.size());
  for (const ScheduleImage& im : schedule.images) {
    if (!schedule.carry_over) m = relaxed;
    m = props.saturation(im) * m;
    signal.push_back(BlochMcConnell::water_mz(m) * std::sin(im.readout_flip_deg * kPi / 180.0));
    m = props.recovery(im.tr_s - im.tsat_s, im.readout_flip_deg) * m;
  }
  return signal;
}

}  // namespace oncotrack::cest
