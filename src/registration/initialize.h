#pragma once
// Internal to the registration module: the starting transform. Centres (image centres or intensity centres
// of mass inside the body masks) give the translation; an optional coarse search over starting rotations
// (about each axis in 30° steps, the best few refined by a short rigid run at the coarsest level) handles
// large motion such as a patient lying on the side.
#include "metric_probe.h"
#include "stage.h"

namespace oncotrack::registration {

ItkAffine::Pointer centred_start(const ImageF& fixed, const Mask& fixed_body, const ImageF& moving,
                                 const Mask& moving_body, bool moments);

// Returns the best start (identity rotation included) by Mattes MI on `coarse_probe` after refinement in
// `coarse` (a one-level context on coarse images).
ItkAffine::Pointer search_rotation(const StageContext& coarse, const MetricProbe& coarse_probe,
                                   const ItkAffine& start);

}  // namespace oncotrack::registration
