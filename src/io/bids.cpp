#include <algorithm>
#include <fstream>
#include <map>
#include <regex>

#include "manifest_table.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

// BIDS entities of a file name: "sub-01_ses-2_ce-gd_T1w.nii.gz" -> {sub:01, ses:2, ce:gd}, suffix T1w.
struct BidsName {
  std::map<std::string, std::string> entities;
  std::string suffix;
};

std::optional<BidsName> parse_bids_name(const std::string& filename) {
  std::string stem = filename;
  for (const char* ext : {".nii.gz", ".nii"}) {
    const std::string e(ext);
    if (stem.size() > e.size() && stem.compare(stem.size() - e.size(), e.size(), e) == 0) {
      stem.resize(stem.size() - e.size());
      BidsName name;
      std::size_t start = 0;
      while (true) {
        const auto us = stem.find('_', start);
        const std::string part = stem.substr(start, us == std::string::npos ? std::string::npos : us - start);
        if (us == std::string::npos) {
          name.suffix = part;
          return name;
        }
        const auto dash = part.find('-');
        if (dash == std::string::npos) return std::nullopt;
        name.entities[part.substr(0, dash)] = part.substr(dash + 1);
        start = us + 1;
      }
    }
  }
  return std::nullopt;
}

std::string sequence_of(const BidsName& name) {
  std::string seq = name.suffix == "T1w" ? "t1" : name.suffix == "T2w" ? "t2" : "flair";
  if (name.entities.count("ce")) seq += "c";
  return seq;
}

// acq_time per session from sub-<label>_sessions.tsv (first 10 characters: the date).
std::map<std::string, std::string> session_dates(const fs::path& subject_dir, const std::string& label) {
  std::map<std::string, std::string> dates;
  std::ifstream in(subject_dir / ("sub-" + label + "_sessions.tsv"));
  std::string line;
  if (!std::getline(in, line)) return dates;
  std::vector<std::string> header;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
      const auto tab = s.find('\t', start);
      out.push_back(s.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) return out;
      start = tab + 1;
    }
  };
  header = split(line);
  const auto sid = std::find(header.begin(), header.end(), "session_id") - header.begin();
  const auto acq = std::find(header.begin(), header.end(), "acq_time") - header.begin();
  if (static_cast<std::size_t>(acq) >= header.size() || static_cast<std::size_t>(sid) >= header.size())
    return dates;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto fields = split(line);
    if (fields.size() == header.size() && fields[acq].size() >= 10 && fields[acq] != "n/a")
      dates[fields[sid]] = fields[acq].substr(0, 10);
  }
  return dates;
}

std::optional<fs::path> find_mask(const fs::path& masks_root, const fs::path& relative_anat_dir) {
  const fs::path dir = masks_root / relative_anat_dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  static const std::regex kMask(R"(.*_(desc|label)-tumou?r_mask\.nii(\.gz)?)");
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir))
    if (std::regex_match(e.path().filename().string(), kMask)) found.push_back(e.path());
  std::sort(found.begin(), found.end());
  if (found.empty()) return std::nullopt;
  return found.front();
}

}  // namespace

ManifestTable read_bids(const fs::path& root, const CohortOptions& options, std::vector<Problem>& problems) {
  ManifestTable table;
  table.columns = {"subject", "timepoint", "date", "sequence", "path", "mask"};
  std::vector<fs::path> subjects;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && e.path().filename().string().rfind("sub-", 0) == 0) subjects.push_back(e.path());
  std::sort(subjects.begin(), subjects.end());
  for (const auto& wanted : options.participant_labels) {
    const std::string name = wanted.rfind("sub-", 0) == 0 ? wanted : "sub-" + wanted;
    if (!fs::is_directory(root / name))
      problems.push_back(
          {"", "", (root / name).string(), "participant not found", "a sub-<label> folder", "nothing"});
  }
  for (const auto& subject_dir : subjects) {
    const std::string label = subject_dir.filename().string().substr(4);
    if (!options.participant_labels.empty() &&
        std::none_of(options.participant_labels.begin(), options.participant_labels.end(),
                     [&](const std::string& w) { return w == label || w == "sub-" + label; }))
      continue;
    const auto dates = session_dates(subject_dir, label);
    std::vector<fs::path> anat_dirs;
    if (fs::is_directory(subject_dir / "anat")) anat_dirs.push_back(subject_dir / "anat");
    for (const auto& e : fs::directory_iterator(subject_dir))
      if (e.is_directory() && e.path().filename().string().rfind("ses-", 0) == 0 &&
          fs::is_directory(e.path() / "anat"))
        anat_dirs.push_back(e.path() / "anat");
    std::sort(anat_dirs.begin(), anat_dirs.end());
    for (const auto& anat : anat_dirs) {
      const fs::path rel = fs::relative(anat, root);
      const auto mask = options.bids_masks.empty() ? std::nullopt : find_mask(options.bids_masks, rel);
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(anat)) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      const std::size_t first_row = table.rows.size();
      for (const auto& file : files) {
        const auto name = parse_bids_name(file.filename().string());
        if (!name || (name->suffix != "T1w" && name->suffix != "T2w" && name->suffix != "FLAIR")) continue;
        const std::string ses = name->entities.count("ses") ? "ses-" + name->entities.at("ses") : "ses-1";
        ManifestRow row{file.string(), {}};
        row.fields["subject"] = label;
        row.fields["timepoint"] = ses;
        const auto date = dates.find(ses);
        row.fields["date"] = date == dates.end() ? "" : date->second;
        row.fields["sequence"] = sequence_of(*name);
        row.fields["path"] = file.string();
        row.fields["mask"] = "";
        table.rows.push_back(std::move(row));
      }
      // The mask belongs to one image of the session (its grid is checked against that image): the
      // contrast-enhanced T1 when there is one, as tumour masks are usually drawn on it.
      if (mask && table.rows.size() > first_row) {
        static const std::vector<std::string> kPreference{"t1c", "t1", "flairc", "flair", "t2c", "t2"};
        auto rank = [&](const ManifestRow& r) {
          return std::find(kPreference.begin(), kPreference.end(), r.fields.at("sequence")) -
                 kPreference.begin();
        };
        auto best =
            std::min_element(table.rows.begin() + static_cast<std::ptrdiff_t>(first_row), table.rows.end(),
                             [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
        best->fields["mask"] = mask->string();
      }
    }
  }
  return table;
}

}  // namespace oncotrack::io
