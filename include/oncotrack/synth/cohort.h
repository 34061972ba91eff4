#pragma once
// Deterministic synthetic longitudinal cohort with ground truth, for demos and tests.
//
// Layout written under out_dir:
//   manifest.csv                      subject,timepoint,day,sequence,path,mask (paths relative to out_dir)
//   expected.json                     ground truth per subject/timepoint: analytic lesion volumes (ml) and axial
//                                     diameters (mm), and the expected category per criterion per follow-up
//   sub-<id>/ses-<tp>/anat/sub-<id>_ses-<tp>_ce-gadolinium_T1w.nii.gz   image (head-like background + noise)
//   sub-<id>/ses-<tp>/anat/sub-<id>_ses-<tp>_desc-tumor_mask.nii.gz      ground-truth mask (uint8)
// Subjects (3 timepoints each, days 0/56/112 unless stated): a complete response, a partial response, stable
// disease, and progression with a new lesion. Same seed -> byte-identical files.
#include <cstdint>
#include <filesystem>

namespace oncotrack::synth {

struct SynthOptions {
  std::filesystem::path out_dir;
  std::uint64_t seed = 42;
  bool force = false;  // overwrite an existing non-empty out_dir
};

// Throws Error when out_dir exists, is not empty and force is false.
void generate_cohort(const SynthOptions& options);

}  // namespace oncotrack::synth
