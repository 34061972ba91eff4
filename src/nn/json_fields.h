#pragma once
// Strict reading of hyper-parameter objects: every key required, unknown keys refused, types checked; errors
// name the architecture and the key.
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn::detail {

class Fields {
 public:
  Fields(const nlohmann::json& j, std::string what) : j_(j), what_(std::move(what)) {
    if (!j.is_object())
      throw NnError("hyper-parameters must be a JSON object", what_, "object", j.type_name());
  }
  const nlohmann::json& at(const std::string& key) {
    if (!j_.contains(key)) throw NnError("missing hyper-parameter \"" + key + "\"", what_);
    seen_.insert(key);
    return j_.at(key);
  }
  std::int64_t integer(const std::string& key, std::int64_t min) {
    const auto& v = at(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < min)
      throw NnError("hyper-parameter \"" + key + "\" out of range", what_,
                    "integer >= " + std::to_string(min), v.dump());
    return v.get<std::int64_t>();
  }
  double number(const std::string& key) {
    const auto& v = at(key);
    if (!v.is_number())
      throw NnError("hyper-parameter \"" + key + "\" must be a number", what_, "number", v.dump());
    return v.get<double>();
  }
  std::string string(const std::string& key) {
    const auto& v = at(key);
    if (!v.is_string())
      throw NnError("hyper-parameter \"" + key + "\" must be a string", what_, "string", v.dump());
    return v.get<std::string>();
  }
  bool boolean(const std::string& key) {
    const auto& v = at(key);
    if (!v.is_boolean())
      throw NnError("hyper-parameter \"" + key + "\" must be true or false", what_, "boolean", v.dump());
    return v.get<bool>();
  }
  // Call last: refuses keys nobody read.
  void finish() const {
    for (const auto& [key, value] : j_.items())
      if (!seen_.count(key)) throw NnError("unknown hyper-parameter \"" + key + "\"", what_);
  }

 private:
  const nlohmann::json& j_;
  std::string what_;
  std::set<std::string> seen_;
};

}  // namespace oncotrack::nn::detail
