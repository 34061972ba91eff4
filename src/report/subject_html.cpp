#include <algorithm>
#include <cstdio>

#include "html_page.h"
#include "oncotrack/core/colours.h"
#include "oncotrack/report/charts.h"
#include "oncotrack/report/html.h"

namespace oncotrack::report {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kCriteria[] = {"recist_1_1", "volumetric", "rano_2_0_volumetric"};
constexpr const char* kCriterionNames[] = {"RECIST 1.1", "Volumetric", "RANO 2.0 volumetric"};

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "n/a";
  return v.dump();
}

std::string cell(const std::string& html, bool numeric = false) {
  return numeric ? "<td class=\"num\">" + html + "</td>" : "<td>" + html + "</td>";
}

// Reasons of an object as "key: why" items (nothing when it has none).
std::string reasons_html(const json& obj) {
  const json& reasons = field(obj, "reasons");
  if (!reasons.is_object() || reasons.empty()) return "";
  std::string s = "<ul class=\"reasons\">";
  for (const auto& [k, v] : reasons.items())
    s += "<li>" + html_escape(k) + ": " + html_escape(text_of(v)) + "</li>";
  return s + "</ul>";
}

std::string warnings_html(const json& list) {
  if (!list.is_array() || list.empty()) return "";
  std::string s = "<ul class=\"warn\">";
  for (const json& w : list) s += "<li>" + html_escape(text_of(w)) + "</li>";
  return s + "</ul>";
}

std::string header_html(const json& r) {
  const std::string id = r.at("subject").get<std::string>();
  std::string s = "<header><h1>sub-" + html_escape(id) + "</h1><p>status <b>" +
                  html_escape(text_of(r.at("status"))) + "</b> · " +
                  std::to_string(r.at("timepoints").size()) + " timepoints: ";
  bool first = true;
  for (const json& t : r.at("timepoints")) {
    s += (first ? "" : ", ") + html_escape(text_of(t.at("id"))) + " (day " + number_text(field(t, "day")) +
         ", " + html_escape(text_of(field(t, "role"))) + ")";
    first = false;
  }
  s += "</p><table id=\"overall\"><tr><th>criterion</th><th>latest follow-up</th><th>best response so far "
       "(unconfirmed)</th></tr>";
  const json& responses = r.at("response");
  for (std::size_t c = 0; c < std::size(kCriteria); ++c) {
    std::vector<std::string> categories;
    for (const json& resp : responses) {
      const json& cat = field(field(field(resp, "criteria"), kCriteria[c]), "category");
      categories.push_back(cat.is_string() ? cat.get<std::string>() : "NE");
    }
    const std::string latest = responses.empty() ? "" : text_of(responses.back().at("timepoint"));
    s += "<tr><td>" + std::string(kCriterionNames[c]) + "</td><td>" +
         (responses.empty() ? "no follow-up"
                            : category_badge(categories.back()) + " at " + html_escape(latest)) +
         "</td><td>" + (responses.empty() ? "n/a" : category_badge(best_response(categories))) + "</td></tr>";
  }
  s += "</table>";
  for (const json& resp : responses) {
    const json& p = field(resp, "prediction");
    s += "<p class=\"prediction\">network prediction at " + html_escape(text_of(resp.at("timepoint"))) + ": ";
    if (p.is_object())
      s += "<b>" + html_escape(text_of(p.at("label"))) + "</b> (probability " +
           number_text(p.at("probability"), 3) + ", threshold " + number_text(p.at("threshold"), 3) +
           ", model " + html_escape(text_of(p.at("model"))) + ")";
    else
      s += "none — " + html_escape(text_of(field(field(resp, "reasons"), "prediction")));
    s += "</p>";
  }
  return s + "</header>\n";
}

std::string timeline_html(const json& r) {
  std::string s = "<section id=\"timeline\"><h2>Timeline</h2>";
  for (const char* measure : {"total_volume_ml", "sum_longest_diameter_mm"})
    s += render_svg(timeline_chart(r, measure));
  s += "<p>Dashed lines: the partial-response threshold relative to the baseline and, per follow-up, the "
       "progression threshold relative to the nadir that follow-up was judged against.</p>"
       "<table id=\"measurements\"><tr><th>timepoint</th><th>day</th><th>source</th><th>lesions</th>"
       "<th>volume (ml)</th><th>sum of diameters (mm)</th></tr>";
  for (const json& t : r.at("timepoints")) {
    const json& tumor = field(t, "tumor");
    s += "<tr>" + cell(html_escape(text_of(t.at("id")))) + cell(number_text(field(t, "day")), true) +
         cell(html_escape(text_of(field(tumor, "source")))) +
         cell(number_text(field(tumor, "lesion_count")), true) +
         cell(number_text(field(tumor, "total_volume_ml")), true) +
         cell(number_text(field(tumor, "sum_longest_diameter_mm")), true) + "</tr>";
  }
  return s + "</table></section>\n";
}

std::string segmentation_html(const json& seg, const json& t) {
  if (!seg.is_object())
    return "<p>No network segmentation: " + html_escape(text_of(field(field(t, "reasons"), "segmentation"))) +
           "</p>";
  std::string s =
      "<p>network " + html_escape(text_of(seg.at("model"))) + ": " + number_text(seg.at("volume_ml")) + " ml";
  const json& agreement = field(seg, "reference_agreement");
  if (agreement.is_object())
    s += " · vs reference: Dice " + number_text(agreement.at("dice"), 3) + ", HD95 " +
         number_text(agreement.at("hd95_mm"), 3) + " mm, volume error " +
         number_text(agreement.at("volume_error_pct"), 3) + " %";
  const json& brain = field(field(seg, "segmentation"), "brain_mask");
  if (brain.is_object())
    s += std::string(" · brain mask ") + (brain.at("applied") == true ? "applied" : "not applied") +
         (field(brain, "reason").is_string() ? " (" + html_escape(brain.at("reason").get<std::string>()) + ")"
                                             : "");
  return s + "</p>";
}

std::string timepoints_html(const json& r, const fs::path& dir) {
  std::string s =
      "<section id=\"timepoints\"><h2>Segmentation per timepoint</h2><p>Outlines:"
      "<span class=\"swatch ref\"></span>reference (the manifest's mask)"
      "<span class=\"swatch model\"></span>network<span class=\"swatch brain\"></span>brain mask</p>";
  for (const json& t : r.at("timepoints")) {
    const std::string id = text_of(t.at("id"));
    const json& qc = field(t, "qc");
    s += "<article class=\"timepoint\" id=\"tp-" + html_escape(id) + "\"><h3>" + html_escape(id) + " (day " +
         number_text(field(t, "day")) + ")</h3>";
    if (field(qc, "mosaic").is_string())
      s += embedded_png(dir / qc.at("mosaic").get<std::string>(),
                        id + ": axial slices across the tumour, inferior to superior");
    if (field(qc, "contours").is_string())
      s += embedded_png(dir / qc.at("contours").get<std::string>(),
                        id + ": axial, coronal and sagittal planes through the largest lesion");
    if (!qc.is_object()) s += "<p>No QC pictures.</p>";
    s += segmentation_html(field(t, "segmentation"), t) + warnings_html(field(t, "warnings")) +
         warnings_html(field(field(t, "tumor"), "warnings")) + "</article>";
  }
  return s + "</section>\n";
}

std::string registration_html(const json& r, const fs::path& dir) {
  std::string s = "<section id=\"registration\"><h2>Registration to the baseline</h2>";
  bool any = false;
  for (const json& t : r.at("timepoints")) {
    if (field(t, "role") == "baseline") continue;
    any = true;
    const std::string id = text_of(t.at("id"));
    const json& reg = field(t, "registration");
    const bool suspect = field(reg, "suspect") == true;
    s += "<article class=\"follow-up" + std::string(suspect ? " suspect" : "") + "\" id=\"reg-" +
         html_escape(id) + "\"><h3>" + html_escape(id) + (suspect ? " — <b>suspect registration</b>" : "") +
         "</h3>";
    if (!reg.is_object()) {
      s += "<p class=\"flag\">Not registered: " +
           html_escape(text_of(field(field(t, "reasons"), "registration"))) + "</p></article>";
      continue;
    }
    if (field(field(t, "qc"), "checkerboard").is_string())
      s +=
          embedded_png(dir / t.at("qc").at("checkerboard").get<std::string>(),
                       id + " through the registration alternating with the baseline (broken edges at square "
                            "borders mean misregistration)");
    const json& p = field(reg, "parameters");
    s += "<table class=\"qc\"><tr><th></th><th>before</th><th>after</th></tr><tr><td>" +
         html_escape(text_of(field(field(reg, "metric"), "name"))) + "</td>" +
         cell(number_text(field(field(reg, "metric"), "before")), true) +
         cell(number_text(field(field(reg, "metric"), "after")), true) +
         "</tr><tr><td>NCC in the body mask</td>" +
         cell(number_text(field(field(reg, "ncc_body"), "before")), true) +
         cell(number_text(field(field(reg, "ncc_body"), "after")), true) + "</tr></table><p>" +
         html_escape(text_of(field(reg, "transform_type"))) + " · rotation " +
         html_escape(text_of(field(p, "rotation_deg"))) + "° · translation " +
         html_escape(text_of(field(p, "translation_mm"))) + " mm · scale " +
         html_escape(text_of(field(p, "scale"))) + " · " + html_escape(text_of(field(reg, "iterations"))) +
         " iterations</p>";
    if (suspect)
      s += "<p class=\"flag\">Suspect: " + html_escape(text_of(field(reg, "suspect_reason"))) + "</p>";
    s += "</article>";
  }
  if (!any) s += "<p>Only a baseline: nothing was registered.</p>";
  return s + "</section>\n";
}

// A horizontal colour bar (the map scale of core/colours.h) from range[0] to range[1].
std::string colour_bar(const json& range, const std::string& id) {
  std::string stops;
  for (const ColourStop& c : kMapColourStops) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "<stop offset=\"%g\" stop-color=\"rgb(%d,%d,%d)\"/>", c.t, c.rgb[0],
                  c.rgb[1], c.rgb[2]);
    stops += buf;
  }
  // Enough digits to tell the ends apart (a narrow range such as 0.9990–0.9999).
  int digits = 4;
  while (digits < 9 && number_text(range.at(0), digits) == number_text(range.at(1), digits)) ++digits;
  const std::string gradient = "grad-" + html_escape(id);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"colour-bar\" width=\"280\" height=\"36\"><defs>"
         "<linearGradient id=\"" +
         gradient + "\">" + stops +
         "</linearGradient></defs><rect x=\"10\" y=\"2\" width=\"260\" height=\"14\" fill=\"url(#" +
         gradient + ")\" stroke=\"#666\"/><text x=\"10\" y=\"30\" font-size=\"11\">" +
         number_text(range.at(0), digits) +
         "</text><text x=\"270\" y=\"30\" font-size=\"11\" text-anchor=\"end\">" +
         number_text(range.at(1), digits) + "</text></svg>";
}

std::string cest_html(const json& r, const fs::path& dir) {
  std::string s;
  for (const json& t : r.at("timepoints")) {
    const json& mrf = field(t, "mrf");
    const json& pictures = field(field(t, "qc"), "maps");
    if (!mrf.is_object()) continue;
    const std::string id = text_of(t.at("id"));
    s += "<article class=\"cest\" id=\"cest-" + html_escape(id) + "\"><h3>" + html_escape(id) + "</h3>";
    if (!field(mrf, "maps").is_object()) {
      s += "<p>No maps: " + html_escape(text_of(field(field(mrf, "reasons"), "maps"))) + "</p></article>";
      continue;
    }
    if (pictures.is_object())
      for (const auto& [name, pic] : pictures.items())
        s += "<div class=\"map\">" +
             embedded_png(dir / pic.at("picture").get<std::string>(),
                          id + ": " + name + " (the measured tumour outlined in cyan)") +
             colour_bar(pic.at("range"), id + "-" + name) + "</div>";
    const json& regions = field(mrf, "regions");
    if (regions.is_object()) {
      s += "<table class=\"map-stats\"><tr><th>map</th><th>region</th><th>voxels</th><th>mean</th><th>SD</th>"
           "<th>median</th><th>IQR</th><th>mean change vs baseline</th></tr>";
      for (const char* region : {"tumor", "reference"}) {
        const json& params = field(field(regions, region), "parameters");
        for (const auto& [name, st] : params.items()) {
          const json& change = field(field(field(mrf, "change_vs_baseline"), region), name.c_str());
          s += "<tr>" + cell(html_escape(name)) + cell(region) +
               cell(number_text(field(st, "voxel_count")), true) +
               cell(number_text(field(st, "mean")), true) + cell(number_text(field(st, "sd")), true) +
               cell(number_text(field(st, "median")), true) + cell(number_text(field(st, "iqr")), true) +
               cell(number_text(field(change, "mean_change")) + " (" +
                        number_text(field(change, "mean_change_percent"), 3) + " %)",
                    true) +
               "</tr>";
        }
      }
      s += "</table>";
    }
    s += reasons_html(mrf) + "</article>";
  }
  return s.empty() ? "" : "<section id=\"cest\"><h2>CEST-MRF maps</h2>" + s + "</section>\n";
}

std::string response_html(const json& r) {
  std::string s = "<section id=\"response\"><h2>Response</h2>";
  if (r.at("response").empty()) return s + "<p>No follow-up: nothing to assess.</p></section>\n";
  s += "<table id=\"response-table\"><tr><th>follow-up</th><th>criterion</th><th>category</th><th>value</th>"
       "<th>vs baseline</th><th>vs nadir</th><th>rule that fired</th></tr>";
  for (const json& resp : r.at("response"))
    for (std::size_t c = 0; c < std::size(kCriteria); ++c) {
      const json& k = field(field(resp, "criteria"), kCriteria[c]);
      s += "<tr>" + cell(html_escape(text_of(resp.at("timepoint")))) + cell(kCriterionNames[c]) +
           cell(category_badge(field(k, "category"))) + cell(number_text(field(k, "value")), true) +
           cell(number_text(field(k, "change_vs_baseline_pct"), 3) + " %", true) +
           cell(number_text(field(k, "change_vs_nadir_pct"), 3) + " %", true) +
           cell(html_escape(text_of(field(k, "rule")))) + "</tr>";
    }
  return s + "</table></section>\n";
}

std::string provenance_html(const json& r) {
  const json& p = field(r, "provenance");
  std::string s = "<section id=\"provenance\"><h2>Provenance</h2><table>";
  auto row = [&](const std::string& k, const std::string& v) {
    s += "<tr><th>" + k + "</th><td>" + v + "</td></tr>";
  };
  row("tool", html_escape(text_of(field(p, "tool")) + " " + text_of(field(p, "version")) + " (commit " +
                          text_of(field(p, "git_commit")) + ")"));
  row("report schema", html_escape(text_of(field(r, "schema_version"))));
  row("command line", "<code>" + html_escape(text_of(field(p, "command_line"))) + "</code>");
  const json& model = field(p, "model");
  row("model", model.is_object() ? html_escape(text_of(model.at("name"))) + " <code>" +
                                       html_escape(text_of(model.at("sha256"))) + "</code>"
                                 : "none");
  row("threads", html_escape(text_of(field(p, "threads"))));
  row("started / finished",
      html_escape(text_of(field(p, "started_at")) + " / " + text_of(field(p, "finished_at"))));
  std::string inputs;
  for (const json& in : field(p, "inputs").is_array() ? field(p, "inputs") : json::array())
    inputs += "<code>" + html_escape(text_of(field(in, "path"))) + "</code> sha256 <code>" +
              html_escape(text_of(field(in, "sha256"))) + "</code><br>";
  row("inputs", inputs);
  std::string stages;
  for (const json& st : field(p, "stages").is_array() ? field(p, "stages") : json::array())
    stages += html_escape(text_of(field(st, "stage"))) + " " + number_text(field(st, "wall_s"), 3) + " s; ";
  row("stages (wall time)", stages);
  return s + "</table></section>\n";
}

}  // namespace

std::string best_response(const std::vector<std::string>& categories) {
  const std::vector<std::string> rank = {"CR", "PR", "SD", "PD"};
  std::size_t best = rank.size();
  for (const std::string& c : categories) {
    const auto it = std::find(rank.begin(), rank.end(), c);
    if (it == rank.end()) continue;
    best = std::min(best, static_cast<std::size_t>(it - rank.begin()));
    if (c == "PD") break;
  }
  return best == rank.size() ? "NE" : rank[best];
}

fs::path subject_html_path(const fs::path& out_dir, const std::string& subject) {
  return out_dir / ("sub-" + subject) / ("sub-" + subject + "_report.html");
}

std::string subject_html(const json& r, const fs::path& dir) {
  const std::string id = r.at("subject").get<std::string>();
  return page_start("sub-" + id + " · oncotrack") + header_html(r) +
         "<nav><a href=\"#timeline\">timeline</a><a href=\"#timepoints\">segmentation</a>"
         "<a href=\"#registration\">registration</a><a href=\"#response\">response</a>"
         "<a href=\"#provenance\">provenance</a></nav>\n" +
         timeline_html(r) + timepoints_html(r, dir) + registration_html(r, dir) + cest_html(r, dir) +
         response_html(r) + provenance_html(r) + page_end();
}

}  // namespace oncotrack::report
