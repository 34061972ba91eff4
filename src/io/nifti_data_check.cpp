#include "nifti_data_check.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "oncotrack/core/error.h"

namespace oncotrack::io::detail {

namespace {

constexpr std::int16_t kFloat32 = 16;
constexpr std::int16_t kFloat64 = 64;

template <class T>
T field(const unsigned char* header, std::size_t offset, bool swap) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, header + offset, sizeof(T));
  if (swap) std::reverse(bytes, bytes + sizeof(T));
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

struct Layout {
  std::int16_t datatype = 0;
  std::uint64_t voxels = 1, bytes_per_voxel = 0, data_offset = 0;
  bool swap = false;
};

Layout parse_header(const unsigned char* header, std::size_t header_bytes,
                    const std::filesystem::path& path) {
  Layout layout;
  const auto size_native = field<std::int32_t>(header, 0, false);
  const auto size_swapped = field<std::int32_t>(header, 0, true);
  const bool nifti2 = size_native == 540 || size_swapped == 540;
  layout.swap = size_native != 348 && size_native != 540;
  if ((!nifti2 && size_native != 348 && size_swapped != 348) || header_bytes < (nifti2 ? 540u : 348u)) {
    throw Error("not a NIfTI header", path.string(), "sizeof_hdr 348 or 540", std::to_string(size_native));
  }
  const auto rank =
      nifti2 ? field<std::int64_t>(header, 16, layout.swap) : field<std::int16_t>(header, 40, layout.swap);
  for (int d = 1; d <= std::clamp<int>(int(rank), 1, 7); ++d) {
    const std::int64_t n = nifti2 ? field<std::int64_t>(header, 16 + 8 * d, layout.swap)
                                  : field<std::int16_t>(header, 40 + 2 * d, layout.swap);
    layout.voxels *= std::uint64_t(std::max<std::int64_t>(n, 1));
  }
  // nifti1_io turns a zero or NaN spacing into 1 mm without a word: every volume would silently be wrong.
  for (int d = 1; d <= std::clamp<int>(int(rank), 1, 3); ++d) {
    const double spacing = nifti2 ? field<double>(header, 104 + 8 * d, layout.swap)
                                  : double(field<float>(header, 76 + 4 * d, layout.swap));
    if (!(std::isfinite(spacing) && spacing > 0))
      throw Error("invalid voxel spacing in header", path.string(),
                  "finite and positive spacing (mm) on every axis",
                  "pixdim[" + std::to_string(d) + "] = " + std::to_string(spacing));
  }
  layout.datatype = field<std::int16_t>(header, nifti2 ? 12 : 70, layout.swap);
  layout.bytes_per_voxel =
      std::uint64_t(std::max<std::int16_t>(field<std::int16_t>(header, nifti2 ? 14 : 72, layout.swap), 0)) /
      8;
  if (nifti2) {
    layout.data_offset = std::uint64_t(field<std::int64_t>(header, 168, layout.swap));
  } else {  // a float: NaN, negative or absurd values would not convert to an offset
    const float offset = field<float>(header, 108, layout.swap);
    if (!(offset >= 0.0f && offset < 1e12f))
      throw Error("invalid vox_offset in NIfTI header", path.string(), "a byte offset >= 0",
                  std::to_string(offset));
    layout.data_offset = std::uint64_t(std::max(offset, 352.0f));
  }
  return layout;
}

template <class T>
void count_non_finite(const unsigned char* data, std::size_t count, bool swap, std::uint64_t first_index,
                      std::uint64_t& non_finite, std::uint64_t& first_bad) {
  for (std::size_t n = 0; n < count; ++n) {
    if (!std::isfinite(field<T>(data, n * sizeof(T), swap)) && non_finite++ == 0) first_bad = first_index + n;
  }
}

using GzFile = std::unique_ptr<gzFile_s, int (*)(gzFile)>;

GzFile open_gz(const std::filesystem::path& path) {
  // gzread also reads uncompressed files transparently.
  GzFile file(gzopen(path.string().c_str(), "rb"), gzclose);
  if (!file) throw Error("cannot open file", path.string(), "a readable file", "open failed");
  return file;
}

// Reads the NIfTI-1 or -2 header into buffer; returns the bytes read.
int read_header(gzFile file, std::vector<unsigned char>& buffer) {
  int header_bytes = gzread(file, buffer.data(), 348);
  if (header_bytes == 348 && (field<std::int32_t>(buffer.data(), 0, false) == 540 ||
                              field<std::int32_t>(buffer.data(), 0, true) == 540)) {
    header_bytes += std::max(gzread(file, buffer.data() + 348, 540 - 348), 0);
  }
  return std::max(header_bytes, 0);
}

}  // namespace

void check_nifti_header(const std::filesystem::path& path) {
  std::vector<unsigned char> buffer(540);
  const GzFile file = open_gz(path);
  const int header_bytes = read_header(file.get(), buffer);
  parse_header(buffer.data(), std::size_t(header_bytes), path);
}

std::uint64_t check_nifti_data(const std::filesystem::path& path, const Geometry& geometry,
                               bool refuse_non_finite) {
  const GzFile file = open_gz(path);
  std::vector<unsigned char> buffer(1 << 20);
  const int header_bytes = read_header(file.get(), buffer);
  const Layout layout = parse_header(buffer.data(), std::size_t(header_bytes), path);
  const std::uint64_t expected = layout.voxels * layout.bytes_per_voxel;
  const std::size_t voxel_bytes = std::size_t(std::max<std::uint64_t>(layout.bytes_per_voxel, 1));

  std::uint64_t to_skip =
      layout.data_offset - std::min<std::uint64_t>(layout.data_offset, std::uint64_t(header_bytes));
  while (to_skip > 0) {  // header extensions
    const int got =
        gzread(file.get(), buffer.data(), unsigned(std::min<std::uint64_t>(to_skip, buffer.size())));
    if (got <= 0) break;
    to_skip -= std::uint64_t(got);
  }
  std::uint64_t data_read = 0, non_finite = 0, first_bad = 0;
  std::size_t carry = 0;  // bytes of a partial voxel kept at the front of buffer
  while (to_skip == 0 && data_read + carry < expected) {
    const auto want =
        std::size_t(std::min<std::uint64_t>(buffer.size() - carry, expected - data_read - carry));
    const int got = gzread(file.get(), buffer.data() + carry, unsigned(want));
    if (got <= 0) break;
    const std::size_t available = carry + std::size_t(got);
    const std::size_t whole = available - available % voxel_bytes;
    if (layout.datatype == kFloat32) {
      count_non_finite<float>(buffer.data(), whole / 4, layout.swap, data_read / 4, non_finite, first_bad);
    } else if (layout.datatype == kFloat64) {
      count_non_finite<double>(buffer.data(), whole / 8, layout.swap, data_read / 8, non_finite, first_bad);
    }
    data_read += whole;
    carry = available - whole;
    std::memmove(buffer.data(), buffer.data() + whole, carry);
  }
  int zlib_status = Z_OK;
  gzerror(file.get(), &zlib_status);
  if (data_read + carry < expected || (zlib_status != Z_OK && zlib_status != Z_STREAM_END)) {
    throw Error("file is shorter than its header says (truncated or corrupt?)", path.string(),
                std::to_string(expected) + " bytes of voxel data",
                std::to_string(data_read + carry) + " bytes");
  }
  if (non_finite > 0 && refuse_non_finite) {
    const std::uint64_t plane = std::uint64_t(geometry.size[0]) * geometry.size[1];
    const std::uint64_t in_volume = first_bad % std::max<std::uint64_t>(plane * geometry.size[2], 1);
    throw Error("image contains NaN or infinite voxel values", path.string(), "finite values everywhere",
                std::to_string(non_finite) + " non-finite voxels, first at ijk (" +
                    std::to_string(in_volume % geometry.size[0]) + "," +
                    std::to_string((in_volume / geometry.size[0]) % geometry.size[1]) + "," +
                    std::to_string(in_volume / plane) + ")");
  }
  return non_finite;
}

}  // namespace oncotrack::io::detail
