#include "oncotrack/analysis/diameters.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "oncotrack/core/error.h"

namespace oncotrack::analysis {

namespace {

constexpr double kTieMm = 1e-9;

struct Point2 {
  double x = 0, y = 0;
};

double dot(const Point2& a, const Point2& b) {
  return a.x * b.x + a.y * b.y;
}
double norm(const Point2& a) {
  return std::sqrt(dot(a, a));
}
double cross(const Point2& o, const Point2& a, const Point2& b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

// Andrew's monotone chain: counter-clockwise, collinear points dropped; fewer than 3 distinct points are
// returned as they are.
std::vector<Point2> convex_hull(std::vector<Point2> points) {
  std::sort(points.begin(), points.end(),
            [](const Point2& a, const Point2& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  points.erase(std::unique(points.begin(), points.end(),
                           [](const Point2& a, const Point2& b) { return a.x == b.x && a.y == b.y; }),
               points.end());
  if (points.size() < 3) return points;
  std::vector<Point2> hull(2 * points.size());
  std::size_t k = 0;
  for (const Point2& p : points) {
    while (k >= 2 && cross(hull[k - 2], hull[k - 1], p) <= 0) --k;
    hull[k++] = p;
  }
  for (std::size_t i = points.size() - 1, lower = k + 1; i-- > 0;) {
    while (k >= lower && cross(hull[k - 2], hull[k - 1], points[i]) <= 0) --k;
    hull[k++] = points[i];
  }
  hull.resize(k - 1);
  return hull;
}

// Physical frame of the axial slices: in-plane coordinates in an orthonormal basis (e1, e2) of the slice
// plane.
struct SliceFrame {
  int axis_c = 2;             // slice (axial) index axis; the in-plane axes a < b are the two others
  Point2 step_a, step_b;      // one index step along a and along b, in plane coordinates
  Vec3 e1{}, e2{}, step_c{};  // LPS

  explicit SliceFrame(const Geometry& g) : axis_c(g.axial_axis()) {
    const int axis_a = axis_c == 0 ? 1 : 0, axis_b = axis_c == 2 ? 1 : 2;
    const auto column = [&g](int axis) {
      return Vec3{g.direction[0][axis] * g.spacing_mm[axis], g.direction[1][axis] * g.spacing_mm[axis],
                  g.direction[2][axis] * g.spacing_mm[axis]};
    };
    const Vec3 a = column(axis_a), b = column(axis_b);
    step_c = column(axis_c);
    const double a_len = std::sqrt(dot(a, a)), b_along = dot(b, a) / a_len;
    Vec3 b_perp{};
    for (int r = 0; r < 3; ++r) {
      e1[r] = a[r] / a_len;
      b_perp[r] = b[r] - b_along * e1[r];
    }
    const double b_perp_len = std::sqrt(dot(b_perp, b_perp));
    ONCOTRACK_ASSERT(a_len > 0 && b_perp_len > 0, "degenerate voxel grid");
    for (int r = 0; r < 3; ++r) e2[r] = b_perp[r] / b_perp_len;
    step_a = {a_len, 0};
    step_b = {b_along, b_perp_len};
  }
  Point2 in_plane(double index_a, double index_b) const {
    return {index_a * step_a.x + index_b * step_b.x, index_a * step_a.y + index_b * step_b.y};
  }
  Vec3 to_lps(const Point2& p, double index_c) const {
    return {p.x * e1[0] + p.y * e2[0] + index_c * step_c[0], p.x * e1[1] + p.y * e2[1] + index_c * step_c[1],
            p.x * e1[2] + p.y * e2[2] + index_c * step_c[2]};
  }
};

struct SlicePoints {
  std::vector<Point2> centres, corners;
};

// Voxels a_first..a_last (inclusive) at b of one slice: only a row's end voxels can be hull vertices.
void add_row(SlicePoints& slice, const SliceFrame& frame, double a_first, double a_last, double b) {
  slice.centres.push_back(frame.in_plane(a_first, b));
  if (a_last != a_first) slice.centres.push_back(frame.in_plane(a_last, b));
  for (const double a : {a_first - 0.5, a_last + 0.5})
    for (const double edge_b : {b - 0.5, b + 0.5}) slice.corners.push_back(frame.in_plane(a, edge_b));
}

// The longest chord of a convex polygon perpendicular to the unit vector u.
double widest_chord_across(const std::vector<Point2>& hull, const Point2& u) {
  const Point2 w{-u.y, u.x};
  double widest = 0;
  for (const Point2& vertex : hull) {
    const double t = dot(vertex, u);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < hull.size(); ++i) {
      const Point2& p = hull[i];
      const Point2& q = hull[(i + 1) % hull.size()];
      const double tp = dot(p, u), tq = dot(q, u);
      if ((tp - t) * (tq - t) > 0) continue;
      const double s = tq == tp ? 0 : (t - tp) / (tq - tp);
      const double across = dot(p, w) + s * (dot(q, w) - dot(p, w));
      lo = std::min(lo, across);
      hi = std::max(hi, across);
    }
    widest = std::max(widest, hi - lo);
  }
  return widest;
}

struct SliceDiameters {
  double longest_mm = 0, perpendicular_mm = 0;
  std::vector<Point2> corner_hull;
};

SliceDiameters measure_slice(const SlicePoints& slice, const SliceFrame& frame) {
  const std::vector<Point2> centre_hull = convex_hull(slice.centres);
  double centre_distance = -1;
  Point2 u;
  for (std::size_t i = 0; i < centre_hull.size(); ++i) {
    for (std::size_t j = i + 1; j < centre_hull.size(); ++j) {
      const Point2 d{centre_hull[j].x - centre_hull[i].x, centre_hull[j].y - centre_hull[i].y};
      const double length = norm(d);
      if (length > centre_distance) {
        centre_distance = length;
        u = {d.x / length, d.y / length};
      }
    }
  }
  if (centre_distance < 0) {  // a single voxel
    centre_distance = 0;
    const Point2& axis = norm(frame.step_a) >= norm(frame.step_b) ? frame.step_a : frame.step_b;
    u = {axis.x / norm(axis), axis.y / norm(axis)};
  }
  SliceDiameters out;
  out.longest_mm = centre_distance + std::abs(dot(u, frame.step_a)) + std::abs(dot(u, frame.step_b));
  out.corner_hull = convex_hull(slice.corners);
  out.perpendicular_mm = widest_chord_across(out.corner_hull, u);
  return out;
}

// Coordinates kept as separate arrays so the inner loop vectorises.
struct PointCloud {
  std::vector<double> x, y, z;
  void push_back(const Vec3& p) {
    x.push_back(p[0]);
    y.push_back(p[1]);
    z.push_back(p[2]);
  }
};

double farthest_pair_distance(const PointCloud& points) {
  double max_sq = 0;
  const std::size_t n = points.x.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double px = points.x[i], py = points.y[i], pz = points.z[i];
    for (std::size_t j = i + 1; j < n; ++j) {
      const double dx = points.x[j] - px, dy = points.y[j] - py, dz = points.z[j] - pz;
      const double d_sq = dx * dx + dy * dy + dz * dz;
      max_sq = d_sq > max_sq ? d_sq : max_sq;
    }
  }
  return std::sqrt(max_sq);
}

}  // namespace

LesionDiameters measure_diameters(const std::vector<VoxelRun>& runs, const Geometry& geometry) {
  ONCOTRACK_ASSERT(!runs.empty(), "a lesion has at least one voxel");
  const SliceFrame frame(geometry);
  std::size_t first_slice = std::numeric_limits<std::size_t>::max(), last_slice = 0;
  for (const VoxelRun& run : runs) {
    const std::size_t lo = frame.axis_c == 0 ? run.i_begin : frame.axis_c == 1 ? run.j : run.k;
    const std::size_t hi = frame.axis_c == 0 ? run.i_end - 1 : lo;
    first_slice = std::min(first_slice, lo);
    last_slice = std::max(last_slice, hi);
  }
  std::vector<SlicePoints> slices(last_slice - first_slice + 1);
  for (const VoxelRun& run : runs) {
    const auto j = static_cast<double>(run.j), k = static_cast<double>(run.k);
    if (frame.axis_c == 0) {
      for (std::size_t i = run.i_begin; i < run.i_end; ++i) add_row(slices[i - first_slice], frame, j, j, k);
      continue;
    }
    const std::size_t slice = frame.axis_c == 1 ? run.j : run.k;
    add_row(slices[slice - first_slice], frame, static_cast<double>(run.i_begin),
            static_cast<double>(run.i_end - 1), frame.axis_c == 1 ? k : j);
  }

  LesionDiameters out;
  bool have_slice = false;
  PointCloud corner_candidates;
  for (std::size_t s = 0; s < slices.size(); ++s) {
    if (slices[s].centres.empty()) continue;
    const SliceDiameters d = measure_slice(slices[s], frame);
    const bool longer = d.longest_mm > out.longest_mm + kTieMm;
    const bool tie = !longer && d.longest_mm >= out.longest_mm - kTieMm;
    if (!have_slice || longer || (tie && d.perpendicular_mm > out.perpendicular_mm + kTieMm)) {
      have_slice = true;
      out.longest_mm = d.longest_mm;
      out.perpendicular_mm = d.perpendicular_mm;
      out.longest_slice = first_slice + s;
    }
    const auto index_c = static_cast<double>(first_slice + s);
    for (const Point2& p : d.corner_hull)
      for (const double face : {-0.5, 0.5}) corner_candidates.push_back(frame.to_lps(p, index_c + face));
  }
  out.max_3d_mm = farthest_pair_distance(corner_candidates);
  return out;
}

}  // namespace oncotrack::analysis
