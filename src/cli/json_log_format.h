#pragma once
// --log-format jsonl: every log line is one JSON object {"time", "level", "event", ...}. Messages logged with
// log_event() are events already ({"event": ..., fields}); any other message becomes {"event": "log",
// "message": ...}.
#include <spdlog/formatter.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace oncotrack::cli {

class JsonLineFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// Logs `event` (an object with "event") at info level: one JSON line with --log-format jsonl.
void log_event(const nlohmann::json& event);

}  // namespace oncotrack::cli
