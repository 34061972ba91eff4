#include "oncotrack/nn/conv3d.h"

#include <algorithm>
#include <cmath>

#include "conv_kernel.h"
#include "conv_pack.h"
#include "conv_winograd.h"
#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

using detail::ceil_div;
using detail::kConvBlock;
using detail::odd_lines;

constexpr std::int64_t kScratchBudgetFloats = 64 * 1024;  // a task's input rows: half of a 512 KiB L2
constexpr std::int64_t kMaxColumns = 1024;                // per task (bounds the scratch rows)
constexpr int kTasksPerThread = 8;                        // enough tasks to balance contiguous ranges

struct Axis {
  std::int64_t in, out, pad;  // pad = zero padding before the first input value
};

Axis make_axis(std::int64_t n, int k, int s, Padding padding) {
  if (padding == Padding::kSymmetric) return {n, (n + 2 * (k / 2) - k) / s + 1, k / 2};
  const std::int64_t out = (n + s - 1) / s;
  return {n, out, std::max<std::int64_t>((out - 1) * s + k - n, 0) / 2};
}

}  // namespace

struct Conv3d::Impl {
  int cout = 0, cin = 0, k = 0, stride = 0;
  Padding padding = Padding::kSymmetric;
  int blocks = 0;                // ceil(cout / kConvBlock)
  detail::AlignedFloats weight;  // [blocks][cin][k·k·k][kConvBlock], zero past cout
  detail::AlignedFloats bias;    // [blocks·kConvBlock]
  detail::AlignedFloats winograd;  // stride-1 3×3×3 only: detail::winograd_weights()

  // x holds channels [0, x.dim(1)); `rest`, when given, the channels after them.
  void run(const Tensor& x, const Tensor* rest, Tensor& y, Exec& exec, Activation act) const;
};

Conv3d::Conv3d(const Tensor& weight, const Tensor& bias, int stride, Padding padding)
    : impl_(std::make_unique<Impl>()) {
  const Shape& ws = weight.shape();
  if (ws.size() != 5 || ws[0] < 1 || ws[1] < 1 || (ws[2] != 1 && ws[2] != 3) || ws[3] != ws[2] ||
      ws[4] != ws[2])
    throw NnError("bad convolution weight shape", "Conv3d weight", "[Cout,Cin,k,k,k] with k 1 or 3",
                  to_string(ws));
  if (!bias.empty() && bias.shape() != Shape{ws[0]})
    throw NnError("bad convolution bias shape", "Conv3d bias", "empty or " + to_string(Shape{ws[0]}),
                  to_string(bias.shape()));
  if (stride != 1 && stride != 2)
    throw NnError("unsupported convolution stride", "Conv3d", "1 or 2", std::to_string(stride));
  Impl& m = *impl_;
  m.cout = static_cast<int>(ws[0]);
  m.cin = static_cast<int>(ws[1]);
  m.k = static_cast<int>(ws[2]);
  m.stride = stride;
  m.padding = padding;
  m.blocks = static_cast<int>(ceil_div(m.cout, kConvBlock));
  const int taps = m.k * m.k * m.k;
  m.weight = detail::AlignedFloats(static_cast<std::size_t>(m.blocks) * m.cin * taps * kConvBlock);
  m.bias = detail::AlignedFloats(static_cast<std::size_t>(m.blocks) * kConvBlock);
  float* packed = m.weight.data();
  for (int co = 0; co < m.cout; ++co) {
    const int block = co / kConvBlock, lane = co % kConvBlock;
    for (int ci = 0; ci < m.cin; ++ci)
      for (int t = 0; t < taps; ++t)
        packed[((static_cast<std::int64_t>(block) * m.cin + ci) * taps + t) * kConvBlock + lane] =
            weight.data()[(static_cast<std::int64_t>(co) * m.cin + ci) * taps + t];
    if (!bias.empty()) m.bias.data()[co] = bias.data()[co];
  }
  if (m.k == 3 && m.stride == 1) m.winograd = detail::winograd_weights(weight.data(), m.cout, m.cin);
}

Conv3d::~Conv3d() = default;
Conv3d::Conv3d(Conv3d&&) noexcept = default;
Conv3d& Conv3d::operator=(Conv3d&&) noexcept = default;

int Conv3d::in_channels() const {
  return impl_->cin;
}
int Conv3d::out_channels() const {
  return impl_->cout;
}
int Conv3d::kernel() const {
  return impl_->k;
}
int Conv3d::stride() const {
  return impl_->stride;
}
Padding Conv3d::padding() const {
  return impl_->padding;
}

Shape Conv3d::output_shape(const Shape& input) const {
  if (input.size() != 5 || input[1] != impl_->cin || input[0] < 1 || input[2] < 1 || input[3] < 1 ||
      input[4] < 1)
    throw NnError("bad convolution input", "Conv3d input", "[N," + std::to_string(impl_->cin) + ",D,H,W]",
                  to_string(input));
  Shape out = input;
  out[1] = impl_->cout;
  for (int i = 2; i < 5; ++i) out[i] = make_axis(input[i], impl_->k, impl_->stride, impl_->padding).out;
  return out;
}

double Conv3d::flops(const Shape& input) const {
  const Shape out = output_shape(input);
  return 2.0 * static_cast<double>(element_count(out)) * impl_->cin * impl_->k * impl_->k * impl_->k;
}

Tensor Conv3d::forward(const Tensor& x, Exec& exec, Activation act) const {
  Tensor y = exec.arena.tensor(output_shape(x.shape()));
  impl_->run(x, nullptr, y, exec, act);
  return y;
}

Tensor Conv3d::forward_concat(const Tensor& a, const Tensor& b, Exec& exec, Activation act) const {
  Shape joint = a.shape(), other = b.shape();
  if (joint.size() == 5 && other.size() == 5) {
    joint[1] += other[1];
    other[1] = joint[1];
  }
  if (joint != other)
    throw NnError("inputs cannot be concatenated", "Conv3d", "two [N,C,D,H,W] agreeing on N,D,H,W",
                  to_string(a.shape()) + " and " + to_string(b.shape()));
  Tensor y = exec.arena.tensor(output_shape(joint));  // checks the channel count
  impl_->run(a, &b, y, exec, act);
  return y;
}

// Tasks are (sample, block of output rows, run of output planes, block of columns, group of output-channel
// blocks); a pointwise stride-1 conv runs as one long row per sample. A task copies the input rows it reads,
// with their zero padding columns, into scratch: a ring of k plane slots (input plane p in slot p mod k), so
// walking through consecutive output planes copies each input plane once (odd_lines() channel strides). Each
// kernel call writes one row of 16 channels straight into the output, which then gets the activation.
void Conv3d::Impl::run(const Tensor& x, const Tensor* rest, Tensor& y, Exec& exec, Activation act) const {
  if (k == 3 && stride == 1 && detail::use_winograd(cin, cout, x.dim(2), x.dim(3), x.dim(4))) {
    detail::winograd_forward({winograd.data(), bias.data(), cin, cout}, x, rest, y, exec, act);
    return;
  }
  const std::int64_t n_samples = x.dim(0);
  Axis ad = make_axis(x.dim(2), k, stride, padding);
  Axis ah = make_axis(x.dim(3), k, stride, padding);
  Axis aw = make_axis(x.dim(4), k, stride, padding);
  const std::int64_t in_plane = ad.in * ah.in * aw.in, out_plane = ad.out * ah.out * aw.out;
  const std::int64_t first_channels = x.dim(1);
  // The volume of input channel ci of sample n.
  const auto channel = [&](std::int64_t n, std::int64_t ci) {
    if (ci < first_channels) return x.data() + (n * first_channels + ci) * in_plane;
    const std::int64_t rest_channels = cin - first_channels;
    return rest->data() + (n * rest_channels + ci - first_channels) * in_plane;
  };
  if (k == 1 && stride == 1) {
    ad = ah = {1, 1, 0};
    aw = {in_plane, in_plane, 0};
  }
  std::int64_t rows_per_task = 1, cols_per_task = std::min(aw.out, kMaxColumns);
  if (ah.out == 1 && ad.out == 1) {
    cols_per_task = std::clamp<std::int64_t>(kScratchBudgetFloats / cin, 64, kMaxColumns);
  } else {
    const std::int64_t rows_in =
        kScratchBudgetFloats / (static_cast<std::int64_t>(cin) * k * ((aw.out - 1) * stride + k));
    rows_per_task = std::clamp<std::int64_t>((rows_in - k) / stride + 1, 1, ah.out);
  }
  const std::int64_t want = static_cast<std::int64_t>(kTasksPerThread) * exec.pool.threads();
  std::int64_t row_blocks = ceil_div(ah.out, rows_per_task), col_blocks = ceil_div(aw.out, cols_per_task);
  const std::int64_t plane_runs =
      std::clamp<std::int64_t>(ceil_div(want, n_samples * row_blocks * col_blocks), 1, ad.out);
  std::int64_t spatial = n_samples * row_blocks * plane_runs * col_blocks;
  if (spatial < want && row_blocks < ah.out) {
    row_blocks = std::min(ah.out, ceil_div(want * row_blocks, spatial));
    spatial = n_samples * row_blocks * plane_runs * col_blocks;
  }
  const std::int64_t groups = std::clamp<std::int64_t>(ceil_div(want, spatial), 1, blocks);
  const std::int64_t max_cols = ceil_div(aw.out, col_blocks), max_rows = ceil_div(ah.out, row_blocks);
  // A scratch row holds the padded input columns of one column block.
  const std::int64_t len = (max_cols - 1) * stride + k;
  const std::int64_t slot_stride = odd_lines(((max_rows - 1) * stride + k) * len);
  const std::int64_t ci_stride = odd_lines(k * slot_stride);
  const std::size_t scratch = static_cast<std::size_t>(cin * ci_stride);

  const detail::RowFn row_fn = detail::conv_row_fn(stride == 1 ? detail::RowKind::kS1 : detail::RowKind::kS2);
  float* yd = y.data();
  detail::run_tasks(exec, spatial * groups, scratch, [&](float* buf, std::int64_t begin, std::int64_t end) {
    std::int64_t ring_key = -1, slot_plane[3] = {-1, -1, -1};
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t g = task % groups, s = task / groups;
      const std::int64_t cb = s % col_blocks, pr = s / col_blocks % plane_runs;
      const std::int64_t rb = s / (col_blocks * plane_runs) % row_blocks;
      const std::int64_t n = s / (col_blocks * plane_runs * row_blocks);
      const std::int64_t h0 = rb * ah.out / row_blocks, h1 = (rb + 1) * ah.out / row_blocks;
      const std::int64_t w0 = cb * aw.out / col_blocks, w1 = (cb + 1) * aw.out / col_blocks;
      const std::int64_t d0 = pr * ad.out / plane_runs, d1 = (pr + 1) * ad.out / plane_runs;
      // Slot rows hold input rows [lo, hi); rows wholly in the zero padding are neither stored nor read.
      const std::int64_t lo = std::max<std::int64_t>(h0 * stride - ah.pad, 0);
      const std::int64_t hi = std::min<std::int64_t>((h1 - 1) * stride - ah.pad + k, ah.in);
      const std::int64_t first = w0 * stride - aw.pad;  // input column of scratch column 0
      const std::int64_t c0 = std::clamp<std::int64_t>(-first, 0, len);
      const std::int64_t c1 = std::clamp<std::int64_t>(aw.in - first, c0, len);
      const std::int64_t key = (n * row_blocks + rb) * col_blocks + cb;
      if (key != ring_key) std::fill(slot_plane, slot_plane + 3, -1), ring_key = key;
      const int b0 = static_cast<int>(g * blocks / groups), b1 = static_cast<int>((g + 1) * blocks / groups);
      for (std::int64_t od = d0; od < d1; ++od) {
        for (int kd = 0; kd < k; ++kd) {
          const std::int64_t id = od * stride + kd - ad.pad;
          if (id < 0 || id >= ad.in || slot_plane[id % k] == id) continue;
          slot_plane[id % k] = id;
          for (int ci = 0; ci < cin; ++ci)
            for (std::int64_t ih = lo; ih < hi; ++ih) {
              float* dst = buf + ci * ci_stride + id % k * slot_stride + (ih - lo) * len;
              const float* src = channel(n, ci) + id * ah.in * aw.in + ih * aw.in + first;
              std::fill(dst, dst + c0, 0.0f);
              std::copy(src + c0, src + c1, dst + c0);
              std::fill(dst + c1, dst + len, 0.0f);
            }
        }
        for (std::int64_t oh = h0; oh < h1; ++oh) {
          std::int64_t x_taps[27];
          int w_taps[27], taps = 0;
          for (int kd = 0; kd < k; ++kd) {
            const std::int64_t id = od * stride + kd - ad.pad;
            if (id < 0 || id >= ad.in) continue;
            for (int kh = 0; kh < k; ++kh) {
              const std::int64_t ih = oh * stride + kh - ah.pad;
              if (ih < 0 || ih >= ah.in) continue;
              for (int kw = 0; kw < k; ++kw, ++taps) {
                x_taps[taps] = id % k * slot_stride + (ih - lo) * len + kw;
                w_taps[taps] = ((kd * k + kh) * k + kw) * kConvBlock;
              }
            }
          }
          for (int b = b0; b < b1; ++b) {
            detail::ConvRow r;
            r.x = buf;
            r.x_ci_stride = ci_stride;
            r.x_tap = x_taps;
            r.w_tap = w_taps;
            r.taps = taps;
            r.cin = cin;
            r.w_ci_stride = k * k * k * kConvBlock;
            r.w = weight.data() + static_cast<std::int64_t>(b) * cin * r.w_ci_stride;
            r.bias = bias.data() + b * kConvBlock;
            float* dst = yd + (n * cout + b * kConvBlock) * out_plane + (od * ah.out + oh) * aw.out + w0;
            r.out = dst;
            r.out_co_stride = out_plane;
            r.co_count = std::min(kConvBlock, cout - b * kConvBlock);
            r.columns = static_cast<int>(w1 - w0);
            row_fn(r);
            for (int co = 0; co < r.co_count; ++co) activate(dst + co * out_plane, r.columns, act);
          }
        }
      }
    }
  });
}

void fold_batch_norm(Tensor& weight, Tensor& bias, const Tensor& gamma, const Tensor& beta,
                     const Tensor& mean, const Tensor& variance, float eps) {
  if (weight.rank() < 2)
    throw NnError("bad weight shape for batch-norm folding", "weight", "[Cout,...]",
                  to_string(weight.shape()));
  const std::int64_t cout = weight.dim(0), per = weight.size() / cout;
  const Shape channels{cout};
  require_shape(gamma, channels, "batch norm weight");
  require_shape(beta, channels, "batch norm bias");
  require_shape(mean, channels, "batch norm running_mean");
  require_shape(variance, channels, "batch norm running_var");
  if (bias.empty()) bias = Tensor(channels);
  require_shape(bias, channels, "conv bias");
  for (std::int64_t c = 0; c < cout; ++c) {
    const float scale = gamma.data()[c] / std::sqrt(variance.data()[c] + eps);
    for (std::int64_t i = 0; i < per; ++i) weight.data()[c * per + i] *= scale;
    bias.data()[c] = (bias.data()[c] - mean.data()[c]) * scale + beta.data()[c];
  }
}

}  // namespace oncotrack::nn
