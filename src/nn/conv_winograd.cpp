#include "conv_winograd.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "conv_kernel.h"

namespace oncotrack::nn::detail {
namespace {

constexpr int kXi = 64;  // transformed positions ξ = (i·4 + j)·4 + l (i along D, j along H, l along W)
// Tiles per task: as many as let its transformed inputs V [64][cin][tiles] and one output block's products
// M [64][tiles][16] fit in 1.5 MiB, but at least kTasksPerThread tasks per thread when the volume allows
// (task sizes do not change any result). 1.5 MiB is more than the 512 KiB L2, yet measured faster
// (nn_conv_bench --compare, one thread) than 384 KiB or 768 KiB on the layers of the two networks: a task
// reads all the transformed weights (64·cin·cout floats), and more tiles spread that over more work; V
// streams from L3 once per block of 16 output channels, the GEMM of one ξ reusing its cin × tiles slice.
constexpr std::int64_t kScratchBudgetFloats = 384 * 1024;
constexpr std::int64_t kMinTiles = 8, kMaxTiles = 512;
constexpr int kTasksPerThread = 4;
constexpr int kLanes = 8;  // tiles per step of the input transform

// Generic vectors (GCC/Clang extension): 8 tiles of the input transform, the 16 output channels of a block in
// the output transform. Only additions and subtractions, so no contraction into FMAs can change the results
// between builds.
using F8 = float __attribute__((vector_size(kLanes * sizeof(float))));
using F16 = float __attribute__((vector_size(kConvBlock * sizeof(float))));

// Unaligned loads and stores (by reference: a 64-byte vector passed by value would change the ABI between
// targets with and without AVX-512).
template <class F>
void load(F& v, const float* p) {
  std::memcpy(&v, p, sizeof v);
}

template <class F>
void store(float* p, const F& v) {
  std::memcpy(p, &v, sizeof v);
}

F8 load8(const float* p) {
  F8 v;
  load(v, p);
  return v;
}

// The 8×8 transpose of r[0..7]: r[i][j] ← r[j][i] (unpack, shuffle, 128-bit lane permute on AVX).
void transpose8(F8 r[8]) {
  F8 t[8], u[8];
  for (int k = 0; k < 4; ++k) {
    t[2 * k] = __builtin_shufflevector(r[2 * k], r[2 * k + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[2 * k + 1] = __builtin_shufflevector(r[2 * k], r[2 * k + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int k = 0; k < 8; k += 4) {
    u[k] = __builtin_shufflevector(t[k], t[k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[k + 1] = __builtin_shufflevector(t[k], t[k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[k + 2] = __builtin_shufflevector(t[k + 1], t[k + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[k + 3] = __builtin_shufflevector(t[k + 1], t[k + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int k = 0; k < 4; ++k) {
    r[k] = __builtin_shufflevector(u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    r[k + 4] = __builtin_shufflevector(u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

std::atomic<ConvAlgorithm>& current_algorithm() {
  static std::atomic<ConvAlgorithm> algorithm{ConvAlgorithm::kAuto};
  return algorithm;
}

std::int64_t round16(std::int64_t n) {
  return (n + 15) / 16 * 16;
}

// Bᵀd of one 4×4×4 input patch for kLanes consecutive tiles: e[k], e[k] + half hold the even and odd input
// columns of patch row k = (z·4 + y) from the tiles' first column on (tile t reads columns 2t .. 2t+3 = e[t],
// o[t], e[t+1], o[t+1]). v[ξ·xi_stride + t] = the transform, along W, then D, then H.
template <int L>
void input_patches_l(const float* const* e, std::int64_t half, float* v, std::int64_t xi_stride) {
  F8 w[16];
#pragma GCC unroll 16
  for (int k = 0; k < 16; ++k) {
    const float* ek = e[k];
    const float* ok = ek + half;
    if constexpr (L == 0) w[k] = load8(ek) - load8(ek + 1);
    if constexpr (L == 1) w[k] = load8(ok) + load8(ek + 1);
    if constexpr (L == 2) w[k] = load8(ek + 1) - load8(ok);
    if constexpr (L == 3) w[k] = load8(ok) - load8(ok + 1);
  }
#pragma GCC unroll 4
  for (int y = 0; y < 4; ++y) {  // along D: rows z·4 + y
    const F8 d0 = w[y], d1 = w[4 + y], d2 = w[8 + y], d3 = w[12 + y];
    w[y] = d0 - d2;
    w[4 + y] = d1 + d2;
    w[8 + y] = d2 - d1;
    w[12 + y] = d1 - d3;
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {  // along H
    const F8 d0 = w[i * 4], d1 = w[i * 4 + 1], d2 = w[i * 4 + 2], d3 = w[i * 4 + 3];
    float* vi = v + (i * 16 + L) * xi_stride;
    store(vi, d0 - d2);
    store(vi + 4 * xi_stride, d1 + d2);
    store(vi + 8 * xi_stride, d2 - d1);
    store(vi + 12 * xi_stride, d1 - d3);
  }
}

void input_patches(const float* const* e, std::int64_t half, float* v, std::int64_t xi_stride) {
  input_patches_l<0>(e, half, v, xi_stride);
  input_patches_l<1>(e, half, v, xi_stride);
  input_patches_l<2>(e, half, v, xi_stride);
  input_patches_l<3>(e, half, v, xi_stride);
}

// Aᵀ m A of one tile for the 16 channels of a block: m[ξ·xi_stride + co] → y[(a·2 + b)·2 + c] (a along D,
// b along H, c along W), along W, then H, then D.
void output_patch(const float* m, std::int64_t xi_stride, F16 y[8]) {
  F16 acc0[4], acc1[4];  // the D transform's two outputs, by (b, c)
  for (int i = 0; i < 4; ++i) {
    F16 s[4][2];
    for (int j = 0; j < 4; ++j) {
      const float* mj = m + (i * 4 + j) * 4 * xi_stride;
      F16 m0, m1, m2, m3;
      load(m0, mj);
      load(m1, mj + xi_stride);
      load(m2, mj + 2 * xi_stride);
      load(m3, mj + 3 * xi_stride);
      s[j][0] = m0 + m1 + m2;
      s[j][1] = m1 - m2 - m3;
    }
    for (int c = 0; c < 2; ++c) {
      const F16 h0 = s[0][c] + s[1][c] + s[2][c], h1 = s[1][c] - s[2][c] - s[3][c];
      if (i == 0) {
        acc0[c] = h0, acc0[2 + c] = h1;
      } else if (i == 1) {
        acc0[c] += h0, acc0[2 + c] += h1;
        acc1[c] = h0, acc1[2 + c] = h1;
      } else if (i == 2) {
        acc0[c] += h0, acc0[2 + c] += h1;
        acc1[c] -= h0, acc1[2 + c] -= h1;
      } else {
        acc1[c] -= h0, acc1[2 + c] -= h1;
      }
    }
  }
  for (int bc = 0; bc < 4; ++bc) y[bc] = acc0[bc], y[4 + bc] = acc1[bc];
}

// Input columns first, first + 1, ... of a row of length w split into even (e) and odd (o) positions, n of
// each, zero outside [0, w).
void deinterleave(const float* __restrict row, std::int64_t w, std::int64_t first, std::int64_t n,
                  float* __restrict e, float* __restrict o) {
  std::int64_t j = 0;
  for (; j < n && first + 2 * j < 0; ++j) {  // the left padding column (first = -1)
    e[j] = 0.0f;
    o[j] = first + 2 * j + 1 < w ? row[first + 2 * j + 1] : 0.0f;
  }
  const std::int64_t inner = std::clamp<std::int64_t>((w - first) / 2, j, n);  // both columns inside
  for (; j < inner; ++j) {
    e[j] = row[first + 2 * j];
    o[j] = row[first + 2 * j + 1];
  }
  for (; j < n; ++j) {
    e[j] = first + 2 * j < w ? row[first + 2 * j] : 0.0f;
    o[j] = 0.0f;
  }
}

}  // namespace

ConvAlgorithm conv_algorithm() {
  return current_algorithm().load(std::memory_order_relaxed);
}

void set_conv_algorithm(ConvAlgorithm algorithm) {
  current_algorithm().store(algorithm, std::memory_order_relaxed);
}

const char* conv_algorithm_name(ConvAlgorithm algorithm) {
  switch (algorithm) {
    case ConvAlgorithm::kAuto:
      return "auto";
    case ConvAlgorithm::kDirect:
      return "direct";
    case ConvAlgorithm::kWinograd:
      return "winograd";
  }
  return "?";
}

// Measured with nn_conv_bench --compare (AVX2; bench/README.md): Winograd is 1.4-2.4x faster on every layer
// of the two networks with cin >= 16 and at least 16 tiles, 0.5x with cin = 1 (the transforms cost more than
// the few multiplications they save) and 0.8x for 256 channels on a 1x4x4 input (4 tiles: the 64/27 times
// larger transformed weights are read for little work). Channel counts 2..15 are unmeasured and stay direct.
bool winograd_pays(int cin, int cout, std::int64_t d, std::int64_t h, std::int64_t w) {
  (void)cout;
  return cin >= 16 && ((d + 1) / 2) * ((h + 1) / 2) * ((w + 1) / 2) >= 16;
}

bool use_winograd(int cin, int cout, std::int64_t d, std::int64_t h, std::int64_t w) {
  switch (conv_algorithm()) {
    case ConvAlgorithm::kDirect:
      return false;
    case ConvAlgorithm::kWinograd:
      return true;
    case ConvAlgorithm::kAuto:
      break;
  }
  return winograd_pays(cin, cout, d, h, w);
}

AlignedFloats winograd_weights(const float* weight, int cout, int cin) {
  static constexpr double kG[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  const std::int64_t blocks = ceil_div(cout, kConvBlock);
  AlignedFloats u(static_cast<std::size_t>(kXi * blocks * cin * kConvBlock));
  for (int co = 0; co < cout; ++co)
    for (int ci = 0; ci < cin; ++ci) {
      const float* g = weight + (static_cast<std::int64_t>(co) * cin + ci) * 27;
      double gw[3][3][4] = {}, gh[3][4][4] = {}, gd[4][4][4] = {};
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          for (int l = 0; l < 4; ++l)
            for (int c = 0; c < 3; ++c) gw[a][b][l] += kG[l][c] * static_cast<double>(g[(a * 3 + b) * 3 + c]);
      for (int a = 0; a < 3; ++a)
        for (int j = 0; j < 4; ++j)
          for (int l = 0; l < 4; ++l)
            for (int b = 0; b < 3; ++b) gh[a][j][l] += kG[j][b] * gw[a][b][l];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
          for (int l = 0; l < 4; ++l)
            for (int a = 0; a < 3; ++a) gd[i][j][l] += kG[i][a] * gh[a][j][l];
      for (int xi = 0; xi < kXi; ++xi)
        u.data()[((xi * blocks + co / kConvBlock) * cin + ci) * kConvBlock + co % kConvBlock] =
            static_cast<float>(gd[xi / 16][xi / 4 % 4][xi % 4]);
    }
  return u;
}

// Tasks are (sample, tile plane, block of tile rows, block of tile columns), sized as kScratchBudgetFloats
// says; every output depends on its own tile only, so the split changes no result. A task transforms its
// input patches of every channel into V, then per block of 16 output channels runs the 64 GEMMs into M and
// the output transform into y.
void winograd_forward(const WinogradConv& conv, const Tensor& x, const Tensor* rest, Tensor& y, Exec& exec,
                      Activation act) {
  const int cin = conv.cin, cout = conv.cout;
  const std::int64_t n_samples = x.dim(0), depth = x.dim(2), height = x.dim(3), width = x.dim(4);
  const std::int64_t plane = depth * height * width, first_channels = x.dim(1);
  const auto channel = [&](std::int64_t n, std::int64_t ci) {
    if (ci < first_channels) return x.data() + (n * first_channels + ci) * plane;
    const std::int64_t rest_channels = cin - first_channels;
    return rest->data() + (n * rest_channels + ci - first_channels) * plane;
  };
  const std::int64_t tiles_d = (depth + 1) / 2, tiles_h = (height + 1) / 2, tiles_w = (width + 1) / 2;
  const std::int64_t all_tiles = n_samples * tiles_d * tiles_h * tiles_w;
  const std::int64_t max_tiles = std::clamp<std::int64_t>(
      std::min<std::int64_t>(kScratchBudgetFloats / (kXi * (cin + kConvBlock)),
                             ceil_div(all_tiles, kTasksPerThread * exec.pool.threads())),
      kMinTiles, kMaxTiles);
  const std::int64_t col_blocks = ceil_div(tiles_w, max_tiles);
  const std::int64_t max_cols = ceil_div(tiles_w, col_blocks);
  const std::int64_t row_blocks =
      col_blocks > 1 ? tiles_h : ceil_div(tiles_h, std::clamp<std::int64_t>(max_tiles / tiles_w, 1, tiles_h));
  const std::int64_t max_rows = ceil_div(tiles_h, row_blocks);
  const std::int64_t blocks = ceil_div(cout, kConvBlock);

  // Scratch: V [64 (stride xs)][cin][vs] (the input transform writes whole steps of kLanes tiles, up to
  // kLanes - 1 past the last tile), M [64][ms = tiles·16], and the input rows of one channel split into even
  // and odd columns
  // ([4 planes][rows][even, odd][half], zero past the task's columns up to a whole step).
  const std::int64_t vs = odd_lines(max_cols * max_rows + kLanes);
  const std::int64_t ms = odd_lines(max_cols * max_rows * kConvBlock);
  const std::int64_t half = round16(max_cols + kLanes + 1), in_rows = 2 * max_rows + 2;
  // Between the ξ of V: an odd number of cache lines, so that the 64 rows the input transform writes at once
  // fall into different L1 sets (cin·vs alone is often a multiple of 4 KiB / 16).
  const std::int64_t xs = odd_lines(cin * vs);
  const std::int64_t v_size = kXi * xs, m_size = kXi * ms, raw_size = 4 * in_rows * 2 * half;
  const std::size_t scratch = static_cast<std::size_t>(v_size + m_size + raw_size);

  const RowFn row_fn = conv_row_fn(RowKind::kS1Minor);
  alignas(64) static const float kZeros[kConvBlock] = {};
  float* yd = y.data();
  const std::int64_t tasks = n_samples * tiles_d * row_blocks * col_blocks;
  run_tasks(exec, tasks, scratch, [&](float* buf, std::int64_t begin, std::int64_t end) {
    float* const v = buf;
    float* const m = v + v_size;
    float* const raw = m + m_size;
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t cb = task % col_blocks, rb = task / col_blocks % row_blocks;
      const std::int64_t td = task / (col_blocks * row_blocks) % tiles_d;
      const std::int64_t n = task / (col_blocks * row_blocks * tiles_d);
      const std::int64_t tw0 = cb * tiles_w / col_blocks, tw1 = (cb + 1) * tiles_w / col_blocks;
      const std::int64_t th0 = rb * tiles_h / row_blocks, th1 = (rb + 1) * tiles_h / row_blocks;
      const std::int64_t nw = tw1 - tw0, nh = th1 - th0, tiles = nw * nh, rows = 2 * nh + 2;
      const std::int64_t steps = ceil_div(nw, kLanes);

      // Input transform: V[ξ][ci][r·nw + t] for tile row r, tile column t.
      for (int ci = 0; ci < cin; ++ci) {
        const float* src = channel(n, ci);
        for (std::int64_t p = 0; p < 4; ++p) {
          const std::int64_t id = 2 * td - 1 + p;
          for (std::int64_t r = 0; r < rows; ++r) {
            const std::int64_t ih = 2 * th0 - 1 + r;
            float* e = raw + (p * in_rows + r) * 2 * half;
            float* o = e + half;
            if (id < 0 || id >= depth || ih < 0 || ih >= height) {
              std::fill(e, e + half, 0.0f);
              std::fill(o, o + half, 0.0f);
            } else {
              deinterleave(src + (id * height + ih) * width, width, 2 * tw0 - 1, nw + 1, e, o);
              std::fill(e + nw + 1, e + half, 0.0f);
              std::fill(o + nw + 1, o + half, 0.0f);
            }
          }
        }
        for (std::int64_t r = 0; r < nh; ++r) {
          const float* patch_rows[16];
          for (int z = 0; z < 4; ++z)
            for (int k = 0; k < 4; ++k) patch_rows[z * 4 + k] = raw + (z * in_rows + 2 * r + k) * 2 * half;
          for (std::int64_t step = 0; step < steps; ++step) {
            const float* at[16];
            for (int k = 0; k < 16; ++k) at[k] = patch_rows[k] + step * kLanes;
            input_patches(at, half, v + ci * vs + r * nw + step * kLanes, xs);
          }
        }
      }

      for (std::int64_t b = 0; b < blocks; ++b) {
        const int co_count = static_cast<int>(std::min<std::int64_t>(kConvBlock, cout - b * kConvBlock));
        // M[ξ][tile][co] = Σ_ci U[ξ][co][ci] · V[ξ][ci][tile].
        const std::int64_t x_tap = 0;
        const int w_tap = 0;
        for (int xi = 0; xi < kXi; ++xi) {
          ConvRow r;
          r.x = v + xi * xs;
          r.x_ci_stride = vs;
          r.x_tap = &x_tap;
          r.w_tap = &w_tap;
          r.taps = 1;
          r.cin = cin;
          r.w = conv.weight + (xi * blocks + b) * cin * kConvBlock;
          r.w_ci_stride = kConvBlock;
          r.bias = kZeros;
          r.out = m + xi * ms;
          r.out_co_stride = 0;
          r.co_count = co_count;
          r.columns = static_cast<int>(tiles);
          row_fn(r);
        }
        // Output transform + bias straight into y, then the activation row by row.
        F16 bias;
        load(bias, conv.bias + b * kConvBlock);
        float* const yb = yd + (n * cout + b * kConvBlock) * plane;
        const std::int64_t w0 = 2 * tw0, len = std::min(2 * nw, width - w0);
        for (std::int64_t r = 0; r < nh; ++r) {
          const std::int64_t h0 = 2 * (th0 + r);
          const int a_count = 2 * td + 1 < depth ? 2 : 1, b_count = h0 + 1 < height ? 2 : 1;
          std::int64_t t = 0;
          // Four tiles at a time (8 output columns, all inside the volume): 8×8 transposes from channel-minor
          // to rows of y.
          for (; co_count == kConvBlock && t + 4 <= nw && w0 + 2 * t + 8 <= width; t += 4) {
            F16 out[4][8];
            for (int q = 0; q < 4; ++q) output_patch(m + (r * nw + t + q) * kConvBlock, ms, out[q]);
            for (int a = 0; a < a_count; ++a)
              for (int bb = 0; bb < b_count; ++bb) {
                F8 lo[8], hi[8];
                for (int col = 0; col < 8; ++col) {
                  const F16 val = out[col / 2][(a * 2 + bb) * 2 + col % 2] + bias;
                  lo[col] = __builtin_shufflevector(val, val, 0, 1, 2, 3, 4, 5, 6, 7);
                  hi[col] = __builtin_shufflevector(val, val, 8, 9, 10, 11, 12, 13, 14, 15);
                }
                transpose8(lo);
                transpose8(hi);
                float* dst = yb + ((2 * td + a) * height + h0 + bb) * width + w0 + 2 * t;
                for (int co = 0; co < 8; ++co) {
                  store(dst + co * plane, lo[co]);
                  store(dst + (8 + co) * plane, hi[co]);
                }
              }
          }
          for (; t < nw; ++t) {
            F16 out[8];
            output_patch(m + (r * nw + t) * kConvBlock, ms, out);
            const int c_count = w0 + 2 * t + 1 < width ? 2 : 1;
            for (int a = 0; a < a_count; ++a)
              for (int bb = 0; bb < b_count; ++bb) {
                float* dst = yb + ((2 * td + a) * height + h0 + bb) * width + w0 + 2 * t;
                for (int c = 0; c < c_count; ++c) {
                  const F16 val = out[(a * 2 + bb) * 2 + c] + bias;
                  if (co_count == kConvBlock) {
#pragma GCC unroll 16
                    for (int co = 0; co < kConvBlock; ++co) dst[co * plane + c] = val[co];
                  } else {
                    for (int co = 0; co < co_count; ++co) dst[co * plane + c] = val[co];
                  }
                }
              }
          }
          if (act.kind != Activation::Kind::kNone)
            for (int co = 0; co < co_count; ++co)
              for (int a = 0; a < a_count; ++a)
                for (int bb = 0; bb < b_count; ++bb)
                  activate(yb + co * plane + ((2 * td + a) * height + h0 + bb) * width + w0, len, act);
        }
      }
    }
  });
}

}  // namespace oncotrack::nn::detail
