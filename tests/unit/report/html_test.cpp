// The HTML pages: self-contained (pictures embedded, nothing fetched), escaped, every section present, a
// missing picture shown as such, and the cohort page linking only pages that exist.
#include "oncotrack/report/html.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "oncotrack/core/base64.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HtmlPage : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oncotrack_html_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sub-x" / "ses-b");
    // A 2×1 picture: red, blue.
    io::write_png_rgb({255, 0, 0, 0, 0, 255}, 2, 1, dir_ / "sub-x" / "ses-b" / "m.png");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static json report(const std::string& subject) {
    json tp_b = {{"id", "b"},
                 {"role", "baseline"},
                 {"day", 0.0},
                 {"tumor", {{"total_volume_ml", 4.0}, {"sum_longest_diameter_mm", 30.0}, {"source", "mask"}}},
                 {"registration", nullptr},
                 {"reasons", {{"registration", "this is the reference timepoint"}}},
                 {"qc",
                  {{"contours", "ses-b/m.png"},
                   {"mosaic", "ses-b/gone.png"},
                   {"checkerboard", nullptr},
                   {"maps", nullptr}}}};
    json tp_f = {{"id", "f"},
                 {"role", "follow-up"},
                 {"day", 30.0},
                 {"tumor", {{"total_volume_ml", 1.0}, {"sum_longest_diameter_mm", 15.0}, {"source", "mask"}}},
                 {"registration",
                  {{"suspect", true},
                   {"suspect_reason", "NCC fell"},
                   {"metric", {{"name", "MI"}, {"before", -0.5}, {"after", -0.4}}}}},
                 {"qc", nullptr}};
    json crit = {{"category", "PR"},
                 {"value", 15.0},
                 {"rule", "PR: SLD 15 mm is -50 % vs baseline 30 mm"},
                 {"nadir", {{"timepoint", "b"}, {"value", 30.0}}},
                 {"thresholds", {{"pr_pct", -30.0}, {"pd_pct", 20.0}}}};
    return {{"subject", subject},
            {"status", "ok"},
            {"schema_version", "1.5.0"},
            {"timepoints", {tp_b, tp_f}},
            {"response",
             {{{"timepoint", "f"},
               {"criteria", {{"recist_1_1", crit}, {"volumetric", crit}, {"rano_2_0_volumetric", crit}}},
               {"prediction", nullptr},
               {"reasons", {{"prediction", "no model"}}}}}},
            {"provenance",
             {{"tool", "oncotrack"}, {"version", "0.1.0"}, {"command_line", "oncotrack run m.csv"}}}};
  }

  fs::path dir_;
};

TEST_F(HtmlPage, SubjectPageIsSelfContainedAndComplete) {
  const std::string html = subject_html(report("x"), dir_ / "sub-x");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* id :
       {"id=\"timeline\"", "id=\"timeline-volume\"", "id=\"timeline-sld\"", "id=\"timepoints\"",
        "id=\"registration\"", "id=\"response\"", "id=\"provenance\"", "id=\"overall\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  // The existing picture is embedded byte for byte; the missing one is a visible note naming it.
  std::ifstream in(dir_ / "sub-x" / "ses-b" / "m.png", std::ios::binary);
  const std::string png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("src=\"data:image/png;base64," + base64_encode(png) + "\""), std::string::npos);
  EXPECT_NE(html.find("class=\"missing\""), std::string::npos);
  EXPECT_NE(html.find("gone.png"), std::string::npos);
  // Nothing is fetched from anywhere.
  EXPECT_FALSE(std::regex_search(html, std::regex("(src|href)=\"(https?:|//|file:)")));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // The rule that fired, the suspect registration and the missing prediction are all shown.
  EXPECT_NE(html.find("PR: SLD 15 mm is -50 % vs baseline 30 mm"), std::string::npos);
  EXPECT_NE(html.find("suspect registration"), std::string::npos);
  EXPECT_NE(html.find("NCC fell"), std::string::npos);
  EXPECT_NE(html.find("no model"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"cat cat-PR\">PR</span>"), std::string::npos);
  EXPECT_EQ(html.find("id=\"cest\""), std::string::npos);  // no CEST-MRF maps: no section
}

TEST_F(HtmlPage, SubjectIdsAndTextsAreEscaped) {
  json r = report("<b>x</b>");
  r["provenance"]["command_line"] = "run \"a&b\" <script>alert(1)</script>";
  const std::string html = subject_html(r, dir_ / "sub-x");
  EXPECT_EQ(html.find("<b>x</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
}

TEST_F(HtmlPage, CestSectionWithColourBarWhenMapsArePresent) {
  json r = report("x");
  r["timepoints"][0]["mrf"] = {
      {"maps", {{"kex", {{"native", "ses-b/mrf/kex.nii.gz"}}}}},
      {"regions",
       {{"tumor",
         {{"parameters",
           {{"kex",
             {{"mean", 300.0}, {"sd", 20.0}, {"median", 290.0}, {"iqr", 25.0}, {"voxel_count", 40}}}}}}},
        {"reference",
         {{"parameters",
           {{"kex",
             {{"mean", 200.0}, {"sd", 10.0}, {"median", 205.0}, {"iqr", 12.0}, {"voxel_count", 41}}}}}}}}},
      {"reasons", json::object()}};
  r["timepoints"][0]["qc"]["maps"] = {{"kex", {{"picture", "ses-b/m.png"}, {"range", {100.0, 500.0}}}}};
  const std::string html = subject_html(r, dir_ / "sub-x");
  EXPECT_NE(html.find("id=\"cest\""), std::string::npos);
  EXPECT_NE(html.find("<linearGradient id=\"grad-b-kex\">"), std::string::npos);
  EXPECT_NE(html.find(">100</text>"), std::string::npos);
  EXPECT_NE(html.find(">500</text>"), std::string::npos);
  EXPECT_NE(html.find(">300</td>"), std::string::npos);  // the tumour mean
}

TEST_F(HtmlPage, CohortPageLinksExistingPagesAndHighlightsProblems) {
  CohortTable t;
  json ok = json::object(), failed = json::object();
  for (const std::string& c : kCohortColumns) ok[c] = failed[c] = nullptr;
  ok["subject"] = "x";
  ok["status"] = "ok";
  ok["follow_up"] = "f";
  ok["day"] = 30.0;
  ok["sld_change_vs_baseline_pct"] = -50.0;
  ok["recist_1_1"] = "PR";
  ok["qc_flags"] = json::array({"registration_suspect"});
  failed["subject"] = "y";
  failed["status"] = "failed";
  failed["error"] = "load: unreadable <file>";
  t.rows = {ok, failed};
  t.thresholds["recist_1_1"] = {{"pr_pct", -30.0}, {"pd_pct", 20.0}};
  std::ofstream(dir_ / "sub-x" / "sub-x_report.html") << "page";
  const std::string html = cohort_html(t, dir_);
  EXPECT_NE(html.find("<a href=\"sub-x/sub-x_report.html\">x</a>"), std::string::npos);
  EXPECT_EQ(html.find("href=\"sub-y/"), std::string::npos);  // no page, no link
  EXPECT_NE(html.find("<tr class=\"failed\">"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"flag\">registration_suspect</td>"), std::string::npos);
  EXPECT_NE(html.find("unreadable &lt;file&gt;"), std::string::npos);
  for (const char* id : {"id=\"waterfall-recist_1_1\"", "id=\"waterfall-volumetric\"",
                         "id=\"swimmer-recist_1_1\"", "id=\"cohort-table\"", "class=\"sortable\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_EQ(html.find("<script>"), html.rfind("<script>"));  // one script: the sorting
  EXPECT_FALSE(std::regex_search(html, std::regex("(src|href)=\"(https?:|//|file:)")));
}

TEST(BestResponse, BestUntilTheFirstProgression) {
  EXPECT_EQ(best_response({}), "NE");
  EXPECT_EQ(best_response({"NE", "NE"}), "NE");
  EXPECT_EQ(best_response({"SD", "PR", "CR"}), "CR");
  EXPECT_EQ(best_response({"SD", "PD", "PR"}), "SD");  // a response after progression does not count
  EXPECT_EQ(best_response({"PD", "CR"}), "PD");
  EXPECT_EQ(best_response({"NE", "PR", "SD"}), "PR");
}

}  // namespace
}  // namespace oncotrack::report
