#include "oncotrack/core/json_section.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "oncotrack/core/error.h"

namespace oncotrack {

using nlohmann::json;

namespace {

bool is_unsigned(const json& v) {
  return v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
         v.get<std::int64_t>() <= std::numeric_limits<unsigned>::max();
}

template <typename Pred>
bool all_of(const json& v, Pred pred) {
  return v.is_array() && std::all_of(v.begin(), v.end(), pred);
}

}  // namespace

JsonSection::JsonSection(const json& doc, std::string name) : name_(std::move(name)) {
  if (!doc.is_object())
    throw Error("config key " + name_ + " is not an object", {}, "an object", doc.type_name());
  rest_ = doc;
}

const json* JsonSection::take(const char* k) {
  if (!rest_.contains(k)) return nullptr;
  taken_.insert(k);
  return &rest_.at(k);
}

const json& JsonSection::need(const char* k) {
  const json* v = take(k);
  if (v == nullptr) throw Error("missing config key " + key(k), {}, "the key present", "nothing");
  return *v;
}

void JsonSection::read(const char* k, bool& value) {
  if (const json* v = take(k)) value = checked(*v, k, v->is_boolean(), "true or false").get<bool>();
}
void JsonSection::read(const char* k, double& value) {
  if (const json* v = take(k)) value = checked(*v, k, v->is_number(), "a number").get<double>();
}
void JsonSection::read(const char* k, unsigned& value) {
  if (const json* v = take(k)) value = checked(*v, k, is_unsigned(*v), "an integer >= 0").get<unsigned>();
}
void JsonSection::read(const char* k, std::string& value) {
  if (const json* v = take(k)) value = checked(*v, k, v->is_string(), "a string").get<std::string>();
}
void JsonSection::read(const char* k, std::vector<unsigned>& value) {
  if (const json* v = take(k))
    value = checked(*v, k, all_of(*v, is_unsigned), "an array of integers >= 0").get<std::vector<unsigned>>();
}
void JsonSection::read(const char* k, std::vector<double>& value) {
  if (const json* v = take(k))
    value = checked(*v, k, all_of(*v, [](const json& x) { return x.is_number(); }), "an array of numbers")
                .get<std::vector<double>>();
}
void JsonSection::read(const char* k, std::vector<std::string>& value) {
  if (const json* v = take(k))
    value = checked(*v, k, all_of(*v, [](const json& x) { return x.is_string(); }), "an array of strings")
                .get<std::vector<std::string>>();
}

void JsonSection::finish() const {
  for (auto it = rest_.begin(); it != rest_.end(); ++it)
    if (taken_.count(it.key()) == 0)
      throw Error("unknown config key " + key(it.key()), {}, "only documented keys", it.key());
}

const json& JsonSection::checked(const json& v, const char* k, bool ok, const char* expected) const {
  if (!ok) throw Error("wrong type for config key " + key(k), {}, expected, v.dump());
  return v;
}

void require_value(bool ok, const std::string& key, const std::string& expected, const std::string& found) {
  if (!ok) throw Error("invalid value for config key " + key, {}, expected, found);
}

}  // namespace oncotrack
