#pragma once
// Internal to the report module: the pieces both HTML pages (report/html.h) are made of.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "html_text.h"
#include "json_values.h"

namespace oncotrack::report {

// "<!DOCTYPE html>…<body>" with the shared style sheet and the page's title; page_end closes it.
std::string page_start(const std::string& title);
std::string page_end();

// An <img> with the PNG at `path` embedded (alt = caption), inside a <figure> with the caption; a visible
// "picture missing" note naming the file when it cannot be read or is not a PNG.
std::string embedded_png(const std::filesystem::path& path, const std::string& caption);

// A number as text ("n/a" for null or a non-number), with `digits` significant digits.
std::string number_text(const nlohmann::json& v, int digits = 4);

// A category badge: <span class="cat cat-PR">PR</span> ("NE" for a non-string).
std::string category_badge(const nlohmann::json& category);

}  // namespace oncotrack::report
