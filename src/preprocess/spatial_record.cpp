#include "oncotrack/preprocess/spatial_record.h"

#include <string>
#include <type_traits>

#include "oncotrack/core/error.h"
#include "step_ops.h"

namespace oncotrack::preprocess {

namespace {

nlohmann::json vec3_json(const Vec3& v) {
  return {v[0], v[1], v[2]};
}

template <class T>
void check_grid(const Volume<T>& volume, const Geometry& expected, const SpatialRecord& record,
                const char* what) {
  if (volume.voxels.size() != volume.geometry.voxel_count())
    throw Error("volume buffer does not match its geometry", {},
                std::to_string(volume.geometry.voxel_count()) + " voxels",
                std::to_string(volume.voxels.size()) + " voxels");
  if (!same_grid(volume.geometry, expected))
    throw Error(std::string("cannot ") + what + " the " + step_name(record.step) +
                    " step: the volume is not on the step's grid",
                {}, describe_geometry(expected), describe_geometry(volume.geometry));
}

template <class T>
Volume<T> apply_step(const SpatialRecord& record, const Volume<T>& volume) {
  check_grid(volume, record.input, record, "apply");
  switch (record.step) {
    case SpatialStep::reorient:
      return detail::permute_axes(volume, record, false);
    case SpatialStep::resample:
      if constexpr (std::is_same_v<T, float>) {
        return detail::resample_linear(volume, record.output);
      } else {
        return detail::resample_nearest(volume, record.output);
      }
    case SpatialStep::crop:
      return detail::crop_box(volume, record);
  }
  assert_fail("known step", "unknown spatial step", __FILE__, __LINE__);
}

template <class T>
Volume<T> invert_step(const SpatialRecord& record, const Volume<T>& volume) {
  check_grid(volume, record.output, record, "invert");
  switch (record.step) {
    case SpatialStep::reorient:
      return detail::permute_axes(volume, record, true);
    case SpatialStep::resample:
      if constexpr (std::is_same_v<T, float>) {
        return detail::resample_linear(volume, record.input);
      } else {
        return detail::resample_nearest(volume, record.input);
      }
    case SpatialStep::crop:
      return detail::pad_box(volume, record);
  }
  assert_fail("known step", "unknown spatial step", __FILE__, __LINE__);
}

template <class T>
Volume<T> invert_all(const std::vector<SpatialRecord>& records, const Volume<T>& volume) {
  Volume<T> out = volume;
  for (auto it = records.rbegin(); it != records.rend(); ++it) out = invert_step(*it, out);
  return out;
}

}  // namespace

const char* step_name(SpatialStep step) {
  switch (step) {
    case SpatialStep::reorient:
      return "reorient";
    case SpatialStep::resample:
      return "resample";
    case SpatialStep::crop:
      return "crop";
  }
  return "unknown";
}

bool same_grid(const Geometry& a, const Geometry& b) {
  return a.size == b.size && a.spacing_mm == b.spacing_mm && a.origin_mm_lps == b.origin_mm_lps &&
         a.direction == b.direction;
}

nlohmann::json to_json(const Geometry& g) {
  nlohmann::json direction = nlohmann::json::array();
  for (const Vec3& row : g.direction) direction.push_back(vec3_json(row));
  return {{"size", {g.size[0], g.size[1], g.size[2]}},
          {"spacing_mm", vec3_json(g.spacing_mm)},
          {"origin_mm_lps", vec3_json(g.origin_mm_lps)},
          {"direction", direction}};
}

nlohmann::json to_json(const SpatialRecord& r) {
  nlohmann::json j = {
      {"step", step_name(r.step)}, {"input", to_json(r.input)}, {"output", to_json(r.output)}};
  switch (r.step) {
    case SpatialStep::reorient:
      j["input_axis"] = r.input_axis;
      j["flip"] = r.flip;
      break;
    case SpatialStep::resample:
      j["interpolation"] = {{"image", "linear"}, {"mask", "nearest"}};
      break;
    case SpatialStep::crop:
      j["offset"] = r.offset;
      break;
  }
  return j;
}

ImageF apply(const SpatialRecord& record, const ImageF& image) {
  return apply_step(record, image);
}
Mask apply(const SpatialRecord& record, const Mask& mask) {
  return apply_step(record, mask);
}
ImageF invert(const SpatialRecord& record, const ImageF& image) {
  return invert_step(record, image);
}
Mask invert(const SpatialRecord& record, const Mask& mask) {
  return invert_step(record, mask);
}
ImageF invert(const std::vector<SpatialRecord>& records, const ImageF& image) {
  return invert_all(records, image);
}
Mask invert(const std::vector<SpatialRecord>& records, const Mask& mask) {
  return invert_all(records, mask);
}

}  // namespace oncotrack::preprocess
