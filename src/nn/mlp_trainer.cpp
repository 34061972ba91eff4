#include "oncotrack/nn/mlp_trainer.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::RowVectorXf;

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// Activation derivative from the activation's output a.
float derivative(const Activation& act, float a) {
  switch (act.kind) {
    case Activation::Kind::kRelu:
      return a > 0.0f ? 1.0f : 0.0f;
    case Activation::Kind::kLeakyRelu:
      return a > 0.0f ? 1.0f : act.alpha;
    case Activation::Kind::kSigmoid:
      return a * (1.0f - a);
    case Activation::Kind::kTanh:
      return 1.0f - a * a;
    case Activation::Kind::kNone:
      break;
  }
  return 1.0f;
}

struct Layer {
  Matrix w;  // [out, in]
  Vector b;  // [out]
  Matrix mw, vw;
  Vector mb, vb;
};

class Network {
 public:
  Network(const MlpHparams& hp, TrainingRng& rng) : hp_(hp) {
    for (std::size_t l = 0; l + 1 < hp.sizes.size(); ++l) {
      const auto in = static_cast<Eigen::Index>(hp.sizes[l]),
                 out = static_cast<Eigen::Index>(hp.sizes[l + 1]);
      const double bound = 1.0 / std::sqrt(static_cast<double>(in));
      Layer layer{Matrix(out, in),       Vector(out),       Matrix::Zero(out, in),
                  Matrix::Zero(out, in), Vector::Zero(out), Vector::Zero(out)};
      for (Eigen::Index i = 0; i < layer.w.size(); ++i)
        layer.w.data()[i] = static_cast<float>((2.0 * rng.uniform() - 1.0) * bound);
      for (Eigen::Index i = 0; i < out; ++i)
        layer.b[i] = static_cast<float>((2.0 * rng.uniform() - 1.0) * bound);
      layers_.push_back(std::move(layer));
    }
    acts_.resize(layers_.size() + 1);
  }

  Activation activation(std::size_t l) const { return l + 1 == layers_.size() ? hp_.output : hp_.hidden; }

  // Mean squared error of the batch; keeps the activations for backward().
  double forward(const Matrix& x, const Matrix& y) {
    acts_[0] = x;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      acts_[l + 1].noalias() = acts_[l] * layers_[l].w.transpose();
      acts_[l + 1].rowwise() += layers_[l].b;
      activate(acts_[l + 1].data(), acts_[l + 1].size(), activation(l));
    }
    diff_ = acts_.back() - y;
    return static_cast<double>(diff_.cast<double>().squaredNorm()) / static_cast<double>(diff_.size());
  }

  void backward_and_step(const MlpTrainingOptions& o, int step) {
    Matrix grad = diff_ * (2.0f / static_cast<float>(diff_.size()));  // d loss / d output
    const double c1 = 1.0 - std::pow(o.beta1, step), c2 = 1.0 - std::pow(o.beta2, step);
    const auto lr = static_cast<float>(o.learning_rate * std::sqrt(c2) / c1);
    const auto b1 = static_cast<float>(o.beta1), b2 = static_cast<float>(o.beta2);
    const auto eps = static_cast<float>(o.epsilon * std::sqrt(c2));
    for (std::size_t l = layers_.size(); l-- > 0;) {
      const Activation act = activation(l);
      for (Eigen::Index i = 0; i < grad.size(); ++i)
        grad.data()[i] *= derivative(act, acts_[l + 1].data()[i]);
      const Matrix gw = grad.transpose() * acts_[l];
      const Vector gb = grad.colwise().sum();
      if (l > 0) grad = grad * layers_[l].w;  // before the update
      Layer& L = layers_[l];
      L.mw = b1 * L.mw + (1.0f - b1) * gw;
      L.vw = b2 * L.vw + (1.0f - b2) * gw.cwiseProduct(gw);
      L.mb = b1 * L.mb + (1.0f - b1) * gb;
      L.vb = b2 * L.vb + (1.0f - b2) * gb.cwiseProduct(gb);
      L.w.array() -= lr * L.mw.array() / (L.vw.array().sqrt() + eps);
      L.b.array() -= lr * L.mb.array() / (L.vb.array().sqrt() + eps);
    }
  }

  std::vector<NamedTensor> tensors() const {
    std::vector<NamedTensor> out;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const Layer& L = layers_[l];
      out.push_back(
          {"layers." + std::to_string(l) + ".weight",
           Tensor({L.w.rows(), L.w.cols()}, std::vector<float>(L.w.data(), L.w.data() + L.w.size()))});
      out.push_back({"layers." + std::to_string(l) + ".bias",
                     Tensor({L.b.size()}, std::vector<float>(L.b.data(), L.b.data() + L.b.size()))});
    }
    return out;
  }

 private:
  MlpHparams hp_;
  std::vector<Layer> layers_;
  std::vector<Matrix> acts_;
  Matrix diff_;
};

Matrix gather(const Tensor& t, const std::vector<std::int64_t>& rows, std::size_t begin, std::size_t end) {
  Matrix m(static_cast<Eigen::Index>(end - begin), t.dim(1));
  for (std::size_t r = begin; r < end; ++r)
    std::copy(t.data() + rows[r] * t.dim(1), t.data() + (rows[r] + 1) * t.dim(1),
              m.data() + static_cast<std::ptrdiff_t>(r - begin) * t.dim(1));
  return m;
}

}  // namespace

TrainingRng::TrainingRng(std::uint64_t seed) {
  for (std::uint64_t& s : s_) {  // SplitMix64
    seed += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    s = z ^ (z >> 31);
  }
}

std::uint64_t TrainingRng::next() {  // xoshiro256**
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double TrainingRng::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double TrainingRng::normal() {
  const double u1 = 1.0 - uniform(), u2 = uniform();  // u1 in (0, 1]
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
}

MlpTrainingResult train_mlp(const MlpHparams& hp, const Tensor& x, const Tensor& y,
                            const MlpTrainingOptions& o) {
  if (x.rank() != 2 || y.rank() != 2 || x.dim(0) != y.dim(0) || x.dim(1) != hp.sizes.front() ||
      y.dim(1) != hp.sizes.back())
    throw NnError("training data do not fit the network", "train_mlp",
                  "inputs [N," + std::to_string(hp.sizes.front()) + "], targets [N," +
                      std::to_string(hp.sizes.back()) + "]",
                  to_string(x.shape()) + ", " + to_string(y.shape()));
  const std::int64_t n = x.dim(0);
  if (n < 2) throw NnError("too few training rows", "train_mlp", "at least 2", std::to_string(n));
  if (o.epochs < 1) throw NnError("no epochs to train", "train_mlp", "epochs >= 1", std::to_string(o.epochs));
  const auto n_val =
      std::clamp<std::int64_t>(static_cast<std::int64_t>(std::llround(o.validation_fraction * n)), 1, n - 1);
  TrainingRng rng(o.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  auto shuffle = [&](std::vector<std::int64_t>& v) {
    for (std::size_t i = v.size(); i > 1; --i)
      std::swap(v[i - 1], v[static_cast<std::size_t>(rng.next() % i)]);
  };
  shuffle(order);
  const std::vector<std::int64_t> val(order.begin(), order.begin() + n_val);
  std::vector<std::int64_t> train(order.begin() + n_val, order.end());
  Matrix val_x = gather(x, val, 0, val.size());
  const Matrix val_y = gather(y, val, 0, val.size());
  TrainingRng val_rng(o.seed ^ 0x5bd1e995ULL);
  if (o.augment) o.augment(val_x.data(), val_x.rows(), val_x.cols(), val_rng);  // fixed validation noise

  Network net(hp, rng);
  MlpTrainingResult result;
  double best = std::numeric_limits<double>::infinity();
  int step = 0;
  const auto batch = static_cast<std::size_t>(std::max(1, o.batch_size));
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    shuffle(train);
    double sum = 0.0;
    std::size_t batches = 0;
    for (std::size_t b = 0; b < train.size(); b += batch) {
      Matrix bx = gather(x, train, b, std::min(train.size(), b + batch));
      const Matrix by = gather(y, train, b, std::min(train.size(), b + batch));
      if (o.augment) o.augment(bx.data(), bx.rows(), bx.cols(), rng);
      sum += net.forward(bx, by);
      ++batches;
      net.backward_and_step(o, ++step);
    }
    const double val_loss = net.forward(val_x, val_y);
    result.training_loss.push_back(sum / static_cast<double>(batches));
    result.validation_loss.push_back(val_loss);
    if (val_loss < best) {
      best = val_loss;
      result.best_epoch = epoch;
      result.weights = net.tensors();
    }
    if (o.on_epoch) o.on_epoch(epoch, result.training_loss.back(), val_loss);
  }
  return result;
}

}  // namespace oncotrack::nn
