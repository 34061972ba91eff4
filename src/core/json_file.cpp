#include "oncotrack/core/json_file.h"

#include <fstream>

#include "oncotrack/core/error.h"

namespace oncotrack {

nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open " + what + " file", path.string(), "a readable JSON file", "open failed");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(what + " is not valid JSON", path.string(), "JSON", e.what());
  }
}

}  // namespace oncotrack
