#pragma once
// Reorientation to the canonical frame: the index axes are permuted and reversed (no interpolation) so the
// direction matrix becomes the signed permutation closest to identity, i.e. index axes i, j, k run as close
// as possible to LPS x (right→left), y (anterior→posterior), z (inferior→superior). The physical position
// of every voxel is unchanged; an image already in that frame gets an identity record (output == input).
#include "oncotrack/core/geometry.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::preprocess {

// The axis assignment maximises the sum of |direction cosines| on the diagonal over all 6 permutations (ties:
// the first in lexicographic order), so 45° obliques are handled deterministically. Throws Error for an
// empty grid or a singular direction matrix.
SpatialRecord plan_reorient(const Geometry& geometry);

}  // namespace oncotrack::preprocess
