#include <map>

#include "html_page.h"
#include "oncotrack/report/charts.h"
#include "oncotrack/report/html.h"

namespace oncotrack::report {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Sorts the table whose header cell was clicked by that column: numbers numerically (n/a last), text
// alphabetically; a second click reverses.
constexpr const char* kSortScript = R"(<script>
document.querySelectorAll('th.sortable').forEach(function (th) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0], col = th.cellIndex;
    var up = th.dataset.order !== 'up';
    table.querySelectorAll('th.sortable').forEach(function (h) { delete h.dataset.order; });
    th.dataset.order = up ? 'up' : 'down';
    var key = function (row) { return row.cells[col].dataset.sort !== undefined ? row.cells[col].dataset.sort : row.cells[col].textContent; };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : (isNaN(nx) !== isNaN(ny) ? (isNaN(nx) ? 1 : -1) : x.localeCompare(y));
      return up ? cmp : -cmp;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
</script>
)";

// The columns of the cohort page's table (a subset of kCohortColumns, with short headings).
const std::vector<std::pair<std::string, std::string>> kShown = {
    {"subject", "subject"},
    {"status", "status"},
    {"follow_up", "follow-up"},
    {"day", "day"},
    {"tumor_source", "masks"},
    {"baseline_volume_ml", "baseline ml"},
    {"volume_ml", "ml"},
    {"volume_change_vs_baseline_pct", "Δ vol vs base %"},
    {"volume_change_vs_nadir_pct", "Δ vol vs nadir %"},
    {"sld_mm", "SLD mm"},
    {"sld_change_vs_baseline_pct", "Δ SLD vs base %"},
    {"new_lesions", "new"},
    {"recist_1_1", "RECIST 1.1"},
    {"volumetric", "volumetric"},
    {"rano_2_0_volumetric", "RANO 2.0"},
    {"prediction_probability", "p(response)"},
    {"registration_ncc_body", "reg. NCC"},
    {"dice_vs_reference", "Dice vs ref"},
    {"qc_flags", "QC flags"},
    {"error", "error"}};

std::string cell_html(const std::string& column, const json& v, const fs::path& out_dir) {
  if (column == "subject") {
    const std::string id = v.get<std::string>();
    const fs::path page = subject_html_path(out_dir, id);
    const std::string text = html_escape(id);
    if (!fs::exists(page)) return "<td>" + text + "</td>";
    return "<td><a href=\"" + html_escape(fs::relative(page, out_dir).generic_string()) + "\">" + text +
           "</a></td>";
  }
  if (column == "recist_1_1" || column == "volumetric" || column == "rano_2_0_volumetric")
    return "<td data-sort=\"" + html_escape(v.is_string() ? v.get<std::string>() : "") + "\">" +
           (v.is_null() ? std::string("n/a") : category_badge(v)) + "</td>";
  if (column == "qc_flags") {
    if (!v.is_array() || v.empty()) return "<td>" + std::string(v.is_array() ? "none" : "n/a") + "</td>";
    std::string joined;
    for (const json& f : v) joined += (joined.empty() ? "" : ", ") + f.get<std::string>();
    return "<td class=\"flag\">" + html_escape(joined) + "</td>";
  }
  if (v.is_number()) return "<td class=\"num\">" + number_text(v) + "</td>";
  if (v.is_null()) return "<td>n/a</td>";
  const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  return "<td>" + html_escape(text) + "</td>";
}

}  // namespace

std::string cohort_html(const CohortTable& table, const fs::path& out_dir) {
  std::map<std::string, std::map<std::string, bool>> status;  // status → subjects
  for (const json& row : table.rows)
    status[row.at("status").get<std::string>()][row.at("subject").get<std::string>()] = true;
  std::string s = page_start("Cohort · oncotrack") + "<header><h1>Cohort</h1><p id=\"counts\">";
  for (const auto& [st, subjects] : status)
    s += "<span class=\"" + html_escape(st) + "\">" + html_escape(st) + ": " +
         std::to_string(subjects.size()) + " subject(s)</span> ";
  s += "</p>";
  if (!table.problems.empty()) {
    s += "<ul class=\"flag\">";
    for (const std::string& p : table.problems) s += "<li>" + html_escape(p) + "</li>";
    s += "</ul>";
  }
  s += "</header><nav><a href=\"#waterfall\">waterfall</a><a href=\"#swimmer\">swimmer</a>"
       "<a href=\"#table\">table</a></nav>\n<section id=\"waterfall\"><h2>Best change vs baseline</h2>";
  for (const char* criterion : {"recist_1_1", "volumetric"}) {
    const json thresholds =
        table.thresholds.contains(criterion) ? table.thresholds.at(criterion) : json(nullptr);
    s += render_svg(waterfall_chart(table, criterion, thresholds));
  }
  s +=
      "<p>One bar per subject: its lowest change vs baseline over its follow-ups, coloured by the category "
      "at that "
      "follow-up. The progression line is drawn relative to the baseline; the criteria judge progression "
      "against the nadir.</p></section>\n<section id=\"swimmer\"><h2>Categories over time (RECIST 1.1)</h2>" +
      render_svg(swimmer_chart(table, "recist_1_1")) + "</section>\n";
  s += "<section id=\"table\"><h2>Subjects</h2><p>Click a column heading to sort.</p><div class=\"wide\">"
       "<table id=\"cohort-table\"><thead><tr>";
  for (const auto& [column, heading] : kShown)
    s += "<th class=\"sortable\" title=\"" + column + "\">" + html_escape(heading) + "</th>";
  s += "</tr></thead><tbody>";
  for (const json& row : table.rows) {
    const std::string st = row.at("status").get<std::string>();
    s += "<tr class=\"" + html_escape(st == "ok" ? "" : st) + "\">";
    for (const auto& [column, heading] : kShown) s += cell_html(column, row.at(column), out_dir);
    s += "</tr>";
  }
  return s + "</tbody></table></div></section>\n" + kSortScript + page_end();
}

}  // namespace oncotrack::report
