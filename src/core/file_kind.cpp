#include "oncotrack/core/file_kind.h"

namespace oncotrack {

std::string describe_special_file(std::filesystem::file_type type) {
  switch (type) {
    case std::filesystem::file_type::fifo:
      return "a named pipe";
    case std::filesystem::file_type::character:
      return "a character device";
    case std::filesystem::file_type::block:
      return "a block device";
    case std::filesystem::file_type::socket:
      return "a socket";
    default:
      return "neither a file nor a folder";
  }
}

}  // namespace oncotrack
