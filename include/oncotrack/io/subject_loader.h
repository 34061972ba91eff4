#pragma once
// Reads and checks every file of one subject, collecting all problems instead of stopping at the first one.
// Used by `validate` (which discards the data) and by `run` (which measures it), so both see the same checks:
// every image is read in full (truncation, NaN/Inf, dimensionality), every mask is read as integer labels,
// and each mask's geometry is compared with its image's (same grid within tolerance, or for mask_grid=own, a
// field of view inside the image's).
// Thread safety: independent subjects may be loaded concurrently.
#include <optional>
#include <string>
#include <vector>

#include "oncotrack/core/geometry.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::io {

struct LoadOptions {
  double geometry_tolerance_mm = 1e-3;  // spacing and origin
  double direction_tolerance = 1e-4;    // direction cosines
  bool hash_files = true;               // SHA-256 of every input for provenance
};

struct LoadedFile {
  ImageInfo info;
  std::string sha256;  // empty when not hashed
};

struct LoadedTimepoint {
  const TimepointEntry* entry = nullptr;
  std::vector<LoadedFile> images;  // parallel to entry->images
  std::optional<LoadedFile> mask_file;
  std::optional<Mask> mask;  // binary tumour mask (labels already selected)
  // The CEST-MRF series (info of its first volume) when the timepoint has one: read in full, its T1/T2 maps
  // checked to lie on its grid, every file hashed. The schedule is checked where it is used (pipeline).
  std::optional<LoadedFile> mrf_series;
  std::size_t mrf_volumes = 0;
  std::vector<std::string> warnings;  // not errors, but a reader should know (e.g. chosen labels absent)
};

struct LoadedSubject {
  const SubjectEntry* entry = nullptr;
  std::vector<LoadedTimepoint> timepoints;  // parallel to entry->timepoints
};

// Appends every problem found to problems (attributed to the subject); the result is complete only when no
// problem was added.
LoadedSubject load_subject(const SubjectEntry& subject, const LoadOptions& options,
                           std::vector<Problem>& problems);

// For commands that need every file of the subject: load_subject without hashing; throws Error with the first
// problem (and how many more there are) instead of collecting them.
LoadedSubject load_subject_or_throw(const SubjectEntry& subject);

}  // namespace oncotrack::io
