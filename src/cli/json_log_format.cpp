#include "json_log_format.h"

#include <spdlog/details/log_msg.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

namespace oncotrack::cli {

namespace {

constexpr const char* kEventPrefix = "{\"event\":";

std::string iso_time(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

}  // namespace

void JsonLineFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string payload(msg.payload.data(), msg.payload.size());
  nlohmann::json line = nlohmann::json::object();
  line["time"] = iso_time(msg.time);
  line["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size());
  nlohmann::json event;
  if (payload.rfind(kEventPrefix, 0) == 0) event = nlohmann::json::parse(payload, nullptr, false);
  if (event.is_object()) {
    line.update(event);
  } else {
    line["event"] = "log";
    line["message"] = payload;
  }
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  dest.append(text.data(), text.data() + text.size());
}

std::unique_ptr<spdlog::formatter> JsonLineFormatter::clone() const {
  return std::make_unique<JsonLineFormatter>();
}

void log_event(const nlohmann::json& event) {
  // "event" first, so the formatter recognises the object (nlohmann sorts keys: dump the name separately).
  nlohmann::json rest = event;
  const std::string name = rest.at("event").get<std::string>();
  rest.erase("event");
  std::string text = std::string(kEventPrefix) + nlohmann::json(name).dump();
  const std::string fields = rest.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (fields.size() > 2) text += "," + fields.substr(1, fields.size() - 2);
  spdlog::info("{}}}", text);
}

}  // namespace oncotrack::cli
