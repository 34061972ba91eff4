#include "oncotrack/core/json_file.h"

#include <fstream>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"

namespace oncotrack {

nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open " + what + " file", path.string(), "a readable JSON file", "open failed");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number overflow
    throw Error(what + " is not valid JSON", path.string(), "JSON", e.what());
  }
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& doc) {
  write_text_atomically(path, doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace oncotrack
