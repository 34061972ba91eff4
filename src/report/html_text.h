#pragma once
// Internal to the report module: text made safe for HTML element content and attribute values.
#include <string>

namespace oncotrack::report {

// Escapes & < > " ' (enough for both element content and quoted attributes).
std::string html_escape(const std::string& text);

}  // namespace oncotrack::report
