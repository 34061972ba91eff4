#pragma once
// What a path is when it is neither a regular file nor a folder, for error messages: readers refuse such
// paths before opening them (a named pipe would block a reader forever, a device would stream without end).
#include <filesystem>
#include <string>

namespace oncotrack {

// "a named pipe", "a character device", "a block device", "a socket", or "neither a file nor a folder".
std::string describe_special_file(std::filesystem::file_type type);

}  // namespace oncotrack
