#include "oncotrack/io/cohort.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "manifest_table.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/file_kind.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

const std::set<std::string> kKnownColumns{"subject", "timepoint",  "day",       "date", "sequence",  "path",
                                          "mask",    "mask_label", "mask_grid", "role", "series_uid"};
// Columns of "mrf" rows only.
const std::set<std::string> kMrfColumns{"schedule", "t1_map", "t2_map", "relaxation_unit", "reference_mask"};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's civil calendar arithmetic).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

// "YYYY-MM-DD" optionally followed by "T..." or " ..." (time of day ignored: response is per day).
std::optional<long> parse_iso_date(const std::string& s) {
  int y = 0, m = 0, d = 0;
  char dash1 = 0, dash2 = 0;
  std::istringstream in(s.substr(0, 10));
  if (s.size() < 10 || !(in >> y >> dash1 >> m >> dash2 >> d) || dash1 != '-' || dash2 != '-')
    return std::nullopt;
  if (s.size() > 10 && s[10] != 'T' && s[10] != ' ') return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::optional<double> parse_number(const std::string& s) {
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::vector<std::int32_t>> parse_labels(const std::string& s) {
  std::vector<std::int32_t> labels;
  std::string token;
  std::istringstream in(s);
  while (std::getline(in, token, ',')) {
    std::istringstream parts(token);
    std::string part;
    while (parts >> part) {
      for (char& c : part)
        if (c == ';') c = ' ';
      std::istringstream sub(part);
      std::string item;
      while (sub >> item) {
        const auto v = parse_number(item);
        if (!v || *v != std::floor(*v) || std::abs(*v) > 2e9) return std::nullopt;
        labels.push_back(static_cast<std::int32_t>(*v));
      }
    }
  }
  if (labels.empty()) return std::nullopt;
  return labels;
}

// Natural order for ids like ses-2 < ses-10.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const auto na = std::stoull(a.substr(i, std::min<std::size_t>(ie - i, 18)));
      const auto nb = std::stoull(b.substr(j, std::min<std::size_t>(je - j, 18)));
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

fs::path resolve(const fs::path& base_dir, const std::string& p) {
  const fs::path path(p);
  return path.is_absolute() ? path : (base_dir / path).lexically_normal();
}

bool lies_within(const fs::path& folder, const fs::path& path) {
  const fs::path relative = path.lexically_relative(folder);
  return !relative.empty() && *relative.begin() != "..";
}

// A relative path that leaves the manifest's folder, by ".." or through a symlink, is allowed but worth a
// reader's attention (results that depend on files outside the folder one archives). Absolute paths name
// their place on purpose and are not reported.
std::optional<std::string> leaves_folder(const fs::path& base_dir, const std::string& value,
                                         const fs::path& resolved) {
  if (fs::path(value).is_absolute()) return std::nullopt;
  std::error_code ec;
  const fs::path folder = fs::weakly_canonical(base_dir, ec);
  const fs::path target = ec ? fs::path() : fs::weakly_canonical(resolved, ec);
  if (ec || lies_within(folder, target)) return std::nullopt;
  const bool by_symlink = lies_within(base_dir, resolved);
  return "'" + value + "' leads outside the manifest's folder" + (by_symlink ? " through a symlink" : "") +
         " (to " + target.string() + ")";
}

struct TimepointDraft {
  TimepointEntry entry;
  std::optional<double> day;
  std::optional<long> date_days;
  bool declared_baseline = false;
  std::set<std::string> masks;
};

void assemble_subject(const std::string& id, const std::vector<const ManifestRow*>& rows,
                      const fs::path& base_dir, bool allow_unknown_day, SubjectEntry& subject) {
  auto problem = [&](const std::string& tp, const std::string& file, const std::string& what,
                     const std::string& expected, const std::string& found) {
    subject.problems.push_back({id, tp, file, what, expected, found});
  };
  std::map<std::string, TimepointDraft> drafts;
  std::map<std::pair<std::string, std::string>, std::string> seen;  // (timepoint, sequence) -> origin
  for (const ManifestRow* row : rows) {
    const auto& f = row->fields;
    auto get = [&](const char* key) {
      const auto it = f.find(key);
      return it == f.end() ? std::string() : it->second;
    };
    const std::string tp = get("timepoint");
    if (tp.empty()) {
      problem("", row->origin, "empty timepoint", "a timepoint id", "an empty field");
      continue;
    }
    const std::string sequence = get("sequence");
    if (sequence.empty())
      problem(tp, row->origin, "empty sequence", "a sequence name (t1c, t2, flair, ...)", "an empty field");
    const auto [dup, inserted] = seen.emplace(std::make_pair(tp, sequence), row->origin);
    if (!inserted) {
      problem(tp, row->origin,
              "duplicate row for subject " + id + ", timepoint " + tp + ", sequence " + sequence,
              "one row per subject/timepoint/sequence", "also at " + dup->second);
      continue;
    }
    TimepointDraft& d = drafts[tp];
    d.entry.id = tp;
    auto located = [&](const std::string& value) {
      const fs::path path = resolve(base_dir, value);
      if (auto note = leaves_folder(base_dir, value, path))
        d.entry.warnings.push_back(row->origin + ": " + *note);
      return path;
    };

    if (const std::string day = get("day"); !day.empty()) {
      const auto v = parse_number(day);
      if (!v)
        problem(tp, row->origin, "day is not a number", "days from baseline, e.g. 56", "'" + day + "'");
      else if (d.day && *d.day != *v)
        problem(tp, row->origin, "rows of one timepoint disagree on day", std::to_string(*d.day), day);
      else
        d.day = v;
    }
    if (const std::string date = get("date"); !date.empty()) {
      const auto v = parse_iso_date(date);
      if (!v)
        problem(tp, row->origin, "date is not an ISO 8601 date", "YYYY-MM-DD", "'" + date + "'");
      else if (d.date_days && *d.date_days != *v)
        problem(tp, row->origin, "rows of one timepoint disagree on date", d.entry.date, date);
      else {
        d.date_days = v;
        d.entry.date = date.substr(0, 10);
      }
    }
    if (const std::string role = get("role"); !role.empty()) {
      if (role == "baseline")
        d.declared_baseline = true;
      else if (role != "follow-up" && role != "followup")
        problem(tp, row->origin, "unknown role", "baseline or follow-up", "'" + role + "'");
    }

    if (sequence == "mrf") {
      MrfEntry m;
      m.origin = row->origin;
      if (const std::string path = get("path"); path.empty())
        problem(tp, row->origin, "empty path", "a 4D CEST-MRF series", "an empty field");
      else
        m.series = located(path);
      if (const std::string schedule = get("schedule"); schedule.empty())
        problem(tp, row->origin, "mrf row without schedule", "the series' schedule JSON in column schedule",
                "an empty field");
      else
        m.schedule = located(schedule);
      for (auto [column, target] : {std::pair{"t1_map", &m.t1_map}, std::pair{"t2_map", &m.t2_map},
                                    std::pair{"reference_mask", &m.reference_mask}})
        if (const std::string v = get(column); !v.empty()) *target = located(v);
      const std::string unit = get("relaxation_unit");
      if (unit == "ms")
        m.relaxation_unit_s = 1e-3;
      else if (!unit.empty() && unit != "s")
        problem(tp, row->origin, "unknown relaxation_unit", "s or ms", "'" + unit + "'");
      for (const char* column : {"mask", "mask_label", "mask_grid", "series_uid"})
        if (!get(column).empty())
          problem(tp, row->origin, std::string("column ") + column + " on an mrf row",
                  "tumour masks and DICOM series on the anatomical rows", "'" + get(column) + "'");
      d.entry.mrf = std::move(m);
      continue;
    }
    for (const std::string& column : kMrfColumns)
      if (!get(column.c_str()).empty())
        problem(tp, row->origin, "column " + column + " on a row that is not sequence mrf",
                "CEST-MRF columns on mrf rows only", "'" + get(column.c_str()) + "'");
    ImageEntry image;
    image.sequence = sequence;
    image.origin = row->origin;
    const std::string path = get("path");
    if (path.empty())
      problem(tp, row->origin, "empty path", "an image file or DICOM folder", "an empty field");
    else
      image.path = located(path);
    image.series_uid = get("series_uid");
    if (const std::string mask = get("mask"); !mask.empty()) {
      image.mask = located(mask);
      d.masks.insert(image.mask->string());
    }
    if (const std::string labels = get("mask_label"); !labels.empty()) {
      if (const auto v = parse_labels(labels))
        image.mask_labels = *v;
      else
        problem(tp, row->origin, "mask_label is not a list of integers", "e.g. 3 or 1,2", "'" + labels + "'");
    }
    const std::string grid = get("mask_grid");
    if (grid == "own")
      image.mask_on_own_grid = true;
    else if (!grid.empty() && grid != "image")
      problem(tp, row->origin, "unknown mask_grid", "image or own", "'" + grid + "'");
    for (const auto& [key, value] : f)
      if (!kKnownColumns.count(key) && !kMrfColumns.count(key)) image.extra[key] = value;
    d.entry.images.push_back(std::move(image));
  }

  std::vector<TimepointDraft> tps;
  for (auto& [tp, d] : drafts) {
    if (d.entry.images.empty())
      problem(tp, d.entry.mrf ? d.entry.mrf->origin : "", "timepoint has no anatomical image",
              "an image row besides the mrf series", "mrf rows only");
    if (d.masks.size() > 1)
      problem(tp, "", "several different masks for one timepoint", "at most one tumour mask per timepoint",
              std::to_string(d.masks.size()) + " masks");
    if (!d.day && !d.date_days && !allow_unknown_day)
      problem(tp, d.entry.images.empty() ? "" : d.entry.images.front().origin,
              "timepoint has neither day nor date",
              "a day (days from baseline) or date (YYYY-MM-DD) column value", "both empty");
    tps.push_back(std::move(d));
  }
  const bool any_day = std::any_of(tps.begin(), tps.end(), [](const auto& t) { return t.day.has_value(); });
  const bool all_day = std::all_of(tps.begin(), tps.end(), [](const auto& t) { return t.day.has_value(); });
  const bool all_date =
      std::all_of(tps.begin(), tps.end(), [](const auto& t) { return t.date_days.has_value(); });
  if (any_day && !all_day && !all_date)
    problem("", "", "timepoints mix day and date", "day for every timepoint, or date for every timepoint",
            "some with day only, some with date only");
  // Order: day, else date, else id (unknown days).
  auto key = [&](const TimepointDraft& t) -> std::optional<double> {
    if (all_day) return t.day;
    if (all_date) return static_cast<double>(*t.date_days);
    return std::nullopt;
  };
  std::stable_sort(tps.begin(), tps.end(), [&](const auto& a, const auto& b) {
    const auto ka = key(a), kb = key(b);
    if (ka && kb && *ka != *kb) return *ka < *kb;
    return natural_less(a.entry.id, b.entry.id);
  });
  for (std::size_t i = 1; i < tps.size(); ++i) {
    const auto ka = key(tps[i - 1]), kb = key(tps[i]);
    if (ka && kb && *ka == *kb)
      problem(tps[i].entry.id, "", "two timepoints on the same day", "distinct days",
              tps[i - 1].entry.id + " and " + tps[i].entry.id);
  }
  std::size_t baseline = 0;
  const auto declared =
      std::count_if(tps.begin(), tps.end(), [](const auto& t) { return t.declared_baseline; });
  if (declared > 1)
    problem("", "", "more than one baseline", "role=baseline on one timepoint", std::to_string(declared));
  for (std::size_t i = 0; i < tps.size(); ++i)
    if (tps[i].declared_baseline) baseline = i;
  const auto base_key = tps.empty() ? std::nullopt : key(tps[baseline]);
  for (std::size_t i = 0; i < tps.size(); ++i) {
    TimepointEntry& e = tps[i].entry;
    e.role = i == baseline ? "baseline" : (i < baseline ? "pre-baseline" : "follow-up");
    const auto k = key(tps[i]);
    if (k && base_key) e.day = *k - *base_key;
    subject.timepoints.push_back(std::move(e));
  }
}

}  // namespace

std::string Problem::describe() const {
  std::string s;
  if (!file.empty()) s += file + ": ";
  s += problem;
  if (!expected.empty() || !found.empty()) s += " (expected " + expected + ", found " + found + ")";
  return s;
}

const ImageEntry* TimepointEntry::mask_image() const {
  for (const auto& image : images)
    if (image.mask) return &image;
  return nullptr;
}

void assemble_cohort(const ManifestTable& table, const fs::path& base_dir, bool allow_unknown_day,
                     Cohort& cohort) {
  std::vector<std::string> missing;
  const auto has = [&](const char* c) {
    return std::find(table.columns.begin(), table.columns.end(), c) != table.columns.end();
  };
  for (const char* c : {"subject", "timepoint", "sequence", "path"})
    if (!has(c)) missing.push_back(c);
  if (!allow_unknown_day && !has("day") && !has("date")) missing.push_back("day or date");
  if (!missing.empty() && !table.columns.empty()) {
    std::string list, cols;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    for (const auto& c : table.columns) cols += (cols.empty() ? "" : ",") + c;
    cohort.problems.push_back({"", "", cohort.input, "manifest is missing required column(s): " + list,
                               "columns subject,timepoint,day|date,sequence,path[,mask,...]",
                               "header " + cols});
    return;
  }
  std::map<std::string, std::vector<const ManifestRow*>> by_subject;
  for (const auto& row : table.rows) {
    const std::string& id = row.fields.at("subject");
    if (id.empty()) {
      cohort.problems.push_back({"", "", row.origin, "empty subject", "a subject id", "an empty field"});
      continue;
    }
    by_subject[id].push_back(&row);
  }
  for (const auto& [id, rows] : by_subject) {
    SubjectEntry subject;
    subject.id = id;
    assemble_subject(id, rows, base_dir, allow_unknown_day, subject);
    cohort.subjects.push_back(std::move(subject));
  }
  if (cohort.subjects.empty() && cohort.problems.empty())
    cohort.problems.push_back({"", "", cohort.input, "no images found", "at least one image row", "none"});
}

Cohort load_cohort(const fs::path& input, const CohortOptions& options) {
  std::error_code ec;
  if (!fs::exists(input, ec))
    throw Error("input not found", input.string(), "a manifest (.csv, .tsv, .json) or a BIDS folder",
                "nothing");
  if (const fs::file_status status = fs::status(input, ec);
      !fs::is_regular_file(status) && !fs::is_directory(status))
    throw Error("not a regular file", input.string(), "a manifest (.csv, .tsv, .json) or a BIDS folder",
                describe_special_file(status.type()));
  Cohort cohort;
  cohort.input = input.string();
  ManifestTable table;
  bool allow_unknown_day = false;
  const std::string ext = input.extension().string();
  if (fs::is_directory(input)) {
    cohort.kind = "bids";
    table = read_bids(input, options, cohort.problems);
    allow_unknown_day = true;
  } else if (ext == ".csv" || ext == ".tsv") {
    cohort.kind = ext == ".csv" ? "manifest-csv" : "manifest-tsv";
    table = read_delimited_manifest(input, ext == ".csv" ? ',' : '\t', cohort.problems);
  } else if (ext == ".json") {
    cohort.kind = "manifest-json";
    table = read_json_manifest(input, cohort.problems);
  } else {
    throw Error("unrecognised input", input.string(), "a manifest (.csv, .tsv, .json) or a BIDS folder",
                "a file with extension '" + ext + "'");
  }
  if (!cohort.problems.empty() && table.rows.empty()) return cohort;
  const fs::path absolute = fs::absolute(input);
  assemble_cohort(table, fs::is_directory(input) ? absolute : absolute.parent_path(), allow_unknown_day,
                  cohort);
  if (cohort.kind != "bids" && !options.participant_labels.empty()) {  // BIDS filters while reading
    auto names = [](const std::string& label, const std::string& id) {
      return label == id || label == "sub-" + id;
    };
    auto wanted = [&](const std::string& id) {
      return std::any_of(options.participant_labels.begin(), options.participant_labels.end(),
                         [&](const std::string& w) { return names(w, id); });
    };
    for (const std::string& w : options.participant_labels)
      if (std::none_of(cohort.subjects.begin(), cohort.subjects.end(),
                       [&](const SubjectEntry& s) { return names(w, s.id); }))
        cohort.problems.push_back({"", "", input.string(), "participant not found",
                                   "a subject of the manifest", "no subject '" + w + "'"});
    cohort.subjects.erase(std::remove_if(cohort.subjects.begin(), cohort.subjects.end(),
                                         [&](const SubjectEntry& s) { return !wanted(s.id); }),
                          cohort.subjects.end());
  }
  return cohort;
}

}  // namespace oncotrack::io
