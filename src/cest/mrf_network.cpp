#include "oncotrack/cest/mrf_network.h"

#include <algorithm>

#include "oncotrack/cest/matching.h"
#include "oncotrack/core/error.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/mlp_trainer.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/version.h"

namespace oncotrack::cest {

using nlohmann::json;

namespace {

std::vector<MrfOutput> choose_outputs(const Dictionary& d, const std::vector<std::string>& names) {
  const auto p = static_cast<std::size_t>(d.parameters.dim(1));
  std::vector<MrfOutput> out;
  for (std::size_t a = 0; a < d.parameter_names.size(); ++a) {
    const bool wanted =
        names.empty() || std::find(names.begin(), names.end(), d.parameter_names[a]) != names.end();
    if (!wanted) continue;
    float lo = d.parameters.data()[a], hi = lo;
    for (std::int64_t e = 0; e < d.entries(); ++e) {
      lo = std::min(lo, d.parameters.data()[static_cast<std::size_t>(e) * p + a]);
      hi = std::max(hi, d.parameters.data()[static_cast<std::size_t>(e) * p + a]);
    }
    if (hi > lo)
      out.push_back({d.parameter_names[a], lo, hi});
    else if (!names.empty())
      throw Error("network output does not vary in the dictionary", {}, "a parameter with several values",
                  d.parameter_names[a] + " = " + std::to_string(lo));
  }
  for (const std::string& n : names) d.parameter_index(n);  // throws for unknown names
  if (out.empty())
    throw Error("dictionary has no varying parameter to learn", {}, "a grid with ranges", "none");
  return out;
}

}  // namespace

MrfTrainingResult train_mrf_network(const Dictionary& d, const MrfTrainingOptions& o,
                                    const std::function<void(int, double, double)>& on_epoch) {
  MrfTrainingResult r;
  r.outputs = choose_outputs(d, o.outputs);
  std::vector<std::int64_t> sizes{d.images()};
  sizes.insert(sizes.end(), o.hidden.begin(), o.hidden.end());
  sizes.push_back(static_cast<std::int64_t>(r.outputs.size()));
  r.hparams = nn::MlpHparams::from_json(
      {{"sizes", sizes}, {"hidden_activation", "relu"}, {"output_activation", "sigmoid"}});
  const nn::Tensor x = l2_normalised(d.signals);
  nn::Tensor y({d.entries(), static_cast<std::int64_t>(r.outputs.size())});
  const auto p = static_cast<std::size_t>(d.parameters.dim(1));
  for (std::size_t k = 0; k < r.outputs.size(); ++k) {
    const std::size_t a = d.parameter_index(r.outputs[k].name);
    const double lo = r.outputs[k].min, span = r.outputs[k].max - r.outputs[k].min;
    for (std::int64_t e = 0; e < d.entries(); ++e)
      y.data()[static_cast<std::size_t>(e) * r.outputs.size() + k] = static_cast<float>(
          (static_cast<double>(d.parameters.data()[static_cast<std::size_t>(e) * p + a]) - lo) / span);
  }
  nn::MlpTrainingOptions t;
  t.epochs = o.epochs;
  t.batch_size = o.batch_size;
  t.learning_rate = o.learning_rate;
  t.validation_fraction = o.validation_fraction;
  t.seed = o.seed;
  const double sd = o.noise_sd;
  if (sd > 0.0)
    t.augment = [sd](float* v, std::int64_t rows, std::int64_t cols, nn::TrainingRng& rng) {
      for (std::int64_t i = 0; i < rows * cols; ++i) v[i] += static_cast<float>(sd * rng.normal());
    };
  t.on_epoch = on_epoch;
  nn::MlpTrainingResult m = nn::train_mlp(r.hparams, x, y, t);
  r.weights = std::move(m.weights);
  r.training_loss = std::move(m.training_loss);
  r.validation_loss = std::move(m.validation_loss);
  r.best_epoch = m.best_epoch;
  return r;
}

void write_mrf_network(const std::filesystem::path& path, const MrfTrainingResult& r, const Dictionary& d,
                       const MrfTrainingOptions& o) {
  json outputs = json::array();
  for (const MrfOutput& out : r.outputs)
    outputs.push_back({{"name", out.name}, {"min", out.min}, {"max", out.max}});
  const json preprocessing{{"kind", "cest_mrf"},
                           {"input", "l2_normalised_signal"},
                           {"schedule", schedule_to_json(d.schedule)},
                           {"outputs", outputs}};
  const json training{
      {"dictionary", {{"entries", d.entries()}, {"grid", d.grid}, {"simulator", d.simulator}}},
      {"options",
       {{"hidden", o.hidden},
        {"epochs", o.epochs},
        {"batch_size", o.batch_size},
        {"learning_rate", o.learning_rate},
        {"noise_sd", o.noise_sd},
        {"validation_fraction", o.validation_fraction},
        {"seed", o.seed}}},
      {"best_epoch", r.best_epoch},
      {"training_loss", r.training_loss},
      {"validation_loss", r.validation_loss},
      {"oncotrack", std::string(kVersion) + " (" + kGitCommit + ")"}};
  try {
    nn::write_safetensors(path,
                          {{"oncotrack.format_version", nn::kFormatVersion},
                           {"oncotrack.architecture", "mlp"},
                           {"oncotrack.hparams", r.hparams.to_json().dump()},
                           {"oncotrack.preprocessing", preprocessing.dump()},
                           {"oncotrack.training", training.dump()}},
                          r.weights);
  } catch (const nn::NnError& e) {
    throw Error("cannot write network", path.string(), "a writable location", e.what());
  }
}

MrfNetwork MrfNetwork::read(const std::filesystem::path& path) {
  try {
    nn::ModelFile m = nn::read_model(path);
    if (m.architecture != "mlp" || !m.preprocessing.is_object() ||
        m.preprocessing.value("kind", "") != "cest_mrf")
      throw Error("not a CEST-MRF network", path.string(), "a model written by oncotrack mrf train",
                  "architecture " + m.architecture + ", preprocessing " + m.preprocessing.dump());
    std::vector<MrfOutput> outputs;
    for (const json& o : m.preprocessing.at("outputs"))
      outputs.push_back(
          {o.at("name").get<std::string>(), o.at("min").get<double>(), o.at("max").get<double>()});
    Schedule schedule = parse_schedule(m.preprocessing.at("schedule"), path.string());
    nn::MlpHparams hp = nn::MlpHparams::from_json(m.hparams);
    if (hp.sizes.front() != static_cast<std::int64_t>(schedule.images.size()) ||
        hp.sizes.back() != static_cast<std::int64_t>(outputs.size()))
      throw Error("network does not fit its own metadata", path.string(),
                  "inputs = schedule images, outputs = listed parameters", json(hp.sizes).dump());
    return MrfNetwork(nn::Mlp(hp, m.container), std::move(schedule), std::move(outputs));
  } catch (const nn::NnError& e) {
    throw Error("invalid network file", path.string(), "a model written by oncotrack mrf train", e.what());
  } catch (const json::exception& e) {
    throw Error("invalid network metadata", path.string(), "metadata written by oncotrack mrf train",
                e.what());
  }
}

nn::Tensor MrfNetwork::predict(const nn::Tensor& signals, int threads) const {
  nn::ThreadPool pool(threads);
  nn::Arena arena;
  nn::Exec exec{pool, arena};
  const nn::Tensor scaled = mlp_.forward(l2_normalised(signals), exec);
  nn::Tensor out(scaled.shape());
  const std::size_t k = outputs_.size();
  for (std::int64_t i = 0; i < scaled.size(); ++i) {
    const MrfOutput& o = outputs_[static_cast<std::size_t>(i) % k];
    out.data()[i] = static_cast<float>(o.min + (o.max - o.min) * static_cast<double>(scaled.data()[i]));
  }
  return out;
}

}  // namespace oncotrack::cest
