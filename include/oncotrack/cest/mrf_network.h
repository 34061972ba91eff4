#pragma once
// The CEST-MRF quantification network (Cohen et al., MRM 2018; Perlman et al., Nat Biomed Eng 2022): a fully
// connected network from a fingerprint to tissue parameters, trained here in C++ on a dictionary with
// Gaussian noise added to the simulated signals (nn/mlp_trainer.h).
//
// Model file: a weights file (nn/model_file.h) with architecture "mlp" and
//   oncotrack.preprocessing = {"kind": "cest_mrf", "input": "l2_normalised_signal",
//                              "schedule": <schedule JSON>, "outputs": [{"name", "min", "max"}, …],
//                              "inputs": [{"name", "min", "max"}, …] (optional)}
//   the network's input is the L2-normalised fingerprint followed by the measured "inputs" (e.g. water T1
//   and T2 maps, as in the published network), each scaled to [0, 1] by (value − min) / (max − min);
//   outputs are scaled the same way during training (sigmoid output layer);
//   oncotrack.training = {"dictionary": {entries, grid}, "options", "epochs", "best_epoch", "validation"}.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "oncotrack/cest/dictionary.h"
#include "oncotrack/nn/mlp.h"
#include "oncotrack/nn/safetensors.h"

namespace oncotrack::cest {

struct MrfOutput {
  std::string name;  // dictionary parameter
  double min = 0.0, max = 1.0;
};

struct MrfTrainingOptions {
  std::vector<std::int64_t> hidden = {300, 300};  // ReLU layers (the published shape)
  int epochs = 40;
  int batch_size = 512;
  double learning_rate = 1e-3;
  double noise_sd =
      0.002;  // Gaussian noise on the L2-normalised signals (≈ 1 % of a typical value at T = 30)
  double validation_fraction = 0.1;
  std::uint64_t seed = 1;
  std::vector<std::string> outputs;  // dictionary parameters; empty: every varying one that is not an input
  std::vector<std::string> inputs;   // dictionary parameters given as measured maps (e.g. water.t1_s)
};

struct MrfTrainingResult {
  nn::MlpHparams hparams;
  std::vector<MrfOutput> outputs;
  std::vector<MrfOutput> inputs;  // measured parameters fed beside the fingerprint, with their scaling
  std::vector<nn::NamedTensor> weights;
  std::vector<double> training_loss, validation_loss;
  int best_epoch = 0;
};

// Throws oncotrack::Error when an output or input is not a dictionary parameter or does not vary, or when a
// parameter is both.
MrfTrainingResult train_mrf_network(const Dictionary& dict, const MrfTrainingOptions& options,
                                    const std::function<void(int, double, double)>& on_epoch = {});
void write_mrf_network(const std::filesystem::path& path, const MrfTrainingResult& result,
                       const Dictionary& dict, const MrfTrainingOptions& options);

class MrfNetwork {
 public:
  // Throws oncotrack::Error naming the file when it is not a CEST-MRF network.
  static MrfNetwork read(const std::filesystem::path& path);
  const Schedule& schedule() const { return schedule_; }
  const std::vector<MrfOutput>& outputs() const { return outputs_; }
  const std::vector<MrfOutput>& inputs() const { return inputs_; }
  // signals [V, T] (any scale) and the measured inputs [V, inputs()] in the dictionary's units (an empty
  // tensor when the network has none) → parameters [V, outputs] in the dictionary's units. Throws
  // oncotrack::Error when the shapes do not fit.
  nn::Tensor predict(const nn::Tensor& signals, const nn::Tensor& known, int threads) const;

 private:
  MrfNetwork(nn::Mlp mlp, Schedule schedule, std::vector<MrfOutput> outputs, std::vector<MrfOutput> inputs)
      : mlp_(std::move(mlp)),
        schedule_(std::move(schedule)),
        outputs_(std::move(outputs)),
        inputs_(std::move(inputs)) {}
  nn::Mlp mlp_;
  Schedule schedule_;
  std::vector<MrfOutput> outputs_, inputs_;
};

}  // namespace oncotrack::cest
