// Whole-network benchmark, oncotrack side (bench/run_nn_bench.sh runs it next to bench/nn_network_torch.py on
// the same weights and inputs). Loads CASE.safetensors, runs the full multitask pair forward ("pair") or one
// segmentation branch ("tile") `repeat` times after one warm-up, checks the outputs against PyTorch's, and
// prints "case<TAB>ms_median<TAB>peak_rss_mib<TAB>rss_before_mib<TAB>max_abs_error". --algorithm forces the
// direct or the Winograd convolution for every stride-1 3x3x3 conv (default: Winograd where it pays).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "conv_winograd.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/nn/multitask_unet3d.h"

namespace {

using namespace oncotrack::nn;

double rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  return NAN;
}

double max_error(const Tensor& got, const Tensor& expected) {
  double e = 0;
  for (std::int64_t i = 0; i < got.size(); ++i)
    e = std::max(e, std::abs(double(got.data()[i]) - double(expected.data()[i])));
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"oncotrack network benchmark (one case per process)"};
  std::string dir, name;
  int threads = 2, repeat = 5;
  app.add_option("dir", dir, "Folder with CASE.safetensors and CASE.io.safetensors")->required();
  app.add_option("--case", name, "pair or tile")->required()->check(CLI::IsMember({"pair", "tile"}));
  app.add_option("--threads", threads);
  app.add_option("--repeat", repeat);
  std::string algorithm = "auto";
  app.add_option("--algorithm", algorithm, "stride-1 3x3x3 convs: auto, direct or winograd")
      ->check(CLI::IsMember({"auto", "direct", "winograd"}));
  CLI11_PARSE(app, argc, argv);
  for (auto a : {detail::ConvAlgorithm::kAuto, detail::ConvAlgorithm::kDirect, detail::ConvAlgorithm::kWinograd})
    if (algorithm == detail::conv_algorithm_name(a)) detail::set_conv_algorithm(a);

  const double rss_before = rss_mib();
  const ModelFile model = read_model(dir + "/" + name + ".safetensors");
  const MultitaskUnet3d net(UnetHparams::from_json(model.hparams), model.container);
  const SafetensorsFile io = SafetensorsFile::read(dir + "/" + name + ".io.safetensors");
  const Tensor x0 = io.tensor("input0"), x1 = io.tensor("input1");
  ThreadPool pool(threads);
  Arena arena;
  Exec exec{pool, arena};
  double error = 0;
  std::vector<double> ms;
  for (int r = 0; r <= repeat; ++r) {
    arena.reset();
    const auto t0 = std::chrono::steady_clock::now();
    if (name == "pair") {
      const auto out = net.forward_pair(x0, x1, exec);
      if (r == 0)
        error = std::max({max_error(out.segmentation0, io.tensor("seg0")),
                          max_error(out.segmentation1, io.tensor("seg1")),
                          max_error(out.probability, io.tensor("prob"))});
    } else {
      const Tensor seg = net.segment(x0, 0, exec);
      if (r == 0) error = max_error(seg, io.tensor("seg0"));
    }
    const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (r > 0) ms.push_back(t);  // run 0 is the warm-up (first touch of the arena)
  }
  std::sort(ms.begin(), ms.end());
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("%s\t%.2f\t%.1f\t%.1f\t%.3g\n", name.c_str(), ms[ms.size() / 2], double(usage.ru_maxrss) / 1024,
              rss_before, error);
  return 0;
}
