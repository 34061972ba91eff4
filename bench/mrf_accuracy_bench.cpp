// CEST-MRF reconstruction accuracy (issue 6): the network trained in C++ against dot-product matching on
// held-out simulated fingerprints with noise. The training dictionary is simulated on a grid; held-out
// tissues are drawn uniformly inside the grid's ranges (mostly between its points) and simulated one by one;
// Gaussian noise of a given SD is added to their L2-normalised signals (the same noise model as training).
// Prints the training time and best validation loss, then per noise level and parameter the NRMSE (RMSE / the
// parameter's range) of both methods, and the time each takes. Not a test: figures for the closing note.
//   mrf_accuracy_bench --schedule S.json --grid G.json [--samples 2000 --epochs 30 --threads 2 --noise ...]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "oncotrack/cest/dictionary.h"
#include "oncotrack/cest/matching.h"
#include "oncotrack/cest/mrf_network.h"
#include "oncotrack/cest/simulate.h"

using namespace oncotrack;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("CEST-MRF network vs dot-product matching on noisy held-out fingerprints");
  std::string schedule_file, grid_file;
  int samples = 2000, threads = 2;
  cest::MrfTrainingOptions training;
  training.epochs = 30;
  std::vector<double> noise = {0.0, 0.002, 0.005, 0.01};
  app.add_option("--schedule", schedule_file)->required();
  app.add_option("--grid", grid_file)->required();
  app.add_option("--samples", samples);
  app.add_option("--epochs", training.epochs);
  app.add_option("--threads", threads);
  app.add_option("--noise", noise, "SDs of the noise on the L2-normalised held-out signals");
  CLI11_PARSE(app, argc, argv);

  const cest::Schedule schedule = cest::read_schedule(schedule_file);
  const cest::ParameterGrid grid = cest::ParameterGrid::read(grid_file);
  auto t0 = std::chrono::steady_clock::now();
  const cest::Dictionary dict = cest::simulate_dictionary(grid, schedule, threads);
  std::printf("dictionary: %lld entries x %lld images, simulated in %.1f s\n",
              static_cast<long long>(dict.entries()), static_cast<long long>(dict.images()),
              seconds_since(t0));
  t0 = std::chrono::steady_clock::now();
  const cest::MrfTrainingResult trained = cest::train_mrf_network(dict, training);
  const double train_s = seconds_since(t0);
  const std::string net_file = "/tmp/oncotrack_mrf_accuracy_net.safetensors";
  cest::write_mrf_network(net_file, trained, dict, training);
  const cest::MrfNetwork net = cest::MrfNetwork::read(net_file);
  std::printf("network: hidden %s, %d epochs (best %d, validation MSE of scaled outputs %.3e) in %.1f s\n",
              nlohmann::json(training.hidden).dump().c_str(), training.epochs, trained.best_epoch,
              trained.validation_loss[static_cast<std::size_t>(trained.best_epoch - 1)], train_s);

  // Held-out tissues: every axis uniform in [min, max] of the grid.
  std::mt19937_64 rng(20261124);
  const auto& axes = grid.axes();
  const std::int64_t t = dict.images();
  std::vector<std::vector<double>> truth;
  nn::Tensor clean({samples, t});
  for (int s = 0; s < samples; ++s) {
    std::vector<double> v;
    for (const auto& a : axes) {
      const auto [lo, hi] = std::minmax_element(a.values.begin(), a.values.end());
      v.push_back(std::uniform_real_distribution<double>(*lo, *hi)(rng));
    }
    const std::vector<double> sig = cest::simulate_signal(
        grid.tissue(v), cest::scanner_for(schedule, grid.b0_shift_ppm(v), grid.b1_scale(v)), schedule);
    for (std::int64_t i = 0; i < t; ++i)
      clean.data()[s * t + i] = static_cast<float>(sig[static_cast<std::size_t>(i)]);
    truth.push_back(std::move(v));
  }
  const nn::Tensor normalised = cest::l2_normalised(clean);
  const auto p = static_cast<std::size_t>(dict.parameters.dim(1));
  std::printf("\nnoise_sd\tparameter\trange\tnrmse_matching\tnrmse_network\n");
  for (double sd : noise) {
    nn::Tensor noisy = normalised;
    std::normal_distribution<float> n(0.0f, static_cast<float>(sd));
    for (std::int64_t i = 0; i < noisy.size(); ++i) noisy.data()[i] += sd > 0 ? n(rng) : 0.0f;
    t0 = std::chrono::steady_clock::now();
    const std::vector<cest::Match> matches = cest::match_dictionary(dict, noisy, threads);
    const double match_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const nn::Tensor predicted = net.predict(noisy, {}, threads);
    const double net_s = seconds_since(t0);
    for (std::size_t o = 0; o < net.outputs().size(); ++o) {
      const cest::MrfOutput& out = net.outputs()[o];
      const std::size_t col = dict.parameter_index(out.name);
      double se_match = 0, se_net = 0;
      for (int s = 0; s < samples; ++s) {
        const double want = truth[static_cast<std::size_t>(s)][col];
        const double m =
            dict.parameters
                .data()[static_cast<std::size_t>(matches[static_cast<std::size_t>(s)].entry) * p + col];
        const double q = predicted.data()[static_cast<std::size_t>(s) * net.outputs().size() + o];
        se_match += (m - want) * (m - want);
        se_net += (q - want) * (q - want);
      }
      const double range = out.max - out.min;
      std::printf("%.3f\t%s\t%g\t%.4f\t%.4f\n", sd, out.name.c_str(), range,
                  std::sqrt(se_match / samples) / range, std::sqrt(se_net / samples) / range);
    }
    std::printf("%.3f\ttime for %d fingerprints: matching %.3f s, network %.3f s\n", sd, samples, match_s,
                net_s);
  }
  std::remove(net_file.c_str());
  return 0;
}
