#include "oncotrack/report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "html_text.h"
#include "oncotrack/core/error.h"

namespace oncotrack::report {

Axis nice_axis(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi))
    throw Error("chart axis range is not finite", "", "finite numbers",
                format_number(lo) + ".." + format_number(hi));
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo < 1e-12 * std::max({1.0, std::abs(lo), std::abs(hi)})) {  // one value: a range around it
    const double half = lo == 0 ? 0.5 : std::max(0.5 * std::abs(lo), 1e-9);
    lo -= half;
    hi += half;
  }
  const double raw = (hi - lo) / std::max(1, target);
  if (!std::isfinite(raw))
    throw Error("chart axis range is too large", "", "a span below 1.8e308",
                format_number(lo) + ".." + format_number(hi));
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw * 0.999) {
      step = m * magnitude;
      break;
    }
  Axis a;
  a.lo = std::floor(lo / step + 1e-9) * step;
  a.hi = std::ceil(hi / step - 1e-9) * step;
  for (double t = a.lo; t <= a.hi + 0.5 * step; t += step)
    a.ticks.push_back(std::abs(t) < 1e-9 * step ? 0 : t);
  return a;
}

double Chart::px_x(double v) const {
  const double w = width - left - right;
  return left + (v - x.lo) / (x.hi - x.lo) * w;
}

double Chart::px_y(double v) const {
  const double h = height - top - bottom;
  return top + (y.hi - v) / (y.hi - y.lo) * h;
}

std::string format_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  std::string s = buf;
  if (s == "-0") s = "0";
  if (!s.empty() && s[0] == '-') s = "\u2212" + s.substr(1);
  return s;
}

namespace {

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string title_element(const std::string& title) {
  return title.empty() ? "" : "<title>" + html_escape(title) + "</title>";
}

}  // namespace

std::string render_svg(const Chart& c) {
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"" + html_escape(c.id) +
                  "\" width=\"" + std::to_string(c.width) + "\" height=\"" + std::to_string(c.height) +
                  "\" viewBox=\"0 0 " + std::to_string(c.width) + " " + std::to_string(c.height) +
                  "\" role=\"img\">" + title_element(c.title);
  const double x0 = c.left, x1 = c.width - c.right, y0 = c.top, y1 = c.height - c.bottom;
  s += "<rect class=\"plot-area\" x=\"" + px(x0) + "\" y=\"" + px(y0) + "\" width=\"" + px(x1 - x0) +
       "\" height=\"" + px(y1 - y0) + "\"/>";
  for (std::size_t i = 0; i < c.y.ticks.size(); ++i) {
    const double y = c.px_y(c.y.ticks[i]);
    const std::string label = i < c.y.tick_labels.size() ? c.y.tick_labels[i] : format_number(c.y.ticks[i]);
    s += "<line class=\"grid\" x1=\"" + px(x0) + "\" x2=\"" + px(x1) + "\" y1=\"" + px(y) + "\" y2=\"" +
         px(y) + "\"/><text class=\"tick\" x=\"" + px(x0 - 6) + "\" y=\"" + px(y + 4) +
         "\" text-anchor=\"end\">" + html_escape(label) + "</text>";
  }
  for (std::size_t i = 0; i < c.x.ticks.size(); ++i) {
    const double x = c.px_x(c.x.ticks[i]);
    const std::string label = i < c.x.tick_labels.size() ? c.x.tick_labels[i] : format_number(c.x.ticks[i]);
    s += "<line class=\"grid\" x1=\"" + px(x) + "\" x2=\"" + px(x) + "\" y1=\"" + px(y0) + "\" y2=\"" +
         px(y1) + "\"/><text class=\"tick\" x=\"" + px(x) + "\" y=\"" + px(y1 + 16) +
         "\" text-anchor=\"middle\">" + html_escape(label) + "</text>";
  }
  s += "<text class=\"axis-label\" x=\"" + px(0.5 * (x0 + x1)) + "\" y=\"" + px(c.height - 8.0) +
       "\" text-anchor=\"middle\">" + html_escape(c.x.label) + "</text>";
  s += "<text class=\"axis-label\" transform=\"rotate(-90)\" x=\"" + px(-0.5 * (y0 + y1)) + "\" y=\"16\" " +
       "text-anchor=\"middle\">" + html_escape(c.y.label) + "</text>";
  for (const Rect& r : c.rects) {
    const double ax = c.px_x(std::min(r.x0, r.x1)), bx = c.px_x(std::max(r.x0, r.x1));
    const double ay = c.px_y(std::max(r.y0, r.y1)), by = c.px_y(std::min(r.y0, r.y1));
    s += "<rect class=\"" + html_escape(r.css_class) + "\" x=\"" + px(ax) + "\" y=\"" + px(ay) +
         "\" width=\"" + px(bx - ax) + "\" height=\"" + px(by - ay) + "\">" + title_element(r.title) +
         "</rect>";
  }
  int legend_row = 0;
  for (const Polyline& l : c.lines) {
    if (l.points.empty()) continue;
    std::string points;
    for (const auto& p : l.points)
      points += (points.empty() ? "" : " ") + px(c.px_x(p[0])) + "," + px(c.px_y(p[1]));
    s += "<polyline class=\"" + html_escape(l.css_class) + "\" points=\"" + points + "\"/>";
    if (l.markers)
      for (std::size_t i = 0; i < l.points.size(); ++i)
        s += "<circle class=\"" + html_escape(l.css_class) + "\" cx=\"" + px(c.px_x(l.points[i][0])) +
             "\" cy=\"" + px(c.px_y(l.points[i][1])) + "\" r=\"4\">" +
             title_element(i < l.point_titles.size() ? l.point_titles[i] : "") + "</circle>";
    if (l.end_label)
      s += "<text class=\"line-label " + html_escape(l.css_class) + "\" x=\"" +
           px(c.px_x(l.points.back()[0]) + 6) + "\" y=\"" + px(c.px_y(l.points.back()[1]) + 4) + "\">" +
           html_escape(l.label) + "</text>";
    if (l.legend) {
      const double ly = y0 + 8 + 18.0 * legend_row++;
      s += "<line class=\"" + html_escape(l.css_class) + "\" x1=\"" + px(x1 + 12) + "\" x2=\"" + px(x1 + 34) +
           "\" y1=\"" + px(ly) + "\" y2=\"" + px(ly) + "\"/><text class=\"legend\" x=\"" + px(x1 + 40) +
           "\" y=\"" + px(ly + 4) + "\">" + html_escape(l.label) + "</text>";
    }
  }
  for (const Marker& m : c.markers)
    s += "<circle class=\"" + html_escape(m.css_class) + "\" cx=\"" + px(c.px_x(m.x)) + "\" cy=\"" +
         px(c.px_y(m.y)) + "\" r=\"5\">" + title_element(m.title) + "</circle>";
  return s + "</svg>";
}

}  // namespace oncotrack::report
