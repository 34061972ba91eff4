#include "oncotrack/synth/cohort.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/synth/design.h"
#include "oncotrack/synth/random.h"

namespace oncotrack::synth {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr int kExpectedFormatVersion = 1;

// Rounded to 1e-6 so expected.json stays readable; far below any tolerance a consumer uses.
double round6(double x) {
  return std::round(x * 1e6) / 1e6;
}

json vec_json(const Vec3& v) {
  return json::array({round6(v[0]), round6(v[1]), round6(v[2])});
}

json geometry_json(const Geometry& g) {
  json direction = json::array();
  for (int r = 0; r < 3; ++r) direction.push_back(vec_json(g.direction[r]));
  return {{"size", {g.size[0], g.size[1], g.size[2]}},
          {"spacing_mm", vec_json(g.spacing_mm)},
          {"origin_mm_lps", vec_json(g.origin_mm_lps)},
          {"direction", direction},
          {"axial_axis", g.axial_axis()},
          {"voxel_volume_ml", g.voxel_volume_ml()}};
}

// Unit normal of the grid's axial slices: the direction column of Geometry::axial_axis.
Vec3 slice_normal(const Geometry& g) {
  const int a = g.axial_axis();
  return {g.direction[0][a], g.direction[1][a], g.direction[2][a]};
}

std::string relative_image_path(const std::string& subject, const std::string& timepoint,
                                const std::string& kind) {
  const std::string stem = "sub-" + subject + "_ses-" + timepoint;
  return "sub-" + subject + "/ses-" + timepoint + "/anat/" + stem + kind + ".nii.gz";
}

struct TimepointTotals {
  double target_sld_mm = 0;  // baseline lesions only (RECIST targets); all are measurable by design
  double volume_ml = 0;      // every lesion, new ones included
  std::vector<std::string> new_lesions;
};

// Analytic and voxelised truth of one timepoint; also fills the totals the follow-up changes are computed
// from.
json timepoint_truth(const SubjectDesign& subject, const TimepointDesign& tp,
                     const Volume<std::uint8_t>& labels, TimepointTotals& totals) {
  const Geometry& g = subject.geometry;
  const std::size_t n = tp.lesions.size();
  std::vector<std::size_t> counts(n, 0);
  std::vector<Vec3> sums(n, Vec3{0, 0, 0});
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const std::uint8_t label = labels.at(i, j, k);
        if (label == 0) continue;
        const Vec3 p = g.index_to_lps({double(i), double(j), double(k)});
        ++counts[label - 1];
        for (int c = 0; c < 3; ++c) sums[label - 1][c] += p[c];
      }

  json lesions = json::array();
  double sld_all_mm = 0;
  std::size_t voxels_all = 0;
  for (std::size_t l = 0; l < n; ++l) {
    const LesionDesign& design = tp.lesions[l];
    const Ellipsoid e = place(design, tp.pose);
    const SectionDiameters axial = largest_section_diameters(e, {0, 0, 1});
    const SectionDiameters in_slices = largest_section_diameters(e, slice_normal(g));
    bool at_baseline = false;
    for (const LesionDesign& b : subject.timepoints.front().lesions) at_baseline |= b.name == design.name;
    if (at_baseline)
      totals.target_sld_mm += axial.major_mm;
    else
      totals.new_lesions.push_back(design.name);
    totals.volume_ml += e.volume_ml();
    sld_all_mm += axial.major_mm;
    voxels_all += counts[l];
    json axes = json::array();
    for (int c = 0; c < 3; ++c) axes.push_back(vec_json({e.axes[0][c], e.axes[1][c], e.axes[2][c]}));
    const double inv = counts[l] ? 1.0 / double(counts[l]) : 0.0;
    lesions.push_back(
        {{"name", design.name},
         {"label", l + 1},
         {"is_new", !at_baseline},
         {"centroid_mm_lps", vec_json(e.centre_mm_lps)},
         {"semi_axes_mm", vec_json(e.semi_axes_mm)},
         {"axes_lps", axes},
         {"volume_ml", round6(e.volume_ml())},
         {"longest_diameter_mm", round6(axial.major_mm)},
         {"perpendicular_diameter_mm", round6(axial.minor_mm)},
         {"longest_diameter_in_slice_planes_mm", round6(in_slices.major_mm)},
         {"voxel_count", counts[l]},
         {"voxelised_volume_ml", round6(double(counts[l]) * g.voxel_volume_ml())},
         {"voxelised_centroid_mm_lps", vec_json({sums[l][0] * inv, sums[l][1] * inv, sums[l][2] * inv})}});
  }
  return {{"id", tp.id},
          {"day", tp.day},
          {"image", relative_image_path(subject.id, tp.id, "_ce-gadolinium_T1w")},
          {"mask", relative_image_path(subject.id, tp.id, "_desc-tumor_mask")},
          {"lesions", lesions},
          {"totals",
           {{"lesion_count", n},
            {"volume_ml", round6(totals.volume_ml)},
            {"sum_longest_diameter_mm", round6(sld_all_mm)},
            {"target_sum_longest_diameter_mm", round6(totals.target_sld_mm)},
            {"voxel_count", voxels_all},
            {"voxelised_volume_ml", round6(double(voxels_all) * g.voxel_volume_ml())}}}};
}

json change_pct(double value, double reference) {
  return reference > 0 ? json(round6(100.0 * (value - reference) / reference)) : json(nullptr);
}

// Analytic changes behind the expected categories; nadir = smallest among baseline and earlier follow-ups.
json follow_up_truth(const std::vector<TimepointTotals>& totals, std::size_t t,
                     const ExpectedResponse& expected) {
  std::size_t nadir_sld = 0, nadir_volume = 0;
  for (std::size_t s = 1; s < t; ++s) {
    if (totals[s].target_sld_mm < totals[nadir_sld].target_sld_mm) nadir_sld = s;
    if (totals[s].volume_ml < totals[nadir_volume].volume_ml) nadir_volume = s;
  }
  const TimepointTotals& now = totals[t];
  return {{"timepoint", expected.timepoint},
          {"expected",
           {{"recist_1_1", expected.recist_1_1},
            {"volumetric", expected.volumetric},
            {"rano_2_0_volumetric", expected.rano_2_0_volumetric}}},
          {"rationale", expected.rationale},
          {"analytic",
           {{"target_sum_longest_diameter_mm", round6(now.target_sld_mm)},
            {"total_volume_ml", round6(now.volume_ml)},
            {"sld_change_vs_baseline_pct", change_pct(now.target_sld_mm, totals[0].target_sld_mm)},
            {"sld_change_vs_nadir_pct", change_pct(now.target_sld_mm, totals[nadir_sld].target_sld_mm)},
            {"sld_change_vs_nadir_mm", round6(now.target_sld_mm - totals[nadir_sld].target_sld_mm)},
            {"volume_change_vs_baseline_pct", change_pct(now.volume_ml, totals[0].volume_ml)},
            {"volume_change_vs_nadir_pct", change_pct(now.volume_ml, totals[nadir_volume].volume_ml)},
            {"new_lesions", now.new_lesions}}}};
}

void check_out_dir(const SynthOptions& options) {
  const fs::path& dir = options.out_dir;
  if (dir.empty()) throw Error("no output folder given", "", "a folder path", "an empty path");
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec))
    throw Error("output path is not a folder", dir.string(), "a folder", "a file");
  if (!options.force && !fs::is_empty(dir, ec))
    throw Error("output folder is not empty", dir.string(), "an empty or new folder", "existing files",
                "use --force to overwrite the synthetic cohort's files in it");
}

const char* kConventions =
    "World frame LPS, millimetres. Lesions are ellipsoids defined in LPS; masks are their voxel-centre "
    "inclusion. "
    "volume_ml = 4/3*pi*a*b*c/1000. longest_diameter_mm / perpendicular_diameter_mm: axes of the largest "
    "section "
    "by LPS axial planes (normal = superior), which for an ellipsoid is the central section (closed form, "
    "any "
    "tilt); longest_diameter_in_slice_planes_mm: the same for planes parallel to the grid's axial slices. "
    "voxelised_volume_ml = voxel_count * voxel_volume_ml. target_sum_longest_diameter_mm sums lesions "
    "present at "
    "baseline (RECIST targets); total volume includes new lesions. Nadir = smallest among baseline and "
    "earlier "
    "follow-ups. Expected categories are chosen from the design, not computed by oncotrack's analysis.";
}  // namespace

void generate_cohort(const SynthOptions& options) {
  check_out_dir(options);
  const fs::path& dir = options.out_dir;
  std::ostringstream manifest;
  manifest << "subject,timepoint,day,sequence,path,mask\n";
  json subjects = json::object();
  const std::vector<SubjectDesign> design = cohort_design();
  for (std::size_t s = 0; s < design.size(); ++s) {
    const SubjectDesign& subject = design[s];
    json timepoints = json::array(), follow_ups = json::array();
    std::vector<TimepointTotals> totals(subject.timepoints.size());
    for (std::size_t t = 0; t < subject.timepoints.size(); ++t) {
      const TimepointDesign& tp = subject.timepoints[t];
      std::vector<Ellipsoid> lesions;
      for (const LesionDesign& l : tp.lesions) lesions.push_back(place(l, tp.pose));
      const Volume<std::uint8_t> labels = voxelise(lesions, subject.geometry);
      const json truth = timepoint_truth(subject, tp, labels, totals[t]);
      Mask mask(subject.geometry, 0);
      for (std::size_t v = 0; v < mask.voxels.size(); ++v) mask.voxels[v] = labels.voxels[v] ? 1 : 0;
      const std::string image_path = truth.at("image"), mask_path = truth.at("mask");
      try {
        io::write_mask(mask, dir / mask_path);
        io::write_image(render_head_t1c(subject.geometry, tp.pose, lesions, mix_seed(options.seed, s, t)),
                        dir / image_path);
      } catch (Error& e) {
        e.add_context("while writing the synthetic scans of sub-" + subject.id + " ses-" + tp.id);
        throw;
      }
      manifest << subject.id << ',' << tp.id << ',' << tp.day << ",t1c," << image_path << ',' << mask_path
               << '\n';
      timepoints.push_back(truth);
      if (t > 0) follow_ups.push_back(follow_up_truth(totals, t, subject.expected.at(t - 1)));
    }
    subjects[subject.id] = {{"description", subject.description},
                            {"geometry", geometry_json(subject.geometry)},
                            {"timepoints", timepoints},
                            {"follow_ups", follow_ups}};
  }
  const json expected{{"format_version", kExpectedFormatVersion},
                      {"generator", "oncotrack synth"},
                      {"seed", options.seed},
                      {"conventions", kConventions},
                      {"subjects", subjects}};
  // The manifest goes last: its presence means every file it lists is complete.
  write_text_atomically(dir / "expected.json", expected.dump(2) + "\n");
  write_text_atomically(dir / "manifest.csv", manifest.str());
}

}  // namespace oncotrack::synth
