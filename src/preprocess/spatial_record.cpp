#include "oncotrack/preprocess/spatial_record.h"

#include <cmath>
#include <string>
#include <type_traits>

#include "oncotrack/core/error.h"
#include "oncotrack/core/json_section.h"
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

Geometry geometry_from_json(const nlohmann::json& doc, const std::string& name) {
  JsonSection s(doc, name);
  Geometry g;
  auto read3 = [&s](const char* key) {
    std::vector<double> v;
    s.read(key, v);
    require_value(v.size() == 3, s.key(key), "3 numbers", std::to_string(v.size()) + " number(s)");
    return Vec3{v[0], v[1], v[2]};
  };
  std::vector<unsigned> size;
  s.read("size", size);
  require_value(size.size() == 3 && size[0] > 0 && size[1] > 0 && size[2] > 0, s.key("size"),
                "3 positive integers", nlohmann::json(size).dump());
  g.size = {size[0], size[1], size[2]};
  g.spacing_mm = read3("spacing_mm");
  require_value(g.spacing_mm[0] > 0 && g.spacing_mm[1] > 0 && g.spacing_mm[2] > 0, s.key("spacing_mm"),
                "3 positive numbers", vec3_json(g.spacing_mm).dump());
  g.origin_mm_lps = read3("origin_mm_lps");
  const nlohmann::json& rows = s.need("direction");
  require_value(rows.is_array() && rows.size() == 3, s.key("direction"), "3 rows of 3 numbers", rows.dump());
  for (int r = 0; r < 3; ++r) {
    const nlohmann::json& row = rows[r];
    require_value(
        row.is_array() && row.size() == 3 && row[0].is_number() && row[1].is_number() && row[2].is_number(),
        s.key("direction"), "3 rows of 3 numbers", rows.dump());
    for (int c = 0; c < 3; ++c) g.direction[r][c] = row[c].get<double>();
  }
  s.finish();
  require_value(std::abs(determinant(g.direction)) > 1e-6, s.key("direction"), "a non-singular matrix",
                rows.dump());
  return g;
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
