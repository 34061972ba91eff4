// Reader and writer of the safetensors container (layout in safetensors.h).
//
// The reader validates the whole structure before any tensor is touched, in this order. Every failure is an
// NnError whose where() is the file (or the name given to parse()); problem, then expected / got:
//   file shorter than 8 bytes
//     "file too short for a safetensors header"; "at least 8 bytes" / "<size> bytes"
//   header length N (u64 LE) = 0
//     "empty header"; "header length >= 2" / "0"
//   N > 100 MiB
//     "absurd header length"; "<= 104857600 bytes" / "<N> bytes"
//   N > file size - 8
//     "header runs past the end of the file"; "<= <size-8> bytes" / "<N> bytes"
//   header not JSON, or not UTF-8
//     "header is not valid JSON"; got the parser's message
//   a container deeper than name -> entry -> shape array
//     "header nested too deeply"; "{name: {key: [dims]}}" / "depth <d>"
//   a key repeated in one object (JSON parsers silently keep the last one)
//     "duplicate tensor name \"<n>\"" at the top level, else "duplicate key \"<k>\" in \"<entry>\""
//   header not an object
//     "header is not a JSON object"; "object" / "<type>"
//   __metadata__ not an object, or one of its values not a string
//     "__metadata__ is not an object"; "object of strings" / "<type>"
//     "metadata value \"<k>\" is not a string"; "string" / "<type>"
//   empty tensor name
//     "empty tensor name"
//   entry not an object, unknown or missing keys
//     "tensor \"<n>\": entry is not an object"; "{dtype, shape, data_offsets}" / "<type>"
//     "tensor \"<n>\": unknown key \"<k>\""; "dtype, shape, data_offsets"
//     "tensor \"<n>\": missing \"dtype\"" (or "shape", "data_offsets")
//   dtype other than F32, F16, BF16 (F64, I8, ...)
//     "tensor \"<n>\": unsupported dtype"; "F32, F16 or BF16" / the value
//   shape not an array of 1 to 8 non-negative integers (rank 0 is refused: engine tensors have rank >= 1)
//     "tensor \"<n>\": bad shape"; "array of 1 to 8 non-negative integers" / the value
//   element count x dtype size above 2^63 - 1
//     "tensor \"<n>\": shape element count overflows"; "at most 2^63-1 bytes" / the shape
//   data_offsets not two non-negative integers with begin <= end
//     "tensor \"<n>\": bad data_offsets"; "[begin, end] with 0 <= begin <= end" / the value
//   end - begin != element count x dtype size
//     "tensor \"<n>\": data_offsets do not match shape and dtype"; "<b> bytes (<c> elements of <dtype>)" /
//     "<end-begin> bytes"
//   end beyond the data section
//     "tensor \"<n>\": data beyond the end of the data section"; "end <= <data size>" / "end <end>"
//   two non-empty byte ranges overlapping
//     "tensors \"<a>\" and \"<b>\" overlap"; "disjoint byte ranges" / "[b0,e0) and [b1,e1)"
// Gaps between tensors and unused bytes after the last one are accepted (the format does not forbid padding
// and nothing reads those bytes); overlaps are refused. The header may end with spaces (writers pad it to 8
// bytes). Memory stays bounded by the file size: no size read from the file is used before it is checked
// against it.
#include "oncotrack/nn/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "half.h"
#include "oncotrack/nn/error.h"

namespace oncotrack::nn {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "F32 data is copied as is: little-endian hosts only");

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::uint64_t kMaxHeaderBytes = 100u << 20;
constexpr std::size_t kMaxRank = 8;
constexpr int kMaxDepth = 3;  // header object (0) → entry (1) → shape array (2) → its numbers (3)
constexpr const char* kMetadataKey = "__metadata__";

std::uint64_t dtype_size(DType t) {
  return t == DType::kF32 ? 4 : 2;
}

std::string in_quotes(const std::string& s) {
  return "\"" + s + "\"";
}

// A JSON value for an error message: compact, cut at 80 characters.
std::string brief(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

// Parses the header; refuses repeated keys and deep nesting while parsing (after it, repeats are gone).
json parse_header(const char* begin, const char* end, const std::string& where) {
  std::vector<std::set<std::string>> keys;  // one set per open object
  std::string entry;                        // current top-level key, for messages
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxDepth)
      throw NnError("header nested too deeply", where, "{name: {key: [dims]}}",
                    "depth " + std::to_string(depth));
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.empty()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(key).second)
        throw NnError(depth == 1 ? "duplicate tensor name " + in_quotes(key)
                                 : "duplicate key " + in_quotes(key) + " in " + in_quotes(entry),
                      where);
      if (depth == 1) entry = key;
    }
    return true;
  };
  try {
    return json::parse(begin, end, callback);
  } catch (const json::exception& e) {
    throw NnError("header is not valid JSON", where, {}, e.what());
  }
}

DType parse_dtype(const json& v, const std::string& name, const std::string& where) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "F32") return DType::kF32;
    if (s == "F16") return DType::kF16;
    if (s == "BF16") return DType::kBF16;
  }
  throw NnError("tensor " + in_quotes(name) + ": unsupported dtype", where, "F32, F16 or BF16", brief(v));
}

TensorEntry parse_entry(const std::string& name, const json& e, std::uint64_t data_bytes,
                        const std::string& where) {
  const std::string t = "tensor " + in_quotes(name) + ": ";
  if (!e.is_object())
    throw NnError(t + "entry is not an object", where, "{dtype, shape, data_offsets}", e.type_name());
  for (const auto& [key, value] : e.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      throw NnError(t + "unknown key " + in_quotes(key), where, "dtype, shape, data_offsets");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!e.contains(key)) throw NnError(t + "missing " + in_quotes(key), where);

  TensorEntry entry;
  entry.name = name;
  entry.dtype = parse_dtype(e.at("dtype"), name, where);

  const json& shape = e.at("shape");
  const bool shape_ok =
      shape.is_array() && !shape.empty() && shape.size() <= kMaxRank &&
      std::all_of(shape.begin(), shape.end(), [](const json& d) { return d.is_number_unsigned(); });
  if (!shape_ok) throw NnError(t + "bad shape", where, "array of 1 to 8 non-negative integers", brief(shape));
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t bytes = dtype_size(entry.dtype), count = 1;
  for (const auto& d : shape) {
    const auto n = d.get<std::uint64_t>();
    if (n > kMax || (n != 0 && bytes > kMax / n))
      throw NnError(t + "shape element count overflows", where, "at most 2^63-1 bytes", brief(shape));
    bytes *= n;
    count *= n;
    entry.shape.push_back(static_cast<std::int64_t>(n));
  }

  const json& offsets = e.at("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned() || offsets[0].get<std::uint64_t>() > offsets[1].get<std::uint64_t>())
    throw NnError(t + "bad data_offsets", where, "[begin, end] with 0 <= begin <= end", brief(offsets));
  entry.begin = offsets[0].get<std::uint64_t>();
  entry.end = offsets[1].get<std::uint64_t>();
  if (entry.end - entry.begin != bytes)
    throw NnError(t + "data_offsets do not match shape and dtype", where,
                  std::to_string(bytes) + " bytes (" + std::to_string(count) + " elements of " +
                      dtype_name(entry.dtype) + ")",
                  std::to_string(entry.end - entry.begin) + " bytes");
  if (entry.end > data_bytes)
    throw NnError(t + "data beyond the end of the data section", where,
                  "end <= " + std::to_string(data_bytes), "end " + std::to_string(entry.end));
  return entry;
}

void check_overlaps(const std::vector<TensorEntry>& entries, const std::string& where) {
  std::vector<const TensorEntry*> by_offset;
  for (const auto& e : entries)
    if (e.end > e.begin) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorEntry* a, const TensorEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  // Sorted by begin, any overlap shows up between neighbours.
  for (std::size_t i = 1; i < by_offset.size(); ++i) {
    const TensorEntry &a = *by_offset[i - 1], &b = *by_offset[i];
    if (b.begin < a.end)
      throw NnError("tensors " + in_quotes(a.name) + " and " + in_quotes(b.name) + " overlap", where,
                    "disjoint byte ranges",
                    "[" + std::to_string(a.begin) + "," + std::to_string(a.end) + ") and [" +
                        std::to_string(b.begin) + "," + std::to_string(b.end) + ")");
  }
}

void append_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

void encode(std::string& out, const Tensor& t, DType storage) {
  const std::size_t n = static_cast<std::size_t>(t.size());
  if (n == 0) return;  // an empty tensor may have no storage at all
  if (storage == DType::kF32) {
    out.append(reinterpret_cast<const char*>(t.data()), n * sizeof(float));
    return;
  }
  out.reserve(out.size() + 2 * n);
  for (std::size_t i = 0; i < n; ++i)
    append_le(
        out,
        storage == DType::kF16 ? detail::float_to_half(t.data()[i]) : detail::float_to_bfloat16(t.data()[i]),
        2);
}

}  // namespace

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kF32:
      return "F32";
    case DType::kF16:
      return "F16";
    case DType::kBF16:
      return "BF16";
  }
  return "?";
}

SafetensorsFile SafetensorsFile::read(const fs::path& path) {
  const std::string where = path.string();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw NnError("not a regular file", where);
  const std::uintmax_t size = fs::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) throw NnError("cannot open file", where);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(in.gcount()) != size)
    throw NnError("cannot read file", where, std::to_string(size) + " bytes", std::to_string(in.gcount()));
  return parse(std::move(bytes), where);
}

SafetensorsFile SafetensorsFile::parse(std::string bytes, const std::string& where) {
  SafetensorsFile f;
  f.where_ = where;
  f.bytes_ = std::move(bytes);
  const std::uint64_t size = f.bytes_.size();
  if (size < 8)
    throw NnError("file too short for a safetensors header", where, "at least 8 bytes",
                  std::to_string(size) + " bytes");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | static_cast<unsigned char>(f.bytes_[static_cast<std::size_t>(i)]);
  if (n == 0) throw NnError("empty header", where, "header length >= 2", "0");
  if (n > kMaxHeaderBytes)
    throw NnError("absurd header length", where, "<= " + std::to_string(kMaxHeaderBytes) + " bytes",
                  std::to_string(n) + " bytes");
  if (n > size - 8)
    throw NnError("header runs past the end of the file", where, "<= " + std::to_string(size - 8) + " bytes",
                  std::to_string(n) + " bytes");
  f.data_start_ = static_cast<std::size_t>(8 + n);
  const std::uint64_t data_bytes = size - 8 - n;

  const json header = parse_header(f.bytes_.data() + 8, f.bytes_.data() + f.data_start_, where);
  if (!header.is_object()) throw NnError("header is not a JSON object", where, "object", header.type_name());
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) {
      if (!value.is_object())
        throw NnError("__metadata__ is not an object", where, "object of strings", value.type_name());
      for (const auto& [key, v] : value.items()) {
        if (!v.is_string())
          throw NnError("metadata value " + in_quotes(key) + " is not a string", where, "string",
                        v.type_name());
        f.metadata_[key] = v.get<std::string>();
      }
      continue;
    }
    if (name.empty()) throw NnError("empty tensor name", where);
    f.entries_.push_back(parse_entry(name, value, data_bytes, where));
  }
  std::sort(f.entries_.begin(), f.entries_.end(),
            [](const TensorEntry& a, const TensorEntry& b) { return a.name < b.name; });
  check_overlaps(f.entries_, where);
  return f;
}

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                                   [](const TensorEntry& e, const std::string& n) { return e.name < n; });
  return it != entries_.end() && it->name == name ? &*it : nullptr;
}

Tensor SafetensorsFile::tensor(const std::string& name) const {
  const TensorEntry* e = find(name);
  if (!e) throw NnError("no tensor " + in_quotes(name), where_);
  Tensor t(e->shape);
  const char* src = bytes_.data() + data_start_ + e->begin;
  const auto n = static_cast<std::size_t>(t.size());
  if (n == 0) return t;  // an empty tensor may have no storage at all
  if (e->dtype == DType::kF32) {
    std::memcpy(t.data(), src, n * sizeof(float));
    return t;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto bits = static_cast<std::uint16_t>(static_cast<unsigned char>(src[2 * i]) |
                                                 (static_cast<unsigned char>(src[2 * i + 1]) << 8));
    t.data()[i] = e->dtype == DType::kF16 ? detail::half_to_float(bits) : detail::bfloat16_to_float(bits);
  }
  return t;
}

void write_safetensors(const fs::path& path, const std::map<std::string, std::string>& metadata,
                       const std::vector<NamedTensor>& tensors, DType storage) {
  const std::string where = path.string();
  std::vector<const NamedTensor*> order;
  for (const auto& t : tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(),
            [](const NamedTensor* a, const NamedTensor* b) { return a->name < b->name; });

  json header = json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const NamedTensor& t = *order[i];
    if (t.name.empty() || t.name == kMetadataKey)
      throw NnError("invalid tensor name", where, "a non-empty name other than __metadata__",
                    in_quotes(t.name));
    if (i > 0 && order[i - 1]->name == t.name)
      throw NnError("duplicate tensor name " + in_quotes(t.name), where);
    const Shape& s = t.tensor.shape();
    if (s.empty() || s.size() > kMaxRank ||
        std::any_of(s.begin(), s.end(), [](std::int64_t d) { return d < 0; }))
      throw NnError("tensor " + in_quotes(t.name) + ": cannot write this shape", where,
                    "1 to 8 non-negative dimensions", to_string(s));
    const std::uint64_t bytes = static_cast<std::uint64_t>(t.tensor.size()) * dtype_size(storage);
    header[t.name] = {
        {"dtype", dtype_name(storage)}, {"shape", s}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    throw NnError("tensor names and metadata must be valid UTF-8", where, {}, e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned

  std::string out;
  out.reserve(8 + text.size() + static_cast<std::size_t>(offset));
  append_le(out, text.size(), 8);
  out += text;
  for (const NamedTensor* t : order) encode(out, t->tensor, storage);

  std::random_device random;
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(random()) + std::to_string(random());
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file.write(out.data(), static_cast<std::streamsize>(out.size()));
    file.close();
    if (!file) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw NnError("cannot write file", where, {}, "failed writing " + tmp.string());
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw NnError("cannot rename file into place", where, {}, ec.message());
  }
}

}  // namespace oncotrack::nn
