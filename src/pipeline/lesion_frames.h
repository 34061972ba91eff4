#pragma once
// Internal to the pipeline: lesion matching in the baseline's frame. Each timepoint whose registration is
// usable gets a stand-in measurement whose lesion voxels and centroids are moved into the baseline grid
// (nearest neighbour through the registration; centroids through its inverse); match_lesions runs on the
// stand-ins and the tracks are copied back. Timepoints without a usable registration are matched in scanner
// coordinates, and the reason is recorded.
#include "oncotrack/report/report.h"

namespace oncotrack::pipeline {

// Assigns tracks for timepoints [baseline, end) of a; fills a.disappeared, a.matching_space/_reason.
// `reference` is the grid lesions are matched on (the registered baseline image's).
void match_in_baseline_frame(report::SubjectAnalysis& a, std::size_t baseline, const Geometry& reference,
                             const std::vector<std::string>& timepoint_ids,
                             const analysis::AnalysisConfig& config);

}  // namespace oncotrack::pipeline
