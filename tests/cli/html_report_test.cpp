// The HTML pages of a sample-cohort run, opened in a real browser: Debian's headless Chromium loads every
// page from disk (no server, no network), and the test checks that it logged no console message (a script
// error would), that the rendered DOM has the expected parts, that every picture is embedded (no <img> loads
// anything), that the screenshot is not blank, and that the cohort table sorts when a heading is clicked.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>

#include "support/png_decode.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HtmlReports : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fresh_dir("html_reports"));
    const CliResult synth = run_cli("synth --out " + (*dir_ / "cohort").string());
    ASSERT_EQ(synth.exit_code, 0) << synth.err;
    const CliResult run =
        run_cli("-q -j 2 run " + (*dir_ / "cohort" / "manifest.csv").string() + " --out " + out().string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const CliResult aggregate = run_cli("aggregate " + out().string());
    ASSERT_EQ(aggregate.exit_code, 0) << aggregate.err;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path out() { return *dir_ / "out"; }

  struct Browsed {
    std::string dom;
    std::vector<std::string> console;  // Chromium's CONSOLE log lines: script errors, failed loads, logs
    DecodedPng screenshot;
  };

  // Opens a page in headless Chromium twice: once for the DOM after its scripts ran, once for a screenshot of
  // the top 1280 × 1600 pixels.
  static Browsed browse(const fs::path& page) {
    static int n = 0;
    const fs::path profile = *dir_ / ("chromium-profile-" + std::to_string(n++));
    const std::string flags =
        "--headless --no-sandbox --disable-gpu --disable-background-networking "
        "--enable-logging=stderr --v=0 --hide-scrollbars --user-data-dir=" +
        profile.string() + " ";
    Browsed b;
    const CliResult dom = run_command("chromium", flags + "--dump-dom file://" + fs::absolute(page).string());
    EXPECT_EQ(dom.exit_code, 0) << dom.err;
    b.dom = dom.out;
    const fs::path shot = *dir_ / ("shot-" + std::to_string(n) + ".png");
    const CliResult screenshot =
        run_command("chromium", flags + "--window-size=1280,1600 --screenshot=" + shot.string() + " file://" +
                                    fs::absolute(page).string());
    EXPECT_EQ(screenshot.exit_code, 0) << screenshot.err;
    for (const std::string& err : {dom.err, screenshot.err}) {
      std::istringstream lines(err);
      for (std::string line; std::getline(lines, line);)
        if (line.find(":CONSOLE") != std::string::npos) b.console.push_back(line);
    }
    b.screenshot = decode_png(slurp(shot));
    return b;
  }

  static std::size_t count(const std::string& text, const std::string& what) {
    std::size_t k = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++k;
    return k;
  }

  // Not blank: at least 5 % of the pixels are not near-white and there are many distinct colours.
  static void expect_not_blank(const DecodedPng& png, const std::string& what) {
    ASSERT_EQ(png.width, 1280u) << what;
    std::size_t inked = 0;
    std::set<std::uint32_t> colours;
    for (std::size_t i = 0; i < png.width * png.height; ++i) {
      const std::uint8_t* p = &png.rgb[3 * i];
      inked += p[0] + p[1] + p[2] < 3 * 235;
      colours.insert(std::uint32_t(p[0]) << 16 | std::uint32_t(p[1]) << 8 | p[2]);
    }
    EXPECT_GT(inked, png.width * png.height / 20) << what;
    EXPECT_GT(colours.size(), 64u) << what;
  }

  static fs::path* dir_;
};
fs::path* HtmlReports::dir_ = nullptr;

TEST_F(HtmlReports, EverySubjectPageLoadsCleanlyWithItsPicturesAndCharts) {
  const json expected = read_json(*dir_ / "cohort" / "expected.json");
  ASSERT_GE(expected.at("subjects").size(), 4u);
  for (const auto& [id, truth] : expected.at("subjects").items()) {
    const fs::path page = out() / ("sub-" + id) / ("sub-" + id + "_report.html");
    ASSERT_TRUE(fs::exists(page)) << page;
    const Browsed b = browse(page);
    EXPECT_TRUE(b.console.empty()) << page << ": " << b.console.front();
    for (const char* part : {"id=\"overall\"", "id=\"timeline-volume\"", "id=\"timeline-sld\"",
                             "id=\"measurements\"", "id=\"timepoints\"", "id=\"registration\"",
                             "id=\"response-table\"", "id=\"provenance\"", "<polyline class=\"measure\""})
      EXPECT_NE(b.dom.find(part), std::string::npos) << page << " lacks " << part;
    const std::size_t timepoints = truth.at("timepoints").size();
    // Per timepoint a mosaic and the three planes; per follow-up a checkerboard; all embedded.
    EXPECT_EQ(count(b.dom, "<img src=\"data:image/png;base64,iVBORw0KGgo"), 2 * timepoints + timepoints - 1)
        << page;
    EXPECT_EQ(count(b.dom, "<img"), 3 * timepoints - 1) << page;
    EXPECT_EQ(b.dom.find("class=\"missing\""), std::string::npos) << page;
    EXPECT_EQ(count(b.dom, "<article class=\"timepoint\""), timepoints) << page;
    EXPECT_FALSE(std::regex_search(b.dom, std::regex("(src|href)=\"(https?:|//|file:)"))) << page;
    expect_not_blank(b.screenshot, page.string());
  }
}

TEST_F(HtmlReports, CohortPageLoadsCleanlyAndItsTableSorts) {
  const fs::path page = out() / "cohort.html";
  ASSERT_TRUE(fs::exists(page));
  const Browsed b = browse(page);
  EXPECT_TRUE(b.console.empty()) << b.console.front();
  for (const char* part : {"id=\"waterfall-recist_1_1\"", "id=\"waterfall-volumetric\"",
                           "id=\"swimmer-recist_1_1\"", "id=\"cohort-table\""})
    EXPECT_NE(b.dom.find(part), std::string::npos) << part;
  const json cohort = read_json(out() / "cohort.json");
  const std::size_t rows = cohort.at("rows").size();
  EXPECT_EQ(count(b.dom, "<tr class=\""), rows);
  std::set<std::string> subjects;
  for (const json& r : cohort.at("rows")) subjects.insert(r.at("subject").get<std::string>());
  for (const std::string& s : subjects) {
    EXPECT_NE(b.dom.find("<a href=\"sub-" + s + "/sub-" + s + "_report.html\">"), std::string::npos) << s;
    EXPECT_TRUE(fs::exists(out() / ("sub-" + s) / ("sub-" + s + "_report.html"))) << s;
  }
  // One waterfall bar per subject with a follow-up, one swimmer lane each.
  EXPECT_EQ(count(b.dom, "<rect class=\"bar cat-"), 2 * subjects.size());
  EXPECT_EQ(count(b.dom, "<rect class=\"lane\""), subjects.size());
  expect_not_blank(b.screenshot, page.string());

  // Clicking the "day" heading twice sorts the rows by day, descending: the page's script does it.
  std::string html = slurp(page);
  const std::string click =
      "<script>var th = document.querySelectorAll('#cohort-table th')[3]; th.click(); th.click();"
      "document.body.dataset.days = Array.prototype.map.call(document.querySelectorAll('#cohort-table tbody "
      "tr'),"
      " function (r) { return r.cells[3].textContent; }).join(',');</script></body>";
  html.replace(html.rfind("</body>"), 7, click);
  const fs::path clicked = out() / "cohort-clicked.html";
  std::ofstream(clicked) << html;
  const Browsed sorted = browse(clicked);
  EXPECT_TRUE(sorted.console.empty()) << sorted.console.front();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sorted.dom, m, std::regex("data-days=\"([^\"]*)\"")));
  std::vector<double> days;
  std::istringstream list(m[1].str());
  for (std::string d; std::getline(list, d, ',');) days.push_back(std::stod(d));
  ASSERT_EQ(days.size(), rows);
  EXPECT_TRUE(std::is_sorted(days.rbegin(), days.rend())) << m[1];
  EXPECT_GT(days.front(), days.back());
}

TEST_F(HtmlReports, NoHtmlLeavesThePagesOutAndAResumedRunAddsThem) {
  const fs::path out2 = *dir_ / "out-no-html";
  const std::string manifest = (*dir_ / "cohort" / "manifest.csv").string();
  CliResult r =
      run_cli("-q -j 2 run " + manifest + " --out " + out2.string() + " --participant-label pd --no-html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out2 / "sub-pd" / "sub-pd_report.json"));
  EXPECT_FALSE(fs::exists(out2 / "sub-pd" / "sub-pd_report.html"));
  r = run_cli("aggregate " + out2.string() + " --no-html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out2 / "cohort.tsv"));
  EXPECT_FALSE(fs::exists(out2 / "cohort.html"));
  // The same run without --no-html keeps the up-to-date report and writes its page from it.
  const auto written = fs::last_write_time(out2 / "sub-pd" / "sub-pd_report.json");
  r = run_cli("-q -j 2 run " + manifest + " --out " + out2.string() + " --participant-label pd");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pd\tup-to-date"), std::string::npos) << r.out;
  EXPECT_EQ(fs::last_write_time(out2 / "sub-pd" / "sub-pd_report.json"), written);
  EXPECT_NE(slurp(out2 / "sub-pd" / "sub-pd_report.html").find("id=\"timeline-volume\""), std::string::npos);
}

}  // namespace
}  // namespace oncotrack::testing
