#include "conv_kernel.h"

#include <atomic>
#include <cmath>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn::detail {
namespace {

// Plain C++ with the AVX-512 tile shape: the fallback for CPUs without AVX2, and a check of that shape's
// indexing on machines that cannot run AVX-512. std::fma keeps it bitwise equal to the vector kernels.
struct V {
  struct Reg {
    float v[16];
  };
  static constexpr int kWidth = 16;
  static constexpr int kVecs = 1;
  static constexpr int kNr = 16;
  static Reg load(const float* p) {
    Reg r;
    for (int i = 0; i < kWidth; ++i) r.v[i] = p[i];
    return r;
  }
  static Reg broadcast(const float* p) {
    Reg r;
    for (float& e : r.v) e = *p;
    return r;
  }
  static Reg fma(const Reg& a, const Reg& b, const Reg& c) {
    Reg r;
    for (int i = 0; i < kWidth; ++i) r.v[i] = std::fma(a.v[i], b.v[i], c.v[i]);
    return r;
  }
  static void store(float* p, const Reg& r) {
    for (int i = 0; i < kWidth; ++i) p[i] = r.v[i];
  }
};

#include "conv_kernel_body.h"

ConvIsa best_isa() {
  if (conv_isa_supported(ConvIsa::kAvx512)) return ConvIsa::kAvx512;
  if (conv_isa_supported(ConvIsa::kAvx2)) return ConvIsa::kAvx2;
  return ConvIsa::kPortable;
}

std::atomic<ConvIsa>& current_isa() {
  static std::atomic<ConvIsa> isa{best_isa()};
  return isa;
}

}  // namespace

const RowFn* conv_rows_portable() {
  return kRows;
}

bool conv_isa_supported(ConvIsa isa) {
  switch (isa) {
    case ConvIsa::kPortable:
      return true;
    case ConvIsa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case ConvIsa::kAvx512:
      return __builtin_cpu_supports("avx512f");
  }
  return false;
}

ConvIsa conv_isa() {
  return current_isa().load(std::memory_order_relaxed);
}

void set_conv_isa(ConvIsa isa) {
  if (!conv_isa_supported(isa))
    throw NnError("this CPU cannot run the requested convolution kernels", {}, "a supported ISA",
                  conv_isa_name(isa));
  current_isa().store(isa, std::memory_order_relaxed);
}

const char* conv_isa_name(ConvIsa isa) {
  switch (isa) {
    case ConvIsa::kPortable:
      return "portable";
    case ConvIsa::kAvx2:
      return "avx2";
    case ConvIsa::kAvx512:
      return "avx512";
  }
  return "?";
}

RowFn conv_row_fn(RowKind kind) {
  const auto i = static_cast<int>(kind);
  switch (conv_isa()) {
    case ConvIsa::kAvx512:
      return conv_rows_avx512()[i];
    case ConvIsa::kAvx2:
      return conv_rows_avx2()[i];
    case ConvIsa::kPortable:
      break;
  }
  return conv_rows_portable()[i];
}

}  // namespace oncotrack::nn::detail
