#include "oncotrack/analysis/lesions.h"

#include <algorithm>

#include "oncotrack/analysis/connected_components.h"
#include "oncotrack/analysis/diameters.h"
#include "oncotrack/core/error.h"

namespace oncotrack::analysis {

namespace {

constexpr double kDiameterToleranceMm = 1e-9;  // "exactly 10 mm" is measurable despite rounding

Vec3 centroid_mm_lps(const Component& component, const Geometry& g) {
  Vec3 index_sum{0, 0, 0};
  for (const VoxelRun& run : component.runs) {
    const auto n = static_cast<double>(run.i_end - run.i_begin);
    index_sum[0] += n * (static_cast<double>(run.i_begin + run.i_end) - 1) / 2;
    index_sum[1] += n * static_cast<double>(run.j);
    index_sum[2] += n * static_cast<double>(run.k);
  }
  const auto count = static_cast<double>(component.voxel_count);
  return g.index_to_lps({index_sum[0] / count, index_sum[1] / count, index_sum[2] / count});
}

bool touches_border(const Component& component, const Size3& size) {
  return std::any_of(component.runs.begin(), component.runs.end(), [&size](const VoxelRun& run) {
    return run.i_begin == 0 || run.i_end == size[0] || run.j == 0 || run.j + 1 == size[1] || run.k == 0 ||
           run.k + 1 == size[2];
  });
}

}  // namespace

TumorMeasurement measure_tumor(const Mask& mask, const AnalysisConfig& config) {
  const Geometry& g = mask.geometry;
  const double voxel_ml = g.voxel_volume_ml();
  if (!(voxel_ml > 0) ||
      std::any_of(g.spacing_mm.begin(), g.spacing_mm.end(), [](double s) { return !(s > 0); }))
    throw Error("mask grid is degenerate", {}, "positive spacing and a non-singular direction matrix",
                describe_geometry(g));
  const std::vector<Component> components = connected_components(mask, config.connectivity);

  TumorMeasurement out;
  out.axial_axis = g.axial_axis();
  out.geometry = g;
  for (const Component& component : components) {
    out.mask_voxel_count += component.voxel_count;
    const double volume_ml = static_cast<double>(component.voxel_count) * voxel_ml;
    if (volume_ml < config.min_lesion_volume_ml) continue;
    const LesionDiameters d = measure_diameters(component.runs, g);
    Lesion lesion;
    lesion.voxel_count = component.voxel_count;
    lesion.volume_ml = volume_ml;
    lesion.longest_diameter_mm = d.longest_mm;
    lesion.perpendicular_diameter_mm = d.perpendicular_mm;
    lesion.max_3d_diameter_mm = d.max_3d_mm;
    lesion.longest_diameter_slice = d.longest_slice;
    lesion.centroid_mm_lps = centroid_mm_lps(component, g);
    lesion.measurable = d.longest_mm >= config.measurable_min_diameter_mm - kDiameterToleranceMm;
    lesion.touches_border = touches_border(component, g.size);
    lesion.runs = component.runs;
    out.lesions.push_back(lesion);
  }
  out.mask_volume_ml = static_cast<double>(out.mask_voxel_count) * voxel_ml;
  // Stable: equal volumes keep memory order, so ids are deterministic.
  std::stable_sort(out.lesions.begin(), out.lesions.end(),
                   [](const Lesion& a, const Lesion& b) { return a.voxel_count > b.voxel_count; });
  for (std::size_t n = 0; n < out.lesions.size(); ++n) {
    Lesion& lesion = out.lesions[n];
    lesion.id = static_cast<int>(n + 1);
    out.total_volume_ml += lesion.volume_ml;
    out.sum_longest_diameter_mm += lesion.longest_diameter_mm;
  }
  return out;
}

}  // namespace oncotrack::analysis
