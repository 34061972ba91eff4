#pragma once
// Deterministic synthetic longitudinal cohort with ground truth, for demos and tests.
//
// Layout written under out_dir:
//   manifest.csv                      subject,timepoint,day,sequence,path,mask (paths relative to out_dir)
//   expected.json                     ground truth per subject/timepoint: analytic lesion volumes (ml) and
//   axial
//                                     diameters (mm), and the expected category per criterion per follow-up
//   sub-<id>/ses-<tp>/anat/sub-<id>_ses-<tp>_ce-gadolinium_T1w.nii.gz   image (head-like background + noise)
//   sub-<id>/ses-<tp>/anat/sub-<id>_ses-<tp>_desc-tumor_mask.nii.gz      ground-truth mask (uint8)
// Subjects (ids cr, pr, sd, pd; timepoints baseline/week8/week16 = days 0/56/112; sequence t1c): a complete
// response, a partial response, stable disease (two lesions), and progression with a new lesion. The design,
// grids and expected categories are in synth/design.h; expected.json's fields are described by its
// "conventions" string (analytic and voxelised truth per lesion and timepoint, analytic changes and expected
// categories per follow-up). The masks depend only on the design; the seed drives the bias field and noise.
// Same seed -> byte-identical files. Every file is written atomically; manifest.csv is written last.
#include <cstdint>
#include <filesystem>

namespace oncotrack::synth {

struct SynthOptions {
  std::filesystem::path out_dir;
  std::uint64_t seed = 42;
  bool force = false;  // overwrite an existing non-empty out_dir
};

// Throws Error when out_dir exists, is not empty and force is false (with force the cohort's files are
// overwritten and other files are left alone), when out_dir is not a folder, or when a file cannot be
// written.
void generate_cohort(const SynthOptions& options);

}  // namespace oncotrack::synth
