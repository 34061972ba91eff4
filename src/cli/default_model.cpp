// Where the bundled default model lives: data/models/ of the source tree the binary was built from (the
// README's commands build and run in place).
#include <filesystem>

#include "commands.h"
#include "oncotrack/core/error.h"

namespace oncotrack::cli {

std::string default_model_path() {
  const std::string path = ONCOTRACK_DEFAULT_MODEL;
  if (!std::filesystem::exists(path))
    throw Error("the bundled default model is missing", path, "the model file of the source tree",
                "no file (restore it with git, rebuild it with scripts/train/reproduce.sh, or pass --model)");
  return path;
}

}  // namespace oncotrack::cli
