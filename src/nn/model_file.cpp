// Weights files (model_file.h). Metadata failures name the file and the key:
//   "missing metadata \"oncotrack.format_version\"" (likewise architecture, hparams)
//   "unsupported weights format version"; expected "1", got the value
//   "unknown architecture"; expected the known ones ("mlp, multitask_unet3d"), got the value
//   "metadata \"oncotrack.<key>\" is not valid JSON" / "... is not a JSON object"
//   hyper-parameter errors of the architecture, with the file prefixed to their where()
// Tensor table failures are listed in check_tensor_table().
#include "oncotrack/nn/model_file.h"

#include <algorithm>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

const std::string* metadata_value(const SafetensorsFile& f, const std::string& key, bool required) {
  const auto it = f.metadata().find(key);
  if (it != f.metadata().end()) return &it->second;
  if (required) throw NnError("missing metadata \"" + key + "\"", f.where());
  return nullptr;
}

nlohmann::json json_object(const SafetensorsFile& f, const std::string& key, bool required) {
  const std::string* text = metadata_value(f, key, required);
  if (!text) return nlohmann::json::object();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw NnError("metadata \"" + key + "\" is not valid JSON", f.where(), {}, e.what());
  }
  if (!j.is_object())
    throw NnError("metadata \"" + key + "\" is not a JSON object", f.where(), "object", j.type_name());
  return j;
}

}  // namespace

ModelFile read_model(const std::filesystem::path& path) {
  ModelFile m;
  m.path = path;
  m.container = SafetensorsFile::read(path);
  const SafetensorsFile& f = m.container;

  const std::string& version = *metadata_value(f, "oncotrack.format_version", true);
  if (version != kFormatVersion)
    throw NnError("unsupported weights format version", f.where(), kFormatVersion, "\"" + version + "\"");

  m.architecture = *metadata_value(f, "oncotrack.architecture", true);
  const auto known = known_architectures();
  if (std::find(known.begin(), known.end(), m.architecture) == known.end()) {
    std::string list;
    for (const auto& a : known) list += (list.empty() ? "" : ", ") + a;
    throw NnError("unknown architecture", f.where(), list, "\"" + m.architecture + "\"");
  }

  m.hparams = json_object(f, "oncotrack.hparams", true);
  m.preprocessing = json_object(f, "oncotrack.preprocessing", false);
  m.training = json_object(f, "oncotrack.training", false);

  TensorTable table;
  try {
    table = tensor_table(m.architecture, m.hparams);
  } catch (const NnError& e) {
    throw NnError(e.problem(), e.where().empty() ? f.where() : f.where() + ": " + e.where(), e.expected(),
                  e.found());
  }
  check_tensor_table(f, table);
  return m;
}

// Walks both name-sorted lists together, so the first problem reported is the first in name order:
//   "missing tensor <name>"; expected <shape>
//   "unexpected tensor <name>"; got <shape>
//   "tensor <name> has the wrong shape"; expected [64,32,3,3,3], got [...]
void check_tensor_table(const SafetensorsFile& file, const TensorTable& expected) {
  std::vector<const std::pair<std::string, Shape>*> want;
  for (const auto& e : expected) want.push_back(&e);
  std::sort(want.begin(), want.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  for (std::size_t i = 1; i < want.size(); ++i)
    if (want[i - 1]->first == want[i]->first)
      throw std::logic_error("tensor table names " + want[i]->first + " twice");

  std::vector<const TensorEntry*> have;  // sorted by name, as entries() are
  for (const TensorEntry& e : file.entries())
    if (e.name.rfind(kPreprocessingTensorPrefix, 0) != 0) have.push_back(&e);
  std::size_t w = 0, h = 0;
  while (w < want.size() || h < have.size()) {
    if (h == have.size() || (w < want.size() && want[w]->first < have[h]->name))
      throw NnError("missing tensor " + want[w]->first, file.where(), to_string(want[w]->second));
    if (w == want.size() || have[h]->name < want[w]->first)
      throw NnError("unexpected tensor " + have[h]->name, file.where(), {}, to_string(have[h]->shape));
    if (have[h]->shape != want[w]->second)
      throw NnError("tensor " + have[h]->name + " has the wrong shape", file.where(),
                    to_string(want[w]->second), to_string(have[h]->shape));
    ++w, ++h;
  }
}

}  // namespace oncotrack::nn
