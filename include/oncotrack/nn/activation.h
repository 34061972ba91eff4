#pragma once
// Element-wise activations, applied in place (also fused into the epilogues of conv and instance norm).
#include <string>

#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

struct Activation {
  enum class Kind { kNone, kRelu, kLeakyRelu, kSigmoid, kTanh };
  Kind kind = Kind::kNone;
  float alpha = 0.0f;  // negative slope of kLeakyRelu

  static Activation none() { return {}; }
  static Activation relu() { return {Kind::kRelu, 0.0f}; }
  static Activation leaky_relu(float a) { return {Kind::kLeakyRelu, a}; }
  static Activation sigmoid() { return {Kind::kSigmoid, 0.0f}; }
  static Activation tanh() { return {Kind::kTanh, 0.0f}; }
  // "none", "relu", "leaky_relu:<alpha>", "sigmoid", "tanh"; throws NnError otherwise.
  static Activation parse(const std::string& name);
};

// Applies `act` to n values at p (the scalar definition every fused epilogue must match).
void activate(float* p, std::int64_t n, Activation act);
void activate(Tensor& x, Activation act, ThreadPool& pool);

// Softmax over the channel axis of [N,C,...] in place (max-subtracted).
void softmax_channels(Tensor& x, ThreadPool& pool);

}  // namespace oncotrack::nn
