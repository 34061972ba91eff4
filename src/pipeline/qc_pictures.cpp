#include "oncotrack/pipeline/qc_pictures.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

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

// Percentiles q_lo and q_hi of an image's finite voxels (non-zero ones only when skip_zero; over at most ~1M
// voxels, evenly strided); nullopt when there are none.
std::optional<std::pair<float, float>> percentiles(const ImageF& image, double q_lo, double q_hi,
                                                   bool skip_zero) {
  const std::size_t stride = std::max<std::size_t>(1, image.voxels.size() / 1000000);
  std::vector<float> v;
  for (std::size_t i = 0; i < image.voxels.size(); i += stride)
    if (std::isfinite(image.voxels[i]) && !(skip_zero && image.voxels[i] == 0)) v.push_back(image.voxels[i]);
  if (v.empty()) return std::nullopt;
  auto at = [&](double q) {
    const std::size_t k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  };
  const float lo = at(q_lo), hi = at(q_hi);
  return std::pair{lo, hi};
}

// A range to map to black…white or along the colour scale: {0, 1} without values, widened by 1 when empty.
std::pair<float, float> usable(const std::optional<std::pair<float, float>>& r) {
  if (!r) return {0.f, 1.f};
  return {r->first, r->second > r->first ? r->second : r->first + 1.f};
}

std::pair<float, float> window(const ImageF& image) {
  return usable(percentiles(image, 0.01, 0.99, false));
}

std::uint8_t grey(float value, std::pair<float, float> w) {
  return static_cast<std::uint8_t>(std::lround(
      255.0 * static_cast<double>(std::clamp((value - w.first) / (w.second - w.first), 0.f, 1.f))));
}

struct Panel {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
};

// Where the pixels of a panel lie: width × height pixels, pixel (u, v) at lps(u, v).
struct PanelFrame {
  std::size_t width = 0, height = 0;
  std::function<Vec3(std::size_t, std::size_t)> lps;
};

// One plane through `centre`: plane 0 axial (columns x, rows y), 1 coronal (x, −z), 2 sagittal (y, −z),
// pixels `spacing` mm apart over the box.
PanelFrame plane_frame(const Box& box, double spacing, const Vec3& centre, int plane) {
  const int col_axis = plane == 2 ? 1 : 0;
  const int row_axis = plane == 0 ? 1 : 2;
  // Pixels at 0, s, 2s, … up to the extent (a hair of tolerance so an exact multiple is not lost to
  // rounding).
  auto pixels = [&](int a) {
    return static_cast<std::size_t>(std::floor((box.hi[a] - box.lo[a]) / spacing + 1e-6)) + 1;
  };
  return {pixels(col_axis), pixels(row_axis), [=](std::size_t u, std::size_t v) {
            Vec3 lps = centre;
            lps[col_axis] = box.lo[col_axis] + static_cast<double>(u) * spacing;
            lps[row_axis] = row_axis == 2 ? box.hi[2] - static_cast<double>(v) * spacing
                                          : box.lo[row_axis] + static_cast<double>(v) * spacing;
            return lps;
          }};
}

// `pixel(lps, u, v)` gives the colour of the pixel at that point.
Panel render(const PanelFrame& f,
             const std::function<std::array<std::uint8_t, 3>(const Vec3&, std::size_t, std::size_t)>& pixel) {
  Panel p;
  p.width = f.width;
  p.height = f.height;
  p.rgb.assign(p.width * p.height * 3, 0);
  for (std::size_t v = 0; v < p.height; ++v)
    for (std::size_t u = 0; u < p.width; ++u) {
      const auto c = pixel(f.lps(u, v), u, v);
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

// Panels in rows of `columns`, kGap black pixels apart; each row as tall as its tallest panel.
Picture tiled(const std::vector<Panel>& panels, std::size_t columns) {
  std::size_t width = 0, height = 0;
  std::vector<std::size_t> row_top, row_height;
  for (std::size_t first = 0; first < panels.size(); first += columns) {
    std::size_t w = 0, h = 0;
    for (std::size_t i = first; i < std::min(panels.size(), first + columns); ++i) {
      w += panels[i].width + (i > first ? kGap : 0);
      h = std::max(h, panels[i].height);
    }
    row_top.push_back(height + (first ? kGap : 0));
    row_height.push_back(h);
    height = row_top.back() + h;
    width = std::max(width, w);
  }
  std::vector<std::uint8_t> rgb(width * height * 3, 0);
  for (std::size_t first = 0, row = 0; first < panels.size(); first += columns, ++row) {
    std::size_t x0 = 0;
    for (std::size_t i = first; i < std::min(panels.size(), first + columns); ++i) {
      const Panel& p = panels[i];
      for (std::size_t v = 0; v < p.height; ++v)
        std::copy_n(p.rgb.begin() + static_cast<std::ptrdiff_t>(3 * v * p.width), 3 * p.width,
                    rgb.begin() + static_cast<std::ptrdiff_t>(3 * ((row_top[row] + v) * width + x0)));
      x0 += p.width + kGap;
    }
  }
  return {width, height, std::move(rgb)};
}

Picture side_by_side(const std::vector<Panel>& panels) {
  return tiled(panels, panels.size());
}

// Draws each overlay's outline (inside pixels with a 4-neighbour outside) on a panel rendered in frame f.
void draw_outlines(Panel& p, const std::vector<Overlay>& overlays, const PanelFrame& f) {
  for (const Overlay& o : overlays) {
    const Panel m = render(f, [&](const Vec3& lps, std::size_t, std::size_t) {
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
}

Panel greyscale(const ImageF& scan, const PanelFrame& f, std::pair<float, float> w) {
  return render(f, [&](const Vec3& lps, std::size_t, std::size_t) {
    bool inside = false;
    const std::uint8_t g = grey(sample_linear(scan, lps, inside), w);
    return inside ? std::array<std::uint8_t, 3>{g, g, g} : std::array<std::uint8_t, 3>{0, 0, 0};
  });
}

// LPS bounding box of the non-zero voxels' centres of some masks; nullopt when all are empty.
std::optional<Box> focus_box(const std::vector<const Mask*>& masks) {
  Box b{{1e30, 1e30, 1e30}, {-1e30, -1e30, -1e30}};
  bool any = false;
  for (const Mask* m : masks) {
    const Size3& n = m->geometry.size;
    for (std::size_t k = 0; k < n[2]; ++k)
      for (std::size_t j = 0; j < n[1]; ++j)
        for (std::size_t i = 0; i < n[0]; ++i) {
          if (!m->at(i, j, k)) continue;
          any = true;
          const Vec3 p = m->geometry.index_to_lps(
              {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
          for (int a = 0; a < 3; ++a) {
            b.lo[a] = std::min(b.lo[a], p[a]);
            b.hi[a] = std::max(b.hi[a], p[a]);
          }
        }
  }
  if (!any) return std::nullopt;
  return b;
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
    const PanelFrame f = plane_frame(box, s, centre, plane);
    Panel p = greyscale(scan, f, w);
    draw_outlines(p, overlays, f);
    panels.push_back(std::move(p));
  }
  return side_by_side(panels);
}

Picture mosaic_picture(const ImageF& scan, const std::vector<Overlay>& overlays,
                       const std::vector<const Mask*>& focus) {
  constexpr std::size_t kTiles = 8, kColumns = 4, kTileSide = 160;
  const Box whole = bounds(scan.geometry);
  const double dz = std::abs(scan.geometry.spacing_mm[2]);
  Box crop = whole;
  double z_lo = whole.lo[2] + 0.2 * (whole.hi[2] - whole.lo[2]);
  double z_hi = whole.lo[2] + 0.8 * (whole.hi[2] - whole.lo[2]);
  std::size_t tiles = kTiles;
  if (const auto f = focus_box(focus)) {
    const double extent = std::max(f->hi[0] - f->lo[0], f->hi[1] - f->lo[1]);
    const double half = 0.5 * extent + std::max(15.0, 0.5 * extent);
    for (int a = 0; a < 2; ++a) {
      const double mid = 0.5 * (f->lo[a] + f->hi[a]);
      crop.lo[a] = mid - half;
      crop.hi[a] = mid + half;
    }
    z_lo = f->lo[2];
    z_hi = f->hi[2];
    tiles =
        std::min(kTiles, static_cast<std::size_t>(std::floor((z_hi - z_lo) / std::max(dz, 1e-6) + 1e-6)) + 1);
  }
  const double s =
      std::max(crop.hi[0] - crop.lo[0], crop.hi[1] - crop.lo[1]) / static_cast<double>(kTileSide - 1);
  const auto w = window(scan);
  std::vector<Panel> panels;
  for (std::size_t t = 0; t < tiles; ++t) {
    Vec3 centre{0, 0,
                tiles > 1 ? z_lo + (z_hi - z_lo) * static_cast<double>(t) / static_cast<double>(tiles - 1)
                          : 0.5 * (z_lo + z_hi)};
    const PanelFrame f = plane_frame(crop, s, centre, 0);
    Panel p = greyscale(scan, f, w);
    draw_outlines(p, overlays, f);
    panels.push_back(std::move(p));
  }
  return tiled(panels, kColumns);
}

Picture checkerboard_picture(const ImageF& baseline, const ImageF& follow_up,
                             const registration::Transform& to_follow_up, const Mask* centre_mask) {
  const Box box = bounds(baseline.geometry);
  const double s = picture_spacing(baseline.geometry, box);
  const Vec3 centre = centre_of(centre_mask, baseline.geometry);
  const auto wb = window(baseline), wf = window(follow_up);
  std::vector<Panel> panels;
  for (int plane = 0; plane < 3; ++plane)
    panels.push_back(
        render(plane_frame(box, s, centre, plane), [&](const Vec3& lps, std::size_t u, std::size_t v) {
          bool inside = false;
          const bool show_baseline = (u / kSquare + v / kSquare) % 2 == 0;
          const float value = show_baseline ? sample_linear(baseline, lps, inside)
                                            : sample_linear(follow_up, to_follow_up.apply(lps), inside);
          const std::uint8_t g = inside ? grey(value, show_baseline ? wb : wf) : 0;
          return std::array<std::uint8_t, 3>{g, g, g};
        }));
  return side_by_side(panels);
}

std::pair<double, double> display_range(const ImageF& map, const Mask* region) {
  auto r = percentiles(map, 0.02, 0.98, true);
  if (region) {
    ImageF inside(map.geometry, 0.f);  // the region's values only (zeros are skipped)
    const Size3& n = map.geometry.size;
    for (std::size_t k = 0; k < n[2]; ++k)
      for (std::size_t j = 0; j < n[1]; ++j)
        for (std::size_t i = 0; i < n[0]; ++i)
          if (sample_mask(*region, map.geometry.index_to_lps({static_cast<double>(i), static_cast<double>(j),
                                                              static_cast<double>(k)})))
            inside.at(i, j, k) = map.at(i, j, k);
    if (const auto t = percentiles(inside, 0.02, 0.98, true))
      r = std::pair{std::min(r->first, t->first), std::max(r->second, t->second)};
  }
  const auto u = usable(r);
  return {u.first, u.second};
}

Picture map_picture(const ImageF& map, const std::vector<Overlay>& overlays, const Mask* centre_mask,
                    std::pair<double, double> range) {
  const Geometry& g = map.geometry;
  // In the map's own slice plane (single-slice maps are often oblique): the slice nearest the lesion.
  const Vec3 c = g.lps_to_index(centre_of(centre_mask, g));
  const double k = std::clamp(std::round(c[2]), 0.0, static_cast<double>(g.size[2] - 1));
  const double wi = static_cast<double>(g.size[0] - 1) * g.spacing_mm[0];
  const double wj = static_cast<double>(g.size[1] - 1) * g.spacing_mm[1];
  double s = std::min(g.spacing_mm[0], g.spacing_mm[1]);
  if (std::max(wi, wj) > 0)
    s = std::clamp(s, std::max(wi, wj) / static_cast<double>(kMaxSide - 1),
                   std::max(wi, wj) / static_cast<double>(kMinSide - 1));
  const PanelFrame f{static_cast<std::size_t>(std::floor(wi / s + 1e-6)) + 1,
                     static_cast<std::size_t>(std::floor(wj / s + 1e-6)) + 1,
                     [&](std::size_t u, std::size_t v) {
                       return g.index_to_lps({static_cast<double>(u) * s / g.spacing_mm[0],
                                              static_cast<double>(v) * s / g.spacing_mm[1], k});
                     }};
  const double span = range.second > range.first ? range.second - range.first : 1.0;
  Panel p = render(f, [&](const Vec3& lps, std::size_t, std::size_t) {
    bool inside = false;
    const float v = sample_linear(map, lps, inside);
    if (!inside || !std::isfinite(v)) return Rgb{0, 0, 0};
    return map_colour((static_cast<double>(v) - range.first) / span);
  });
  draw_outlines(p, overlays, f);
  return side_by_side({std::move(p)});
}

void write_picture(const Picture& picture, const std::filesystem::path& path) {
  io::write_png_rgb(picture.rgb, picture.width, picture.height, path);
}

}  // namespace oncotrack::pipeline
