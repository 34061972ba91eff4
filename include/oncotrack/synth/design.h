#pragma once
// The synthetic cohort's design, as data: per subject the scan grid (the same at every timepoint), per
// timepoint the head pose and the lesions (head frame, mm), and per follow-up the expected category under
// each criterion with the reason it holds. The categories are chosen from the design, not computed by
// oncotrack's analysis, and every designed change is far from every threshold (see the rationale strings).
#include <string>
#include <vector>

#include "oncotrack/core/geometry.h"
#include "oncotrack/synth/ellipsoid.h"
#include "oncotrack/synth/phantom.h"

namespace oncotrack::synth {

struct LesionDesign {
  std::string name;  // identity across timepoints: "primary", "second", "new"
  Vec3 centre_mm_head{0, 0, 0};
  Vec3 semi_axes_mm{1, 1, 1};
  Mat3 axes_head = kIdentity3;  // column c = head-frame direction of semi-axis c
};

struct TimepointDesign {
  std::string id;  // "baseline", "week8", "week16"
  int day = 0;
  HeadPose pose;
  std::vector<LesionDesign> lesions;  // empty: no tumour (complete response)
};

struct ExpectedResponse {
  std::string timepoint;
  std::string recist_1_1, volumetric, rano_2_0_volumetric;  // "CR" | "PR" | "SD" | "PD"
  std::string rationale;
};

struct SubjectDesign {
  std::string id;  // "cr", "pr", "sd", "pd"
  std::string description;
  Geometry geometry;
  std::vector<TimepointDesign> timepoints;  // [0] is the baseline
  std::vector<ExpectedResponse> expected;   // one per follow-up, in timepoint order
};

std::vector<SubjectDesign> cohort_design();

// The lesion in LPS under a head pose.
Ellipsoid place(const LesionDesign& lesion, const HeadPose& pose);

}  // namespace oncotrack::synth
