#pragma once
// Architecture "multitask_unet3d": the multi-task Siamese 3-D U-Net of Jin et al. (Nat Commun 2021; public
// Keras code Heng14/3D_RP-Net, an Isensee-2017-style U-Net) — per-timepoint tumour segmentation and a
// response probability from the baseline/follow-up pair. The PyTorch twin is scripts/nn/reference.py; tensor
// names are its state_dict names.
//
// hparams (JSON, every key required, no others):
//   in_channels (>= 1, MR sequences), base_filters (>= 1), depth (>= 2), input_size [D,H,W] (each divisible
//   by 2^(depth-1)), n_labels (>= 1), segmentation_levels (1..depth-1), leaky_relu_alpha, norm_eps (> 0),
//   padding ("tf_same" | "symmetric": the stride-2 convolutions; Keras models are "tf_same"),
//   shared_branches (bool), fusion_taps (non-empty list of "level<k>" (0 <= k < depth), "bottleneck",
//   "segmentation", "probability"), fusion_filters (>= 1); optional: fusion ("difference", the default, or
//   "concatenation").
// Filters at level i: f_i = base_filters·2^i. ConvBlock(p) = conv (bias) → InstanceNorm (affine, norm_eps) →
// LeakyReLU(alpha); tensors <p>.conv.weight/bias, <p>.norm.weight/bias.
// Branch (prefix "branch." when shared, else "branch0." baseline / "branch1." follow-up):
//   encoder level i: d = enc.{i}.down (k3, stride 1 at level 0 else 2), out_i = d +
//   enc.{i}.context.1(context.0(d)) decoder level j = depth-2..0: u = dec.{j}.up(nearest×2(current)) (k3,
//   f_{j+1}→f_j);
//     current = dec.{j}.local.1 (k1)(dec.{j}.local.0 (k3, 2f_j→f_j)(concat(out_j, u)));
//     for j < segmentation_levels: s_j = seg.{j} (plain k1 conv f_j→n_labels, with bias)
//   logits = s_{L-1}, then for j = L-2..0: logits = nearest×2(logits) + s_j; segmentation = sigmoid(logits).
// Response: for tap m (fusion_taps order; "level<k>" = out_k, "bottleneck" = out_{depth-1}, "segmentation" =
//   logits, "probability" = sigmoid(logits)), with C_m the tap's channels:
//   fusion "difference":    g_m = global_avg_pool(fusion.{m}(tap(baseline) − tap(follow-up))), fusion.{m} a
//                           ConvBlock (k3, C_m→fusion_filters);
//   fusion "concatenation": g_m = global_avg_pool(LeakyReLU(fusion.{m}.conv(concat(tap(baseline),
//                           tap(follow-up))))), conv k3 2C_m→fusion_filters with bias and no norm (the pooled
//                           features keep magnitudes such as the tumour volume of each timepoint);
//   [N,fusion_filters] each; probability = sigmoid(head(concat(g_0, g_1, …))), head.weight
//   [1, fusion_filters·taps], head.bias [1].
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oncotrack/nn/conv3d.h"
#include "oncotrack/nn/model_file.h"

namespace oncotrack::nn {

struct UnetHparams {
  std::int64_t in_channels = 1, base_filters = 16, depth = 5;
  Shape input_size{16, 64, 64};  // [D,H,W]
  std::int64_t n_labels = 1, segmentation_levels = 3;
  float leaky_relu_alpha = 0.3f, norm_eps = 1e-5f;
  Padding padding = Padding::kTfSame;
  bool shared_branches = false;
  std::vector<std::string> fusion_taps{"level2", "bottleneck", "segmentation"};
  std::int64_t fusion_filters = 32;
  bool fusion_concatenates = false;  // "fusion": "concatenation"

  static UnetHparams from_json(const nlohmann::json& j);  // throws NnError naming the key
  nlohmann::json to_json() const;
  std::int64_t filters(std::int64_t level) const { return base_filters << level; }
};

TensorTable unet_tensor_table(const UnetHparams& hp);

class MultitaskUnet3d {
 public:
  // Tensors must match unet_tensor_table(hp) (checked). Weights are packed once here.
  MultitaskUnet3d(const UnetHparams& hp, const SafetensorsFile& weights);
  ~MultitaskUnet3d();
  MultitaskUnet3d(MultitaskUnet3d&&) noexcept;
  MultitaskUnet3d& operator=(MultitaskUnet3d&&) noexcept;

  const UnetHparams& hparams() const { return hp_; }

  // Segmentation probabilities [N,n_labels,D,H,W] of x [N,in_channels,D,H,W] through one branch (0 baseline,
  // 1 follow-up; the same weights when shared). Fully convolutional: any D,H,W divisible by 2^(depth-1).
  // Throws NnError for other shapes.
  Tensor segment(const Tensor& x, int branch, Exec& exec) const;

  struct PairOutput {
    Tensor segmentation0, segmentation1;  // [N,n_labels,D,H,W], baseline and follow-up
    Tensor probability;                   // [N,1], response
  };
  // x0 baseline, x1 follow-up, both [N,in_channels,D,H,W] with [D,H,W] = input_size. Outputs live in
  // exec.arena.
  PairOutput forward_pair(const Tensor& x0, const Tensor& x1, Exec& exec) const;

 private:
  struct Branch;
  struct Fusion;
  UnetHparams hp_;
  std::vector<std::unique_ptr<Branch>> branches_;  // 1 when shared, else 2
  std::unique_ptr<Fusion> fusion_;
};

}  // namespace oncotrack::nn
