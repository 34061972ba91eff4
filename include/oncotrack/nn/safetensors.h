#pragma once
// The container of weights files and numeric fixtures: the safetensors layout.
//
// File = u64 little-endian N | N bytes of UTF-8 JSON header | data section (raw little-endian values).
// Header: {"<tensor name>": {"dtype": "F32"|"F16"|"BF16", "shape": [d0, ...], "data_offsets": [begin, end]},
// ...,
//          "__metadata__": {"<key>": "<string value>", ...}}   (the metadata object is optional; values are
//          strings)
// Offsets are relative to the start of the data section; end − begin must equal the element count × dtype
// size; tensors must not overlap and must lie inside the data section. (The full validation rules and the
// error messages are specified in src/nn/safetensors.cpp's reader.)
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

enum class DType { kF32, kF16, kBF16 };
const char* dtype_name(DType t);  // "F32", "F16", "BF16"

struct TensorEntry {
  std::string name;
  DType dtype = DType::kF32;
  Shape shape;
  std::uint64_t begin = 0, end = 0;  // byte offsets into the data section
};

class SafetensorsFile {
 public:
  // Read and validate the whole structure; throws NnError naming the file, the problem, expected and got.
  static SafetensorsFile read(const std::filesystem::path& path);
  // Same from bytes in memory; `where` names the source in messages.
  static SafetensorsFile parse(std::string bytes, const std::string& where);

  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::vector<TensorEntry>& entries() const { return entries_; }  // sorted by name
  const TensorEntry* find(const std::string& name) const;               // nullptr when absent
  // Values converted to float32; throws NnError when absent.
  Tensor tensor(const std::string& name) const;
  const std::string& where() const { return where_; }

 private:
  std::string where_;
  std::string bytes_;
  std::size_t data_start_ = 0;
  std::map<std::string, std::string> metadata_;
  std::vector<TensorEntry> entries_;
};

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// Writes tensors (stored as `storage`, converted from float32 with round-to-nearest-even) and metadata to a
// temporary name beside `path`, then renames it into place. Throws NnError when the file cannot be written or
// names repeat.
void write_safetensors(const std::filesystem::path& path, const std::map<std::string, std::string>& metadata,
                       const std::vector<NamedTensor>& tensors, DType storage = DType::kF32);

}  // namespace oncotrack::nn
