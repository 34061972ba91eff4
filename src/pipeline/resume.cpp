#include "oncotrack/pipeline/resume.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/sha256.h"
#include "oncotrack/pipeline/config.h"
#include "oncotrack/pipeline/mrf_quantify.h"
#include "oncotrack/pipeline/segmentation.h"
#include "oncotrack/version.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json file_json(const fs::path& path) {
  if (path.empty()) return nullptr;
  std::string digest;
  try {
    digest = sha256_file(path);
  } catch (const std::exception&) {
    digest = "unreadable";
  }
  return {{"path", path.string()}, {"sha256", digest}};
}

json entry_json(const io::SubjectEntry& subject) {
  json timepoints = json::array();
  for (const auto& tp : subject.timepoints) {
    json images = json::array();
    for (const auto& im : tp.images)
      images.push_back({{"sequence", im.sequence},
                        {"image", file_json(im.path)},
                        {"mask", im.mask ? file_json(*im.mask) : json(nullptr)},
                        {"mask_labels", im.mask_labels},
                        {"mask_on_own_grid", im.mask_on_own_grid},
                        {"series_uid", im.series_uid},
                        {"extra", im.extra}});
    json mrf = nullptr;
    if (tp.mrf)
      mrf = {{"series", file_json(tp.mrf->series)},
             {"schedule", file_json(tp.mrf->schedule)},
             {"t1_map", file_json(tp.mrf->t1_map)},
             {"t2_map", file_json(tp.mrf->t2_map)},
             {"reference_mask", file_json(tp.mrf->reference_mask)},
             {"relaxation_unit_s", tp.mrf->relaxation_unit_s}};
    timepoints.push_back({{"id", tp.id},
                          {"day", tp.day ? json(*tp.day) : json(nullptr)},
                          {"date", tp.date},
                          {"role", tp.role},
                          {"images", images},
                          {"mrf", mrf}});
  }
  return {{"id", subject.id}, {"timepoints", timepoints}};
}

}  // namespace

std::string subject_fingerprint(const io::SubjectEntry& subject, const RunOptions& options) {
  const json everything{{"tool", {{"version", kVersion}, {"git_commit", kGitCommit}}},
                        {"stage", static_cast<int>(options.stage)},
                        {"config", config_to_json(options.config)},
                        {"model", options.model ? json(options.model->sha256) : json(nullptr)},
                        {"mrf", options.mrf ? json(options.mrf->sha256) : json(nullptr)},
                        {"tumor_source", options.tumor_source},
                        {"subject", entry_json(subject)}};
  // Paths need not be UTF-8 (file names are bytes); their files' SHA-256 tells such names apart.
  return sha256_hex(everything.dump(-1, ' ', false, json::error_handler_t::replace));
}

bool up_to_date(const fs::path& result_file, const std::string& fingerprint) {
  std::ifstream in(result_file, std::ios::binary);
  if (!in) return false;
  const json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;  // also a file cut short (discarded)
  const auto status = j.find("status");
  const auto provenance = j.find("provenance");
  if (status == j.end() || *status != "ok" || provenance == j.end() || !provenance->is_object()) return false;
  const auto recorded = provenance->find("fingerprint");
  return recorded != provenance->end() && recorded->is_string() && *recorded == fingerprint;
}

void clear_stale(const fs::path& result_file, const fs::path& error_file) {
  std::error_code ec;
  fs::remove(result_file, ec);
  fs::remove(error_file, ec);
  const fs::path folder = result_file.parent_path();
  if (!fs::is_directory(folder, ec)) return;
  std::vector<fs::path> temporaries;
  for (auto it = fs::recursive_directory_iterator(folder, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (is_temporary_name(it->path())) temporaries.push_back(it->path());
  for (const auto& t : temporaries) fs::remove(t, ec);
}

void clear_stale_temporaries(const fs::path& folder, const std::string& name) {
  std::error_code ec;
  std::vector<fs::path> temporaries;
  for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (is_temporary_name(it->path()) && file.size() > name.size() &&
        file.compare(file.size() - name.size() - 1, std::string::npos, "-" + name) == 0)
      temporaries.push_back(it->path());
  }
  for (const auto& t : temporaries) fs::remove(t, ec);
}

}  // namespace oncotrack::pipeline
