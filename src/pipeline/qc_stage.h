#pragma once
// The QC pictures of `run` (internal to the pipeline module; qc_pictures.h draws them). Per timepoint, on the
// scan of the model's sequence (without a model: of the baseline's registered sequence),
//   ses-<tp>/sub-<id>_ses-<tp>_desc-contours_qc.png      outlines of the manifest's mask (green) and the
//                                                        model's (red), centred on the measured mask;
//   ses-<tp>/sub-<id>_ses-<tp>_desc-checkerboard_qc.png  timepoints registered to the baseline: baseline vs
//                                                        this scan through the registration.
// a.qc[t] = {"contours": path, "checkerboard": path or null} (paths relative to the subject's folder).
#include <filesystem>
#include <string>

#include "model_stage.h"

namespace oncotrack::pipeline {

// model: the network's segmentations (nullptr without a model); then the manifest's masks are
// segmentations->manifest_masks, else the loaded masks.
void write_qc_pictures(const io::LoadedSubject& loaded, std::size_t base, const std::string& model_sequence,
                       const ModelSegmentations* model, const std::filesystem::path& subject_dir,
                       report::SubjectAnalysis& a);

}  // namespace oncotrack::pipeline
