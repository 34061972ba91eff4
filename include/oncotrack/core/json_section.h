#pragma once
// Strict reading of one JSON object of a config or metadata document (ARCHITECTURE.md §4.4): read() checks a
// key's type and consumes it (an absent key leaves the default), finish() throws for every key nobody read.
// Errors are oncotrack::Error naming the dotted key ("preprocess.resample.spacing_mm"), what was expected and
// what was found; callers add the document as context.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace oncotrack {

class JsonSection {
 public:
  // Throws Error when doc is not an object. `name` is the dotted path of this object.
  JsonSection(const nlohmann::json& doc, std::string name);

  std::string key(const std::string& k) const { return name_ + "." + k; }

  // Consumes key k; its value, or nullptr when absent.
  const nlohmann::json* take(const char* k);
  // Like take(), but an absent key is an error.
  const nlohmann::json& need(const char* k);

  void read(const char* k, bool& value);
  void read(const char* k, double& value);
  void read(const char* k, unsigned& value);
  void read(const char* k, std::string& value);
  void read(const char* k, std::vector<unsigned>& value);
  void read(const char* k, std::vector<double>& value);
  void read(const char* k, std::vector<std::string>& value);

  void finish() const;

 private:
  const nlohmann::json& checked(const nlohmann::json& v, const char* k, bool ok, const char* expected) const;

  std::string name_;
  nlohmann::json rest_;
  std::set<std::string> taken_;
};

// Throws Error "invalid value for config key <key>" unless ok.
void require_value(bool ok, const std::string& key, const std::string& expected, const std::string& found);

}  // namespace oncotrack
