#pragma once
// Internal: a manifest as rows of named string fields, before it is assembled into subjects.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oncotrack/io/cohort.h"

namespace oncotrack::io {

struct ManifestRow {
  std::string origin;  // "file:line" for messages
  std::map<std::string, std::string> fields;
};

struct ManifestTable {
  std::vector<std::string> columns;
  std::vector<ManifestRow> rows;
};

// The manifest's text without a UTF-8 byte-order mark; nullopt (and a problem) when it cannot be read.
std::optional<std::string> read_manifest_text(const std::filesystem::path& path,
                                              std::vector<Problem>& problems);

// RFC 4180 delimited text (quotes, doubled quotes, CRLF, UTF-8 BOM). Structural problems are appended.
ManifestTable read_delimited_manifest(const std::filesystem::path& path, char delimiter,
                                      std::vector<Problem>& problems);
// {"images": [ {...}, ... ]}; numbers are converted to their shortest text.
ManifestTable read_json_manifest(const std::filesystem::path& path, std::vector<Problem>& problems);
// BIDS root → rows with subject, timepoint, sequence, path, mask and (when known) date.
ManifestTable read_bids(const std::filesystem::path& root, const CohortOptions& options,
                        std::vector<Problem>& problems);

// Assembles rows into subjects: resolves paths against base_dir, parses day/date/role/mask_label, orders
// timepoints, assigns roles, and records every problem. Rows without day/date are allowed only when
// allow_unknown_day (BIDS without acq_time); their timepoints are ordered by id then.
void assemble_cohort(const ManifestTable& table, const std::filesystem::path& base_dir,
                     bool allow_unknown_day, Cohort& cohort);

}  // namespace oncotrack::io
