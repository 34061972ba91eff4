#include "oncotrack/nn/multitask_unet3d.h"

#include "json_fields.h"
#include "oncotrack/nn/dense.h"
#include "oncotrack/nn/elementwise.h"
#include "oncotrack/nn/norm.h"
#include "oncotrack/nn/pool.h"
#include "oncotrack/nn/resize.h"
#include "oncotrack/nn/upsample_conv3d.h"

namespace oncotrack::nn {
namespace {

std::int64_t tap_level(const std::string& tap, std::int64_t depth) {
  if (tap == "bottleneck") return depth - 1;
  if (tap.rfind("level", 0) == 0 && tap.size() > 5 &&
      tap.find_first_not_of("0123456789", 5) == std::string::npos && tap.size() < 8) {
    const std::int64_t k = std::stoll(tap.substr(5));
    if (k < depth) return k;
  }
  return -1;
}

bool is_segmentation_tap(const std::string& tap) { return tap == "segmentation" || tap == "probability"; }

}  // namespace

UnetHparams UnetHparams::from_json(const nlohmann::json& j) {
  const std::string what = "multitask_unet3d hparams";
  detail::Fields f(j, what);
  UnetHparams hp;
  hp.in_channels = f.integer("in_channels", 1);
  hp.base_filters = f.integer("base_filters", 1);
  hp.depth = f.integer("depth", 2);
  if (hp.depth > 8)
    throw NnError("hyper-parameter \"depth\" out of range", what, "2..8", std::to_string(hp.depth));
  const auto& size = f.at("input_size");
  const std::int64_t multiple = std::int64_t{1} << (hp.depth - 1);
  if (!size.is_array() || size.size() != 3)
    throw NnError("hyper-parameter \"input_size\" must be [D,H,W]", what, "3 integers", size.dump());
  hp.input_size.clear();
  for (const auto& s : size) {
    if (!s.is_number_integer() || s.get<std::int64_t>() < multiple || s.get<std::int64_t>() % multiple != 0)
      throw NnError("hyper-parameter \"input_size\" must be multiples of 2^(depth-1)", what,
                    "positive multiples of " + std::to_string(multiple), size.dump());
    hp.input_size.push_back(s.get<std::int64_t>());
  }
  hp.n_labels = f.integer("n_labels", 1);
  hp.segmentation_levels = f.integer("segmentation_levels", 1);
  if (hp.segmentation_levels > hp.depth - 1)
    throw NnError("hyper-parameter \"segmentation_levels\" out of range", what,
                  "1.." + std::to_string(hp.depth - 1), std::to_string(hp.segmentation_levels));
  hp.leaky_relu_alpha = static_cast<float>(f.number("leaky_relu_alpha"));
  hp.norm_eps = static_cast<float>(f.number("norm_eps"));
  if (!(hp.norm_eps > 0))
    throw NnError("hyper-parameter \"norm_eps\" must be positive", what, "> 0", std::to_string(hp.norm_eps));
  const std::string padding = f.string("padding");
  if (padding != "tf_same" && padding != "symmetric")
    throw NnError("unknown padding", what, "\"tf_same\" or \"symmetric\"", "\"" + padding + "\"");
  hp.padding = padding == "tf_same" ? Padding::kTfSame : Padding::kSymmetric;
  hp.shared_branches = f.boolean("shared_branches");
  const auto& taps = f.at("fusion_taps");
  if (!taps.is_array() || taps.empty())
    throw NnError("hyper-parameter \"fusion_taps\" must be a non-empty list", what, "[\"level2\", ...]",
                  taps.dump());
  hp.fusion_taps.clear();
  for (const auto& t : taps) {
    const std::string name = t.is_string() ? t.get<std::string>() : t.dump();
    if (!t.is_string() || (!is_segmentation_tap(name) && tap_level(name, hp.depth) < 0))
      throw NnError("unknown fusion tap", what,
                    "\"level<k>\" with k < " + std::to_string(hp.depth) +
                        ", \"bottleneck\", \"segmentation\" or \"probability\"",
                    name);
    hp.fusion_taps.push_back(name);
  }
  hp.fusion_filters = f.integer("fusion_filters", 1);
  if (j.contains("fusion")) {
    const std::string fusion = f.string("fusion");
    if (fusion != "difference" && fusion != "concatenation")
      throw NnError("unknown fusion", what, "\"difference\" or \"concatenation\"", "\"" + fusion + "\"");
    hp.fusion_concatenates = fusion == "concatenation";
  }
  f.finish();
  return hp;
}

nlohmann::json UnetHparams::to_json() const {
  return {{"in_channels", in_channels},
          {"base_filters", base_filters},
          {"depth", depth},
          {"input_size", input_size},
          {"n_labels", n_labels},
          {"segmentation_levels", segmentation_levels},
          {"leaky_relu_alpha", leaky_relu_alpha},
          {"norm_eps", norm_eps},
          {"padding", padding == Padding::kTfSame ? "tf_same" : "symmetric"},
          {"shared_branches", shared_branches},
          {"fusion_taps", fusion_taps},
          {"fusion_filters", fusion_filters},
          {"fusion", fusion_concatenates ? "concatenation" : "difference"}};
}

namespace {

void add_block(TensorTable& t, const std::string& p, std::int64_t cin, std::int64_t cout, std::int64_t k) {
  t.emplace_back(p + ".conv.weight", Shape{cout, cin, k, k, k});
  t.emplace_back(p + ".conv.bias", Shape{cout});
  t.emplace_back(p + ".norm.weight", Shape{cout});
  t.emplace_back(p + ".norm.bias", Shape{cout});
}

std::vector<std::string> branch_prefixes(const UnetHparams& hp) {
  if (hp.shared_branches) return {"branch."};
  return {"branch0.", "branch1."};
}

std::int64_t tap_channels(const UnetHparams& hp, const std::string& tap) {
  return is_segmentation_tap(tap) ? hp.n_labels : hp.filters(tap_level(tap, hp.depth));
}

}  // namespace

TensorTable unet_tensor_table(const UnetHparams& hp) {
  TensorTable t;
  for (const std::string& b : branch_prefixes(hp)) {
    for (std::int64_t i = 0; i < hp.depth; ++i) {
      const std::string p = b + "enc." + std::to_string(i);
      add_block(t, p + ".down", i == 0 ? hp.in_channels : hp.filters(i - 1), hp.filters(i), 3);
      add_block(t, p + ".context.0", hp.filters(i), hp.filters(i), 3);
      add_block(t, p + ".context.1", hp.filters(i), hp.filters(i), 3);
    }
    for (std::int64_t j = hp.depth - 2; j >= 0; --j) {
      const std::string p = b + "dec." + std::to_string(j);
      add_block(t, p + ".up", hp.filters(j + 1), hp.filters(j), 3);
      add_block(t, p + ".local.0", 2 * hp.filters(j), hp.filters(j), 3);
      add_block(t, p + ".local.1", hp.filters(j), hp.filters(j), 1);
      if (j < hp.segmentation_levels) {
        t.emplace_back(b + "seg." + std::to_string(j) + ".weight",
                       Shape{hp.n_labels, hp.filters(j), 1, 1, 1});
        t.emplace_back(b + "seg." + std::to_string(j) + ".bias", Shape{hp.n_labels});
      }
    }
  }
  for (std::size_t m = 0; m < hp.fusion_taps.size(); ++m) {
    const std::string p = "fusion." + std::to_string(m);
    const std::int64_t c = tap_channels(hp, hp.fusion_taps[m]);
    if (hp.fusion_concatenates) {
      t.emplace_back(p + ".conv.weight", Shape{hp.fusion_filters, 2 * c, 3, 3, 3});
      t.emplace_back(p + ".conv.bias", Shape{hp.fusion_filters});
    } else {
      add_block(t, p, c, hp.fusion_filters, 3);
    }
  }
  const auto features = hp.fusion_filters * static_cast<std::int64_t>(hp.fusion_taps.size());
  t.emplace_back("head.weight", Shape{1, features});
  t.emplace_back("head.bias", Shape{1});
  return t;
}

namespace {

// Convolution (Conv3d, or UpsampleConv3d for the decoder's upsampling step), instance norm, activation.
template <class Conv>
struct NormBlock {
  Conv conv;
  Tensor gamma, beta;
  NormBlock(const SafetensorsFile& w, const std::string& p, int stride, Padding padding)
      : conv(w.tensor(p + ".conv.weight"), w.tensor(p + ".conv.bias"), stride, padding),
        gamma(w.tensor(p + ".norm.weight")),
        beta(w.tensor(p + ".norm.bias")) {}
  Tensor forward(const Tensor& x, Exec& exec, float eps, Activation act) const {
    Tensor y = conv.forward(x, exec);
    instance_norm(y, gamma, beta, eps, act, exec.pool);
    return y;
  }
  // On concat_channels({a, b}) without building it.
  Tensor forward_concat(const Tensor& a, const Tensor& b, Exec& exec, float eps, Activation act) const {
    Tensor y = conv.forward_concat(a, b, exec);
    instance_norm(y, gamma, beta, eps, act, exec.pool);
    return y;
  }
};
using ConvBlock = NormBlock<Conv3d>;

}  // namespace

struct MultitaskUnet3d::Branch {
  struct Level {
    ConvBlock down, context0, context1;
  };
  struct Up {
    NormBlock<UpsampleConv3d> up;  // on the lower level's output: conv(upsample_nearest2(x))
    ConvBlock local0, local1;
  };
  std::vector<Level> encoder;  // by level
  std::vector<Up> decoder;     // by level j = 0..depth-2
  std::vector<Conv3d> heads;   // by level j < segmentation_levels

  struct Outputs {
    std::vector<Tensor> levels;  // out_i
    Tensor logits;
  };

  Branch(const UnetHparams& hp, const SafetensorsFile& w, const std::string& b) {
    for (std::int64_t i = 0; i < hp.depth; ++i) {
      const std::string p = b + "enc." + std::to_string(i);
      encoder.push_back({ConvBlock(w, p + ".down", i == 0 ? 1 : 2, hp.padding),
                         ConvBlock(w, p + ".context.0", 1, hp.padding),
                         ConvBlock(w, p + ".context.1", 1, hp.padding)});
    }
    for (std::int64_t j = 0; j + 1 < hp.depth; ++j) {
      const std::string p = b + "dec." + std::to_string(j);
      decoder.push_back({NormBlock<UpsampleConv3d>(w, p + ".up", 1, hp.padding),
                         ConvBlock(w, p + ".local.0", 1, hp.padding),
                         ConvBlock(w, p + ".local.1", 1, hp.padding)});
    }
    for (std::int64_t j = 0; j < hp.segmentation_levels; ++j) {
      const std::string p = b + "seg." + std::to_string(j);
      heads.emplace_back(w.tensor(p + ".weight"), w.tensor(p + ".bias"), 1, hp.padding);
    }
  }

  Outputs forward(const UnetHparams& hp, const Tensor& x, Exec& exec) const {
    const Activation act = Activation::leaky_relu(hp.leaky_relu_alpha);
    const float eps = hp.norm_eps;
    Outputs o;
    Tensor current = x;
    for (const Level& level : encoder) {
      Tensor d = level.down.forward(current, exec, eps, act);
      Tensor c = level.context1.forward(level.context0.forward(d, exec, eps, act), exec, eps, act);
      add_in_place(c, d, exec.pool);
      o.levels.push_back(c);
      current = c;
    }
    std::vector<Tensor> seg(static_cast<std::size_t>(hp.segmentation_levels));
    for (std::int64_t j = hp.depth - 2; j >= 0; --j) {
      const Up& up = decoder[static_cast<std::size_t>(j)];
      const Tensor u = up.up.forward(current, exec, eps, act);
      const Tensor joint = up.local0.forward_concat(o.levels[static_cast<std::size_t>(j)], u, exec, eps, act);
      current = up.local1.forward(joint, exec, eps, act);
      if (j < hp.segmentation_levels)
        seg[static_cast<std::size_t>(j)] = heads[static_cast<std::size_t>(j)].forward(current, exec);
    }
    o.logits = seg.back();
    for (std::int64_t j = hp.segmentation_levels - 2; j >= 0; --j)
      o.logits = add(upsample_nearest2(o.logits, exec), seg[static_cast<std::size_t>(j)], exec);
    return o;
  }
};

struct MultitaskUnet3d::Fusion {
  std::vector<ConvBlock> blocks;  // "difference"
  std::vector<Conv3d> convs;      // "concatenation"
  Dense head;
  Fusion(const UnetHparams& hp, const SafetensorsFile& w)
      : head(w.tensor("head.weight"), w.tensor("head.bias")) {
    for (std::size_t m = 0; m < hp.fusion_taps.size(); ++m) {
      const std::string p = "fusion." + std::to_string(m);
      if (hp.fusion_concatenates)
        convs.emplace_back(w.tensor(p + ".conv.weight"), w.tensor(p + ".conv.bias"), 1, hp.padding);
      else
        blocks.emplace_back(w, p, 1, hp.padding);
    }
  }
  // g_m before pooling, from tap m of the baseline (a) and follow-up (c).
  Tensor features(std::size_t m, const Tensor& a, const Tensor& c, const UnetHparams& hp, Exec& exec) const {
    const Activation act = Activation::leaky_relu(hp.leaky_relu_alpha);
    if (hp.fusion_concatenates) return convs[m].forward_concat(a, c, exec, act);
    return blocks[m].forward(subtract(a, c, exec), exec, hp.norm_eps, act);
  }
};

MultitaskUnet3d::MultitaskUnet3d(const UnetHparams& hp, const SafetensorsFile& weights) : hp_(hp) {
  check_tensor_table(weights, unet_tensor_table(hp));
  for (const std::string& b : branch_prefixes(hp))
    branches_.push_back(std::make_unique<Branch>(hp, weights, b));
  fusion_ = std::make_unique<Fusion>(hp, weights);
}

MultitaskUnet3d::~MultitaskUnet3d() = default;
MultitaskUnet3d::MultitaskUnet3d(MultitaskUnet3d&&) noexcept = default;
MultitaskUnet3d& MultitaskUnet3d::operator=(MultitaskUnet3d&&) noexcept = default;

namespace {

void require_input(const UnetHparams& hp, const Tensor& x, bool exact_size) {
  const std::int64_t multiple = std::int64_t{1} << (hp.depth - 1);
  bool ok = x.rank() == 5 && x.dim(1) == hp.in_channels;
  for (int a = 0; ok && a < 3; ++a)
    ok = exact_size ? x.dim(2 + a) == hp.input_size[static_cast<std::size_t>(a)]
                    : x.dim(2 + a) > 0 && x.dim(2 + a) % multiple == 0;
  if (!ok) {
    const std::string c = std::to_string(hp.in_channels);
    throw NnError("wrong network input", "multitask_unet3d",
                  exact_size
                      ? "[N," + c + "," + std::to_string(hp.input_size[0]) + "," +
                            std::to_string(hp.input_size[1]) + "," + std::to_string(hp.input_size[2]) + "]"
                      : "[N," + c + ",D,H,W] with D,H,W multiples of " + std::to_string(multiple),
                  to_string(x.shape()));
  }
}

}  // namespace

Tensor MultitaskUnet3d::segment(const Tensor& x, int branch, Exec& exec) const {
  require_input(hp_, x, false);
  const Branch& b = *branches_[branches_.size() == 1 ? 0 : static_cast<std::size_t>(branch != 0)];
  Tensor logits = b.forward(hp_, x, exec).logits;
  activate(logits, Activation::sigmoid(), exec.pool);
  return logits;
}

MultitaskUnet3d::PairOutput MultitaskUnet3d::forward_pair(const Tensor& x0, const Tensor& x1,
                                                          Exec& exec) const {
  require_input(hp_, x0, true);
  require_input(hp_, x1, true);
  if (x0.dim(0) != x1.dim(0))
    throw NnError("baseline and follow-up batches differ", "multitask_unet3d", to_string(x0.shape()),
                  to_string(x1.shape()));
  const Branch& b0 = *branches_.front();
  const Branch& b1 = *branches_.back();
  Branch::Outputs o0 = b0.forward(hp_, x0, exec), o1 = b1.forward(hp_, x1, exec);
  // sigmoid(logits): the "probability" tap and the segmentation outputs (owning copies: the logits may be
  // arena views, and the "segmentation" tap still needs them).
  Tensor p0(o0.logits.shape(), std::vector<float>(o0.logits.begin(), o0.logits.end()));
  Tensor p1(o1.logits.shape(), std::vector<float>(o1.logits.begin(), o1.logits.end()));
  activate(p0, Activation::sigmoid(), exec.pool);
  activate(p1, Activation::sigmoid(), exec.pool);
  std::vector<Tensor> pooled;
  for (std::size_t m = 0; m < hp_.fusion_taps.size(); ++m) {
    const std::string& tap = hp_.fusion_taps[m];
    const bool probability = tap == "probability";
    const std::int64_t level = is_segmentation_tap(tap) ? -1 : tap_level(tap, hp_.depth);
    const Tensor& a = probability ? p0 : level < 0 ? o0.logits : o0.levels[static_cast<std::size_t>(level)];
    const Tensor& c = probability ? p1 : level < 0 ? o1.logits : o1.levels[static_cast<std::size_t>(level)];
    pooled.push_back(global_avg_pool(fusion_->features(m, a, c, hp_, exec), exec));
  }
  std::vector<const Tensor*> parts;
  for (const Tensor& p : pooled) parts.push_back(&p);
  // [N,F] tensors concatenate along axis 1 like channels.
  PairOutput out;
  out.probability = fusion_->head.forward(concat_channels(parts, exec), exec, Activation::sigmoid());
  out.segmentation0 = std::move(p0);
  out.segmentation1 = std::move(p1);
  return out;
}

}  // namespace oncotrack::nn
