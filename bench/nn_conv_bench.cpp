// Convolution benchmark: oncotrack's Conv3d / ConvTranspose3d on the layers of the two networks, side by side
// with PyTorch (bench/nn_conv_torch.py, run by bench/run_nn_bench.sh on the same layer list and thread
// count). Not a test: prints a table, asserts nothing (bench/README.md).
//
//   nn_conv_bench --list             the layer list as TSV (what nn_conv_torch.py reads)
//   nn_conv_bench --torch FILE       time every layer and print it next to PyTorch's times from FILE
//
// Per layer: the median wall time of the forward pass over several runs after warm-up (outputs from a warmed
// arena), GFLOP/s (2 × multiply-adds, padding taps included, as PyTorch counts) and the share of the peak
// FP32 rate measured on this machine by an FMA probe (independent FMA chains in registers, per ISA and thread
// count). Convolutions run with bias and no activation, symmetric padding (the FLOPs of tf_same are the
// same). --algorithm forces direct or Winograd for the stride-1 3x3x3 convs; --compare times the two
// interleaved on those layers.
#include <immintrin.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "conv_kernel.h"
#include "conv_winograd.h"
#include "oncotrack/nn/conv3d.h"
#include "oncotrack/nn/conv_transpose3d.h"

namespace {

using namespace oncotrack::nn;
using Clock = std::chrono::steady_clock;

struct Layer {
  std::string net;
  int cin, cout, k, stride;  // k = 2: transposed convolution, kernel 2, stride 2
  Shape input;               // [N,C,D,H,W]
  int count;                 // how often the network runs this shape (for the totals)
  std::string key() const {
    return net + " " + std::to_string(cin) + "->" + std::to_string(cout) +
           (k == 2 ? " T2" : " k" + std::to_string(k)) + " s" + std::to_string(stride) + " " +
           to_string(input);
  }
};

// The segmentation-tile U-Net (16-32-64-128 filters, input [1,1,48,96,96]) and the multitask network of Jin
// et al. (16..256 filters, input [1,1,16,64,64]); decoder convs after nearest upsampling; deep-supervision
// heads k1.
std::vector<Layer> layers() {
  std::vector<Layer> out;
  const auto add_net = [&](const std::string& net, Shape size, const std::vector<int>& filters) {
    std::vector<Shape> level;
    for (std::size_t i = 0; i < filters.size(); ++i) {
      level.push_back(size);
      if (i + 1 < filters.size())
        for (int a = 2; a < 5; ++a) size[a] = std::max<std::int64_t>(size[a] / 2, 1);
    }
    const auto at = [&](std::size_t i, int c) {
      Shape s = level[i];
      s[1] = c;
      return s;
    };
    for (std::size_t i = 0; i < filters.size(); ++i) {
      const int f = filters[i];
      if (i == 0) {
        out.push_back({net, 1, f, 3, 1, at(0, 1), 1});
      } else {
        out.push_back({net, filters[i - 1], f, 3, 2, at(i - 1, filters[i - 1]), 1});
      }
      out.push_back({net, f, f, 3, 1, at(i, f), 2});
    }
    for (std::size_t j = filters.size() - 1; j-- > 0;) {
      const int f = filters[j];
      out.push_back({net, 2 * f, f, 3, 1, at(j, 2 * f), 2});     // up (after ×2 upsampling) and local.0
      out.push_back({net, f, f, 1, 1, at(j, f), 1});             // local.1
      if (j < 3) out.push_back({net, f, 1, 1, 1, at(j, f), 1});  // segmentation head
    }
    out.push_back(
        {net, filters[1], filters[0], 2, 2, at(1, filters[1]), 0});  // learned upsampling (not in net)
  };
  add_net("seg", {1, 1, 48, 96, 96}, {16, 32, 64, 128});
  add_net("mt", {1, 1, 16, 64, 64}, {16, 32, 64, 128, 256});
  return out;
}

Tensor random_tensor(const Shape& shape, unsigned seed) {
  Tensor t(shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (float& v : t) v = uniform(rng);
  return t;
}

double flops(const Layer& l) {
  if (l.k == 2) return 2.0 * static_cast<double>(element_count(l.input)) * 8 * l.cout;
  return Conv3d(Tensor({l.cout, l.cin, l.k, l.k, l.k}), {}, l.stride, Padding::kSymmetric).flops(l.input);
}

// Median seconds of fn over at least min_runs runs and about budget_s seconds, after one warm-up run.
template <class F>
double median_seconds(F&& fn, int min_runs, double budget_s) {
  fn();
  std::vector<double> t;
  const auto start = Clock::now();
  while (static_cast<int>(t.size()) < min_runs ||
         (std::chrono::duration<double>(Clock::now() - start).count() < budget_s && t.size() < 50)) {
    const auto t0 = Clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// ---------------------------------------------------------------------------------------------------------
// FMA probe: 12 (AVX2) or 24 (AVX-512) independent accumulator chains, enough to cover the FMA latency times
// the number of FMA pipes on current x86 cores.

constexpr long kProbeIterations = 100'000'000;

__attribute__((target("avx2,fma"))) float probe_avx2(long iterations) {
  __m256 acc[12];
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm256_add_ps(sum, acc[i]);
  return _mm256_cvtss_f32(sum);
}

__attribute__((target("avx512f"))) float probe_avx512(long iterations) {
  __m512 acc[24];
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < 24; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  return lanes[0];
}

volatile float probe_sink;  // keeps the probe's result alive

// GFLOP/s of `threads` threads each running the probe.
double probe_gflops(bool avx512, int threads) {
  const long iterations = avx512 ? kProbeIterations / 2 : kProbeIterations;
  const double flops_per_thread = static_cast<double>(iterations) * (avx512 ? 24 * 32 : 12 * 16);
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&] { probe_sink = avx512 ? probe_avx512(iterations) : probe_avx2(iterations); });
  for (auto& t : pool) t.join();
  return threads * flops_per_thread / std::chrono::duration<double>(Clock::now() - t0).count() / 1e9;
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "?";
}

std::map<std::string, double> read_torch(const std::string& path) {
  std::map<std::string, double> ms;
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read " + path);
  for (std::string line; std::getline(f, line);) {
    const auto tab = line.rfind('\t');
    if (tab != std::string::npos && line[0] != '#') ms[line.substr(0, tab)] = std::stod(line.substr(tab + 1));
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Conv3d / ConvTranspose3d benchmark against PyTorch (see bench/README.md)"};
  int threads = 2;
  bool list = false;
  std::string torch_file, isa_name, filter;
  double budget_s = 1.0;
  app.add_option("--threads", threads, "worker threads (PyTorch must use the same)")->capture_default_str();
  app.add_flag("--list", list, "print the layer list as TSV and exit");
  app.add_option("--torch", torch_file, "PyTorch times (TSV key<TAB>ms, from nn_conv_torch.py)");
  app.add_option("--isa", isa_name, "kernels (default: the best this CPU supports)")
      ->check(CLI::IsMember({"portable", "avx2", "avx512"}));
  std::string algorithm_name = "auto";
  app.add_option("--algorithm", algorithm_name,
                 "stride-1 3x3x3 convs: auto (Winograd where it pays), direct or winograd")
      ->check(CLI::IsMember({"auto", "direct", "winograd"}))
      ->capture_default_str();
  bool compare = false;
  app.add_flag("--compare", compare,
               "stride-1 3x3x3 layers only: direct vs Winograd, one run of each in turn, side by side");
  app.add_option("--filter", filter, "only layers whose key contains this text");
  app.add_option("--budget", budget_s, "seconds of timed runs per layer (at least 5 runs)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (list) {
    std::printf("# key\tcin\tcout\tk\tstride\tN\tC\tD\tH\tW\n");
    for (const Layer& l : layers())
      std::printf("%s\t%d\t%d\t%d\t%d\t%ld\t%ld\t%ld\t%ld\t%ld\n", l.key().c_str(), l.cin, l.cout, l.k,
                  l.stride, l.input[0], l.input[1], l.input[2], l.input[3], l.input[4]);
    return 0;
  }
  using detail::ConvIsa;
  for (ConvIsa isa : {ConvIsa::kPortable, ConvIsa::kAvx2, ConvIsa::kAvx512}) {
    if (isa_name != detail::conv_isa_name(isa)) continue;
    if (!detail::conv_isa_supported(isa)) {
      std::fprintf(stderr, "this CPU cannot run the %s kernels\n", isa_name.c_str());
      return 1;
    }
    detail::set_conv_isa(isa);
  }
  using detail::ConvAlgorithm;
  for (ConvAlgorithm a : {ConvAlgorithm::kAuto, ConvAlgorithm::kDirect, ConvAlgorithm::kWinograd})
    if (algorithm_name == detail::conv_algorithm_name(a)) detail::set_conv_algorithm(a);
  const bool avx512 = detail::conv_isa() == ConvIsa::kAvx512;
  const std::map<std::string, double> torch =
      torch_file.empty() ? std::map<std::string, double>{} : read_torch(torch_file);

  std::printf("CPU: %s, %u logical CPUs; load average before: %s\n", cpu_model().c_str(),
              std::thread::hardware_concurrency(), load_average().c_str());
  std::printf("FMA probe (GFLOP/s):");
  double peak = 0;
  for (bool wide : {false, true}) {
    if (wide && !detail::conv_isa_supported(ConvIsa::kAvx512)) {
      std::printf("  avx512: not supported by this CPU");
      continue;
    }
    for (int t : {1, threads}) {
      const double g = probe_gflops(wide, t);
      std::printf("  %s %d thr %.1f", wide ? "avx512" : "avx2", t, g);
      if (wide == avx512 && t == threads) peak = g;
    }
  }
  std::printf("\nkernels: %s, %d threads, stride-1 3x3x3 convs: %s; %% peak against the %s probe at %d threads "
              "(%.1f GFLOP/s)\n\n",
              detail::conv_isa_name(detail::conv_isa()), threads, algorithm_name.c_str(),
              avx512 ? "avx512" : "avx2", threads, peak);

  ThreadPool pool(threads);
  Arena arena;
  Exec exec{pool, arena};
  if (compare) {
    // Direct against Winograd on every stride-1 3x3x3 layer, one run of each in turn (shared machines drift).
    std::printf("%-44s %10s %10s %8s %6s %10s %10s %8s\n", "layer", "direct_ms", "wino_ms", "speedup", "auto",
                "direct_cpu", "wino_cpu", "cpu_gain");
    unsigned cseed = 1;
    for (const Layer& l : layers()) {
      if (l.k != 3 || l.stride != 1 || (!filter.empty() && l.key().find(filter) == std::string::npos)) continue;
      const Tensor x = random_tensor(l.input, cseed), bias = random_tensor({l.cout}, cseed + 1);
      const Conv3d conv(random_tensor({l.cout, l.cin, 3, 3, 3}, cseed + 2), bias, 1, Padding::kSymmetric);
      cseed += 3;
      std::vector<double> t[2], cpu[2];
      const auto once = [&](int a) {
        detail::set_conv_algorithm(a == 0 ? ConvAlgorithm::kDirect : ConvAlgorithm::kWinograd);
        arena.reset();
        const double c0 = process_cpu_seconds();
        const auto t0 = Clock::now();
        conv.forward(x, exec);
        t[a].push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        cpu[a].push_back(process_cpu_seconds() - c0);
      };
      once(0), once(1);  // warm-up
      t[0].clear(), t[1].clear(), cpu[0].clear(), cpu[1].clear();
      const auto start = Clock::now();
      while (t[0].size() < 5 ||
             (std::chrono::duration<double>(Clock::now() - start).count() < 2 * budget_s && t[0].size() < 50))
        for (int a = 0; a < 2; ++a) once(a);
      const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
      };
      const double direct = median(t[0]), wino = median(t[1]);
      std::printf("%-44s %10.3f %10.3f %8.2f %6s %10.3f %10.3f %8.2f\n", l.key().c_str(), direct * 1e3,
                  wino * 1e3, direct / wino,
                  detail::winograd_pays(l.cin, l.cout, l.input[2], l.input[3], l.input[4]) ? "wino" : "direct",
                  median(cpu[0]) * 1e3, median(cpu[1]) * 1e3, median(cpu[0]) / median(cpu[1]));
      std::fflush(stdout);
    }
    std::printf("\nmedians of interleaved runs: wall ms, and process CPU ms (all threads; less sensitive to other\n"
                "processes on a shared machine). speedup, cpu_gain = direct / Winograd. Load average after: %s\n",
                load_average().c_str());
    return 0;
  }
  std::printf("%-44s %9s %8s %6s %9s %8s %7s\n", "layer", "ms", "GFLOP/s", "%peak", "torch_ms", "GFLOP/s",
              "ratio");
  std::map<std::string, double> total_ms, total_torch, total_flops;
  unsigned seed = 1;
  for (const Layer& l : layers()) {
    if (!filter.empty() && l.key().find(filter) == std::string::npos) continue;
    const Tensor x = random_tensor(l.input, seed), bias = random_tensor({l.cout}, seed + 1);
    seed += 3;
    double s = 0;
    if (l.k == 2) {
      const ConvTranspose3d conv(random_tensor({l.cin, l.cout, 2, 2, 2}, seed + 2), bias);
      s = median_seconds([&] { arena.reset(), conv.forward(x, exec); }, 5, budget_s);
    } else {
      const Conv3d conv(random_tensor({l.cout, l.cin, l.k, l.k, l.k}, seed + 2), bias, l.stride,
                        Padding::kSymmetric);
      s = median_seconds([&] { arena.reset(), conv.forward(x, exec); }, 5, budget_s);
    }
    const double gf = flops(l) / s / 1e9;
    std::printf("%-44s %9.3f %8.1f %5.0f%%", l.key().c_str(), s * 1e3, gf, 100 * gf / peak);
    const auto t = torch.find(l.key());
    if (t != torch.end()) {
      std::printf(" %9.3f %8.1f %7.2f", t->second, flops(l) / t->second / 1e6, s * 1e3 / t->second);
      total_torch[l.net] += l.count * t->second;
    }
    std::printf("\n");
    std::fflush(stdout);
    total_ms[l.net] += l.count * s * 1e3;
    total_flops[l.net] += l.count * flops(l);
  }
  std::printf("\n");
  for (const auto& [net, ms] : total_ms) {
    const double gf = total_flops[net] / ms / 1e6;
    std::printf("%-44s %9.3f %8.1f %5.0f%%", ("total " + net + " (convs of one forward pass)").c_str(), ms,
                gf, 100 * gf / peak);
    if (total_torch.count(net))
      std::printf(" %9.3f %8.1f %7.2f", total_torch[net], total_flops[net] / total_torch[net] / 1e6,
                  ms / total_torch[net]);
    std::printf("\n");
  }
  std::printf("\nratio = oncotrack time / PyTorch time (below 1: oncotrack faster). Load average after: %s\n",
              load_average().c_str());
  return 0;
}
