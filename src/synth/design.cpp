#include "oncotrack/synth/design.h"

namespace oncotrack::synth {

namespace {
// The head sits at the grid centre at baseline; follow-ups move it a little (rigid, about S), as a
// repositioned patient would be, so registration has something to do. Rotations about S leave axial diameters
// unchanged.
std::vector<HeadPose> poses(const Vec3& centre) {
  return {HeadPose{centre, 0.0}, HeadPose{{centre[0] + 1.5, centre[1] - 2.0, centre[2] + 1.0}, 2.5},
          HeadPose{{centre[0] - 1.0, centre[1] + 1.5, centre[2] - 2.0}, -2.0}};
}

Geometry grid_centred_at(const Size3& size, const Vec3& spacing_mm, const Mat3& direction,
                         const Vec3& centre) {
  Geometry g;
  g.size = size;
  g.spacing_mm = spacing_mm;
  g.direction = direction;
  for (int r = 0; r < 3; ++r) {
    g.origin_mm_lps[r] = centre[r];
    for (int c = 0; c < 3; ++c)
      g.origin_mm_lps[r] -= direction[r][c] * spacing_mm[c] * 0.5 * double(size[c] - 1);
  }
  return g;
}

Vec3 grid_centre(const Geometry& g) {
  return g.index_to_lps(
      {0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1)});
}

std::vector<TimepointDesign> timepoints(const Geometry& g,
                                        const std::vector<std::vector<LesionDesign>>& lesions) {
  const std::vector<HeadPose> p = poses(grid_centre(g));
  return {
      {"baseline", 0, p[0], lesions[0]}, {"week8", 56, p[1], lesions[1]}, {"week16", 112, p[2], lesions[2]}};
}

const Vec3 kSuperior{0, 0, 1};
const Vec3 kPosterior{0, 1, 0};
const Vec3 kLeft{1, 0, 0};

// Margins below are for the analytic values; voxelisation moves a diameter by at most about one in-plane
// voxel diagonal (1.4 mm) and a volume of these sizes by a few per cent, well inside every margin.
SubjectDesign complete_response() {
  SubjectDesign s;
  s.id = "cr";
  s.description = "complete response; RAS-stored grid (direction diag(-1,-1,1)), 1x1x3 mm";
  s.geometry = grid_centred_at({96, 96, 36}, {1, 1, 3}, Mat3{{{-1, 0, 0}, {0, -1, 0}, {0, 0, 1}}}, {0, 0, 0});
  const Mat3 axes = rotation_about(kSuperior, 30);
  s.timepoints = timepoints(
      s.geometry,
      {{{"primary", {14, -10, 10}, {12, 9, 8}, axes}}, {{"primary", {14, -10, 10}, {6, 4.5, 4}, axes}}, {}});
  s.expected = {
      {"week8", "PR", "PR", "PR",
       "longest diameter 24 -> 12 mm (-50 %, PR at <= -30 %); volume 3.62 -> 0.45 ml (-87.5 %, PR at <= -65 "
       "%); "
       "no growth vs nadir"},
      {"week16", "CR", "CR", "CR", "the only lesion is gone (empty mask) and no new lesion appeared"},
  };
  return s;
}

SubjectDesign partial_response() {
  SubjectDesign s;
  s.id = "pr";
  s.description =
      "partial response; oblique grid (18 deg about L, then 10 deg about S), 1x1x3 mm; lesion tilted "
      "20 deg about P";
  const Mat3 direction = multiply(rotation_about(kSuperior, 10), rotation_about(kLeft, 18));
  s.geometry = grid_centred_at({96, 96, 36}, {1, 1, 3}, direction, {0, 0, 0});
  const Mat3 axes = rotation_about(kPosterior, 20);
  s.timepoints = timepoints(s.geometry, {{{"primary", {-12, 8, 4}, {16, 11, 10}, axes}},
                                         {{"primary", {-12, 8, 4}, {9, 6.5, 6}, axes}},
                                         {{"primary", {-12, 8, 4}, {7, 5, 4.5}, axes}}});
  s.expected = {
      {"week8", "PR", "PR", "PR",
       "longest axial diameter 29.4 -> 16.8 mm (-43 %, PR at <= -30 %); volume 7.37 -> 1.47 ml (-80 %, PR at "
       "<= -65 %)"},
      {"week16", "PR", "PR", "PR",
       "longest axial diameter 29.4 -> 13.0 mm (-56 % vs baseline) and still shrinking vs the nadir (no PD); "
       "volume "
       "-91 %; lesion still present (not CR)"},
  };
  return s;
}

SubjectDesign stable_disease() {
  SubjectDesign s;
  s.id = "sd";
  s.description = "stable disease, two lesions; anisotropic in-plane spacing 0.8x1.25x3 mm, non-zero origin";
  s.geometry = grid_centred_at({120, 77, 36}, {0.8, 1.25, 3}, kIdentity3, {8.5, -12.0, 30.0});
  const Mat3 axes = rotation_about(kSuperior, 20);
  auto both = [&](const Vec3& primary_mm, const Vec3& second_mm) {
    return std::vector<LesionDesign>{{"primary", {13, 10, -6}, primary_mm, axes},
                                     {"second", {-15, -14, 12}, second_mm, kIdentity3}};
  };
  s.timepoints = timepoints(s.geometry, {both({11, 8, 7}, {7, 6, 5}), both({11.2, 8.1, 7}, {7.1, 6, 5}),
                                         both({10.9, 7.9, 7.1}, {6.9, 6.1, 5})});
  s.expected = {
      {"week8", "SD", "SD", "SD",
       "SLD 36 -> 36.6 mm (+1.7 %), volume +2.7 %: far from PR (-30 % / -65 %) and PD (+20 % / +73 % / +40 "
       "%)"},
      {"week16", "SD", "SD", "SD", "SLD 36 -> 35.6 mm (-1.1 %), volume -0.5 % vs baseline and nadir"},
  };
  return s;
}

SubjectDesign progressive_disease() {
  SubjectDesign s;
  s.id = "pd";
  s.description = "progression with a new lesion at week16; canonical grid (identity, origin 0), 1x1x3 mm";
  s.geometry = grid_centred_at({96, 96, 36}, {1, 1, 3}, kIdentity3, {47.5, 47.5, 52.5});
  const Mat3 axes = multiply(rotation_about(kSuperior, 45), rotation_about(kLeft, 10));
  const LesionDesign new_lesion{"new", {16, 14, -12}, {7.5, 6.5, 6}, rotation_about(kSuperior, -25)};
  s.timepoints = timepoints(s.geometry, {{{"primary", {-10, -12, 6}, {9, 7, 6}, axes}},
                                         {{"primary", {-10, -12, 6}, {9.3, 7.2, 6.2}, axes}},
                                         {{"primary", {-10, -12, 6}, {14, 10.5, 9}, axes}, new_lesion}});
  s.expected = {
      {"week8", "SD", "SD", "SD",
       "longest diameter +3 % and volume +10 % vs baseline: far below PD (+20 % / +73 % / +40 %) and above "
       "PR"},
      {"week16", "PD", "PD", "PD",
       "target SLD about 18 -> 28 mm (+55 % and +10 mm vs nadir, PD at +20 % and +5 mm); total volume +327 % "
       "vs "
       "nadir (PD at +73 % / +40 %); and a new lesion with a 15 mm longest diameter 40 mm away (unequivocal "
       "at "
       ">= 10 mm)"},
  };
  return s;
}
}  // namespace

std::vector<SubjectDesign> cohort_design() {
  return {complete_response(), partial_response(), stable_disease(), progressive_disease()};
}

Ellipsoid place(const LesionDesign& lesion, const HeadPose& pose) {
  return {pose.to_lps(lesion.centre_mm_head), lesion.semi_axes_mm,
          multiply(pose.rotation(), lesion.axes_head)};
}

}  // namespace oncotrack::synth
