#pragma once
// Training tensors: every timepoint of a subject preprocessed exactly as segmentation preprocesses it
// (model_input.h), written as one tensor file per timepoint for scripts/train.
//
// File OUT/sub-<id>_ses-<tp>.safetensors (nn/safetensors.h, float16):
//   "image"  [1,1,z,y,x]  the preprocessed scan of the model's sequence
//   "tumour" [1,1,z,y,x]  the timepoint's tumour mask carried to that grid as a fraction (when it has a mask)
//   metadata "oncotrack.subject", "oncotrack.timepoint", "oncotrack.day" (number or "null"),
//   "oncotrack.source" (the scan's path), "oncotrack.geometry" (JSON, spatial_record.h) and
//   "oncotrack.preprocessing" (the ModelPreprocessing as JSON).
// The file is written under a temporary name and renamed.
#include <filesystem>
#include <vector>

#include "oncotrack/io/subject_loader.h"
#include "oncotrack/pipeline/model_input.h"

namespace oncotrack::pipeline {

// Throws Error when a timepoint has no scan of the model's sequence, or its mask is not on that scan's grid.
std::vector<std::filesystem::path> write_model_tensors(const io::LoadedSubject& subject,
                                                       const ModelPreprocessing& model,
                                                       const std::filesystem::path& out_dir);

}  // namespace oncotrack::pipeline
