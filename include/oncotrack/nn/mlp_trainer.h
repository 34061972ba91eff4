#pragma once
// Training of the "mlp" architecture (mlp.h) in C++: mean-squared error, Adam (Kingma & Ba 2015), shuffled
// mini-batches, a held-out validation split, the weights of the epoch with the lowest validation loss. Used
// for the CEST-MRF quantifier (Perlman et al., Nat Biomed Eng 2022: trained on simulated signals with noise).
//
// Deterministic: a given seed, data and options give bit-identical weights (one thread, own random generators
// — no std:: distributions, whose output differs between standard libraries). Weight initialisation as
// PyTorch's nn.Linear (uniform ±1/√fan_in for weights and biases).
#include <cstdint>
#include <functional>
#include <vector>

#include "oncotrack/nn/mlp.h"
#include "oncotrack/nn/safetensors.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

// SplitMix64-seeded xoshiro256** generator with uniform and Gaussian draws (Box–Muller).
class TrainingRng {
 public:
  explicit TrainingRng(std::uint64_t seed);
  std::uint64_t next();
  double uniform();  // [0, 1)
  double normal();   // N(0, 1)

 private:
  std::uint64_t s_[4];
};

struct MlpTrainingOptions {
  int epochs = 50;
  int batch_size = 256;
  double learning_rate = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double validation_fraction = 0.1;  // of the rows, chosen at random (at least one row each side)
  std::uint64_t seed = 1;
  // Called on every batch of inputs [rows, in] before the forward pass (training and validation), e.g. to add
  // noise; must be deterministic given the generator.
  std::function<void(float* inputs, std::int64_t rows, std::int64_t columns, TrainingRng& rng)> augment;
  // Called after every epoch with (epoch from 1, training loss, validation loss).
  std::function<void(int, double, double)> on_epoch;
};

struct MlpTrainingResult {
  std::vector<NamedTensor> weights;  // layers.{i}.weight / .bias of the best epoch (mlp_tensor_table)
  std::vector<double> training_loss, validation_loss;  // per epoch (mean squared error)
  int best_epoch = 0;                                  // from 1
};

// inputs [N, sizes.front()], targets [N, sizes.back()]. Throws NnError for shapes that do not fit or N < 2.
MlpTrainingResult train_mlp(const MlpHparams& hp, const Tensor& inputs, const Tensor& targets,
                            const MlpTrainingOptions& options);

}  // namespace oncotrack::nn
