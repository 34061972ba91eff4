#pragma once
// The network stages of `run` (internal to the pipeline module): segmentation of every timepoint with the
// choice of the masks the measurements come from, and the response prediction of every follow-up.
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrack/io/subject_loader.h"
#include "oncotrack/pipeline/segment_subject.h"
#include "oncotrack/report/report.h"

namespace oncotrack::pipeline {

// When a timepoint has no scan of the model's sequence, nothing is segmented: a.no_model_reason says why and
// the result is empty (the manifest's masks are measured). Otherwise segments every timepoint (files as
// segment_subject.h says, under out_dir) and picks per timepoint the mask
// that is measured: the model's when `source` is "model", or "auto" and the manifest gives no mask there;
// otherwise the manifest's. The chosen mask replaces loaded.timepoints[t].mask, so registration, measurement
// and lesion matching use it. Fills a.tumor_source and a.segmentation (the segment entry plus the model and,
// where the manifest gives a mask, "reference_agreement": Dice, HD95 and volume error of the model's mask
// against it on the reference's grid). Returns the segmentations and the manifest's masks (for the
// prediction and the QC pictures).
struct ModelSegmentations {
  std::vector<TimepointSegmentation> timepoints;
  std::vector<std::optional<Mask>> manifest_masks;  // parallel to timepoints
};
ModelSegmentations segment_and_select(io::LoadedSubject& loaded, std::size_t base, const LoadedModel& model,
                                      const std::string& source, const std::filesystem::path& out_dir,
                                      nn::ThreadPool& pool, report::SubjectAnalysis& a);

// segment_and_select, except that a segmentation failing with an Error (a scan the model's preprocessing
// cannot take) leaves the subject measured on the manifest's masks when every timepoint has one and `source`
// is not "model": the result is then empty and a.no_model_reason quotes the error. Otherwise rethrows.
ModelSegmentations segment_or_fall_back(io::LoadedSubject& loaded, std::size_t base, const LoadedModel& model,
                                        const std::string& source, const std::filesystem::path& out_dir,
                                        nn::ThreadPool& pool, report::SubjectAnalysis& a);

// The response prediction (predict_response.h) of every timepoint after the baseline into a.predictions,
// from the segmentations' working images, the registrations (a.registrations) and the measured masks; a
// timepoint without a registration gets a reason instead, a suspect registration a warning.
void predict_follow_ups(const io::LoadedSubject& loaded, std::size_t base, const LoadedModel& model,
                        const ModelSegmentations& segmentations, nn::ThreadPool& pool,
                        report::SubjectAnalysis& a);

}  // namespace oncotrack::pipeline
