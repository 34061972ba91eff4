#pragma once
// Test support for the pipeline unit tests: cohort entries built in code rather than parsed from a manifest.
#include <filesystem>
#include <string>

#include "oncotrack/io/cohort.h"

namespace oncotrack::pipeline::testing {

// A subject with one baseline timepoint ("t0", day 0) holding one t1c image at `image` (which need not exist).
inline io::SubjectEntry baseline_only_subject(const std::string& id, const std::filesystem::path& image) {
  io::ImageEntry entry;
  entry.sequence = "t1c";
  entry.path = image;
  io::TimepointEntry tp;
  tp.id = "t0";
  tp.day = 0;
  tp.role = "baseline";
  tp.images.push_back(entry);
  io::SubjectEntry s;
  s.id = id;
  s.timepoints.push_back(tp);
  return s;
}

}  // namespace oncotrack::pipeline::testing
