#include "oncotrack/nn/upsample_conv3d.h"

#include <algorithm>

#include "conv_kernel.h"
#include "conv_pack.h"
#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

using detail::ceil_div;
using detail::kConvBlock;
using detail::odd_lines;

constexpr std::int64_t kScratchBudgetFloats = 64 * 1024;  // a task's input rows, as in Conv3d
constexpr int kTasksPerThread = 8;
constexpr int kTaps = 8;  // 2×2×2 low-resolution taps per parity class

// The 2-tap index (0 or 1) that 3×3×3 tap k of an output of parity p falls on, counted from low-resolution
// index i + p − 1: output 2i+p reads u[2i+p+k−1] = x[i + ⌊(p+k−1)/2⌋].
int low_tap(int p, int k) {
  return (p + k + 1) / 2 - p;
}

}  // namespace

// Parity class c = (pz·2 + py)·2 + px holds a 2×2×2 kernel whose tap (a,b,e) reads x[i+pz−1+a][j+py−1+b]
// [l+px−1+e] for output (2i+pz, 2j+py, 2l+px).
struct UpsampleConv3d::Impl {
  int cout = 0, cin = 0, blocks = 0;
  detail::AlignedFloats weight;  // [8 classes][blocks][cin][kTaps][kConvBlock], zero past cout
  detail::AlignedFloats bias;    // [blocks·kConvBlock]
};

UpsampleConv3d::UpsampleConv3d(const Tensor& weight, const Tensor& bias, int stride, Padding /*padding*/)
    : impl_(std::make_unique<Impl>()) {
  const Shape& ws = weight.shape();
  if (ws.size() != 5 || ws[0] < 1 || ws[1] < 1 || ws[2] != 3 || ws[3] != 3 || ws[4] != 3)
    throw NnError("bad upsampling convolution weight shape", "UpsampleConv3d weight", "[Cout,Cin,3,3,3]",
                  to_string(ws));
  if (!bias.empty() && bias.shape() != Shape{ws[0]})
    throw NnError("bad upsampling convolution bias shape", "UpsampleConv3d bias",
                  "empty or " + to_string(Shape{ws[0]}), to_string(bias.shape()));
  if (stride != 1)
    throw NnError("unsupported upsampling convolution stride", "UpsampleConv3d", "1", std::to_string(stride));
  Impl& m = *impl_;
  m.cout = static_cast<int>(ws[0]);
  m.cin = static_cast<int>(ws[1]);
  m.blocks = static_cast<int>(ceil_div(m.cout, kConvBlock));
  m.weight = detail::AlignedFloats(static_cast<std::size_t>(8) * m.blocks * m.cin * kTaps * kConvBlock);
  m.bias = detail::AlignedFloats(static_cast<std::size_t>(m.blocks) * kConvBlock);
  float* packed = m.weight.data();
  for (int c = 0; c < 8; ++c) {
    const int pz = c >> 2, py = c >> 1 & 1, px = c & 1;
    for (int co = 0; co < m.cout; ++co)
      for (int ci = 0; ci < m.cin; ++ci) {
        const float* src = weight.data() + (static_cast<std::int64_t>(co) * m.cin + ci) * 27;
        float* dst =
            packed +
            ((static_cast<std::int64_t>(c) * m.blocks + co / kConvBlock) * m.cin + ci) * kTaps * kConvBlock +
            co % kConvBlock;
        for (int kd = 0; kd < 3; ++kd)
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 3; ++kw) {
              const int tap = (low_tap(pz, kd) * 2 + low_tap(py, kh)) * 2 + low_tap(px, kw);
              dst[tap * kConvBlock] += src[(kd * 3 + kh) * 3 + kw];
            }
      }
  }
  if (!bias.empty()) std::copy(bias.begin(), bias.end(), m.bias.data());
}

UpsampleConv3d::~UpsampleConv3d() = default;
UpsampleConv3d::UpsampleConv3d(UpsampleConv3d&&) noexcept = default;
UpsampleConv3d& UpsampleConv3d::operator=(UpsampleConv3d&&) noexcept = default;

int UpsampleConv3d::in_channels() const {
  return impl_->cin;
}
int UpsampleConv3d::out_channels() const {
  return impl_->cout;
}

Shape UpsampleConv3d::output_shape(const Shape& input) const {
  return detail::doubled_output_shape(input, impl_->cin, impl_->cout, "UpsampleConv3d");
}

// Tasks are (sample, block of input rows, run of input planes, group of output-channel blocks). A task copies
// the input rows it reads, with one zero column on each side, into a ring of 3 plane slots (plane p in slot
// p mod 3), as Conv3d does. An output row (2i+pz, 2j+py) gets two kernel calls with output stride 2, one per
// column parity px, which read the same taps shifted by px columns and write the interleaved columns straight
// into the output row, which then gets the activation.
Tensor UpsampleConv3d::forward(const Tensor& x, Exec& exec, Activation act) const {
  Tensor y = exec.arena.tensor(output_shape(x.shape()));
  const Impl& m = *impl_;
  const std::int64_t n_samples = x.dim(0), d = x.dim(2), h = x.dim(3), w = x.dim(4);
  const std::int64_t len = w + 2, out_plane = 8 * d * h * w;
  const std::int64_t rows_in = kScratchBudgetFloats / (static_cast<std::int64_t>(m.cin) * 3 * len);
  const std::int64_t want = static_cast<std::int64_t>(kTasksPerThread) * exec.pool.threads();
  std::int64_t row_blocks = ceil_div(h, std::clamp<std::int64_t>(rows_in - 2, 1, h));
  const std::int64_t plane_runs = std::clamp<std::int64_t>(ceil_div(want, n_samples * row_blocks), 1, d);
  std::int64_t spatial = n_samples * row_blocks * plane_runs;
  if (spatial < want && row_blocks < h) {
    row_blocks = std::min(h, ceil_div(want * row_blocks, spatial));
    spatial = n_samples * row_blocks * plane_runs;
  }
  const std::int64_t groups = std::clamp<std::int64_t>(ceil_div(want, spatial), 1, m.blocks);
  const std::int64_t slot_stride = odd_lines((ceil_div(h, row_blocks) + 2) * len);
  const std::int64_t ci_stride = odd_lines(3 * slot_stride);
  const std::size_t scratch = static_cast<std::size_t>(m.cin * ci_stride);

  const detail::RowFn row_fn = detail::conv_row_fn(detail::RowKind::kS1O2);
  const float* xd = x.data();
  float* yd = y.data();
  detail::run_tasks(exec, spatial * groups, scratch, [&](float* buf, std::int64_t begin, std::int64_t end) {
    std::int64_t ring_key = -1, slot_plane[3] = {-1, -1, -1};
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t g = task % groups, s = task / groups;
      const std::int64_t pr = s % plane_runs, rb = s / plane_runs % row_blocks;
      const std::int64_t n = s / (plane_runs * row_blocks);
      const std::int64_t r0 = rb * h / row_blocks, r1 = (rb + 1) * h / row_blocks;
      const std::int64_t i0 = pr * d / plane_runs, i1 = (pr + 1) * d / plane_runs;
      const std::int64_t lo = std::max<std::int64_t>(r0 - 1, 0), hi = std::min(r1 + 1, h);
      const std::int64_t key = n * row_blocks + rb;
      if (key != ring_key) std::fill(slot_plane, slot_plane + 3, -1), ring_key = key;
      const int b0 = static_cast<int>(g * m.blocks / groups);
      const int b1 = static_cast<int>((g + 1) * m.blocks / groups);
      for (std::int64_t i = i0; i < i1; ++i) {
        for (std::int64_t p = std::max<std::int64_t>(i - 1, 0); p <= std::min(i + 1, d - 1); ++p) {
          if (slot_plane[p % 3] == p) continue;
          slot_plane[p % 3] = p;
          for (int ci = 0; ci < m.cin; ++ci)
            for (std::int64_t ih = lo; ih < hi; ++ih) {
              float* dst = buf + ci * ci_stride + p % 3 * slot_stride + (ih - lo) * len;
              const float* src = xd + (((n * m.cin + ci) * d + p) * h + ih) * w;
              dst[0] = 0.0f;
              std::copy(src, src + w, dst + 1);
              dst[len - 1] = 0.0f;
            }
        }
        for (int pz = 0; pz < 2; ++pz)
          for (std::int64_t j = r0; j < r1; ++j)
            for (int py = 0; py < 2; ++py) {
              std::int64_t x_taps[kTaps];
              int w_taps[kTaps], taps = 0;
              for (int a = 0; a < 2; ++a) {
                const std::int64_t p = i + pz - 1 + a;
                if (p < 0 || p >= d) continue;
                for (int b = 0; b < 2; ++b) {
                  const std::int64_t q = j + py - 1 + b;
                  if (q < 0 || q >= h) continue;
                  for (int e = 0; e < 2; ++e, ++taps) {
                    x_taps[taps] = p % 3 * slot_stride + (q - lo) * len + e;
                    w_taps[taps] = ((a * 2 + b) * 2 + e) * kConvBlock;
                  }
                }
              }
              for (int blk = b0; blk < b1; ++blk) {
                detail::ConvRow r;
                r.x_ci_stride = ci_stride;
                r.x_tap = x_taps;
                r.w_tap = w_taps;
                r.taps = taps;
                r.cin = m.cin;
                r.w_ci_stride = kTaps * kConvBlock;
                r.bias = m.bias.data() + blk * kConvBlock;
                r.out_co_stride = out_plane;
                r.co_count = std::min(kConvBlock, m.cout - blk * kConvBlock);
                r.columns = static_cast<int>(w);
                float* dst = yd + (n * m.cout + blk * kConvBlock) * out_plane +
                             ((2 * i + pz) * 2 * h + 2 * j + py) * 2 * w;
                for (int px = 0; px < 2; ++px) {
                  const int c = (pz * 2 + py) * 2 + px;
                  r.x = buf + px;
                  r.w = m.weight.data() +
                        (static_cast<std::int64_t>(c) * m.blocks + blk) * m.cin * r.w_ci_stride;
                  r.out = dst + px;
                  row_fn(r);
                }
                for (int co = 0; co < r.co_count; ++co) activate(dst + co * out_plane, 2 * r.columns, act);
              }
            }
      }
    }
  });
  return y;
}

}  // namespace oncotrack::nn
