#pragma once
// Small charts for the HTML reports (report/html.h), described in data units and drawn as inline SVG:
// a frame with axes, grid lines at the ticks, polylines (measurements, threshold lines), rectangles (bars of
// a waterfall or swimmer plot) and point markers, each with a CSS class (styled by the page) and an optional
// tooltip (<title>). Pixel positions are exposed (px_x, px_y) so tests can check the geometry of what is
// drawn.
#include <array>
#include <string>
#include <vector>

namespace oncotrack::report {

struct Axis {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
  std::vector<std::string> tick_labels;  // empty: the tick values, formatted; else parallel to ticks
  std::string label;
};

// An axis covering [lo, hi] with ticks every 1, 2 or 5 × 10^k (about `target` of them), its ends snapped
// outwards to ticks. lo == hi widens to ± half the value (at least 1e-9; ± 0.5 around 0); non-finite ends or
// a span beyond the largest double throw Error.
Axis nice_axis(double lo, double hi, int target = 5);

struct Polyline {
  std::vector<std::array<double, 2>> points;  // data units; drawn in order
  std::string css_class;
  std::string label;     // drawn beside the last point when end_label; listed in the legend when legend
  bool markers = false;  // a circle at every point
  bool end_label = false;
  bool legend = false;
  std::vector<std::string> point_titles;  // tooltips, parallel to points (or empty)
};

struct Rect {
  double x0, x1, y0, y1;  // data units (any order)
  std::string css_class;
  std::string title;
};

struct Marker {
  double x, y;
  std::string css_class;
  std::string title;
};

struct Chart {
  int width = 720, height = 300;
  int left = 70, right = 230, top = 16, bottom = 46;  // margins (px) of the plot area: labels, legend
  std::string id;                                     // the <svg>'s id
  std::string title;                                  // the <svg>'s accessible title
  Axis x, y;
  std::vector<Polyline> lines;
  std::vector<Rect> rects;
  std::vector<Marker> markers;
  // Pixel coordinates of a data point (y grows downwards in SVG).
  double px_x(double v) const;
  double px_y(double v) const;
};

std::string render_svg(const Chart& chart);

// A number for a tick or label: up to 4 significant digits, no trailing zeros, "−" for minus.
std::string format_number(double v);

}  // namespace oncotrack::report
