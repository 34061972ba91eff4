#pragma once
// Segmentation of every timepoint of one subject (`oncotrack segment`, and the segmentation stage of `run`):
// each timepoint's scan of the model's sequence segmented (segmentation.h; branch 0 for the baseline, 1 for
// the others) and written as
//   OUT/sub-<id>/ses-<tp>/sub-<id>_ses-<tp>_desc-tumor_probseg.nii.gz   probability (float, native grid)
//   OUT/sub-<id>/ses-<tp>/sub-<id>_ses-<tp>_desc-tumor_mask.nii.gz      mask (uint8, native grid)
//   OUT/sub-<id>/ses-<tp>/sub-<id>_ses-<tp>_desc-brain_mask.nii.gz      the brain mask that gated the
//                                                                        probability (only when applied)
// `oncotrack segment` adds OUT/sub-<id>/sub-<id>_segmentation.json: {"subject", "model": {"name", "sha256"},
// "timepoints": [entry…]}, written last, where an entry is {"id", "scan", "probseg", "mask", "brain_mask"
// (paths relative to OUT/sub-<id>/, the JSON's folder; brain_mask null when none was applied), "volume_ml",
// "segmentation": segment_scan's summary}. Every file goes
// to a temporary name and is renamed into place.
#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "oncotrack/io/subject_loader.h"
#include "oncotrack/pipeline/segmentation.h"

namespace oncotrack::pipeline {

struct TimepointSegmentation {
  std::string timepoint;
  ScanSegmentation segmentation;
  nlohmann::json entry;  // the per-timepoint object described above
};

// Segments every timepoint (baseline = timepoint index `baseline`) and writes its NIfTI files. Returns
// the segmentations in timepoint order. Throws Error for unreadable scans or preprocessing failures, naming
// the scan, after removing the files it wrote for this subject.
std::vector<TimepointSegmentation> segment_timepoints(const io::LoadedSubject& subject, std::size_t baseline,
                                                      const LoadedModel& model,
                                                      const std::filesystem::path& out_dir,
                                                      nn::ThreadPool& pool);

// segment_timepoints, then sub-<id>_segmentation.json.
std::vector<TimepointSegmentation> segment_subject(const io::LoadedSubject& subject, std::size_t baseline,
                                                   const LoadedModel& model,
                                                   const std::filesystem::path& out_dir,
                                                   nn::ThreadPool& pool);

std::filesystem::path segmentation_report_path(const std::filesystem::path& out_dir,
                                               const std::string& subject);

// The probseg, mask and brain mask files of one timepoint, relative to OUT/sub-<id>/ (the layout above).
std::array<std::filesystem::path, 3> segmentation_files(const std::string& subject,
                                                        const std::string& timepoint);

}  // namespace oncotrack::pipeline
