#include <fstream>
#include <sstream>

#include "manifest_table.h"

namespace oncotrack::io {

namespace {

// Splits text into records of fields; returns false (with the line) on an unterminated quote.
bool parse_records(const std::string& text, char delim, std::vector<std::vector<std::string>>& records,
                   std::vector<int>& record_lines, int& bad_line) {
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false, field_started = false;
  int line = 1, record_line = 1;
  auto end_field = [&] {
    record.push_back(field);
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    const bool blank = record.size() == 1 && record[0].empty();
    if (!blank) {
      records.push_back(record);
      record_lines.push_back(record_line);
    }
    record.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && !field_started) {
      in_quotes = true;
      field_started = true;
    } else if (c == delim) {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_record();
      record_line = ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (in_quotes) {
    bad_line = record_line;
    return false;
  }
  if (!field.empty() || !record.empty()) end_record();
  return true;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

std::optional<std::string> read_manifest_text(const std::filesystem::path& path,
                                              std::vector<Problem>& problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.push_back({"", "", path.string(), "cannot open manifest", "a readable file", "open failed"});
    return std::nullopt;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  return text;
}

ManifestTable read_delimited_manifest(const std::filesystem::path& path, char delimiter,
                                      std::vector<Problem>& problems) {
  ManifestTable table;
  const std::optional<std::string> read = read_manifest_text(path, problems);
  if (!read) return table;
  const std::string& text = *read;

  std::vector<std::vector<std::string>> records;
  std::vector<int> lines;
  int bad_line = 0;
  if (!parse_records(text, delimiter, records, lines, bad_line)) {
    problems.push_back({"", "", path.string() + ":" + std::to_string(bad_line), "unterminated quoted field",
                        "a closing '\"'", "end of file"});
    return table;
  }
  if (records.empty()) {
    problems.push_back(
        {"", "", path.string(), "manifest is empty", "a header row and one row per image", "no rows"});
    return table;
  }
  for (const auto& name : records[0]) table.columns.push_back(trim(name));
  for (std::size_t r = 1; r < records.size(); ++r) {
    const std::string origin = path.filename().string() + ":" + std::to_string(lines[r]);
    if (records[r].size() != table.columns.size()) {
      problems.push_back({"", "", origin, "wrong number of fields",
                          std::to_string(table.columns.size()) + " (as in the header)",
                          std::to_string(records[r].size())});
      continue;
    }
    ManifestRow row{origin, {}};
    for (std::size_t c = 0; c < table.columns.size(); ++c) row.fields[table.columns[c]] = trim(records[r][c]);
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace oncotrack::io
