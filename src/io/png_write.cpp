#include <zlib.h>

#include <string>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"

// PNG is encoded here (signature, IHDR, one zlib IDAT, IEND) rather than through ITK's PNGImageIO: when the
// disk fills up mid-write, libpng's error path inside ITK 5.2 corrupts the heap and aborts the whole process,
// where a failed write must cost one subject at most. Encoding in memory leaves the I/O to
// write_text_atomically.
namespace oncotrack::io {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  put_u32(out, static_cast<std::uint32_t>(
                   crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

}  // namespace

void write_png_rgb(const std::vector<std::uint8_t>& rgb, std::size_t width, std::size_t height,
                   const std::filesystem::path& path) {
  if (rgb.size() != width * height * 3 || width == 0 || height == 0 || width > (1u << 24) ||
      height > (1u << 24))
    throw Error(
        "cannot write picture", path.string(), "width·height·3 bytes, width and height 1 to 2^24",
        std::to_string(rgb.size()) + " bytes for " + std::to_string(width) + "×" + std::to_string(height));
  std::string header;
  put_u32(header, static_cast<std::uint32_t>(width));
  put_u32(header, static_cast<std::uint32_t>(height));
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits, RGB, deflate, adaptive filters, no interlace
  const std::size_t row = 3 * width;
  std::string raw;  // each row: filter type 0 (none), then its pixels
  raw.reserve((row + 1) * height);
  for (std::size_t y = 0; y < height; ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(rgb.data() + y * row), row);
  }
  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 6) != Z_OK)
    throw Error("cannot write picture", path.string(), "zlib compression", "a zlib error");
  compressed.resize(compressed_size);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", compressed);
  put_chunk(png, "IEND", "");
  write_text_atomically(path, png);
}

}  // namespace oncotrack::io
