// `oncotrack model prepare INPUT (--model FILE | --preprocessing FILE) --out DIR`: training tensors
// (pipeline/model_tensors.h) for every subject of a manifest or BIDS root, preprocessed as the model
// prescribes. Subjects run in parallel (-j); a failed subject is reported and the others complete (exit 2).
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "commands.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/pipeline/model_tensors.h"
#include "oncotrack/registration/register.h"

namespace oncotrack::cli {

namespace {

struct PrepareOptions {
  std::string input, model, preprocessing, out_dir;
};

pipeline::ModelPreprocessing model_preprocessing(const PrepareOptions& o) {
  if (!o.model.empty())
    return pipeline::ModelPreprocessing::from_json(nn::read_model(o.model).preprocessing, o.model);
  const nlohmann::json doc = read_json_file(o.preprocessing, "preprocessing");
  return pipeline::ModelPreprocessing::from_json(doc, o.preprocessing);
}

int run_model_prepare(const PrepareOptions& o, const GlobalOptions& g) {
  const pipeline::ModelPreprocessing model = model_preprocessing(o);
  const io::Cohort cohort = io::load_cohort(o.input);
  if (!cohort.problems.empty()) {
    for (const auto& p : cohort.problems) spdlog::error("{}", p.describe());
    return kExitUsage;
  }
  std::filesystem::create_directories(o.out_dir);
  const int threads = g.resolved_threads();
  registration::set_itk_threads(1);  // parallel over subjects
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<int> failed{0};
  std::mutex log;
  auto worker = [&] {
    for (std::size_t i = next++; i < cohort.subjects.size(); i = next++) {
      const io::SubjectEntry& s = cohort.subjects[i];
      std::string error;
      try {
        pipeline::write_model_tensors(io::load_subject_or_throw(s), model, o.out_dir);
      } catch (const std::exception& e) {
        error = e.what();
        ++failed;
      }
      const std::lock_guard<std::mutex> lock(log);
      if (error.empty())
        spdlog::info("[{}/{}] sub-{} prepared", ++done, cohort.subjects.size(), s.id);
      else
        spdlog::error("[{}/{}] sub-{} failed: {}", ++done, cohort.subjects.size(), s.id, error);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return failed > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace

void add_model_prepare(CLI::App& model_cmd, const GlobalOptions& global, Action& action) {
  auto o = std::make_shared<PrepareOptions>();
  CLI::App* cmd = model_cmd.add_subcommand(
      "prepare", "Training tensors: every scan preprocessed as the model prescribes, with its tumour mask");
  cmd->add_option("input", o->input, "Manifest (CSV/TSV/JSON) or BIDS root")->required();
  auto* model = cmd->add_option("--model", o->model, "Weights file whose preprocessing to use")
                    ->check(CLI::ExistingFile);
  auto* pre = cmd->add_option("--preprocessing", o->preprocessing,
                              "JSON file with the model's preprocessing (pipeline/model_input.h)")
                  ->check(CLI::ExistingFile);
  model->excludes(pre);
  cmd->add_option("--out", o->out_dir, "Output folder")->required();
  cmd->callback([&action, &global, o, model, pre] {
    if (model->count() + pre->count() != 1) throw CLI::ValidationError("give --model or --preprocessing");
    action = [o, &global] { return run_model_prepare(*o, global); };
  });
}

}  // namespace oncotrack::cli
