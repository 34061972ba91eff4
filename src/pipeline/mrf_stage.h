#pragma once
// Internal to the pipeline: the CEST-MRF stage of `run`. For every timepoint with an mrf series
// (io::MrfEntry): maps by the run's reconstruction (mrf_quantify.h) written to
// OUT/sub-<id>/ses-<tp>/mrf/<parameter>.nii.gz on the series' grid, and to .../mrf/space-baseline/ on the
// baseline's registration grid through the timepoint's transform (trilinear; for viewing and voxel-wise
// comparison — statistics are taken on the series' own grid, never on interpolated values).
//
// Regions, sampled at the map voxels' centres (nearest voxel, LPS; the series shares its session's scanner
// frame): "tumor" = the lesions measured at that timepoint; "reference" = the row's reference_mask, else the
// tumour mirrored across the left-right centre of the timepoint's anatomical field of view (a contralateral
// region for a head centred in its scan; give reference_mask otherwise), minus tumour voxels. Per region and
// map: mean, SD, median, quartiles, IQR, voxel count over quantified voxels; per follow-up, the change of
// mean and median vs the baseline's. A series that cannot be reconstructed (no dictionary/network, wrong
// schedule) gets null maps with the reason; the rest of the subject is unaffected.
#include <filesystem>

#include "oncotrack/pipeline/mrf_quantify.h"
#include "oncotrack/report/report.h"

namespace oncotrack::pipeline {

// Fills a.mrf (parallel to the timepoints). reconstruction may be nullptr (reported as the reason).
// `reference` is the registered baseline's grid.
void quantify_mrf_timepoints(const io::LoadedSubject& loaded, std::size_t baseline,
                             const MrfReconstruction* reconstruction, const Geometry& reference,
                             const std::filesystem::path& subject_dir, int threads,
                             report::SubjectAnalysis& a);

}  // namespace oncotrack::pipeline
