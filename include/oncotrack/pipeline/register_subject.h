#pragma once
// The preprocessing and registration stages of `run` and `oncotrack register`. The registered image of every
// timepoint is preprocessed (config.preprocess: reorient, optional N4, resampling, crop, normalisation; its
// body mask drives the registration metric and NCC), then every timepoint other than the baseline is
// registered to the baseline (fixed = baseline, moving = that timepoint). Image choice: the baseline's masked
// image (else its first), and at each other timepoint the image of the same sequence (else its masked image,
// else its first; MI copes with a change of sequence). Tumour masks are moved onto their image's grid by
// nearest neighbour when they live on their own grid. Transform files go to
// <subject_dir>/registration/sub-<id>_<timepoint>_to_<baseline>.tfm (.h5 when deformable), atomically; with
// registration.write_resampled also the follow-up image and mask resampled into the baseline grid
// (..._space-<baseline>.nii.gz, ..._space-<baseline>_mask.nii.gz). A registration that throws is recorded
// as failed (the subject goes on).
#include <filesystem>

#include "oncotrack/io/subject_loader.h"
#include "oncotrack/pipeline/config.h"
#include "oncotrack/report/report.h"

namespace oncotrack::pipeline {

struct SubjectRegistrations {
  std::vector<std::optional<report::TimepointRegistration>> per_timepoint;  // parallel to timepoints
  std::vector<std::string> not_registered;  // reason, where per_timepoint is nullopt
  Geometry reference;  // the baseline image registered to (its grid is where lesions are matched)
  // Per timepoint, preprocess::Preprocessed::summary of the registered image (null when not preprocessed).
  std::vector<nlohmann::json> preprocessing;
};

SubjectRegistrations register_subject(const io::LoadedSubject& subject, std::size_t baseline,
                                      const PipelineConfig& config, const std::filesystem::path& subject_dir);

}  // namespace oncotrack::pipeline
