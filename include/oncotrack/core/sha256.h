#pragma once
// SHA-256 (FIPS 180-4) for provenance: input files and model files are identified by their digest.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace oncotrack {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t bytes);
  std::string hex_digest();  // finalises; the object must not be updated afterwards

 private:
  void block(const std::uint8_t* p);
  std::uint32_t h_[8];
  std::uint8_t buf_[64];
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

std::string sha256_hex(const std::string& bytes);
// Throws Error when the file cannot be read. For a folder (DICOM series) hashes the sorted regular files'
// names and contents.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace oncotrack
