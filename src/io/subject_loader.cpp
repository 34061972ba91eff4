#include "oncotrack/io/subject_loader.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "oncotrack/core/error.h"
#include "oncotrack/core/sha256.h"

namespace oncotrack::io {

namespace {

// Axis-aligned LPS bounding box of the voxel-extent corners of a grid.
std::pair<Vec3, Vec3> lps_bounds(const Geometry& g) {
  Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3 ijk{(corner & 1) ? double(g.size[0]) - 0.5 : -0.5,
                   (corner & 2) ? double(g.size[1]) - 0.5 : -0.5,
                   (corner & 4) ? double(g.size[2]) - 0.5 : -0.5};
    const Vec3 p = g.index_to_lps(ijk);
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], p[a]);
      hi[a] = std::max(hi[a], p[a]);
    }
  }
  return {lo, hi};
}

// A mask_label that selects nothing while other labels are present is a real answer (the tumour is gone)
// or a typo; the report says which labels were there so a reader can tell.
void note_absent_labels(const Labels& labels, const Mask& mask, const std::vector<std::int32_t>& wanted,
                        std::vector<std::string>& warnings) {
  if (std::any_of(mask.voxels.begin(), mask.voxels.end(), [](std::uint8_t v) { return v != 0; })) return;
  std::set<std::int32_t> present;
  for (const std::int32_t v : labels.voxels)
    if (v != 0) present.insert(v);
  if (present.empty()) return;
  std::string want, have;
  for (const auto v : wanted) want += (want.empty() ? "" : ",") + std::to_string(v);
  for (const auto v : present) have += (have.empty() ? "" : ",") + std::to_string(v);
  warnings.push_back("mask has none of the tumour labels " + want + " (labels present: " + have +
                     "): measured as no tumour");
}

Problem to_problem(const Error& e, const std::string& subject, const std::string& timepoint) {
  std::string what = e.problem();
  for (const auto& c : e.context()) what += "; " + c;
  return {subject, timepoint, e.file(), what, e.expected(), e.found()};
}

LoadedFile load_mrf_series(const MrfEntry& m, const LoadOptions& options, std::size_t& volumes) {
  const std::vector<ImageF> series = read_image_series(m.series);
  volumes = series.size();
  LoadedFile file;
  file.info.path = m.series.string();
  file.info.dimensions = 4;
  file.info.geometry = series.front().geometry;
  file.info.file_bytes = std::filesystem::file_size(m.series);
  if (options.hash_files) file.sha256 = sha256_file(m.series);
  if (!std::filesystem::is_regular_file(m.schedule))
    throw Error("schedule not found", m.schedule.string(), "the schedule JSON of " + m.series.string(),
                "no file");
  for (const auto& map : {m.t1_map, m.t2_map}) {
    if (map.empty()) continue;
    const ImageF image = read_image(map);
    const GeometryDelta d = compare_geometry(image.geometry, file.info.geometry);
    if (!d.within(options.geometry_tolerance_mm, options.direction_tolerance))
      throw Error("relaxation map is not on the grid of its CEST-MRF series " + m.series.string() + " (" +
                      d.describe() + ")",
                  map.string(), describe_geometry(file.info.geometry), describe_geometry(image.geometry));
  }
  if (!m.reference_mask.empty()) (void)read_labels(m.reference_mask);
  return file;
}

}  // namespace

LoadedSubject load_subject(const SubjectEntry& subject, const LoadOptions& options,
                           std::vector<Problem>& problems) {
  LoadedSubject out;
  out.entry = &subject;
  for (const auto& tp : subject.timepoints) {
    LoadedTimepoint ltp;
    ltp.entry = &tp;
    ltp.warnings = tp.warnings;
    const ImageEntry* mask_row = tp.mask_image();
    std::optional<Geometry> mask_row_geometry;
    for (const auto& image : tp.images) {
      LoadedFile file;
      try {
        ReadOptions ro;
        ro.dicom_series_uid = image.series_uid;
        file.info = read_image_info(image.path, ro);
        (void)read_image(image.path, ro);  // full read: truncation, NaN/Inf
        if (options.hash_files) file.sha256 = sha256_file(image.path);
        if (&image == mask_row) mask_row_geometry = file.info.geometry;
      } catch (const Error& e) {
        problems.push_back(to_problem(e, subject.id, tp.id));
      }
      ltp.images.push_back(std::move(file));
    }
    if (mask_row) {
      const auto& path = *mask_row->mask;
      try {
        LoadedFile file;
        file.info = read_image_info(path);
        const Labels labels = read_labels(path);
        if (options.hash_files) file.sha256 = sha256_file(path);
        if (mask_row_geometry && !mask_row->mask_on_own_grid) {
          const GeometryDelta d = compare_geometry(*mask_row_geometry, labels.geometry);
          if (!d.within(options.geometry_tolerance_mm, options.direction_tolerance))
            throw Error("mask geometry does not match its image " + mask_row->path.string() + " (" +
                            d.describe() + "; tolerance " + std::to_string(options.geometry_tolerance_mm) +
                            " mm; set mask_grid=own if the mask is on another grid of the same scan)",
                        path.string(), describe_geometry(*mask_row_geometry),
                        describe_geometry(labels.geometry));
        } else if (mask_row_geometry) {
          const auto [ilo, ihi] = lps_bounds(*mask_row_geometry);
          const auto [mlo, mhi] = lps_bounds(labels.geometry);
          const double slack =
              *std::max_element(mask_row_geometry->spacing_mm.begin(), mask_row_geometry->spacing_mm.end());
          for (int a = 0; a < 3; ++a)
            if (mlo[a] < ilo[a] - slack || mhi[a] > ihi[a] + slack)
              throw Error("mask field of view lies outside its image " + mask_row->path.string(),
                          path.string(), "a mask inside the image's field of view (mask_grid=own)",
                          "the mask extends beyond the image along LPS axis " + std::to_string(a));
        }
        ltp.mask = labels_to_mask(labels, mask_row->mask_labels);
        if (!mask_row->mask_labels.empty())
          note_absent_labels(labels, *ltp.mask, mask_row->mask_labels, ltp.warnings);
        ltp.mask_file = std::move(file);
      } catch (const Error& e) {
        problems.push_back(to_problem(e, subject.id, tp.id));
      }
    }
    if (tp.mrf) {
      try {
        ltp.mrf_series = load_mrf_series(*tp.mrf, options, ltp.mrf_volumes);
      } catch (const Error& e) {
        problems.push_back(to_problem(e, subject.id, tp.id));
      }
    }
    out.timepoints.push_back(std::move(ltp));
  }
  return out;
}

LoadedSubject load_subject_or_throw(const SubjectEntry& subject) {
  std::vector<Problem> problems = subject.problems;
  LoadOptions options;
  options.hash_files = false;
  LoadedSubject loaded = load_subject(subject, options, problems);
  if (!problems.empty())
    throw Error(
        problems.front().describe() +
        (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more problem(s))" : ""));
  return loaded;
}

}  // namespace oncotrack::io
