// libFuzzer target: the weights loader (safetensors structure, then oncotrack's metadata and tensor table).
// Every tensor of a file that parses is also converted. NnError is the expected refusal.
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/nn/safetensors.h"
#include "scratch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto file = oncotrack::nn::SafetensorsFile::parse(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz input");
    for (const auto& e : file.entries()) (void)file.tensor(e.name);
  } catch (const oncotrack::nn::NnError&) {
  }
  try {
    (void)oncotrack::nn::read_model(oncotrack::fuzz::write_scratch("model.safetensors", data, size));
  } catch (const oncotrack::nn::NnError&) {
  }
  return 0;
}
