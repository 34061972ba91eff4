#pragma once
// N4 bias-field correction (Tustison et al., IEEE TMI 2010) through itk::N4BiasFieldCorrectionImageFilter,
// run on a shrunk copy of the image; the log bias field is a cubic B-spline whose control-point lattice is
// then evaluated on the full grid (itk::BSplineControlPointImageFilter) and the image divided by its exp.
//
// The shrunk grid keeps the first and last voxel centres of the full grid along every axis (n voxels →
// ceil((n − 1) / shrink_factor) + 1, spacing stretched to fit), so the B-spline's parametric domain is the
// same on both grids and the full-resolution field is exact, not stretched by half a shrunk voxel.
//
// Only voxels inside the mask (nullptr: the whole image) with intensity > 0 drive the fit (N4 works on log
// intensities); every voxel is divided by the field.
//
// Cost: ITK's scattered-data B-spline fit dominates at ~5 µs CPU per fitted voxel and iteration, e.g.
// 320×320×36 FLAIR, shrink 4: 81×81×10 grid, ~21k fitted voxels, 85 iterations ≈ 10 s CPU; shrink 6: ≈ 3.5 s.
//
// Threads: ITK's global default. The result is deterministic for a given number of threads (the B-spline
// fit sums per-thread partial lattices in a fixed order). Throws Error for invalid options, a mask on another
// grid, an axis with fewer than 2 voxels, or no positive voxel inside the mask.
#include <array>
#include <string>
#include <vector>

#include "oncotrack/core/geometry.h"

namespace oncotrack::preprocess {

struct N4Options {
  unsigned shrink_factor = 4;
  std::vector<unsigned> iterations{50, 50, 30};  // maximum per fitting level; each level doubles the lattice
  double convergence = 1e-3;  // ITK's threshold on the change of the field between iterations
  // Control-point spacing at the first level: ceil(extent / distance) spans per axis, at least 1 (4 control
  // points: cubic B-spline).
  double spline_distance_mm = 100;
};

// Throws Error "invalid value for <key_prefix><option>" (n4_correct: "N4 option "; the config parser: "config
// key preprocess.n4.").
void validate(const N4Options& options, const std::string& key_prefix);

struct N4Result {
  ImageF image;                                     // corrected, on the input grid
  std::vector<unsigned> iterations;                 // run per fitting level
  double convergence = 0;                           // last convergence measurement
  Size3 shrunk_size{0, 0, 0};                       // grid the fit ran on
  std::array<unsigned, 3> control_points{0, 0, 0};  // at the first level
  std::size_t fitted_voxels = 0;                    // voxels of the shrunk grid that drove the fit
};

N4Result n4_correct(const ImageF& image, const Mask* mask, const N4Options& options);

}  // namespace oncotrack::preprocess
