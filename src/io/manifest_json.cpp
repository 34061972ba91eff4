#include <nlohmann/json.hpp>
#include <set>

#include "manifest_table.h"

namespace oncotrack::io {

ManifestTable read_json_manifest(const std::filesystem::path& path, std::vector<Problem>& problems) {
  ManifestTable table;
  const std::optional<std::string> text = read_manifest_text(path, problems);
  if (!text) return table;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number overflow
    problems.push_back({"", "", path.string(), "invalid JSON", "a JSON manifest", e.what()});
    return table;
  }
  if (!doc.is_object() || !doc.contains("images") || !doc.at("images").is_array()) {
    problems.push_back({"", "", path.string(), "unexpected manifest structure",
                        "an object {\"images\": [ {...}, ... ]}", std::string(doc.type_name())});
    return table;
  }
  std::set<std::string> columns;
  const auto& images = doc.at("images");
  for (std::size_t i = 0; i < images.size(); ++i) {
    const std::string origin = path.filename().string() + ":images[" + std::to_string(i) + "]";
    const auto& item = images[i];
    if (!item.is_object()) {
      problems.push_back({"", "", origin, "image entry is not an object", "an object", item.type_name()});
      continue;
    }
    ManifestRow row{origin, {}};
    for (const auto& [key, value] : item.items()) {
      if (value.is_string()) {
        row.fields[key] = value.get<std::string>();
      } else if (value.is_number() || value.is_boolean()) {
        row.fields[key] = value.dump();
      } else if (value.is_array() && key == "mask_label") {
        std::string joined;
        for (const auto& v : value) joined += (joined.empty() ? "" : ",") + v.dump();
        row.fields[key] = joined;
      } else if (!value.is_null()) {
        problems.push_back(
            {"", "", origin + "." + key, "unsupported value", "a string or number", value.type_name()});
        continue;
      }
      columns.insert(key);
    }
    table.rows.push_back(std::move(row));
  }
  // Columns missing from some rows read as empty, as in a CSV.
  table.columns.assign(columns.begin(), columns.end());
  for (auto& row : table.rows)
    for (const auto& c : table.columns) row.fields.try_emplace(c, "");
  return table;
}

}  // namespace oncotrack::io
