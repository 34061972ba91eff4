#pragma once
// Reading a whole JSON document from a file.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace oncotrack {

// Parses the file at path; throws Error naming the file and `what` it should be ("config", "schedule") when
// it cannot be opened or is not valid JSON.
nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what);

}  // namespace oncotrack
