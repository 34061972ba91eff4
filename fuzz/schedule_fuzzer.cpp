// libFuzzer target: the CEST-MRF schedule parser (JSON). nlohmann's parse errors and oncotrack::Error are the
// expected refusals; a parsed schedule is also written back.
#include <nlohmann/json.hpp>

#include "oncotrack/cest/schedule.h"
#include "oncotrack/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  try {
    const auto schedule = oncotrack::cest::parse_schedule(doc, "fuzz input");
    (void)oncotrack::cest::schedule_to_json(schedule).dump();
  } catch (const oncotrack::Error&) {
  }
  return 0;
}
