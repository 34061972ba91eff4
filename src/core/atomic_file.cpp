#include "oncotrack/core/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "oncotrack/core/error.h"

namespace oncotrack {

namespace fs = std::filesystem;

namespace {
constexpr const char* kTmpPrefix = ".tmp-";
std::atomic<unsigned> g_counter{0};
}  // namespace

void write_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw WriteError("cannot create output folder", dir.string(), "a writable folder", ec.message());
  const fs::path tmp = dir / (std::string(kTmpPrefix) + std::to_string(::getpid()) + "-" +
                              std::to_string(g_counter++) + "-" + path.filename().string());
  try {
    write(tmp);
    fs::rename(tmp, path, ec);
    if (ec) {
      throw WriteError("cannot put the finished file in place", path.string(), "a file name free for a file",
                       ec.message());
    }
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
}

void write_text_atomically(const fs::path& path, const std::string& text) {
  write_atomically(path, [&](const fs::path& tmp) {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      throw WriteError("cannot write file", path.string(),
                       "a writable location with room for " + std::to_string(text.size()) + " bytes",
                       errno ? std::strerror(errno) : "a write failure");
    }
  });
}

bool is_temporary_name(const fs::path& path) {
  return path.filename().string().rfind(kTmpPrefix, 0) == 0;
}

}  // namespace oncotrack
