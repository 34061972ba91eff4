#pragma once
// Every output is written to a temporary name in the destination folder and renamed into place, so a killed
// job never leaves a half-written file that looks finished. The temporary name keeps the file's extension
// (".tmp-<pid>-<n>-report.json") so writers that dispatch on extension (ITK) still work.
#include <filesystem>
#include <functional>
#include <string>

namespace oncotrack {

// Calls write(tmp_path), then renames tmp_path onto path. On any exception the temporary is removed and the
// exception propagates; an existing file at path is untouched until the rename. Throws Error on I/O failure.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path& tmp_path)>& write);

// Convenience: writes text (e.g. JSON) atomically.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

// True for names produced by write_atomically's temporaries (for clean-up and for tests).
bool is_temporary_name(const std::filesystem::path& path);

}  // namespace oncotrack
