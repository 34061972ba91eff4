#include "html_page.h"

#include <cstdio>
#include <fstream>
#include <iterator>

#include "oncotrack/core/base64.h"
#include "oncotrack/core/colours.h"

namespace oncotrack::report {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

std::string css_colour(const Rgb& c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
  return buf;
}

}  // namespace

std::string page_start(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" +
         html_escape(title) +
         "</title><style>\n"
         "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px "
         "48px;color:#222}\n"
         "h1{font-size:22px;margin:16px 0 4px}h2{font-size:18px;border-bottom:1px solid "
         "#ccc;margin-top:32px}\n"
         "h3{font-size:15px;margin:20px 0 6px}nav a{margin-right:12px}\n"
         ".wide{overflow-x:auto}table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px "
         "7px;text-align:left;"
         "vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}"
         "\n"
         "figure{display:inline-block;margin:6px 12px 6px 0;vertical-align:top}figcaption{font-size:12px;"
         "color:#555;max-width:660px}img{image-rendering:pixelated;max-width:100%}\n"
         ".missing{color:#a00;border:1px dashed #a00;padding:6px}\n"
         ".flag,.suspect,.failed,.unreadable,.incomplete{background:#fde2e2}.warn{color:#a05a00}\n"
         ".cat{display:inline-block;min-width:2.4em;text-align:center;border-radius:3px;color:#fff;"
         "font-weight:600;padding:0 4px}\n"
         ".cat-CR{background:#1b7837}.cat-PR{background:#5aae61}.cat-SD{background:#4a6fa5}"
         ".cat-PD{background:#c0392b}.cat-NE{background:#888}\n"
         "svg.chart{display:block;margin:8px 0;font:12px system-ui,sans-serif}\n"
         "svg .plot-area{fill:#fafafa;stroke:#999}svg .grid{stroke:#e2e2e2}svg .tick{fill:#444}"
         "svg .axis-label{fill:#222}\n"
         "svg polyline{fill:none;stroke-width:2}svg .measure{stroke:#222;fill:#222}"
         "svg polyline.measure{fill:none}\n"
         "svg .threshold{stroke-dasharray:6 4;stroke-width:1.5}svg .pr{stroke:#5aae61}svg .pd{stroke:#c0392b}"
         "svg .pd-rano_2_0_volumetric{stroke:#e67e22}svg line.threshold,svg line.measure{stroke-width:2}\n"
         "svg rect.bar.cat-CR{fill:#1b7837}svg rect.bar.cat-PR{fill:#5aae61}svg rect.bar.cat-SD{fill:#4a6fa5}"
         "svg rect.bar.cat-PD{fill:#c0392b}svg rect.bar.cat-NE{fill:#888}svg rect.lane{fill:#d9e2ef}\n"
         "svg circle.visit{stroke:#fff;stroke-width:1.5}svg circle.cat-CR{fill:#1b7837}"
         "svg circle.cat-PR{fill:#5aae61}svg circle.cat-SD{fill:#4a6fa5}svg circle.cat-PD{fill:#c0392b}"
         "svg circle.cat-NE{fill:#888}\n"
         ".swatch{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 10px}\n"
         ".ref{background:" +
         css_colour(kReferenceColour) + "}.model{background:" + css_colour(kModelColour) +
         "}.brain{background:" + css_colour(kBrainColour) +
         "}\n"
         "th.sortable{cursor:pointer}th.sortable::after{content:' \\2195';color:#999}\n"
         "code{font-size:12px;word-break:break-all}\n"
         "</style></head><body>\n";
}

std::string page_end() {
  return "</body></html>\n";
}

std::string embedded_png(const std::filesystem::path& path, const std::string& caption) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof())
    return "<p class=\"missing\">picture unreadable: " + html_escape(path.string()) + "</p>";
  if (bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0)
    return "<p class=\"missing\">picture missing or not a PNG: " + html_escape(path.string()) + "</p>";
  return "<figure><img src=\"data:image/png;base64," + base64_encode(bytes) + "\" alt=\"" +
         html_escape(caption) + "\"><figcaption>" + html_escape(caption) + "</figcaption></figure>";
}

std::string number_text(const nlohmann::json& v, int digits) {
  if (!v.is_number()) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v.get<double>());
  return buf;
}

std::string category_badge(const nlohmann::json& category) {
  const std::string c = category.is_string() ? category.get<std::string>() : "NE";
  return "<span class=\"cat cat-" + html_escape(c) + "\">" + html_escape(c) + "</span>";
}

}  // namespace oncotrack::report
