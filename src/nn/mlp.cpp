#include "oncotrack/nn/mlp.h"

#include "json_fields.h"

namespace oncotrack::nn {

MlpHparams MlpHparams::from_json(const nlohmann::json& j) {
  detail::Fields f(j, "mlp hparams");
  MlpHparams hp;
  const auto& sizes = f.at("sizes");
  if (!sizes.is_array() || sizes.size() < 2)
    throw NnError("hyper-parameter \"sizes\" needs at least 2 entries", "mlp hparams", "[in, ..., out]",
                  sizes.dump());
  for (const auto& s : sizes) {
    if (!s.is_number_integer() || s.get<std::int64_t>() < 1)
      throw NnError("hyper-parameter \"sizes\" entries must be positive integers", "mlp hparams", ">= 1",
                    s.dump());
    hp.sizes.push_back(s.get<std::int64_t>());
  }
  hp.hidden_name = f.string("hidden_activation");
  hp.output_name = f.string("output_activation");
  hp.hidden = Activation::parse(hp.hidden_name);
  hp.output = Activation::parse(hp.output_name);
  if (hp.hidden.kind == Activation::Kind::kNone)
    throw NnError("hidden activation must not be \"none\"", "mlp hparams",
                  "relu, tanh, sigmoid or leaky_relu:<a>", "\"none\"");
  if (hp.output.kind == Activation::Kind::kLeakyRelu)
    throw NnError("unsupported output activation", "mlp hparams", "none, relu, tanh or sigmoid",
                  hp.output_name);
  f.finish();
  return hp;
}

nlohmann::json MlpHparams::to_json() const {
  return {{"sizes", sizes}, {"hidden_activation", hidden_name}, {"output_activation", output_name}};
}

TensorTable mlp_tensor_table(const MlpHparams& hp) {
  TensorTable t;
  for (std::size_t i = 0; i + 1 < hp.sizes.size(); ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    t.emplace_back(p + "weight", Shape{hp.sizes[i + 1], hp.sizes[i]});
    t.emplace_back(p + "bias", Shape{hp.sizes[i + 1]});
  }
  return t;
}

Mlp::Mlp(const MlpHparams& hp, const SafetensorsFile& weights) : hp_(hp) {
  check_tensor_table(weights, mlp_tensor_table(hp));
  for (std::size_t i = 0; i + 1 < hp.sizes.size(); ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    layers_.emplace_back(weights.tensor(p + "weight"), weights.tensor(p + "bias"));
  }
}

Tensor Mlp::forward(const Tensor& x, Exec& exec) const {
  Tensor h = x;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    h = layers_[i].forward(h, exec, i + 1 == layers_.size() ? hp_.output : hp_.hidden);
  return h;
}

}  // namespace oncotrack::nn
