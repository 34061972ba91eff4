#pragma once
// Reading and writing whole JSON documents.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace oncotrack {

// Parses the file at path; throws Error naming the file and `what` it should be ("config", "schedule") when
// it cannot be opened or is not valid JSON.
nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what);

// Writes doc atomically (atomic_file.h), indented by 2, with a final newline. Strings that are not valid UTF-8
// (file names are bytes; a parser's message quotes the bytes it choked on) are written with U+FFFD in place of
// the invalid bytes instead of failing the write.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& doc);

}  // namespace oncotrack
