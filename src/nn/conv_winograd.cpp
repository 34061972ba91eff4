#include "conv_winograd.h"

#include <algorithm>
#include <atomic>

#include "conv_kernel.h"

namespace oncotrack::nn::detail {
namespace {

constexpr int kXi = 64;  // transformed positions ξ = (i·4 + j)·4 + l (i along D, j along H, l along W)
// A task's transformed inputs V [64][cin][tiles] and one output block's products M [64][16][tiles] together
// stay within about 384 KiB of the 512 KiB L2.
constexpr std::int64_t kScratchBudgetFloats = 96 * 1024;
constexpr std::int64_t kMinTiles = 8, kMaxTiles = 96;  // tiles per task

std::atomic<ConvAlgorithm>& current_algorithm() {
  static std::atomic<ConvAlgorithm> algorithm{ConvAlgorithm::kAuto};
  return algorithm;
}

std::int64_t round16(std::int64_t n) {
  return (n + 15) / 16 * 16;
}

// The 1-D input transform Bᵀd of four rows into four rows, n values each.
void input_rows(const float* __restrict d0, const float* __restrict d1, const float* __restrict d2,
                const float* __restrict d3, float* __restrict v0, float* __restrict v1, float* __restrict v2,
                float* __restrict v3, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    v0[i] = d0[i] - d2[i];
    v1[i] = d1[i] + d2[i];
    v2[i] = d2[i] - d1[i];
    v3[i] = d1[i] - d3[i];
  }
}

// The 1-D output transform Aᵀm of four rows into two rows, n values each.
void output_rows(const float* __restrict m0, const float* __restrict m1, const float* __restrict m2,
                 const float* __restrict m3, float* __restrict y0, float* __restrict y1, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    y0[i] = m0[i] + m1[i] + m2[i];
    y1[i] = m1[i] - m2[i] - m3[i];
  }
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

bool winograd_pays(int cin, int cout, std::int64_t d, std::int64_t h, std::int64_t w) {
  (void)cout;
  return cin >= 8 && d * h * w >= 512;
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

// Tasks are (sample, tile plane, block of tile rows, block of tile columns), sized by the scratch budget
// alone (not the thread count). A task transforms its input patches of every channel into V, then per block
// of 16 output channels runs the 64 GEMMs into M and the output transform into y.
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
  const std::int64_t max_tiles =
      std::clamp<std::int64_t>(kScratchBudgetFloats / (kXi * (cin + kConvBlock)), kMinTiles, kMaxTiles);
  const std::int64_t col_blocks = ceil_div(tiles_w, max_tiles);
  const std::int64_t max_cols = ceil_div(tiles_w, col_blocks);
  const std::int64_t row_blocks =
      col_blocks > 1 ? tiles_h : ceil_div(tiles_h, std::clamp<std::int64_t>(max_tiles / tiles_w, 1, tiles_h));
  const std::int64_t max_rows = ceil_div(tiles_h, row_blocks);
  const std::int64_t blocks = ceil_div(cout, kConvBlock);

  // Scratch: V, M, input rows (raw and after the D transform: 4 planes × rows × even/odd halves), rows after
  // the H transform, output rows after the W, H and D transforms.
  const std::int64_t vs = odd_lines(max_cols * max_rows);  // between the channel rows of V and of M
  const std::int64_t half = round16(max_cols + 1), in_rows = 2 * max_rows + 2, cols = round16(max_cols);
  const std::int64_t v_size = kXi * cin * vs, m_size = kXi * kConvBlock * vs;
  const std::int64_t raw_size = 4 * in_rows * 2 * half, ht_size = 16 * 2 * half;
  const std::int64_t out_size = (32 + 16 + 8) * cols;
  const std::size_t scratch = static_cast<std::size_t>(v_size + m_size + 2 * raw_size + ht_size + out_size);

  const RowFn row_fn = conv_row_fn(RowKind::kS1);
  alignas(64) static const float kZeros[kConvBlock] = {};
  float* yd = y.data();
  const std::int64_t tasks = n_samples * tiles_d * row_blocks * col_blocks;
  run_tasks(exec, tasks, scratch, [&](float* buf, std::int64_t begin, std::int64_t end) {
    float* const v = buf;
    float* const m = v + v_size;
    float* const raw = m + m_size;
    float* const dt = raw + raw_size;
    float* const ht = dt + raw_size;
    float* const sw = ht + ht_size;  // [i][j][c] 32 rows
    float* const sh = sw + 32 * cols;  // [i][b][c] 16 rows
    float* const sd = sh + 16 * cols;  // [a][b][c] 8 rows
    // Row r (of in_rows) of plane slot p, half s (0 even, 1 odd columns).
    const auto row_at = [&](float* base, std::int64_t p, std::int64_t r, int s) {
      return base + ((p * in_rows + r) * 2 + s) * half;
    };
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t cb = task % col_blocks, rb = task / col_blocks % row_blocks;
      const std::int64_t td = task / (col_blocks * row_blocks) % tiles_d;
      const std::int64_t n = task / (col_blocks * row_blocks * tiles_d);
      const std::int64_t tw0 = cb * tiles_w / col_blocks, tw1 = (cb + 1) * tiles_w / col_blocks;
      const std::int64_t th0 = rb * tiles_h / row_blocks, th1 = (rb + 1) * tiles_h / row_blocks;
      const std::int64_t nw = tw1 - tw0, nh = th1 - th0, tiles = nw * nh, rows = 2 * nh + 2;

      // Input transform: V[ξ][ci][r·nw + t].
      for (int ci = 0; ci < cin; ++ci) {
        const float* src = channel(n, ci);
        for (std::int64_t p = 0; p < 4; ++p) {
          const std::int64_t id = 2 * td - 1 + p;
          for (std::int64_t r = 0; r < rows; ++r) {
            const std::int64_t ih = 2 * th0 - 1 + r;
            float* e = row_at(raw, p, r, 0);
            float* o = row_at(raw, p, r, 1);
            if (id < 0 || id >= depth || ih < 0 || ih >= height) {
              std::fill(e, e + nw + 1, 0.0f);
              std::fill(o, o + nw + 1, 0.0f);
            } else {
              deinterleave(src + (id * height + ih) * width, width, 2 * tw0 - 1, nw + 1, e, o);
            }
          }
        }
        for (std::int64_t r = 0; r < rows; ++r)
          for (int s = 0; s < 2; ++s)
            input_rows(row_at(raw, 0, r, s), row_at(raw, 1, r, s), row_at(raw, 2, r, s), row_at(raw, 3, r, s),
                       row_at(dt, 0, r, s), row_at(dt, 1, r, s), row_at(dt, 2, r, s), row_at(dt, 3, r, s),
                       nw + 1);
        for (std::int64_t r = 0; r < nh; ++r) {
          for (int i = 0; i < 4; ++i)
            for (int s = 0; s < 2; ++s) {
              const auto h_row = [&](int j) { return ht + ((i * 4 + j) * 2 + s) * half; };
              input_rows(row_at(dt, i, 2 * r, s), row_at(dt, i, 2 * r + 1, s), row_at(dt, i, 2 * r + 2, s),
                         row_at(dt, i, 2 * r + 3, s), h_row(0), h_row(1), h_row(2), h_row(3), nw + 1);
            }
          for (int ij = 0; ij < 16; ++ij) {
            const float* __restrict e = ht + ij * 2 * half;
            const float* __restrict o = e + half;
            float* __restrict v0 = v + (ij * 4 * cin + ci) * vs + r * nw;
            float* __restrict v1 = v0 + cin * vs;
            float* __restrict v2 = v1 + cin * vs;
            float* __restrict v3 = v2 + cin * vs;
            for (std::int64_t t = 0; t < nw; ++t) {
              v0[t] = e[t] - e[t + 1];
              v1[t] = o[t] + e[t + 1];
              v2[t] = e[t + 1] - o[t];
              v3[t] = o[t] - o[t + 1];
            }
          }
        }
      }

      for (std::int64_t b = 0; b < blocks; ++b) {
        const int co_count = static_cast<int>(std::min<std::int64_t>(kConvBlock, cout - b * kConvBlock));
        // M[ξ][co][tile] = Σ_ci U[ξ][co][ci] · V[ξ][ci][tile].
        const std::int64_t x_tap = 0;
        const int w_tap = 0;
        for (int xi = 0; xi < kXi; ++xi) {
          ConvRow r;
          r.x = v + xi * cin * vs;
          r.x_ci_stride = vs;
          r.x_tap = &x_tap;
          r.w_tap = &w_tap;
          r.taps = 1;
          r.cin = cin;
          r.w = conv.weight + (xi * blocks + b) * cin * kConvBlock;
          r.w_ci_stride = kConvBlock;
          r.bias = kZeros;
          r.out = m + xi * kConvBlock * vs;
          r.out_co_stride = vs;
          r.co_count = co_count;
          r.columns = static_cast<int>(tiles);
          row_fn(r);
        }
        // Output transform, + bias, activation, straight into y.
        for (int co = 0; co < co_count; ++co) {
          const std::int64_t oc = b * kConvBlock + co;
          const float bias = conv.bias[oc];
          float* const yc = yd + (n * cout + oc) * plane;
          for (std::int64_t r = 0; r < nh; ++r) {
            const float* mr = m + co * vs + r * nw;
            const auto m_row = [&](int xi) { return mr + xi * kConvBlock * vs; };
            for (int ij = 0; ij < 16; ++ij)
              output_rows(m_row(ij * 4), m_row(ij * 4 + 1), m_row(ij * 4 + 2), m_row(ij * 4 + 3),
                          sw + (ij * 2) * cols, sw + (ij * 2 + 1) * cols, nw);
            for (int i = 0; i < 4; ++i)
              for (int c = 0; c < 2; ++c) {
                const auto s_row = [&](int j) { return sw + ((i * 4 + j) * 2 + c) * cols; };
                output_rows(s_row(0), s_row(1), s_row(2), s_row(3), sh + ((i * 2) * 2 + c) * cols,
                            sh + ((i * 2 + 1) * 2 + c) * cols, nw);
              }
            for (int bc = 0; bc < 4; ++bc)
              output_rows(sh + bc * cols, sh + (4 + bc) * cols, sh + (8 + bc) * cols, sh + (12 + bc) * cols,
                          sd + bc * cols, sd + (4 + bc) * cols, nw);
            const std::int64_t w0 = 2 * tw0, len = std::min(2 * nw, width - w0);
            for (int a = 0; a < 2; ++a) {
              const std::int64_t od = 2 * td + a;
              if (od >= depth) continue;
              for (int bb = 0; bb < 2; ++bb) {
                const std::int64_t oh = 2 * (th0 + r) + bb;
                if (oh >= height) continue;
                float* __restrict out = yc + (od * height + oh) * width + w0;
                const float* __restrict y0 = sd + ((a * 2 + bb) * 2) * cols;
                const float* __restrict y1 = y0 + cols;
                const std::int64_t pairs = len / 2;
                for (std::int64_t t = 0; t < pairs; ++t) {
                  out[2 * t] = y0[t] + bias;
                  out[2 * t + 1] = y1[t] + bias;
                }
                if (len % 2) out[len - 1] = y0[pairs] + bias;
                activate(out, len, act);
              }
            }
          }
        }
      }
    }
  });
}

}  // namespace oncotrack::nn::detail
