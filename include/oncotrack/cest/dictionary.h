#pragma once
// CEST-MRF dictionaries: the simulated signal of every tissue of a parameter grid under one schedule.
//
// File format: safetensors (nn/safetensors.h), written atomically, with
//   tensors   "signals"    F32 [N, T]  simulate_signal() of entry n (not normalised)
//             "parameters" F32 [N, P]  the grid axis values of entry n
//   metadata  "oncotrack.format_version"  "1"
//             "oncotrack.kind"            "cest_dictionary"
//             "oncotrack.parameters"      JSON array of the P axis names (grid.h)
//             "oncotrack.schedule"        JSON schedule (schedule_to_json)
//             "oncotrack.grid"            JSON grid document as given
//             "oncotrack.simulator"       JSON of the model choices (γ, MT model, readout, RF phase, version)
// Readable from Python with the safetensors package or a few lines of json/numpy.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oncotrack/cest/grid.h"
#include "oncotrack/cest/schedule.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::cest {

struct Dictionary {
  std::vector<std::string> parameter_names;
  nn::Tensor signals;     // [N, T]
  nn::Tensor parameters;  // [N, P]
  Schedule schedule;
  nlohmann::json grid, simulator;

  std::int64_t entries() const { return signals.empty() ? 0 : signals.dim(0); }
  std::int64_t images() const { return signals.empty() ? 0 : signals.dim(1); }
  // Column of a parameter; throws oncotrack::Error listing the names when absent.
  std::size_t parameter_index(const std::string& name) const;
};

// Called from the calling thread with the number of entries done so far.
using DictionaryProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Simulates every grid entry on `threads` threads (results do not depend on the thread count).
Dictionary simulate_dictionary(const ParameterGrid& grid, const Schedule& schedule, int threads,
                               const DictionaryProgress& progress = {});

void write_dictionary(const std::filesystem::path& path, const Dictionary& dict);
// Throws oncotrack::Error naming the file when it is not a dictionary of this format.
Dictionary read_dictionary(const std::filesystem::path& path);

}  // namespace oncotrack::cest
