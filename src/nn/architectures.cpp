// The one registry of architectures this build knows (model_file.h).
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/mlp.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/nn/multitask_unet3d.h"

namespace oncotrack::nn {

std::vector<std::string> known_architectures() {
  return {"mlp", "multitask_unet3d"};
}

TensorTable tensor_table(const std::string& architecture, const nlohmann::json& hparams) {
  if (architecture == "mlp") return mlp_tensor_table(MlpHparams::from_json(hparams));
  if (architecture == "multitask_unet3d") return unet_tensor_table(UnetHparams::from_json(hparams));
  std::string known;
  for (const auto& a : known_architectures()) known += (known.empty() ? "" : ", ") + a;
  throw NnError("unknown architecture", {}, known, "\"" + architecture + "\"");
}

}  // namespace oncotrack::nn
