#pragma once
// Architecture "mlp": a fully connected network (the CEST-MRF quantifier).
//
// hparams (JSON, every key required, no others):
//   sizes              [in, h1, ..., out], at least 2 entries, each >= 1
//   hidden_activation  "relu" | "tanh" | "sigmoid" | "leaky_relu:<alpha>"  (after every layer but the last)
//   output_activation  "none" | "relu" | "tanh" | "sigmoid"                 (after the last layer)
// Tensors: layers.{i}.weight [sizes[i+1], sizes[i]], layers.{i}.bias [sizes[i+1]] (PyTorch nn.Linear).
// Input [N, in] → output [N, out].
#include <nlohmann/json.hpp>
#include <vector>

#include "oncotrack/nn/dense.h"
#include "oncotrack/nn/model_file.h"

namespace oncotrack::nn {

struct MlpHparams {
  std::vector<std::int64_t> sizes;
  Activation hidden, output;
  std::string hidden_name, output_name;  // as given, for reports

  static MlpHparams from_json(const nlohmann::json& j);  // throws NnError
  nlohmann::json to_json() const;
};

TensorTable mlp_tensor_table(const MlpHparams& hp);

class Mlp {
 public:
  // Tensors must match mlp_tensor_table(hp) (read_model() checks it; this constructor checks again).
  Mlp(const MlpHparams& hp, const SafetensorsFile& weights);
  const MlpHparams& hparams() const { return hp_; }
  Tensor forward(const Tensor& x, Exec& exec) const;

 private:
  MlpHparams hp_;
  std::vector<Dense> layers_;
};

}  // namespace oncotrack::nn
