#pragma once
// `oncotrack segment` for one subject: every timepoint's scan of the model's sequence segmented
// (segmentation.h; branch 0 for the baseline, 1 for the others) and written as
//   OUT/sub-<id>/ses-<tp>/sub-<id>_ses-<tp>_desc-tumor_probseg.nii.gz   probability (float, native grid)
//   OUT/sub-<id>/ses-<tp>/sub-<id>_ses-<tp>_desc-tumor_mask.nii.gz      mask (uint8, native grid)
// plus OUT/sub-<id>/sub-<id>_segmentation.json: {"subject", "model": {"name", "sha256"}, "timepoints":
// [{"id", "scan", "probseg", "mask" (paths relative to OUT), "volume_ml", "segmentation": segment_scan's
// summary}]}, written last. Every file goes to a temporary name and is renamed into place.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "oncotrack/io/subject_loader.h"
#include "oncotrack/pipeline/segmentation.h"

namespace oncotrack::pipeline {

struct TimepointSegmentation {
  std::string timepoint;
  ScanSegmentation segmentation;
};

// Segments every timepoint (baseline = timepoint index `baseline`) and writes the files above. Returns the
// segmentations in timepoint order. Throws Error for unreadable scans or preprocessing failures.
std::vector<TimepointSegmentation> segment_subject(const io::LoadedSubject& subject, std::size_t baseline,
                                                   const LoadedModel& model,
                                                   const std::filesystem::path& out_dir,
                                                   nn::ThreadPool& pool);

std::filesystem::path segmentation_report_path(const std::filesystem::path& out_dir,
                                               const std::string& subject);

}  // namespace oncotrack::pipeline
