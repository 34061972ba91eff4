#include "oncotrack/pipeline/qc_pictures.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "oncotrack/analysis/connected_components.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::pipeline {

namespace {

constexpr std::size_t kMinSide = 256, kMaxSide = 320;
constexpr std::size_t kGap = 4;
constexpr std::size_t kSquare = 16;

struct Box {
  Vec3 lo, hi;  // LPS bounding box of a grid's voxel centres
};

Box bounds(const Geometry& g) {
  Box b{{1e30, 1e30, 1e30}, {-1e30, -1e30, -1e30}};
  for (int c = 0; c < 8; ++c) {
    const Vec3 ijk{c & 1 ? static_cast<double>(g.size[0] - 1) : 0.0,
                   c & 2 ? static_cast<double>(g.size[1] - 1) : 0.0,
                   c & 4 ? static_cast<double>(g.size[2] - 1) : 0.0};
    const Vec3 p = g.index_to_lps(ijk);
    for (int a = 0; a < 3; ++a) {
      b.lo[a] = std::min(b.lo[a], p[a]);
      b.hi[a] = std::max(b.hi[a], p[a]);
    }
  }
  return b;
}

float sample_linear(const ImageF& image, const Vec3& lps, bool& inside) {
  const Vec3 c = image.geometry.lps_to_index(lps);
  const Size3& n = image.geometry.size;
  std::array<std::size_t, 3> i0{};
  std::array<double, 3> f{};
  inside = true;
  for (int a = 0; a < 3; ++a) {
    if (c[a] < -0.5 || c[a] > static_cast<double>(n[a]) - 0.5) {
      inside = false;
      return 0;
    }
    const double x = std::clamp(c[a], 0.0, static_cast<double>(n[a] - 1));
    i0[a] = std::min(static_cast<std::size_t>(x), n[a] > 1 ? n[a] - 2 : 0);
    f[a] = n[a] > 1 ? x - static_cast<double>(i0[a]) : 0.0;
  }
  double v = 0;
  for (int corner = 0; corner < 8; ++corner) {
    double w = 1;
    std::array<std::size_t, 3> i = i0;
    for (int a = 0; a < 3; ++a) {
      const bool up = (corner >> a) & 1;
      if (up && n[a] == 1) w = 0;
      i[a] += up && n[a] > 1;
      w *= up ? f[a] : 1 - f[a];
    }
    if (w != 0) v += w * static_cast<double>(image.at(i[0], i[1], i[2]));
  }
  return static_cast<float>(v);
}

bool sample_mask(const Mask& mask, const Vec3& lps) {
  const Vec3 c = mask.geometry.lps_to_index(lps);
  std::array<std::size_t, 3> i{};
  for (int a = 0; a < 3; ++a) {
    const double r = std::round(c[a]);
    if (r < 0 || r >= static_cast<double>(mask.geometry.size[a])) return false;
    i[a] = static_cast<std::size_t>(r);
  }
  return mask.at(i[0], i[1], i[2]) != 0;
}

// Window of an image: its 1st and 99th percentiles (over at most ~1M voxels, evenly strided).
std::pair<float, float> window(const ImageF& image) {
  const std::size_t stride = std::max<std::size_t>(1, image.voxels.size() / 1000000);
  std::vector<float> v;
  for (std::size_t i = 0; i < image.voxels.size(); i += stride)
    if (std::isfinite(image.voxels[i])) v.push_back(image.voxels[i]);
  if (v.empty()) return {0.f, 1.f};
  auto at = [&](double q) {
    const std::size_t k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  };
  const float lo = at(0.01), hi = at(0.99);
  return {lo, hi > lo ? hi : lo + 1.f};
}

std::uint8_t grey(float value, std::pair<float, float> w) {
  return static_cast<std::uint8_t>(std::lround(
      255.0 * static_cast<double>(std::clamp((value - w.first) / (w.second - w.first), 0.f, 1.f))));
}

struct Panel {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
};

// One plane through `centre`: plane 0 axial (columns x, rows y), 1 coronal (x, −z), 2 sagittal (y, −z).
// `pixel(lps, u, v)` gives the colour of the pixel at that point.
Panel render(const Box& box, double spacing, const Vec3& centre, int plane,
             const std::function<std::array<std::uint8_t, 3>(const Vec3&, std::size_t, std::size_t)>& pixel) {
  const int col_axis = plane == 2 ? 1 : 0;
  const int row_axis = plane == 0 ? 1 : 2;
  Panel p;
  // Pixels at 0, s, 2s, … up to the extent (a hair of tolerance so an exact multiple is not lost to
  // rounding).
  auto pixels = [&](int a) {
    return static_cast<std::size_t>(std::floor((box.hi[a] - box.lo[a]) / spacing + 1e-6)) + 1;
  };
  p.width = pixels(col_axis);
  p.height = pixels(row_axis);
  p.rgb.assign(p.width * p.height * 3, 0);
  for (std::size_t v = 0; v < p.height; ++v)
    for (std::size_t u = 0; u < p.width; ++u) {
      Vec3 lps = centre;
      lps[col_axis] = box.lo[col_axis] + static_cast<double>(u) * spacing;
      lps[row_axis] = row_axis == 2 ? box.hi[2] - static_cast<double>(v) * spacing
                                    : box.lo[row_axis] + static_cast<double>(v) * spacing;
      const auto c = pixel(lps, u, v);
      std::copy(c.begin(), c.end(), p.rgb.begin() + static_cast<std::ptrdiff_t>(3 * (v * p.width + u)));
    }
  return p;
}

double picture_spacing(const Geometry& g, const Box& box) {
  double s = std::min({g.spacing_mm[0], g.spacing_mm[1], g.spacing_mm[2]});
  const double extent = std::max({box.hi[0] - box.lo[0], box.hi[1] - box.lo[1], box.hi[2] - box.lo[2]});
  if (extent > 0)
    s = std::clamp(s, extent / static_cast<double>(kMaxSide - 1), extent / static_cast<double>(kMinSide - 1));
  return s;
}

Picture side_by_side(const std::vector<Panel>& panels) {
  std::size_t width = 0, height = 0;
  for (const Panel& p : panels) {
    width += p.width + (width ? kGap : 0);
    height = std::max(height, p.height);
  }
  std::vector<std::uint8_t> rgb(width * height * 3, 0);
  std::size_t x0 = 0;
  for (const Panel& p : panels) {
    for (std::size_t v = 0; v < p.height; ++v)
      std::copy_n(p.rgb.begin() + static_cast<std::ptrdiff_t>(3 * v * p.width), 3 * p.width,
                  rgb.begin() + static_cast<std::ptrdiff_t>(3 * (v * width + x0)));
    x0 += p.width + kGap;
  }
  return {width, height, std::move(rgb)};
}

Vec3 centre_of(const Mask* mask, const Geometry& fallback) {
  if (mask) return largest_lesion_centre(*mask);
  const Size3& n = fallback.size;
  return fallback.index_to_lps({0.5 * static_cast<double>(n[0] - 1), 0.5 * static_cast<double>(n[1] - 1),
                                0.5 * static_cast<double>(n[2] - 1)});
}

}  // namespace

Vec3 largest_lesion_centre(const Mask& mask) {
  const auto components = analysis::connected_components(mask, 26);
  const analysis::Component* largest = nullptr;
  for (const auto& c : components)
    if (!largest || c.voxel_count > largest->voxel_count) largest = &c;
  const Size3& n = mask.geometry.size;
  if (!largest)
    return mask.geometry.index_to_lps({0.5 * static_cast<double>(n[0] - 1),
                                       0.5 * static_cast<double>(n[1] - 1),
                                       0.5 * static_cast<double>(n[2] - 1)});
  Vec3 sum{0, 0, 0};
  for (const auto& run : largest->runs)
    for (std::size_t i = run.i_begin; i < run.i_end; ++i) {
      const Vec3 p = mask.geometry.index_to_lps(
          {static_cast<double>(i), static_cast<double>(run.j), static_cast<double>(run.k)});
      for (int a = 0; a < 3; ++a) sum[a] += p[a];
    }
  for (double& s : sum) s /= static_cast<double>(largest->voxel_count);
  return sum;
}

Picture contour_picture(const ImageF& scan, const std::vector<Overlay>& overlays, const Mask* centre_mask) {
  const Box box = bounds(scan.geometry);
  const double s = picture_spacing(scan.geometry, box);
  const Vec3 centre = centre_of(centre_mask, scan.geometry);
  const auto w = window(scan);
  std::vector<Panel> panels;
  for (int plane = 0; plane < 3; ++plane) {
    Panel p = render(box, s, centre, plane, [&](const Vec3& lps, std::size_t, std::size_t) {
      bool inside = false;
      const std::uint8_t g = grey(sample_linear(scan, lps, inside), w);
      return inside ? std::array<std::uint8_t, 3>{g, g, g} : std::array<std::uint8_t, 3>{0, 0, 0};
    });
    for (const Overlay& o : overlays) {  // outline: inside pixels with a 4-neighbour outside
      const Panel m = render(box, s, centre, plane, [&](const Vec3& lps, std::size_t, std::size_t) {
        return std::array<std::uint8_t, 3>{static_cast<std::uint8_t>(sample_mask(*o.mask, lps)), 0, 0};
      });
      auto in = [&](std::size_t u, std::size_t v) { return m.rgb[3 * (v * m.width + u)] != 0; };
      for (std::size_t v = 0; v < p.height; ++v)
        for (std::size_t u = 0; u < p.width; ++u) {
          if (!in(u, v)) continue;
          const bool edge = u == 0 || v == 0 || u + 1 == p.width || v + 1 == p.height || !in(u - 1, v) ||
                            !in(u + 1, v) || !in(u, v - 1) || !in(u, v + 1);
          if (edge)
            std::copy(o.colour.begin(), o.colour.end(),
                      p.rgb.begin() + static_cast<std::ptrdiff_t>(3 * (v * p.width + u)));
        }
    }
    panels.push_back(std::move(p));
  }
  return side_by_side(panels);
}

Picture checkerboard_picture(const ImageF& baseline, const ImageF& follow_up,
                             const registration::Transform& to_follow_up, const Mask* centre_mask) {
  const Box box = bounds(baseline.geometry);
  const double s = picture_spacing(baseline.geometry, box);
  const Vec3 centre = centre_of(centre_mask, baseline.geometry);
  const auto wb = window(baseline), wf = window(follow_up);
  std::vector<Panel> panels;
  for (int plane = 0; plane < 3; ++plane)
    panels.push_back(render(box, s, centre, plane, [&](const Vec3& lps, std::size_t u, std::size_t v) {
      bool inside = false;
      const bool show_baseline = (u / kSquare + v / kSquare) % 2 == 0;
      const float value = show_baseline ? sample_linear(baseline, lps, inside)
                                        : sample_linear(follow_up, to_follow_up.apply(lps), inside);
      const std::uint8_t g = inside ? grey(value, show_baseline ? wb : wf) : 0;
      return std::array<std::uint8_t, 3>{g, g, g};
    }));
  return side_by_side(panels);
}

void write_picture(const Picture& picture, const std::filesystem::path& path) {
  io::write_png_rgb(picture.rgb, picture.width, picture.height, path);
}

}  // namespace oncotrack::pipeline
