#pragma once
// Peak resident memory of `oncotrack run`, estimated from image headers alone (no voxel is read), so that
// `validate` can print it and `run --max-memory` can refuse or lower --jobs instead of being killed.
//
// Model: one process holds kBaseMb (binary, ITK, the network model) plus, per subject at once, kBytesPerVoxel
// for every voxel of every timepoint image (the loaded image, its mask whether given or segmented,
// preprocessed and resampled copies, registration pyramids, probability maps) but at least kSubjectMinMb (the
// network's working memory on its own grid, which does not shrink with the scan). Calibrated on `run` with
// the bundled model so that it errs on the high side: TCIA BTP case 01 resampled to 24, 128 and 256 slices
// alone (2 threads) measured 176, 477 and 923 MB (estimates 200, 580, 1060 MB); the synthetic sample cohort
// (3 × 96×96×36 per subject) 147–164 MB alone and 212–237 MB two at once (estimates 200 and 300 MB). CEST-MRF
// series are not counted.
#include <string>
#include <vector>

#include "oncotrack/io/cohort.h"

namespace oncotrack::pipeline {

constexpr double kBaseMb = 100.0;
constexpr double kSubjectMinMb = 100.0;
constexpr double kBytesPerVoxel = 30.0;

struct SubjectMemory {
  std::string subject;
  double peak_mb = 0;  // the process running this subject alone (kBaseMb included)
};

// Per subject of the cohort, in cohort order. Unreadable headers count as nothing (the subject fails early).
std::vector<SubjectMemory> estimate_memory(const io::Cohort& cohort);

// A process running `jobs` subjects at once: kBaseMb plus the `jobs` largest subjects' own shares.
double batch_peak_mb(const std::vector<SubjectMemory>& subjects, int jobs);

// The most subjects at once (at most `jobs`, at least 0) whose batch estimate stays within max_mb.
int jobs_within(const std::vector<SubjectMemory>& subjects, int jobs, double max_mb);

// "4G", "512M", "1.5G", "2000" (MB) -> MB. Throws Error on anything else.
double parse_memory_mb(const std::string& text);

}  // namespace oncotrack::pipeline
