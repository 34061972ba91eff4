#include "oncotrack/nn/conv_transpose3d.h"

#include <algorithm>

#include "conv_kernel.h"
#include "conv_pack.h"
#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

using detail::ceil_div;
using detail::kConvBlock;
using detail::odd_lines;

constexpr std::int64_t kScratchBudgetFloats = 64 * 1024;  // a task's input rows
constexpr int kTasksPerThread = 8;

}  // namespace

// As a pointwise conv with 8·Cout outputs: block (tap, b) holds the weights of tap (a,b,c) for output
// channels [16b, 16b+16), and its results go to the output columns 2w+c of row (2d+a, 2h+b), i.e. with output
// stride 2.
struct ConvTranspose3d::Impl {
  int cin = 0, cout = 0, blocks = 0;
  detail::AlignedFloats weight;  // [8 taps][blocks][cin][kConvBlock]
  detail::AlignedFloats bias;    // [blocks·kConvBlock]
};

ConvTranspose3d::ConvTranspose3d(const Tensor& weight, const Tensor& bias) : impl_(std::make_unique<Impl>()) {
  const Shape& ws = weight.shape();
  if (ws.size() != 5 || ws[0] < 1 || ws[1] < 1 || ws[2] != 2 || ws[3] != 2 || ws[4] != 2)
    throw NnError("bad transposed convolution weight shape", "ConvTranspose3d weight", "[Cin,Cout,2,2,2]",
                  to_string(ws));
  if (!bias.empty() && bias.shape() != Shape{ws[1]})
    throw NnError("bad transposed convolution bias shape", "ConvTranspose3d bias",
                  "empty or " + to_string(Shape{ws[1]}), to_string(bias.shape()));
  Impl& m = *impl_;
  m.cin = static_cast<int>(ws[0]);
  m.cout = static_cast<int>(ws[1]);
  m.blocks = static_cast<int>(ceil_div(m.cout, kConvBlock));
  m.weight = detail::AlignedFloats(static_cast<std::size_t>(8) * m.blocks * m.cin * kConvBlock);
  m.bias = detail::AlignedFloats(static_cast<std::size_t>(m.blocks) * kConvBlock);
  for (int ci = 0; ci < m.cin; ++ci)
    for (int co = 0; co < m.cout; ++co)
      for (int tap = 0; tap < 8; ++tap)
        m.weight.data()[((static_cast<std::int64_t>(tap) * m.blocks + co / kConvBlock) * m.cin + ci) *
                            kConvBlock +
                        co % kConvBlock] =
            weight.data()[(static_cast<std::int64_t>(ci) * m.cout + co) * 8 + tap];
  if (!bias.empty()) std::copy(bias.begin(), bias.end(), m.bias.data());
}

ConvTranspose3d::~ConvTranspose3d() = default;
ConvTranspose3d::ConvTranspose3d(ConvTranspose3d&&) noexcept = default;
ConvTranspose3d& ConvTranspose3d::operator=(ConvTranspose3d&&) noexcept = default;

int ConvTranspose3d::in_channels() const {
  return impl_->cin;
}
int ConvTranspose3d::out_channels() const {
  return impl_->cout;
}

Shape ConvTranspose3d::output_shape(const Shape& input) const {
  return detail::doubled_output_shape(input, impl_->cin, impl_->cout, "ConvTranspose3d");
}

// Tasks are (sample, input plane, block of input rows, group of output-channel blocks). A task copies its
// input rows into scratch (odd_lines() channel strides, as in Conv3d); the kernel calls of an output row's two
// column taps write its interleaved columns straight into the output, which then gets the activation.
Tensor ConvTranspose3d::forward(const Tensor& x, Exec& exec, Activation act) const {
  Tensor y = exec.arena.tensor(output_shape(x.shape()));
  const Impl& m = *impl_;
  const std::int64_t n_samples = x.dim(0), d = x.dim(2), h = x.dim(3), w = x.dim(4);
  const std::int64_t in_plane = d * h * w, out_plane = 8 * in_plane;
  const std::int64_t want = static_cast<std::int64_t>(kTasksPerThread) * exec.pool.threads();
  std::int64_t row_blocks = ceil_div(h, std::clamp<std::int64_t>(kScratchBudgetFloats / (m.cin * w), 1, h));
  if (n_samples * d * row_blocks < want) row_blocks = std::min(h, ceil_div(want, n_samples * d));
  const std::int64_t spatial = n_samples * d * row_blocks;
  const std::int64_t groups = std::clamp<std::int64_t>(ceil_div(want, spatial), 1, m.blocks);
  const std::int64_t in_size = odd_lines(ceil_div(h, row_blocks) * w);
  const std::size_t scratch = static_cast<std::size_t>(m.cin * in_size);
  const detail::RowFn row_fn = detail::conv_row_fn(detail::RowKind::kS1O2);
  const std::int64_t zero_x = 0;
  const int zero_w = 0;
  const float* xd = x.data();
  float* yd = y.data();
  detail::run_tasks(exec, spatial * groups, scratch, [&](float* buf, std::int64_t begin, std::int64_t end) {
    std::int64_t buffered = -1;
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t g = task % groups, s = task / groups;
      const std::int64_t rb = s % row_blocks, id = s / row_blocks % d, n = s / (row_blocks * d);
      const std::int64_t h0 = rb * h / row_blocks, h1 = (rb + 1) * h / row_blocks;
      if (s != buffered) {
        for (int ci = 0; ci < m.cin; ++ci) {
          const float* src = xd + (n * m.cin + ci) * in_plane + (id * h + h0) * w;
          std::copy(src, src + (h1 - h0) * w, buf + ci * in_size);
        }
        buffered = s;
      }
      const int b0 = static_cast<int>(g * m.blocks / groups),
                b1 = static_cast<int>((g + 1) * m.blocks / groups);
      for (std::int64_t ih = h0; ih < h1; ++ih)
        for (int b = b0; b < b1; ++b)
          for (int tap = 0; tap < 8; tap += 2) {
            detail::ConvRow r;
            r.x = buf + (ih - h0) * w;
            r.x_ci_stride = in_size;
            r.x_tap = &zero_x;
            r.w_tap = &zero_w;
            r.taps = 1;
            r.cin = m.cin;
            r.w_ci_stride = kConvBlock;
            r.bias = m.bias.data() + b * kConvBlock;
            r.out_co_stride = out_plane;
            r.co_count = std::min(kConvBlock, m.cout - b * kConvBlock);
            r.columns = static_cast<int>(w);
            const std::int64_t oz = 2 * id + tap / 4, oy = 2 * ih + tap / 2 % 2;
            float* dst = yd + (n * m.cout + b * kConvBlock) * out_plane + (oz * 2 * h + oy) * 2 * w;
            for (int tc = 0; tc < 2; ++tc) {
              r.w =
                  m.weight.data() + (static_cast<std::int64_t>(tap + tc) * m.blocks + b) * m.cin * kConvBlock;
              r.out = dst + tc;
              row_fn(r);
            }
            for (int co = 0; co < r.co_count; ++co) activate(dst + co * out_plane, 2 * w, act);
          }
    }
  });
  return y;
}

}  // namespace oncotrack::nn
