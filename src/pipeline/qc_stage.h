#pragma once
// The QC pictures of `run` (internal to the pipeline module; qc_pictures.h draws them). Per timepoint, on the
// scan of the model's sequence (without a model: of the baseline's registered sequence),
//   ses-<tp>/sub-<id>_ses-<tp>_desc-contours_qc.png      outlines of the manifest's mask (green) and the
//                                                        model's (red), centred on the measured mask;
//   ses-<tp>/sub-<id>_ses-<tp>_desc-mosaic_qc.png        the same outlines on axial slices across the masks;
//   ses-<tp>/sub-<id>_ses-<tp>_desc-checkerboard_qc.png  timepoints registered to the baseline: baseline vs
//                                                        this scan through the registration;
//   ses-<tp>/sub-<id>_ses-<tp>_desc-mrf<map>_qc.png      every CEST-MRF map of the timepoint (a.mrf), coloured
//                                                        over its display range, the measured tumour outlined.
// a.qc[t] = {"contours": path, "mosaic": path, "checkerboard": path or null, "maps": {map: {"picture": path,
// "range": [low, high]}} or null} (paths relative to the subject's folder).
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
