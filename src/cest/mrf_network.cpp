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

// The range of a dictionary parameter; throws when it is unknown or does not vary.
MrfOutput parameter_range(const Dictionary& d, const std::string& name, const char* role) {
  const std::size_t a = d.parameter_index(name);
  const auto p = static_cast<std::size_t>(d.parameters.dim(1));
  float lo = d.parameters.data()[a], hi = lo;
  for (std::int64_t e = 0; e < d.entries(); ++e) {
    lo = std::min(lo, d.parameters.data()[static_cast<std::size_t>(e) * p + a]);
    hi = std::max(hi, d.parameters.data()[static_cast<std::size_t>(e) * p + a]);
  }
  if (!(hi > lo))
    throw Error(std::string("network ") + role + " does not vary in the dictionary", {},
                "a parameter with several values", name + " = " + std::to_string(lo));
  return {name, lo, hi};
}

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<MrfOutput> choose_outputs(const Dictionary& d, const std::vector<std::string>& names,
                                      const std::vector<std::string>& inputs) {
  std::vector<MrfOutput> out;
  for (const std::string& n : names) {
    if (listed(inputs, n))
      throw Error("parameter is both a network input and an output", {}, "each parameter in one role", n);
    out.push_back(parameter_range(d, n, "output"));
  }
  if (names.empty()) {
    const auto p = static_cast<std::size_t>(d.parameters.dim(1));
    for (std::size_t a = 0; a < d.parameter_names.size(); ++a) {
      bool varies = false;
      for (std::int64_t e = 1; e < d.entries() && !varies; ++e)
        varies = d.parameters.data()[static_cast<std::size_t>(e) * p + a] != d.parameters.data()[a];
      if (varies && !listed(inputs, d.parameter_names[a]))
        out.push_back(parameter_range(d, d.parameter_names[a], "output"));
    }
  }
  if (out.empty())
    throw Error("dictionary has no varying parameter to learn", {}, "a grid with ranges", "none");
  return out;
}

// Column k of the dictionary's parameters scaled by r to [0, 1], written into column `column` of m [N, C].
void put_scaled(const Dictionary& d, const MrfOutput& r, nn::Tensor& m, std::int64_t column) {
  const std::size_t a = d.parameter_index(r.name);
  const auto p = static_cast<std::size_t>(d.parameters.dim(1));
  const std::int64_t c = m.dim(1);
  for (std::int64_t e = 0; e < d.entries(); ++e)
    m.data()[e * c + column] = static_cast<float>(
        (static_cast<double>(d.parameters.data()[static_cast<std::size_t>(e) * p + a]) - r.min) /
        (r.max - r.min));
}

json ranges_to_json(const std::vector<MrfOutput>& ranges) {
  json out = json::array();
  for (const MrfOutput& r : ranges) out.push_back({{"name", r.name}, {"min", r.min}, {"max", r.max}});
  return out;
}

std::vector<MrfOutput> ranges_from_json(const json& doc) {
  std::vector<MrfOutput> out;
  for (const json& o : doc)
    out.push_back({o.at("name").get<std::string>(), o.at("min").get<double>(), o.at("max").get<double>()});
  return out;
}

}  // namespace

MrfTrainingResult train_mrf_network(const Dictionary& d, const MrfTrainingOptions& o,
                                    const std::function<void(int, double, double)>& on_epoch) {
  MrfTrainingResult r;
  r.outputs = choose_outputs(d, o.outputs, o.inputs);
  for (const std::string& n : o.inputs) r.inputs.push_back(parameter_range(d, n, "input"));
  const std::int64_t images = d.images(), known = static_cast<std::int64_t>(r.inputs.size());
  std::vector<std::int64_t> sizes{images + known};
  sizes.insert(sizes.end(), o.hidden.begin(), o.hidden.end());
  sizes.push_back(static_cast<std::int64_t>(r.outputs.size()));
  r.hparams = nn::MlpHparams::from_json(
      {{"sizes", sizes}, {"hidden_activation", "relu"}, {"output_activation", "sigmoid"}});
  const nn::Tensor signals = l2_normalised(d.signals);
  nn::Tensor x({d.entries(), images + known});
  for (std::int64_t e = 0; e < d.entries(); ++e)
    std::copy_n(signals.data() + e * images, images, x.data() + e * (images + known));
  for (std::int64_t k = 0; k < known; ++k)
    put_scaled(d, r.inputs[static_cast<std::size_t>(k)], x, images + k);
  nn::Tensor y({d.entries(), static_cast<std::int64_t>(r.outputs.size())});
  for (std::size_t k = 0; k < r.outputs.size(); ++k)
    put_scaled(d, r.outputs[k], y, static_cast<std::int64_t>(k));
  nn::MlpTrainingOptions t;
  t.epochs = o.epochs;
  t.batch_size = o.batch_size;
  t.learning_rate = o.learning_rate;
  t.validation_fraction = o.validation_fraction;
  t.seed = o.seed;
  const double sd = o.noise_sd;
  if (sd > 0.0)
    t.augment = [sd, images](float* v, std::int64_t rows, std::int64_t cols, nn::TrainingRng& rng) {
      for (std::int64_t i = 0; i < rows; ++i)  // noise on the fingerprint, not on the measured inputs
        for (std::int64_t j = 0; j < images; ++j) v[i * cols + j] += static_cast<float>(sd * rng.normal());
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
  json preprocessing{{"kind", "cest_mrf"},
                     {"input", "l2_normalised_signal"},
                     {"schedule", schedule_to_json(d.schedule)},
                     {"outputs", ranges_to_json(r.outputs)}};
  if (!r.inputs.empty()) preprocessing["inputs"] = ranges_to_json(r.inputs);
  const json training{
      {"dictionary", {{"entries", d.entries()}, {"grid", d.grid}, {"simulator", d.simulator}}},
      {"options",
       {{"hidden", o.hidden},
        {"epochs", o.epochs},
        {"batch_size", o.batch_size},
        {"learning_rate", o.learning_rate},
        {"noise_sd", o.noise_sd},
        {"validation_fraction", o.validation_fraction},
        {"seed", o.seed},
        {"inputs", o.inputs}}},
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
    std::vector<MrfOutput> outputs = ranges_from_json(m.preprocessing.at("outputs"));
    std::vector<MrfOutput> inputs = ranges_from_json(m.preprocessing.value("inputs", json::array()));
    Schedule schedule = parse_schedule(m.preprocessing.at("schedule"), path.string());
    nn::MlpHparams hp = nn::MlpHparams::from_json(m.hparams);
    if (hp.sizes.front() != static_cast<std::int64_t>(schedule.images.size() + inputs.size()) ||
        hp.sizes.back() != static_cast<std::int64_t>(outputs.size()))
      throw Error("network does not fit its own metadata", path.string(),
                  "inputs = schedule images + measured inputs, outputs = listed parameters",
                  json(hp.sizes).dump());
    return MrfNetwork(nn::Mlp(hp, m.container), std::move(schedule), std::move(outputs), std::move(inputs));
  } catch (const nn::NnError& e) {
    throw Error("invalid network file", path.string(), "a model written by oncotrack mrf train", e.what());
  } catch (const json::exception& e) {
    throw Error("invalid network metadata", path.string(), "metadata written by oncotrack mrf train",
                e.what());
  }
}

nn::Tensor MrfNetwork::predict(const nn::Tensor& signals, const nn::Tensor& known, int threads) const {
  const std::int64_t images = static_cast<std::int64_t>(schedule_.images.size());
  const std::int64_t k = static_cast<std::int64_t>(inputs_.size());
  if (signals.rank() != 2 || signals.dim(1) != images)
    throw Error("fingerprints do not fit the network", {}, std::to_string(images) + " images per voxel",
                nn::to_string(signals.shape()));
  const bool fits =
      k == 0 ? known.empty() : known.rank() == 2 && known.dim(0) == signals.dim(0) && known.dim(1) == k;
  if (!fits)
    throw Error("measured inputs do not fit the network", {},
                "[" + std::to_string(signals.dim(0)) + ", " + std::to_string(k) + "] values",
                known.empty() ? "none" : nn::to_string(known.shape()));
  const nn::Tensor normalised = l2_normalised(signals);
  nn::Tensor x({signals.dim(0), images + k});
  for (std::int64_t v = 0; v < signals.dim(0); ++v) {
    std::copy_n(normalised.data() + v * images, images, x.data() + v * (images + k));
    for (std::int64_t i = 0; i < k; ++i) {
      const MrfOutput& r = inputs_[static_cast<std::size_t>(i)];
      x.data()[v * (images + k) + images + i] =
          static_cast<float>((static_cast<double>(known.data()[v * k + i]) - r.min) / (r.max - r.min));
    }
  }
  nn::ThreadPool pool(threads);
  nn::Arena arena;
  nn::Exec exec{pool, arena};
  const nn::Tensor scaled = mlp_.forward(x, exec);
  nn::Tensor out(scaled.shape());
  const std::size_t n = outputs_.size();
  for (std::int64_t i = 0; i < scaled.size(); ++i) {
    const MrfOutput& o = outputs_[static_cast<std::size_t>(i) % n];
    out.data()[i] = static_cast<float>(o.min + (o.max - o.min) * static_cast<double>(scaled.data()[i]));
  }
  return out;
}

}  // namespace oncotrack::cest
