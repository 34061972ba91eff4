#pragma once
// The cohort: subjects → timepoints → images (one per sequence), discovered from a manifest (CSV/TSV/JSON) or
// a BIDS root. Discovery never stops at the first problem: every problem is collected, attributed to a
// subject when it concerns only that subject (so the rest of the batch can still run) or to the whole input
// otherwise.
//
// Manifest CSV/TSV (delimiter from the extension: .tsv = tab, else comma; RFC 4180 quoting; header required):
//   required  subject, timepoint, sequence, path, and day (days from baseline) or date (ISO 8601 YYYY-MM-DD)
//   optional  mask (tumour mask for that timepoint), mask_label (labels meaning tumour, e.g. "3" or "1,2";
//             default any non-zero), mask_grid ("image": the mask must share its image's grid (default);
//             "own": the mask is measured on its own grid in the same world frame), role ("baseline" or
//             "follow-up"; default: the earliest timepoint is the baseline), series_uid (DICOM folder with
//             several series)
//   CEST MR fingerprinting: a row with sequence "mrf" is not an anatomical image but a 4D fingerprint series
//             of that timepoint (same session, same scanner frame); it needs schedule (cest/schedule.h JSON)
//             and may give t1_map, t2_map (measured water T1/T2 on the series' grid), relaxation_unit ("s"
//             default, or "ms") and reference_mask (the reference region; default: the tumour mirrored across
//             the anatomical image's left-right centre). These columns are an error on other rows.
//   any other column is passed through into the report (ImageEntry::extra).
//   Relative paths resolve against the manifest's folder; one that leads outside it (by ".." or through a
//   symlink) is allowed and noted in TimepointEntry::warnings.
// Manifest JSON: {"images": [ {<the same keys as the CSV columns>}, ... ]} (values strings or numbers).
// BIDS: <root>/sub-<label>/[ses-<label>/]anat/*_{T1w,T2w,FLAIR}.nii[.gz]; sequence = t1/t2/flair, "c"
// appended when a ce-<agent> entity is present (t1c); day from <root>/sub-<label>/sub-<label>_sessions.tsv
// acq_time when present, else the session order (day unknown). Masks from a derivatives folder:
// <masks>/sub-<label>/[ses-<label>/]anat/*_(desc|label)-tumor_mask.nii[.gz].
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace oncotrack::io {

struct Problem {
  std::string subject;    // empty: concerns the whole input
  std::string timepoint;  // may be empty
  std::string file;       // the file (or manifest:line) the problem is about
  std::string problem;
  std::string expected;
  std::string found;
  std::string describe() const;  // one line: "file: problem (expected …, found …)"
};

struct ImageEntry {
  std::string sequence;
  std::filesystem::path path;
  std::optional<std::filesystem::path> mask;
  std::vector<std::int32_t> mask_labels;  // empty: any non-zero label
  bool mask_on_own_grid = false;
  std::string series_uid;
  std::map<std::string, std::string> extra;  // pass-through columns
  std::string origin;                        // "manifest.csv:12" or the BIDS file, for messages
};

// A CEST-MRF series of a timepoint (sequence "mrf" rows).
struct MrfEntry {
  std::filesystem::path series, schedule;
  std::filesystem::path t1_map, t2_map, reference_mask;  // empty: not given
  double relaxation_unit_s = 1.0;                        // 0.001 when relaxation_unit is "ms"
  std::string origin;
};

struct TimepointEntry {
  std::string id;
  std::optional<double> day;  // days from baseline (negative before it); null when unknown
  std::string date;           // ISO date when given
  std::string role;           // "baseline" | "follow-up" | "pre-baseline"
  std::vector<ImageEntry> images;
  std::optional<MrfEntry> mrf;        // at most one: a second mrf row is a duplicate (timepoint, sequence)
  std::vector<std::string> warnings;  // e.g. a relative path leading outside the manifest's folder
  // The image whose mask measures this timepoint (nullptr when no mask was given).
  const ImageEntry* mask_image() const;
};

struct SubjectEntry {
  std::string id;
  std::vector<TimepointEntry> timepoints;  // chronological; exactly one has role "baseline" when valid
  std::vector<Problem> problems;           // problems that concern only this subject
};

struct Cohort {
  std::string input;  // as given
  std::string kind;   // "manifest-csv" | "manifest-tsv" | "manifest-json" | "bids"
  std::vector<SubjectEntry> subjects;
  std::vector<Problem> problems;  // problems that make the whole input unusable
};

struct CohortOptions {
  std::filesystem::path bids_masks;             // BIDS derivatives folder with tumour masks (optional)
  std::vector<std::string> participant_labels;  // only these subjects ("01" or "sub-01"; BIDS or manifest)
};

// Throws Error only when input does not exist or its kind cannot be recognised; everything else is a Problem.
Cohort load_cohort(const std::filesystem::path& input, const CohortOptions& options = {});

}  // namespace oncotrack::io
