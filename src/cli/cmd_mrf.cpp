// `oncotrack mrf simulate SCHEDULE GRID --out DICT`, `oncotrack mrf train DICT --out MODEL` and
// `oncotrack mrf quantify SERIES SCHEDULE (--dict DICT | --model MODEL) --out DIR [--mask MASK] [--t1 MAP
// --t2 MAP --relaxation-unit s|ms]`: CEST MR
// fingerprinting (cest/, pipeline/mrf_quantify.h).
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>

#include "commands.h"
#include "oncotrack/cest/dictionary.h"
#include "oncotrack/cest/mrf_network.h"
#include "oncotrack/core/error.h"
#include "oncotrack/pipeline/mrf_quantify.h"

namespace oncotrack::cli {

namespace {

struct SimulateOptions {
  std::string schedule, grid, out;
};

struct TrainOptions {
  std::string dict, out;
  cest::MrfTrainingOptions training;
};

struct QuantifyOptions {
  std::string series, schedule, dict, model, mask, t1, t2, relaxation_unit = "s", out;
};

void refuse_overwrite(const std::string& path, const GlobalOptions& g) {
  if (!g.force && std::filesystem::exists(path))
    throw Error("output exists", path, "a new path (or --force)", "an existing file");
}

int run_simulate(const SimulateOptions& o, const GlobalOptions& g) {
  refuse_overwrite(o.out, g);
  const cest::Schedule schedule = cest::read_schedule(o.schedule);
  const cest::ParameterGrid grid = cest::ParameterGrid::read(o.grid);
  spdlog::info("simulating {} entries x {} images on {} threads", grid.size(), schedule.images.size(),
               g.resolved_threads());
  const auto start = std::chrono::steady_clock::now();
  int last_percent = -10;
  const cest::Dictionary dict = cest::simulate_dictionary(
      grid, schedule, g.resolved_threads(), [&](std::int64_t done, std::int64_t total) {
        const int percent = static_cast<int>(100 * done / total);
        if (percent / 10 != last_percent / 10) spdlog::info("{:3d}% ({}/{})", percent, done, total);
        last_percent = percent;
      });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cest::write_dictionary(o.out, dict);
  spdlog::info("wrote {} ({} entries, {:.1f} s, {:.0f} entries/s)", o.out, dict.entries(), seconds,
               static_cast<double>(dict.entries()) / seconds);
  return kExitOk;
}

int run_train(const TrainOptions& o, const GlobalOptions& g) {
  refuse_overwrite(o.out, g);
  const cest::Dictionary dict = cest::read_dictionary(o.dict);
  spdlog::info("training on {} entries x {} images", dict.entries(), dict.images());
  const auto start = std::chrono::steady_clock::now();
  const cest::MrfTrainingResult r =
      cest::train_mrf_network(dict, o.training, [](int epoch, double train_loss, double val_loss) {
        spdlog::info("epoch {:3d}  training loss {:.3e}  validation loss {:.3e}", epoch, train_loss,
                     val_loss);
      });
  cest::write_mrf_network(o.out, r, dict, o.training);
  spdlog::info("wrote {} (best epoch {}, validation loss {:.3e}, {:.1f} s)", o.out, r.best_epoch,
               r.validation_loss[static_cast<std::size_t>(r.best_epoch - 1)],
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return kExitOk;
}

int run_quantify(const QuantifyOptions& o, const GlobalOptions& g) {
  if (o.dict.empty() && o.model.empty())
    throw Error("nothing to quantify with", o.series, "--dict DICT or --model MODEL", "neither");
  const pipeline::MrfInputs in{o.series, o.schedule, o.mask,
                               o.t1,     o.t2,       o.relaxation_unit == "ms" ? 1e-3 : 1.0};
  pipeline::MrfMaps maps;
  if (!o.dict.empty()) {
    const cest::Dictionary dict = cest::read_dictionary(o.dict);
    maps = pipeline::quantify_with_dictionary(in, dict, g.resolved_threads());
    spdlog::info("{} voxels quantified by dot-product matching against {} entries", maps.voxels,
                 dict.entries());
  } else {
    maps = pipeline::quantify_with_network(in, cest::MrfNetwork::read(o.model), g.resolved_threads());
    spdlog::info("{} voxels quantified by the network {}", maps.voxels, o.model);
  }
  for (const auto& p : pipeline::write_mrf_maps(maps, o.out)) std::cout << p.string() << '\n';
  return kExitOk;
}

}  // namespace

void setup_mrf(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* mrf = app.add_subcommand("mrf", "CEST MR fingerprinting: dictionaries and molecular maps");
  mrf->require_subcommand(1);

  auto s = std::make_shared<SimulateOptions>();
  CLI::App* sim =
      mrf->add_subcommand("simulate", "Bloch–McConnell dictionary of a parameter grid under a schedule");
  sim->add_option("schedule", s->schedule, "Schedule JSON (see cest/schedule.h)")
      ->required()
      ->check(CLI::ExistingFile);
  sim->add_option("grid", s->grid, "Parameter grid JSON (see cest/grid.h)")
      ->required()
      ->check(CLI::ExistingFile);
  sim->add_option("--out", s->out, "Dictionary file to write (.safetensors)")->required();
  sim->callback([&action, &global, s] { action = [s, &global] { return run_simulate(*s, global); }; });

  auto t = std::make_shared<TrainOptions>();
  CLI::App* train =
      mrf->add_subcommand("train", "Train the quantification network on a dictionary (C++, Adam)");
  train->add_option("dict", t->dict, "Dictionary from `mrf simulate`")->required()->check(CLI::ExistingFile);
  train->add_option("--out", t->out, "Weights file to write (.safetensors)")->required();
  train->add_option("--hidden", t->training.hidden, "Hidden layer sizes")->capture_default_str();
  train->add_option("--epochs", t->training.epochs, "Epochs")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  train->add_option("--batch", t->training.batch_size, "Mini-batch size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  train->add_option("--lr", t->training.learning_rate, "Adam learning rate")->capture_default_str();
  train->add_option("--noise", t->training.noise_sd, "Gaussian noise SD on the normalised signals")
      ->capture_default_str();
  train->add_option("--seed", t->training.seed, "Random seed")->capture_default_str();
  train->add_option("--outputs", t->training.outputs,
                    "Parameters to learn (default: every varying one that is not an input)");
  train->add_option("--inputs", t->training.inputs,
                    "Parameters given to the network as measured maps beside the fingerprint "
                    "(water.t1_s, water.t2_s: then `quantify` needs --t1/--t2)");
  train->callback([&action, &global, t] { action = [t, &global] { return run_train(*t, global); }; });

  auto q = std::make_shared<QuantifyOptions>();
  CLI::App* quant =
      mrf->add_subcommand("quantify", "Exchange-rate, concentration and relaxation maps of a series");
  quant->add_option("series", q->series, "4D series, one volume per schedule image")
      ->required()
      ->check(CLI::ExistingFile);
  quant->add_option("schedule", q->schedule, "Schedule JSON of the series")
      ->required()
      ->check(CLI::ExistingFile);
  CLI::Option* dict =
      quant->add_option("--dict", q->dict, "Dictionary from `mrf simulate` (dot-product matching)")
          ->check(CLI::ExistingFile);
  CLI::Option* model =
      quant->add_option("--model", q->model, "Network from `mrf train`")->check(CLI::ExistingFile);
  dict->excludes(model);
  quant->add_option("--mask", q->mask, "Voxels to quantify (default: every voxel with a signal)")
      ->check(CLI::ExistingFile);
  quant->add_option("--t1", q->t1, "Measured water T1 map on the series' grid (fixes water.t1_s)")
      ->check(CLI::ExistingFile);
  quant->add_option("--t2", q->t2, "Measured water T2 map on the series' grid (fixes water.t2_s)")
      ->check(CLI::ExistingFile);
  quant->add_option("--relaxation-unit", q->relaxation_unit, "Unit of the --t1/--t2 maps")
      ->capture_default_str()
      ->check(CLI::IsMember({"s", "ms"}));
  quant->add_option("--out", q->out, "Folder for the maps (NIfTI)")->required();
  quant->callback([&action, &global, q] { action = [q, &global] { return run_quantify(*q, global); }; });
}

}  // namespace oncotrack::cli
