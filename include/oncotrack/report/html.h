#pragma once
// Self-contained HTML pages for looking at results (in the manner of fMRIPrep / MRIQC reports): pictures are
// embedded as data: URIs and charts as inline SVG, so a page opens from disk with no server and no network;
// the cohort page's only script sorts its table. Pure functions of a report (data/report.schema.json) or a
// cohort table (cohort_table.h) and the PNG files the report names.
//
// subject_html (OUT/sub-<id>/sub-<id>_report.html):
//   header: subject, status, timepoints (day, role), and per criterion the latest follow-up's category and
//     the best response so far (best_response); the network's prediction per follow-up;
//   timeline: total volume and sum of longest diameters over time with the criteria's thresholds (charts.h),
//     and a table of the numbers behind them;
//   per timepoint: the mosaic and the three-plane contours (reference outline green, model red, brain mask
//     blue; core/colours.h), the segmentation's agreement with the reference and its brain-mask decision,
//     warnings;
//   per follow-up: the registration checkerboard and its QC numbers (metric and body NCC before/after,
//     transform parameters), a suspect registration highlighted with its reason;
//   CEST-MRF (when a timepoint has maps): each map's picture with a colour bar over its display range, the
//     tumour and reference region statistics and the change vs baseline;
//   response: per follow-up and criterion the category, value, change vs baseline and nadir, and the rule
//   that
//     fired;
//   provenance: tool version and commit, command line, model name and SHA-256, inputs with SHA-256, times.
// A picture the report names but the folder lacks is shown as a visible note, not a broken image.
//
// cohort_html (OUT/cohort.html): status counts, waterfall plots of the best change vs baseline per subject
//   (sum of diameters with RECIST 1.1's thresholds, volume with the volumetric ones), a swimmer plot of
//   RECIST 1.1 categories over time, and the cohort table (sortable by clicking a column header) with each
//   subject linked to its page and QC flags, failures and unreadable reports highlighted.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oncotrack/report/cohort_table.h"

namespace oncotrack::report {

std::string subject_html(const nlohmann::json& report, const std::filesystem::path& subject_dir);

// out_dir: where the subjects' pages are looked for; a subject is linked only when its page exists.
std::string cohort_html(const CohortTable& table, const std::filesystem::path& out_dir);

// Best response of a series of follow-up categories (chronological) until the first progression, without the
// confirmation and minimum-duration requirements of RECIST 1.1's best overall response: CR > PR > SD > PD;
// NE counts only when nothing else was assessed ("NE" also for an empty series).
std::string best_response(const std::vector<std::string>& categories);

// The page of a subject: OUT/sub-<id>/sub-<id>_report.html.
std::filesystem::path subject_html_path(const std::filesystem::path& out_dir, const std::string& subject);

}  // namespace oncotrack::report
